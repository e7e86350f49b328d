import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { WickrChimeProvider } from './provider';
import { checkLength } from './validate';

/**
 * A secret value as a construct prop passes it: only the secret's ARN (and a JSON field)
 * go into the template; the provider is granted read access and reads the value at
 * deploy time. Never a `SecretValue` in the template.
 */
export function secretReference(scope: Construct, prop: string, secret: secretsmanager.ISecret, jsonField?: string): { SecretArn: string; JsonField?: string } {
  checkLength(scope, `${prop}Field`, jsonField, 1, 256);
  secret.grantRead(WickrChimeProvider.of(scope).function);
  return { SecretArn: secret.secretArn, JsonField: jsonField };
}
