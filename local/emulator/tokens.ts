import { createHash } from 'crypto';
import { isRecord } from './protocol';

/**
 * Client tokens (members marked `idempotencyToken` in the model), handled generically:
 * the first successful response to (operation, token) is stored with a fingerprint of
 * the input without the token. The same token with the same input replays the stored
 * response without running the operation again; with a different input it is refused.
 * Failed calls are not stored, so a retry after an error runs the operation again.
 * Only a digest of the fingerprint is kept: an input can hold a credential (a Chime
 * endpoint's device token), and the state is exported and saved.
 */

export interface StoredResponse {
  readonly status: number;
  readonly body: string;
}

interface Entry {
  readonly fingerprint: string;
  readonly response: StoredResponse;
}

export type TokenLookup = { readonly kind: 'new' } | { readonly kind: 'replay'; readonly response: StoredResponse } | { readonly kind: 'mismatch' };

export class ClientTokens {
  private entries = new Map<string, Entry>();

  lookup(operation: string, token: string, fingerprint: string): TokenLookup {
    const entry = this.entries.get(key(operation, token));
    if (!entry) return { kind: 'new' };
    return entry.fingerprint === digest(fingerprint) ? { kind: 'replay', response: entry.response } : { kind: 'mismatch' };
  }

  remember(operation: string, token: string, fingerprint: string, response: StoredResponse): void {
    this.entries.set(key(operation, token), { fingerprint: digest(fingerprint), response });
  }

  reset(): void {
    this.entries.clear();
  }

  exportState(): Record<string, Entry> {
    return Object.fromEntries(this.entries);
  }

  importState(state: unknown): void {
    this.entries = new Map(isRecord(state) ? (Object.entries(state) as Array<[string, Entry]>) : []);
  }
}

function digest(fingerprint: string): string {
  return `sha256:${createHash('sha256').update(fingerprint).digest('hex')}`;
}

function key(operation: string, token: string): string {
  return `${operation} ${token}`;
}

/** A stable text for an input: keys sorted, dates as ISO-8601, buffers as base64. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(normalize);
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, normalize(value[k])]),
    );
  }
  return value;
}
