import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { WickrChimeProvider } from './provider';
import { checkLength } from './validate';

/**
 * A secret value as a construct prop passes it: only the secret's ARN (and a JSON field)
 * go into the template; the provider may read the value (`secretsmanager:GetSecretValue`
 * on that secret, the one call it makes) and reads it at deploy time. Never a
 * `SecretValue` in the template.
 */
export function secretReference(scope: Construct, prop: string, secret: secretsmanager.ISecret, jsonField?: string): { SecretArn: string; JsonField?: string } {
  checkLength(scope, `${prop}Field`, jsonField, 1, 256);
  grantOnSecret(scope, secret, ['secretsmanager:GetSecretValue']);
  secret.encryptionKey?.grantDecrypt(viaSecretsManager(secret, WickrChimeProvider.of(scope).function));
  return { SecretArn: secret.secretArn, JsonField: jsonField };
}

/**
 * Lets the provider store new versions of a secret it writes (a generated challenge):
 * `PutSecretValue`; `DescribeSecret` to see which versions are stored (never a value); and
 * `UpdateSecretVersionStage` to make an earlier version current again.
 */
export function secretWriter(scope: Construct, secret: secretsmanager.ISecret): void {
  grantOnSecret(scope, secret, ['secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecretVersionStage']);
  secret.encryptionKey?.grantEncrypt(viaSecretsManager(secret, WickrChimeProvider.of(scope).function));
}

/** The ARN to grant on: a secret known by name or partial ARN gets the `-??????` the service appends. */
function grantOnSecret(scope: Construct, secret: secretsmanager.ISecret, actions: string[]): void {
  WickrChimeProvider.of(scope).grant(actions, [secret.secretFullArn ?? `${secret.secretArn}-??????`]);
}

function viaSecretsManager(secret: secretsmanager.ISecret, grantee: iam.IGrantable): kms.ViaServicePrincipal {
  return new kms.ViaServicePrincipal(`secretsmanager.${Stack.of(secret).region}.amazonaws.com`, grantee.grantPrincipal);
}
