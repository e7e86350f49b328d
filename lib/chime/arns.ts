import { ArnFormat, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Every app instance (and, with `/*`, everything inside one) in the stack's account and region. */
export function anyAppInstanceArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({ service: 'chime', resource: 'app-instance', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}
