import { ArnFormat, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Wickr network ARNs have the form `arn:<partition>:wickr:<region>:<account>:network/<networkId>`
 * (the form `GetNetwork` reports and `AWS::Wickr::Network` returns from `Ref`).
 */
export function networkArn(scope: IConstruct, networkId: string): string {
  return Stack.of(scope).formatArn({ service: 'wickr', resource: 'network', resourceName: networkId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/**
 * Every network of the stack's account and region: the IAM resource of network-level
 * actions, even for a network whose id is known at synth time. The provider's single
 * policy is updated before any custom resource and holds only what the current template
 * declares, so a grant naming one network would deny what its old resources still need
 * after a change of network id: CloudFormation's cleanup Delete of a resource moved to
 * another network, and the rollback of a failed move, both call in the old network. (A
 * network made in the same stack is a token, which the policy could not name anyway.)
 */
export function anyNetworkArn(scope: IConstruct): string {
  return networkArn(scope, '*');
}
