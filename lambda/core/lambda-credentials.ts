import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Replaces `@aws-sdk/credential-provider-node` in the bundled handler (see
 * scripts/bundle-handler.js). The Lambda runtime always puts the function role's
 * credentials in the environment, so the default chain's other links (profiles, SSO,
 * STS web identity, instance metadata) are dead weight there: about a quarter of the
 * bundle. Same export name and call shape as the package it replaces.
 */
export function defaultProvider(_init?: unknown): AwsCredentialIdentityProvider {
  return async (): Promise<AwsCredentialIdentity> => {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new Error('no AWS credentials in the environment: the Lambda runtime sets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    }
    return { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN || undefined };
  };
}
