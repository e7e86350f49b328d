import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Wickr network ARNs have the form `arn:<partition>:wickr:<region>:<account>:network/<networkId>`
 * (the form `GetNetwork` reports and `AWS::Wickr::Network` returns from `Ref`).
 */
export function networkArn(scope: IConstruct, networkId: string): string {
  return Stack.of(scope).formatArn({ service: 'wickr', resource: 'network', resourceName: networkId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/** Every network of the stack's account and region: the provider's IAM scope for network-level actions. */
export function anyNetworkArn(scope: IConstruct): string {
  return networkArn(scope, '*');
}

/**
 * The IAM resource for actions on one network. A network id known at synth time gives
 * that network's ARN. A token (a network made in the same stack) gives every network of
 * the account and region: the provider's policy is created before any of its custom
 * resources, so it cannot name a network they have yet to create.
 */
export function networkGrantArn(scope: IConstruct, networkId: string): string {
  return Token.isUnresolved(networkId) ? anyNetworkArn(scope) : networkArn(scope, networkId);
}
