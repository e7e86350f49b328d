import { CleanupContext, deepEqual, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { getOwn } from '../core/schema';
import {
  asDesired,
  batches,
  createCommand,
  createUsers,
  CreateProgress,
  deleteUsers,
  Desired,
  inParallel,
  keyOf,
  lookUp,
  setSuspended,
  UsersBatchError,
  UsersCreateFailed,
  valuesOf,
} from './users-calls';
import { converge } from './users-converge';
import { declaredKeys, desiredUsers, physicalId, schema, UsersProps } from './users-desired';
import { deletable, mayTakeOverUsers, refuseExisting, siblingUsers } from './users-owners';
import { USERS_TYPE } from './users.wire';

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
 *   the s suspended users. A username that exists already fails the batch: it is taken
 *   over when the resource may (a rename or a move within the stack, a rollback) and
 *   refused otherwise; an adoption looks the users up first. A failed create has the users it made deleted by `cleanupFailedCreate`,
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


/** See the module comment: converges the users the change concerns, deleting last. */
async function update(ctx: OperationContext, id: string, props: UsersProps, old: UsersProps): Promise<OperationResult> {
  if (deepEqual(props, old)) return { physicalResourceId: id };
  if (!id.startsWith(`${props.NetworkId}/`)) return create(ctx, props);
  await converge(ctx, props, await desiredUsers(ctx, props), await desiredUsers(ctx, old, false), false);
  return { physicalResourceId: id };
}


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
