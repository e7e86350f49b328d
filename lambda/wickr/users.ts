import { describeError, RequestRefusedError } from '../core/errors';
import { CleanupContext, deepEqual, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { bool, decodeProperties, getOwn, list, oneOf, optional, str, stringMap, struct } from '../core/schema';
import { UpdateUserCommand, User } from './client';
import {
  asDesired,
  batches,
  compare,
  createCommand,
  createUsers,
  deleteUsers,
  Desired,
  detailsChange,
  digest,
  inParallel,
  keyOf,
  lookUp,
  CreateProgress,
  setSuspended,
  UsersBatchError,
  UsersCreateFailed,
  valuesOf,
} from './users-calls';
import { deletable, mayTakeOverUsers, REFUSED_EXISTING, refuseExisting, siblingUsers } from './users-owners';
import { readUsersFileText, UsersFileRef } from './users-file-object';
import { parseUsersFile } from './users-file.wire';
import { checkUsers, USERS_TYPE, UserRecord } from './users.wire';

/**
 * `Custom::WickrUsers`: many users of one network in one resource.
 *
 * The resource manages exactly the usernames its properties list (inline, or in a users
 * file read from S3); other users of the network are never touched. The physical id is
 * `<networkId>/users/<16 hex>`; the response carries no `Data`, whatever the count.
 *
 * Calls (n users, 50 per batch):
 * - create: ⌈n/50⌉ `BatchCreateUser`, one client token per batch derived from the request
 *   (users sorted by username, so a repeated delivery sends the same batches with the same
 *   tokens and the service replays them), then ⌈s/50⌉ `BatchToggleUserSuspendStatus` for
 *   the s suspended users. A username that exists already fails the create (it is not
 *   taken over). A failed create has the users it made deleted by `cleanupFailedCreate`,
 *   which sends the batches that were sent again with their tokens: the service answers
 *   which users each made.
 * - update: converges the users the change concerns (added, removed or changed between the
 *   old and the new properties) from their live state, in an order that destroys nothing
 *   until the rest worked: the live users are looked up (`ListUsers` filtered by username,
 *   one call per user, or a listing of the network, 100 users per call, whichever is fewer
 *   calls); declared users that are missing are created, those that differ are updated
 *   (`UpdateUser`), suspensions set, and users no longer declared that still exist are
 *   deleted last. So a rollback (an update back to the old properties, from whatever state
 *   the failed update left) creates what is missing, adopts what exists and updates what
 *   differs. One changed user: 2 calls. Nothing changed: 0 calls.
 * - a new network is a replacement: the users are created there (the old ones go with the
 *   old resource), unless the resource already is in that network (a rollback).
 * - delete: a lookup of the managed users, then ⌈n/50⌉ `BatchDeleteUser`; users already
 *   gone (or the whole network) count as deleted.
 *
 * A batch that partly fails ends the request FAILED with each user's reason (the reason shows
 * as many as fit; the logs list all, never first or last names).
 */

export interface UsersProps {
  readonly NetworkId: string;
  readonly Groups: Record<string, string>;
  readonly DefaultGroup: string;
  readonly Users?: UserRecord[];
  readonly UsersFile?: UsersFileRef;
}

const schema = struct<UsersProps>({
  NetworkId: str({ pattern: /^[0-9]{8}$/, patternText: 'an 8-digit network id' }),
  Groups: stringMap({ minLength: 1 }, { minLength: 1 }),
  DefaultGroup: str({ minLength: 1 }),
  Users: optional(
    list(
      struct<UserRecord>({
        username: str({ minLength: 1 }),
        firstName: optional(str()),
        lastName: optional(str()),
        group: optional(str()),
        suspended: optional(bool()),
      }),
    ),
  ),
  UsersFile: optional(
    struct<UsersFileRef>({
      Bucket: str({ minLength: 1 }),
      Key: str({ minLength: 1 }),
      Format: oneOf('csv', 'json'),
      Sha256: str({ pattern: /^[0-9a-f]{64}$/, patternText: '64 lowercase hex digits' }),
      Archive: optional(str({ minLength: 1 })),
    }),
  ),
});

async function readRecords(ctx: OperationContext, props: UsersProps, check: boolean): Promise<readonly UserRecord[]> {
  if (!props.UsersFile) {
    const records = props.Users ?? [];
    if (check) refuseBadUsers(() => checkUsers(records, (i) => `Users[${i}]`));
    return records;
  }
  const text = await readUsersFileText(ctx, props.UsersFile);
  return refuseBadUsers(() => parseUsersFile(text, props.UsersFile!.Format, { groups: Object.keys(props.Groups ?? {}), check }));
}

function refuseBadUsers<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw new RequestRefusedError(`users: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The users the properties declare, by username key, in username order (so the batches,
 * and their client tokens, are the same on every delivery of a request). `check: false`
 * for properties that describe what exists (old properties, a delete, a read): no rule is
 * enforced, and a user of an unknown group has no group id.
 */
async function desiredUsers(ctx: OperationContext, props: UsersProps, check = true): Promise<Map<string, Desired>> {
  const records = await readRecords(ctx, props, check);
  const groups = props.Groups ?? {};
  const out = new Map<string, Desired>();
  for (const r of [...records].sort((a, b) => compare(keyOf(a.username), keyOf(b.username)))) {
    const alias = r.group ?? props.DefaultGroup;
    const groupId = getOwn(groups, alias);
    if (!groupId && check) throw new RequestRefusedError(`user ${r.username}: group "${alias}" is not one of ${Object.keys(groups).join(', ')}`);
    out.set(keyOf(r.username), { username: r.username, firstName: r.firstName, lastName: r.lastName, groupId: groupId ?? '', suspended: r.suspended ?? false });
  }
  return out;
}

function physicalId(ctx: OperationContext, networkId: string): string {
  return `${networkId}/users/${ctx.token('users-id').slice(0, 16)}`;
}

/**
 * Creates the users. A username that exists already fails the batch it is in; such users are
 * then taken over (converged) when this resource may (`mayTakeOverUsers`: a rename or a move
 * within the stack, a rollback), and refused otherwise. An adoption looks the users up first
 * instead, so adopting users that match makes no call that changes anything.
 */
async function create(ctx: OperationContext, props: UsersProps): Promise<OperationResult> {
  const id = physicalId(ctx, props.NetworkId);
  const desiredByKey = await desiredUsers(ctx, props);
  if (ctx.adopt !== undefined) return takeOver(ctx, id, props, desiredByKey, 'adoption');
  const desired = [...desiredByKey.values()];
  const progress: CreateProgress = { made: new Map(), unknownBatches: [] };
  try {
    const made = await createUsers(ctx, props.NetworkId, desired, () => 'create-users', progress);
    const suspended = desired.filter((u) => u.suspended).map((u) => made.get(keyOf(u.username)) as string);
    await setSuspended(ctx, props.NetworkId, suspended, true);
    ctx.log.log('info', 'users created', { created: made.size, suspended: suspended.length });
  } catch (err) {
    const taken = err instanceof UsersBatchError && err.failures.every((f) => EXISTS.test(f.reason ?? '')) ? err.failures.map((f) => f.item) : [];
    const why = taken.length > 0 ? await mayTakeOverUsers(ctx, props.NetworkId) : undefined;
    if (taken.length > 0 && why === undefined) refuseExisting(ctx, props.NetworkId, taken, progress.made.size === 0 && progress.unknownBatches.length === 0);
    if (why === undefined) throw new UsersCreateFailed(err, progress);
    return takeOver(ctx, id, props, desiredByKey, why);
  }
  return { physicalResourceId: id };
}

/** A `BatchCreateUser` failure of a username that exists. */
const EXISTS = /already exists/i;

/** Converges every declared user from its live state (creating the missing ones): a create that takes users over. */
async function takeOver(ctx: OperationContext, id: string, props: UsersProps, next: Map<string, Desired>, why: string): Promise<OperationResult> {
  await converge(ctx, props, next, new Map(), true);
  // One line per takeover, as for every type (deploy-local counts them).
  ctx.log.log('info', 'adopted', { what: `the declared users of network ${props.NetworkId} that exist`, physicalId: id, how: why === 'adoption' ? 'adopted (no stack owned them)' : `taken over (${why})` });
  return { physicalResourceId: id };
}

/**
 * The users a failed create (or the create of a replacement) made: those it knows it made
 * (right after the failure, from the error) are deleted; the batches of unknown outcome
 * (all those sent, on the Delete CloudFormation sends later) are sent again with their
 * tokens, and the service answers the users each made (without making them again), which
 * are deleted too. Nothing for an update in place: its rollback converges.
 */
async function cleanupFailedCreate(ctx: CleanupContext, props: UsersProps): Promise<string | void> {
  if (ctx.request.RequestType === 'Update' && ctx.request.PhysicalResourceId?.startsWith(`${props.NetworkId}/`)) return;
  if (ctx.adopt !== undefined) {
    ctx.log.log('warn', 'an adoption failed: no user is deleted (it may have taken users over, and it cannot tell them from the ones it made)');
    return;
  }
  const known = ctx.failure instanceof UsersCreateFailed ? ctx.failure.progress : undefined;
  const sent = ctx.made.sent('BatchCreateUser');
  if (sent === 0) return;
  const userIds = [...(known?.made.values() ?? [])];
  await deleteUsers(ctx, props.NetworkId, userIds, 'undo-users');
  const unknown = known ? known.unknownBatches : Array.from({ length: sent }, (_, i) => i);
  let more = 0;
  if (unknown.length > 0) {
    const all = batches([...(await desiredUsers(ctx, props)).values()]);
    const replies = valuesOf(await inParallel(unknown, (i) => ctx.clients.wickr().send(createCommand(ctx, props.NetworkId, all[i], 'create-users', i))));
    const found = replies.flatMap((r) => (r.successful ?? []).map((u) => u.userId).filter((id): id is string => !!id && !userIds.includes(id)));
    await deleteUsers(ctx, props.NetworkId, found, 'undo-users');
    more = found.length;
  }
  return userIds.length + more > 0 ? `${userIds.length + more} user(s)` : undefined;
}

/** How many usernames of each kind the 'users updated' log line names. */
const LOGGED_USERNAMES = 5;

/** See the module comment: converges the users the change concerns, deleting last. */
async function update(ctx: OperationContext, id: string, props: UsersProps, old: UsersProps): Promise<OperationResult> {
  if (deepEqual(props, old)) return { physicalResourceId: id };
  if (!id.startsWith(`${props.NetworkId}/`)) return create(ctx, props);
  await converge(ctx, props, await desiredUsers(ctx, props), await desiredUsers(ctx, old, false), false);
  return { physicalResourceId: id };
}

/** What converging the users takes: the declared users before and after, those the change concerns, and the live ones among them. */
interface Convergence {
  readonly next: Map<string, Desired>;
  readonly prev: Map<string, Desired>;
  /** Declared now and not before, or declared otherwise. */
  readonly wanted: string[];
  /** Declared before and not now. */
  readonly removed: string[];
  readonly live: Map<string, User>;
}

/**
 * Converges the users `next` declares and `prev` did not (or declared otherwise) from their
 * live state, and deletes, last, those `prev` declared and `next` does not. A user that exists
 * and `prev` did not declare is taken over only when `takingOver`, or when this resource may
 * take users over (`mayTakeOverUsers`); none is deleted that another `WickrUsers` of the stack
 * declares. A change that fails removes the users it made before failing, so that its rollback
 * (which cannot tell them from users that existed before) never has to.
 */
async function converge(ctx: OperationContext, props: UsersProps, next: Map<string, Desired>, prev: Map<string, Desired>, takingOver: boolean): Promise<void> {
  const differs = (k: string) => detailsChange(prev.get(k)!, next.get(k)!) !== undefined || prev.get(k)!.suspended !== next.get(k)!.suspended;
  const wanted = [...next.keys()].filter((k) => !prev.has(k) || differs(k));
  const removed = [...prev.keys()].filter((k) => !next.has(k));
  const live = await lookUp(ctx, props.NetworkId, [...wanted, ...removed].sort(compare), Math.max(next.size, prev.size));
  const taken = wanted.filter((k) => !prev.has(k) && live.has(k));
  if (taken.length > 0 && !takingOver && (await mayTakeOverUsers(ctx, props.NetworkId)) === undefined) {
    refuseExisting(ctx, props.NetworkId, taken.map((k) => next.get(k)!.username));
  }
  const progress: CreateProgress = { made: new Map(), unknownBatches: [] };
  try {
    await apply(ctx, props, { next, prev, wanted, removed, live }, progress);
  } catch (err) {
    if (progress.made.size > 0) await undoMade(ctx, props.NetworkId, progress);
    throw err;
  }
}

/** Deletes the users a failed change made; a failure to do so is logged (the users stay) and the change's error goes on. */
async function undoMade(ctx: OperationContext, networkId: string, progress: CreateProgress): Promise<void> {
  try {
    await deleteUsers(ctx, networkId, [...progress.made.values()], 'undo-added-users');
    ctx.log.log('info', 'the failed change removed the users it had made', { removed: progress.made.size });
  } catch (undo) {
    ctx.log.log('error', 'the failed change could not remove the users it had made; they stay', { made: progress.made.size, reason: describeError(undo) });
  }
}

/** The calls of a convergence: create the missing, update what differs, set suspensions, delete last. */
async function apply(ctx: OperationContext, props: UsersProps, c: Convergence, progress: CreateProgress): Promise<void> {
  const { next, prev, wanted, removed, live } = c;
  const missing = wanted.filter((k) => !live.has(k));
  const recreated = missing.filter((k) => prev.has(k));
  if (recreated.length > 0) ctx.log.log('warn', 'managed users are missing (deleted outside the stack, or by a failed update); creating them again', { usernames: recreated });
  const made = await createUsers(ctx, props.NetworkId, missing.map((k) => next.get(k)!), (batch) => `add-users:${digest(batch.map((u) => keyOf(u.username)))}`, progress);

  const changes = wanted.filter((k) => live.has(k)).map((k) => [live.get(k)!, detailsChange(asDesired(live.get(k)!), next.get(k)!)] as const);
  valuesOf(
    await inParallel(
      changes.filter(([, details]) => details !== undefined),
      ([user, userDetails]) => ctx.clients.wickr().send(new UpdateUserCommand({ networkId: props.NetworkId, userId: user.userId!, userDetails })),
    ),
  );

  // New users start active: those declared suspended are suspended now, with the live ones whose suspension differs.
  const liveSuspended = (k: string) => live.get(k)?.suspended ?? false;
  const idOf = (k: string) => made.get(k) ?? live.get(k)!.userId!;
  const suspend = wanted.filter((k) => next.get(k)!.suspended && (made.has(k) || !liveSuspended(k))).map(idOf);
  const resume = wanted.filter((k) => !next.get(k)!.suspended && live.has(k) && liveSuspended(k)).map(idOf);
  await setSuspended(ctx, props.NetworkId, suspend, true);
  await setSuspended(ctx, props.NetworkId, resume, false);

  const goneKeys = await removable(ctx, props.NetworkId, removed.filter((k) => live.has(k)));
  const gone = goneKeys.map((k) => live.get(k)!.userId!);
  await deleteUsers(ctx, props.NetworkId, gone, 'remove-users');
  // For the operator (deploy-local prints it): who was added, changed (details or suspension) and removed; usernames only.
  const altered = wanted.filter((k) => live.has(k) && (detailsChange(asDesired(live.get(k)!), next.get(k)!) !== undefined || liveSuspended(k) !== next.get(k)!.suspended));
  const some = (keys: readonly string[]) => ({ count: keys.length, first: keys.slice(0, LOGGED_USERNAMES).map((k) => (next.get(k) ?? prev.get(k))?.username ?? k) });
  const users = { added: some([...made.keys()]), changed: some(altered), removed: some(goneKeys) };
  ctx.log.log('info', 'users updated', { created: made.size, recreated: recreated.length, changed: changes.filter(([, d]) => d).length, suspended: suspend.length, resumed: resume.length, removed: gone.length, users });
}

/**
 * The users that are no longer declared and may be deleted: none another `WickrUsers` of the
 * stack declares; and in a rollback, the users the undone update added only when it could not
 * have taken any over (no adoption, no other `WickrUsers` of the stack on the network) and was
 * not refused for users that existed (it then changed nothing): then each it added that
 * exists was made by it (a failed update removes what it made itself, unless that failed too).
 */
async function removable(ctx: OperationContext, networkId: string, keys: string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const others = await siblingUsers(ctx, networkId, declaredKeys(ctx));
  const candidates = deletable(keys, others, ctx);
  if (candidates.length === 0 || !ctx.ownership || !(await ctx.ownership.rollingBack())) return candidates;
  const undone = await ctx.ownership.lastOutcome();
  const refused = undone.status === 'UPDATE_FAILED' && (undone.reason ?? '').includes(REFUSED_EXISTING);
  if (undone.status !== undefined && !refused && !ctx.adoptedBefore && others.siblings.length === 0) return candidates;
  ctx.log.log('info', 'the rollback deletes none of the users the undone update added: they existed before it, or it may have taken them over', { kept: candidates.length, undone: undone.status ?? 'unknown' });
  return [];
}

/** The username keys a `WickrUsers`'s properties (as the template has them) declare. */
const declaredKeys = (ctx: OperationContext) => async (properties: Record<string, unknown>) =>
  new Set((await desiredUsers(ctx, decodeProperties(schema, properties, { lenient: true }), false)).keys());

/** Deletes every managed user that still exists; a network already gone is a success (the dispatcher treats its 404 so). */
async function remove(ctx: OperationContext, _id: string, props: UsersProps): Promise<void> {
  const desired = await desiredUsers(ctx, props, false);
  const live = await lookUp(ctx, props.NetworkId, [...desired.keys()], desired.size);
  const keys = deletable([...live.keys()], await siblingUsers(ctx, props.NetworkId, declaredKeys(ctx)), ctx);
  await deleteUsers(ctx, props.NetworkId, keys.map((k) => live.get(k)!.userId!), 'delete-users');
  ctx.log.log('info', 'users deleted', { deleted: keys.length, kept: live.size - keys.length, alreadyGone: desired.size - live.size });
}

/**
 * The managed users as they are now, for drift: `Users` in the order and shape of the
 * declared list (group as its alias, or the group id when it is none of `Groups`;
 * `suspended` always present); `MissingUsers`, the declared usernames not in the network;
 * and `ChangedUsers`, each declared field a live user differs in (the declared list may be
 * a file only the handler reads). Users of the network that are not declared are not read.
 */
async function read(ctx: OperationContext, _id: string, props: UsersProps): Promise<LiveState> {
  const desired = await desiredUsers(ctx, props, false);
  const live = await lookUp(ctx, props.NetworkId, [...desired.keys()], desired.size);
  const alias = new Map(Object.entries(props.Groups ?? {}).map(([a, g]) => [g, a]));
  const defaultGroup = getOwn(props.Groups ?? {}, props.DefaultGroup);
  if (defaultGroup) alias.set(defaultGroup, props.DefaultGroup);
  const groupName = (id: string) => alias.get(id) ?? id;
  const users: Array<Record<string, unknown>> = [];
  const changed: Array<{ username: string; field: string; expected: unknown; actual: unknown }> = [];
  for (const [key, want] of desired) {
    const u = live.get(key);
    if (!u) continue;
    const have = asDesired(u);
    users.push({ username: u.username, ...(u.firstName ? { firstName: u.firstName } : {}), ...(u.lastName ? { lastName: u.lastName } : {}), group: groupName(have.groupId), suspended: have.suspended });
    const fields: Array<[string, unknown, unknown]> = [
      ['firstName', want.firstName ?? '', have.firstName ?? ''],
      ['lastName', want.lastName ?? '', have.lastName ?? ''],
      ['group', groupName(want.groupId), groupName(have.groupId)],
      ['suspended', want.suspended, have.suspended],
    ];
    // Names are reported changed, never shown: they are personal data, and logs and reports are read widely.
    for (const [field, expected, actual] of fields) {
      if (expected === actual) continue;
      const personal = field === 'firstName' || field === 'lastName';
      changed.push({ username: want.username, field, expected: personal ? '(declared)' : expected, actual: personal ? '(changed)' : actual });
    }
  }
  const missing = [...desired.entries()].filter(([k]) => !live.has(k)).map(([, d]) => d.username);
  return { exists: users.length > 0 || desired.size === 0, properties: { NetworkId: props.NetworkId, Users: users, MissingUsers: missing, ChangedUsers: changed } };
}

export const usersHandler: ResourceHandler<UsersProps> = {
  resourceType: USERS_TYPE,
  schema,
  create,
  update,
  delete: remove,
  read,
  cleanupFailedCreate,
  // The live users, inline: the update compares them with the declared ones (inline or a file).
  liveAsProperties: (live, declared) => ({ ...declared, UsersFile: undefined, Users: live.Users }),
};
