import { createHash } from 'crypto';

/** What a token is derived from: the CloudFormation request that asked for the change. */
export interface TokenSource {
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly RequestId: string;
}

/**
 * A deterministic idempotency token for one call made on behalf of one CloudFormation request.
 *
 * A retried or duplicated delivery of the same request derives the same token, so the
 * service returns the first result instead of creating twice. `purpose` separates the
 * different calls one request makes (`create`, `batch-create`), `index` the items of a batch.
 *
 * 48 hex characters: fits Wickr's `[a-zA-Z0-9-_:]{1,64}` and Chime's `[-_a-zA-Z0-9]{2,64}`.
 */
export function requestToken(source: TokenSource, purpose: string, index?: number): string {
  return createHash('sha256')
    .update([source.StackId, source.LogicalResourceId, source.RequestId, purpose, index ?? ''].join('\n'))
    .digest('hex')
    .slice(0, 48);
}
