import { createHash } from 'crypto';
import { Issue } from './shapes';
import { badRequest } from './wickr-state';
import { fingerprint } from './tokens';

/**
 * Sorting and pagination of the Wickr list calls.
 *
 * - `maxResults` 1..100, default 10 (checked in `validate`).
 * - `sortFields`: one or more of the call's accepted fields joined by `+`, matched without
 *   regard to case; `sortDirection` ASC or DESC, default DESC (both as documented). With no
 *   `sortFields`, each call sorts by its documented default (ListNetworks: `networkId`) or
 *   else by creation order. Ties keep creation order, so pages are stable.
 * - `nextToken` is opaque: base64url of `{o: offset, c: checksum}`, the checksum binding
 *   the offset to the operation and to every other parameter of the call (filters, sort,
 *   network). A token that does not decode, or comes back with other parameters, is a
 *   400 BadRequestError. Tokens carry no expiry; items created or deleted between pages
 *   shift the offset (as with any offset-based pagination).
 */

export const DEFAULT_MAX_RESULTS = 10;
export const MAX_RESULTS = 100;

export type SortValue = string | number | boolean | undefined;

export interface ListSpec<T> {
  /** Accepted `sortFields` (the documented spelling) and how to read each from an item. */
  readonly sortKeys: Readonly<Record<string, (item: T) => SortValue>>;
  /** Sort when `sortFields` is absent: a field of `sortKeys`, or creation order. */
  readonly defaultSort?: string;
  /** Creation order (tie-breaker). */
  readonly order: (item: T) => number;
}

export interface ListInput {
  readonly maxResults?: number;
  readonly nextToken?: string;
  readonly sortDirection?: 'ASC' | 'DESC';
  readonly sortFields?: string;
}

/** The list calls and their accepted sort fields (from the API reference). */
export const SORT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  ListNetworks: ['networkId', 'networkName'],
  ListSecurityGroups: ['id', 'name'],
  ListSecurityGroupUsers: ['username', 'firstName', 'lastName'],
  ListUsers: ['username', 'firstName', 'lastName', 'status', 'groupId'],
  ListBots: ['username', 'firstName', 'displayName', 'status', 'groupId'],
  ListDevicesForUser: ['lastlogin', 'type', 'suspend', 'created'],
  ListGuestUsers: ['username', 'billingPeriod'],
  ListBlockedGuestUsers: ['username', 'admin', 'modified'],
};

function splitFields(sortFields: string): string[] {
  return sortFields
    .split('+')
    .map((f) => f.trim())
    .filter((f) => f !== '');
}

/** Issues of `maxResults` and `sortFields` for a list call. */
export function listIssues(operation: string, input: ListInput): Issue[] {
  const issues: Issue[] = [];
  if (input.maxResults !== undefined && (input.maxResults < 1 || input.maxResults > MAX_RESULTS)) {
    issues.push({ field: 'maxResults', reason: `maxResults must be between 1 and ${MAX_RESULTS}` });
  }
  const accepted = SORT_FIELDS[operation] ?? [];
  if (input.sortFields !== undefined) {
    const fields = splitFields(input.sortFields);
    const unknown = fields.filter((f) => !accepted.some((a) => a.toLowerCase() === f.toLowerCase()));
    if (fields.length === 0 || unknown.length > 0) {
      issues.push({
        field: 'sortFields',
        reason: `sortFields must be one or more of ${accepted.join(', ')} joined by '+'${unknown.length ? ` (not ${unknown.join(', ')})` : ''}`,
      });
    }
  }
  return issues;
}

function compare(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  }
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

function sortItems<T>(items: readonly T[], spec: ListSpec<T>, input: ListInput): T[] {
  const byName = new Map(Object.entries(spec.sortKeys).map(([name, read]) => [name.toLowerCase(), read]));
  const names = input.sortFields !== undefined ? splitFields(input.sortFields) : spec.defaultSort ? [spec.defaultSort] : [];
  const readers = names.map((n) => byName.get(n.toLowerCase())).filter((r): r is (item: T) => SortValue => r !== undefined);
  const sign = (input.sortDirection ?? 'DESC') === 'DESC' ? -1 : 1;
  return [...items].sort((a, b) => {
    for (const read of readers) {
      const c = compare(read(a), read(b));
      if (c !== 0) return sign * c;
    }
    return sign * (spec.order(a) - spec.order(b));
  });
}

function checksum(operation: string, query: unknown, offset: number): string {
  return createHash('sha256').update(`wickr-list\n${operation}\n${fingerprint(query)}\n${offset}`).digest('base64url').slice(0, 16);
}

function encodeToken(operation: string, query: unknown, offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset, c: checksum(operation, query, offset) })).toString('base64url');
}

function decodeToken(operation: string, query: unknown, token: string): number {
  const invalid = badRequest('Invalid nextToken: pass the nextToken of the previous page of the same call, with the same parameters');
  let decoded: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid;
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const { o, c } = (decoded ?? {}) as { o?: unknown; c?: unknown };
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || c !== checksum(operation, query, o)) throw invalid;
  return o;
}

/**
 * Sorts, then returns the page the input asks for. `query` is every input member that
 * shapes the result (filters, sort, path labels); `maxResults` and `nextToken` are left
 * out by the caller's choice of what to pass.
 */
export function listPage<T>(operation: string, items: readonly T[], spec: ListSpec<T>, input: ListInput & Record<string, unknown>): { page: T[]; nextToken?: string } {
  const { nextToken, maxResults, ...query } = input;
  const offset = nextToken === undefined ? 0 : decodeToken(operation, query, nextToken);
  const size = maxResults ?? DEFAULT_MAX_RESULTS;
  const sorted = sortItems(items, spec, input);
  const page = sorted.slice(offset, offset + size);
  const next = offset + size < sorted.length ? encodeToken(operation, query, offset + size) : undefined;
  return { page, nextToken: next };
}

/** Case-insensitive substring match, the way the list filters on names work. */
export function matches(value: string | undefined, filter: string | undefined): boolean {
  if (filter === undefined || filter === '') return true;
  return value !== undefined && value.toLowerCase().includes(filter.toLowerCase());
}
