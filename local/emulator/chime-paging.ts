import { createHash } from 'crypto';
import { badRequest } from './chime-state';

/**
 * Pagination of the Chime SDK Identity list calls.
 *
 * - Items come in creation order.
 * - `MaxResults` 1..50 (the model's range); the default when absent is the service
 *   option `defaultMaxResults` (10: the API reference states none).
 * - `NextToken` is opaque: base64url of `{a: seq, c: checksum}`, where `a` is the creation
 *   number of the last item returned and the checksum binds it to the operation and to the
 *   list's scope (the app instance or user). The next page starts after that item, so
 *   items created or deleted between pages neither repeat nor get skipped. A token that
 *   does not decode, or comes back for another call or scope, is a BadRequestException.
 *   Tokens do not expire.
 */

export const MAX_RESULTS_MIN = 1;
export const MAX_RESULTS_MAX = 50;

export interface PageInput {
  readonly MaxResults?: number;
  readonly NextToken?: string;
}

function checksum(operation: string, scope: string, after: number): string {
  return createHash('sha256').update(`chime-list\n${operation}\n${scope}\n${after}`).digest('base64url').slice(0, 16);
}

function encode(operation: string, scope: string, after: number): string {
  return Buffer.from(JSON.stringify({ a: after, c: checksum(operation, scope, after) })).toString('base64url');
}

function decode(operation: string, scope: string, token: string): number {
  const invalid = badRequest('Invalid NextToken: pass the NextToken of the previous page of the same call');
  let decoded: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid;
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const { a, c } = (decoded ?? {}) as { a?: unknown; c?: unknown };
  if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || c !== checksum(operation, scope, a)) throw invalid;
  return a;
}

/** One page of `items` (any order: they are sorted by `seq` here). */
export function page<T extends { readonly seq: number }>(
  operation: string,
  scope: string,
  items: readonly T[],
  input: PageInput,
  defaultMaxResults: number,
): { items: T[]; NextToken?: string } {
  const after = input.NextToken === undefined || input.NextToken === '' ? 0 : decode(operation, scope, input.NextToken);
  const size = input.MaxResults ?? defaultMaxResults;
  const remaining = [...items].sort((x, y) => x.seq - y.seq).filter((item) => item.seq > after);
  const out = remaining.slice(0, size);
  const more = remaining.length > out.length && out.length > 0;
  return { items: out, NextToken: more ? encode(operation, scope, out[out.length - 1].seq) : undefined };
}
