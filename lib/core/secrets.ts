import { Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { WickrChimeProvider } from './provider';
import { checkLength } from './validate';

/**
 * A secret value as a construct prop passes it: only the secret's ARN (and a JSON field)
 * go into the template; the provider may read the value (`secretsmanager:GetSecretValue`
 * on that secret, the one call it makes; with a customer managed key, `kms:Decrypt`
 * through Secrets Manager) and reads it at deploy time. Never a `SecretValue` in the template.
 */
export function secretReference(scope: Construct, prop: string, secret: secretsmanager.ISecret, jsonField?: string): { SecretArn: string; JsonField?: string } {
  checkLength(scope, `${prop}Field`, jsonField, 1, 256);
  grantOnSecret(scope, secret, ['secretsmanager:GetSecretValue']);
  grantOnKey(scope, secret, 'kms:Decrypt');
  return { SecretArn: secret.secretArn, JsonField: jsonField };
}

/**
 * Lets the provider store new versions of a secret it writes (a generated challenge):
 * `PutSecretValue`; `DescribeSecret` to see which versions are stored (never a value); and
 * `UpdateSecretVersionStage` to make an earlier version current again. With a customer
 * managed key, `kms:GenerateDataKey` through Secrets Manager: the data key of a new version
 * is the one KMS call `PutSecretValue` makes (the provider never reads the secret back).
 */
export function secretWriter(scope: Construct, secret: secretsmanager.ISecret): void {
  grantOnSecret(scope, secret, ['secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecretVersionStage']);
  grantOnKey(scope, secret, 'kms:GenerateDataKey');
}

/** The ARN to grant on: a secret known by name or partial ARN gets the `-??????` the service appends. */
function grantOnSecret(scope: Construct, secret: secretsmanager.ISecret, actions: string[]): void {
  WickrChimeProvider.of(scope).grant(actions, [secret.secretFullArn ?? `${secret.secretArn}-??????`]);
}

/**
 * With a customer managed key, the one KMS action the secret call needs, on that key, only
 * through Secrets Manager (`kms:ViaService`). It goes into the provider's own policy, for a
 * key made in the app as for an imported one (whose key policy lets the account's IAM
 * policies grant its use, as the default key policy does).
 */
function grantOnKey(scope: Construct, secret: secretsmanager.ISecret, action: string): void {
  if (!secret.encryptionKey) return;
  WickrChimeProvider.of(scope).grant([action], [secret.encryptionKey.keyArn], {
    StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(secret).region}.amazonaws.com` },
  });
}
