import { deepEqual } from '../core/resource';
import { isPlainObject } from '../core/template';
import { USERS_TYPE } from '../wickr/users.wire';

/**
 * Declared against live, for drift. Only what the template declares counts: a key the
 * template does not set, a setting inside a structure it does not name, a tag it does not
 * declare, are never drift. A key the handler cannot read back (a secret, a token
 * version) is not compared. Lists of plain values compare as sets; tags as key/value pairs.
 */

export type DriftStatus = 'IN_SYNC' | 'MODIFIED' | 'DELETED' | 'NOT_CHECKED';

export interface PropertyDrift {
  /** `NetworkName`, `Settings.shredder.intensity`, `Users[ann@example.com].lastName`. */
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

export interface ResourceDrift {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId?: string;
  readonly status: DriftStatus;
  /** Why a resource is NOT_CHECKED. */
  readonly reason?: string;
  readonly drifts: readonly PropertyDrift[];
  /** A one-line summary (WickrUsers: how many users changed or went missing, and the first usernames). */
  readonly summary?: string;
  /** Declared properties that could not be compared, and why. */
  readonly notCompared?: Readonly<Record<string, string>>;
}

/** The first usernames a summary names. */
const NAMED = 3;

/**
 * The drifts of one resource: `declared` (the template's keys, decoded by the resource's
 * schema so that `"60"` compares as `60`) against what `read` answered.
 */
export function driftsOf(type: string, declaredKeys: readonly string[], declared: Record<string, unknown>, live: Record<string, unknown>): { drifts: PropertyDrift[]; summary?: string } {
  if (type === USERS_TYPE) return userDrifts(live);
  const drifts: PropertyDrift[] = [];
  for (const key of declaredKeys) {
    if (!Object.prototype.hasOwnProperty.call(live, key)) continue;
    compare(declared[key], live[key], key, drifts);
  }
  return { drifts };
}

function compare(expected: unknown, actual: unknown, path: string, out: PropertyDrift[]): void {
  if (expected === undefined) return;
  if (isTagList(expected)) {
    const live = new Map((Array.isArray(actual) ? actual : []).map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
    for (const tag of expected) if (live.get(tag.Key) !== tag.Value) out.push({ path: `${path}[${tag.Key}]`, expected: tag.Value, actual: live.get(tag.Key) });
    return;
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) {
      out.push({ path, expected, actual });
      return;
    }
    for (const [key, value] of Object.entries(expected)) compare(value, actual[key], `${path}.${key}`, out);
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual) && expected.every(isScalar) && actual.every(isScalar)) {
    if (!deepEqual([...expected].map(String).sort(), [...actual].map(String).sort())) out.push({ path, expected, actual });
    return;
  }
  if (!deepEqual(expected, actual)) out.push({ path, expected, actual });
}

/** WickrUsers reads back which declared users are missing and which differ (it reads the users file itself). */
function userDrifts(live: Record<string, unknown>): { drifts: PropertyDrift[]; summary?: string } {
  const missing = (Array.isArray(live.MissingUsers) ? live.MissingUsers : []) as string[];
  const changed = (Array.isArray(live.ChangedUsers) ? live.ChangedUsers : []) as Array<{ username: string; field: string; expected: unknown; actual: unknown }>;
  const drifts: PropertyDrift[] = [
    ...missing.map((u) => ({ path: `Users[${u}]`, expected: 'present', actual: 'missing' })),
    ...changed.map((c) => ({ path: `Users[${c.username}].${c.field}`, expected: c.expected, actual: c.actual })),
  ];
  const changedUsers = [...new Set(changed.map((c) => c.username))];
  const groups = [
    { what: 'changed', users: changedUsers },
    { what: 'missing', users: missing },
  ].filter((g) => g.users.length > 0);
  if (groups.length === 0) return { drifts };
  // The counts first: a table that shortens the line still shows them.
  const counts = groups.map((g) => `${g.users.length} ${g.what}`).join(', ');
  const usernames = groups.map((g) => (groups.length > 1 ? `${g.what}: ${named(g.users)}` : named(g.users))).join('; ');
  return { drifts, summary: `users: ${counts} (${usernames})` };
}

function named(usernames: readonly string[]): string {
  return usernames.slice(0, NAMED).join(', ') + (usernames.length > NAMED ? ', ...' : '');
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isTagList(value: unknown): value is Array<{ Key: string; Value: string }> {
  return Array.isArray(value) && value.length > 0 && value.every((t) => isPlainObject(t) && typeof t.Key === 'string' && Object.keys(t).every((k) => k === 'Key' || k === 'Value'));
}
