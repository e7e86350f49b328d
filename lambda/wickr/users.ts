import { createHash } from 'crypto';
import { describeError, PartialFailureError, ProviderError, RequestRefusedError } from '../core/errors';
import { deepEqual, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { bool, decodeProperties, list, oneOf, optional, str, stringMap, struct } from '../core/schema';
import {
  BatchCreateUserCommand,
  BatchCreateUserResponse,
  BatchDeleteUserCommand,
  BatchToggleUserSuspendStatusCommand,
  isAmbiguousFailure,
  ListUsersCommand,
  UpdateUserCommand,
  UpdateUserDetails,
  User,
} from './client';
import { checkUsers, parseUsersFile, USERS_BATCH_SIZE, USERS_TYPE, UserRecord, UsersFileFormat } from './users.wire';

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
 *   the s suspended users.
 * - update: by difference of old and new lists. The user ids of changed, suspended or
 *   removed users are looked up (`ListUsers` filtered by username, one call per user, or a
 *   listing of the network, 100 users per call, whichever is fewer calls); then new users
 *   are created, changed ones updated (`UpdateUser`), suspensions toggled, and removed users
 *   deleted last, so nothing is destroyed until the rest worked. One changed user: 2 calls.
 *   Nothing changed: 0 calls.
 * - delete: a lookup of the managed users, then ⌈n/50⌉ `BatchDeleteUser`; users already
 *   gone (or the whole network) count as deleted.
 *
 * Failures: a batch that partly fails ends the request FAILED with each user's reason
 * (the reason shows as many as fit; the logs list all, never first or last names); a failed
 * create, and the new users of a failed update, are deleted again before answering.
 */

interface UsersFileRef {
  readonly Bucket: string;
  readonly Key: string;
  readonly Format: UsersFileFormat;
  readonly Sha256: string;
}

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
    }),
  ),
});

/** Batch calls and `UpdateUser` calls in flight at once. */
export const USERS_CONCURRENCY = 4;
/** Failures listed in one log line (the logs list every failure, in lines of this many). */
const FAILURES_PER_LOG_LINE = 100;
/** Bytes of per-user reasons in the error message; CloudFormation's response is capped at 4096 bytes. */
const REASON_BUDGET = 2500;

/** A user as the API wants it: the group resolved to its id. */
interface Desired {
  readonly username: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly groupId: string;
  readonly suspended: boolean;
}

type Failure = { readonly item: string; readonly field?: string; readonly reason?: string };

/** The key of a username: the service compares usernames without regard to case. */
const keyOf = (username: string) => username.toLowerCase();

async function readRecords(ctx: OperationContext, props: UsersProps): Promise<readonly UserRecord[]> {
  if (!props.UsersFile) {
    const records = props.Users ?? [];
    refuseBadUsers(() => checkUsers(records, (i) => `Users[${i}]`));
    return records;
  }
  const { Bucket, Key, Format, Sha256 } = props.UsersFile;
  let text: string;
  try {
    text = await ctx.clients.s3().getObjectText(Bucket, Key);
  } catch (err) {
    // Not a "not found" for the dispatcher: a missing file must not turn a delete into a silent success.
    throw new RequestRefusedError(`cannot read the users file s3://${Bucket}/${Key}: ${describeError(err)}`, { cause: err });
  }
  const digest = createHash('sha256').update(text, 'utf8').digest('hex');
  if (digest !== Sha256) throw new RequestRefusedError(`users file s3://${Bucket}/${Key} does not match the hash synthesized into the template`);
  return refuseBadUsers(() => parseUsersFile(text, Format, { groups: Object.keys(props.Groups) }));
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
 * and their client tokens, are the same on every delivery of a request).
 */
async function desiredUsers(ctx: OperationContext, props: UsersProps): Promise<Map<string, Desired>> {
  const records = await readRecords(ctx, props);
  const out = new Map<string, Desired>();
  const sorted = [...records].sort((a, b) => compare(keyOf(a.username), keyOf(b.username)));
  for (const r of sorted) {
    const alias = r.group ?? props.DefaultGroup;
    const groupId = props.Groups[alias];
    if (!groupId) throw new RequestRefusedError(`user ${r.username}: group "${alias}" is not one of ${Object.keys(props.Groups).join(', ')}`);
    out.set(keyOf(r.username), { username: r.username, firstName: r.firstName, lastName: r.lastName, groupId, suspended: r.suspended ?? false });
  }
  return out;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += USERS_BATCH_SIZE) out.push(items.slice(i, i + USERS_BATCH_SIZE));
  return out;
}

/** A short digest of a batch's contents, for tokens of batches computed from live state. */
function digest(items: readonly string[]): string {
  return createHash('sha256').update(items.join('\n')).digest('hex').slice(0, 16);
}

type Outcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

/**
 * Runs `run` over `items`, `USERS_CONCURRENCY` at once, and waits for every started call:
 * an error never leaves a call running unobserved. `stop()` true starts nothing more; with
 * `probe`, the first item runs alone first, so a problem that fails every call shows
 * before the others are sent. Outcomes keep the items' order (undefined: not started).
 */
async function inParallel<T, R>(
  items: readonly T[],
  run: (item: T, index: number) => Promise<R>,
  options: { readonly stop?: () => boolean; readonly probe?: boolean } = {},
): Promise<Array<Outcome<R> | undefined>> {
  const stop = options.stop ?? (() => false);
  const outcomes: Array<Outcome<R> | undefined> = new Array(items.length).fill(undefined);
  let next = 0;
  const one = async (index: number) => {
    try {
      outcomes[index] = { ok: true, value: await run(items[index], index) };
    } catch (error) {
      outcomes[index] = { ok: false, error };
    }
  };
  const worker = async () => {
    while (next < items.length && !stop()) await one(next++);
  };
  if (options.probe && items.length > 0) await one(next++);
  await Promise.all(Array.from({ length: Math.min(USERS_CONCURRENCY, items.length - next) }, worker));
  return outcomes;
}

function firstError<R>(outcomes: ReadonlyArray<Outcome<R> | undefined>): unknown {
  const failed = outcomes.find((o): o is { ok: false; error: unknown } => o !== undefined && !o.ok);
  return failed?.error;
}

/** The per-user failures of batch calls, in batch order; a call that failed as a whole is thrown. */
function failuresOf(outcomes: ReadonlyArray<Outcome<Failure[]> | undefined>): Failure[] {
  const error = firstError(outcomes);
  if (error !== undefined) throw error;
  return outcomes.flatMap((o) => (o?.ok ? o.value : []));
}

/**
 * A batch that partly failed. The message lists as many per-user reasons as fit
 * CloudFormation's response; `logFailures` writes every one to the logs.
 */
export class UsersBatchError extends PartialFailureError {
  constructor(operation: string, failures: readonly Failure[], total: number, note?: string) {
    super(operation, failures, total);
    let shown = '';
    let count = 0;
    for (const f of failures) {
      const text = `${f.item}${f.field ? ` ${f.field}` : ''}: ${f.reason ?? 'failed'}`;
      if (count > 0 && Buffer.byteLength(shown) + Buffer.byteLength(text) > REASON_BUDGET) break;
      shown += `${count > 0 ? '; ' : ''}${text}`;
      count++;
    }
    const more = failures.length - count;
    this.message =
      `${operation}: ${failures.length} of ${total} user(s) failed: ${shown}` +
      (more > 0 ? `; and ${more} more (all in the provider's log, lines "user failures")` : '') +
      (note ? `. ${note}` : '');
  }
}

/** Every failure in the logs, a line per `FAILURES_PER_LOG_LINE`: usernames or user ids and reasons, never names. */
function logFailures(ctx: OperationContext, operation: string, failures: readonly Failure[]): void {
  for (let i = 0; i < failures.length; i += FAILURES_PER_LOG_LINE) {
    ctx.log.log('error', 'user failures', { operation, from: i, total: failures.length, failures: failures.slice(i, i + FAILURES_PER_LOG_LINE) });
  }
}

interface CreateOutcome {
  /** Username key → user id of every user the calls made. */
  readonly made: Map<string, string>;
  readonly failures: Failure[];
  /** A call that failed as a whole (after the client's retries). */
  readonly error?: unknown;
  /** Users of the batches not sent after a failure. */
  readonly notSent: number;
}

/**
 * Creates users in batches of 50, the client token of batch i being `token(purpose, i)`.
 * A batch whose every user failed (a systemic problem: a missing group, a full network)
 * stops further batches, as does a call that fails as a whole; partial failures go on, so
 * one deployment reports every conflicting username. A call that may have committed
 * although its answer was lost is sent once more with the same token: the service replays
 * the committed answer, so the users it made are known and can be removed.
 */
async function createUsers(ctx: OperationContext, networkId: string, users: readonly Desired[], purpose: string): Promise<CreateOutcome> {
  const made = new Map<string, string>();
  const failedByBatch: Failure[][] = [];
  let stop = false;
  const outcomes = await inParallel(
    batches(users),
    async (batch, i) => {
      const command = new BatchCreateUserCommand({
        networkId,
        users: batch.map((u) => ({ username: u.username, firstName: u.firstName, lastName: u.lastName, securityGroupIds: [u.groupId] })),
        clientToken: ctx.token(purpose, i),
      });
      let out: BatchCreateUserResponse;
      try {
        out = await ctx.clients.wickr().send(command);
      } catch (err) {
        if (!isAmbiguousFailure(err)) {
          stop = true;
          throw err;
        }
        ctx.log.log('warn', 'a user batch may have been created although its answer was lost; asking again with the same token', { batch: i });
        out = await ctx.clients.wickr().send(command).catch(() => {
          stop = true;
          throw err;
        });
      }
      for (const u of out.successful ?? []) if (u.userId && u.username) made.set(keyOf(u.username), u.userId);
      const failed = out.failed ?? [];
      failedByBatch[i] = failed.map((f) => ({ item: f.userId, field: f.field, reason: f.reason }));
      if (failed.length > 0 && failed.length >= batch.length) stop = true;
    },
    { stop: () => stop, probe: true },
  );
  const failures = failedByBatch.flatMap((f) => f ?? []);
  const notSent = outcomes.reduce((n, o, i) => (o === undefined ? n + Math.min(USERS_BATCH_SIZE, users.length - i * USERS_BATCH_SIZE) : n), 0);
  return { made, failures, error: firstError(outcomes), notSent };
}

/**
 * Runs a create; when anything failed, deletes the users it made and throws, so a failed
 * create (or the additions of a failed update) leaves nothing behind.
 */
async function createOrUndo(ctx: OperationContext, networkId: string, users: readonly Desired[], purpose: string): Promise<Map<string, string>> {
  const { made, failures, error, notSent } = await createUsers(ctx, networkId, users, purpose);
  if (failures.length === 0 && error === undefined) return made;
  const skipped = notSent > 0 ? `; ${notSent} user(s) were not tried after the failure` : '';
  const note = (await undo(ctx, networkId, made)) + skipped;
  if (error !== undefined) throw new ProviderError(`BatchCreateUser failed: ${describeError(error)}. ${note}`, { cause: error });
  logFailures(ctx, 'BatchCreateUser', failures);
  throw new UsersBatchError('BatchCreateUser', failures, users.length, note);
}

/** Deletes the users a failed request made; says what it did. */
async function undo(ctx: OperationContext, networkId: string, made: ReadonlyMap<string, string>): Promise<string> {
  if (made.size === 0) return 'No user was created';
  try {
    const left = await deleteUsers(ctx, networkId, [...made.values()], 'undo-users');
    if (left.length === 0) return `The ${made.size} user(s) created before the failure were deleted again`;
    logFailures(ctx, 'BatchDeleteUser', left);
    return `Of the ${made.size} user(s) created before the failure, ${left.length} could not be deleted again (see the log)`;
  } catch (err) {
    ctx.log.log('error', 'could not delete the users this request created', { userIds: [...made.values()], reason: describeError(err) });
    return `The ${made.size} user(s) created before the failure could not be deleted again: ${describeError(err)}`;
  }
}

/** Suspends or resumes users in batches; returns the users that failed. */
async function setSuspended(ctx: OperationContext, networkId: string, userIds: readonly string[], suspend: boolean): Promise<Failure[]> {
  const outcomes = await inParallel(batches(userIds), async (batch, i) => {
    const purpose = `${suspend ? 'suspend' : 'resume'}-users:${digest(batch)}`;
    const out = await ctx.clients.wickr().send(new BatchToggleUserSuspendStatusCommand({ networkId, suspend, userIds: batch, clientToken: ctx.token(purpose, i) }));
    return (out.failed ?? []).map((f): Failure => ({ item: f.userId, field: f.field, reason: f.reason }));
  });
  return failuresOf(outcomes);
}

/**
 * Deletes users in batches; users already gone count as deleted. The token of a batch is
 * derived from its contents (they come from live state, which a repeated delivery may see
 * differently), so a repeated batch replays and a different one never reuses a token.
 */
async function deleteUsers(ctx: OperationContext, networkId: string, userIds: readonly string[], purpose: string): Promise<Failure[]> {
  const outcomes = await inParallel(batches(userIds), async (batch, i) => {
    const out = await ctx.clients.wickr().send(new BatchDeleteUserCommand({ networkId, userIds: batch, clientToken: ctx.token(`${purpose}:${digest(batch)}`, i) }));
    return (out.failed ?? []).filter((f) => !/not found/i.test(f.reason ?? '')).map((f): Failure => ({ item: f.userId, field: f.field, reason: f.reason }));
  });
  return failuresOf(outcomes);
}

/**
 * The live users among `keys` (username keys), by key. Few: one `ListUsers` per username
 * with the username filter (a substring filter on the service, so the match is checked
 * exactly; more pages only when over 100 usernames contain it). Many: one listing of the
 * network, 100 users per page. Which is fewer calls is estimated from the managed count
 * (the network may hold more users than this resource manages).
 */
async function lookUp(ctx: OperationContext, networkId: string, keys: readonly string[], managed: number): Promise<Map<string, User>> {
  const wanted = new Set(keys);
  const found = new Map<string, User>();
  const keep = (u: User) => {
    if (u.username && wanted.has(keyOf(u.username)) && u.userId) found.set(keyOf(u.username), u);
  };
  if (keys.length === 0) return found;
  /** Pages of `ListUsers` with a username filter (or none), until `done()`. */
  const list = async (username: string | undefined, done: () => boolean) => {
    let nextToken: string | undefined;
    do {
      const page = await ctx.clients.wickr().send(new ListUsersCommand({ networkId, username, maxResults: 100, nextToken }));
      (page.users ?? []).forEach(keep);
      nextToken = done() ? undefined : page.nextToken || undefined;
    } while (nextToken);
  };
  if (keys.length <= Math.ceil(managed / 100)) {
    const error = firstError(await inParallel(keys, (key) => list(key, () => found.has(key))));
    if (error !== undefined) throw error;
  } else {
    await list(undefined, () => found.size === wanted.size);
  }
  return found;
}

function physicalId(ctx: OperationContext, networkId: string): string {
  return `${networkId}/users/${ctx.token('users-id').slice(0, 16)}`;
}

async function create(ctx: OperationContext, props: UsersProps): Promise<OperationResult> {
  const desired = [...(await desiredUsers(ctx, props)).values()];
  const made = await createOrUndo(ctx, props.NetworkId, desired, 'create-users');
  const suspended = desired.filter((u) => u.suspended).map((u) => made.get(keyOf(u.username))!);
  let failures: Failure[];
  try {
    failures = await setSuspended(ctx, props.NetworkId, suspended, true);
  } catch (err) {
    await undo(ctx, props.NetworkId, made);
    throw err;
  }
  if (failures.length > 0) {
    logFailures(ctx, 'BatchToggleUserSuspendStatus', failures);
    throw new UsersBatchError('BatchToggleUserSuspendStatus', failures, suspended.length, await undo(ctx, props.NetworkId, made));
  }
  ctx.log.log('info', 'users created', { created: made.size, suspended: suspended.length });
  return { physicalResourceId: physicalId(ctx, props.NetworkId) };
}

/** What `UpdateUser` must change to turn `from` into `to`; undefined when nothing. */
function detailsChange(from: Desired, to: Desired): UpdateUserDetails | undefined {
  const details: UpdateUserDetails = {
    ...(from.username !== to.username ? { username: to.username } : {}),
    // A name that is no longer given is cleared.
    ...(from.firstName !== to.firstName ? { firstName: to.firstName ?? '' } : {}),
    ...(from.lastName !== to.lastName ? { lastName: to.lastName ?? '' } : {}),
    ...(from.groupId !== to.groupId ? { securityGroupIds: [to.groupId] } : {}),
  };
  return Object.keys(details).length > 0 ? details : undefined;
}

/**
 * By difference, in an order that destroys nothing until the rest worked: create the new
 * users, update the changed ones, set suspensions, then delete the removed users. A
 * changed user that was deleted outside the stack is created again as declared. A new
 * network means new users there (replacement); the old ones go with the old resource.
 */
async function update(ctx: OperationContext, id: string, props: UsersProps, old: UsersProps): Promise<OperationResult> {
  if (deepEqual(props, old)) return { physicalResourceId: id };
  if (props.NetworkId !== old.NetworkId) return create(ctx, props);
  const next = await desiredUsers(ctx, props);
  const prev = await desiredUsers(ctx, old);
  const added = [...next.keys()].filter((k) => !prev.has(k));
  const removed = [...prev.keys()].filter((k) => !next.has(k));
  const changed = [...next.keys()].filter((k) => prev.has(k) && detailsChange(prev.get(k)!, next.get(k)!) !== undefined);
  const toggled = [...next.keys()].filter((k) => prev.has(k) && prev.get(k)!.suspended !== next.get(k)!.suspended);
  const touched = [...new Set([...removed, ...changed, ...toggled])].sort(compare);
  const live = await lookUp(ctx, props.NetworkId, touched, Math.max(next.size, prev.size));

  // Declared users that are gone (deleted outside the stack) are created again as declared.
  const missing = [...new Set([...changed, ...toggled])].filter((k) => !live.has(k));
  if (missing.length > 0) ctx.log.log('warn', 'managed users were deleted outside the stack; creating them again', { usernames: missing });
  const toCreate = [...added, ...missing].sort(compare).map((k) => next.get(k)!);
  const made = await createOrUndo(ctx, props.NetworkId, toCreate, 'add-users');

  const updates = changed.filter((k) => live.has(k));
  const updated = await inParallel(updates, (k) =>
    ctx.clients.wickr().send(new UpdateUserCommand({ networkId: props.NetworkId, userId: live.get(k)!.userId!, userDetails: detailsChange(prev.get(k)!, next.get(k)!) })),
  );
  const updateError = firstError(updated);
  if (updateError !== undefined) throw updateError;

  // New and re-created users start active: those declared suspended are suspended now.
  const idOf = (k: string) => made.get(k) ?? live.get(k)!.userId!;
  const suspend = [...new Set([...toggled, ...toCreate.map((u) => keyOf(u.username))])].filter((k) => next.get(k)!.suspended).sort(compare).map(idOf);
  const resume = toggled.filter((k) => !next.get(k)!.suspended && live.has(k)).map(idOf);
  const toggleFailures = [...(await setSuspended(ctx, props.NetworkId, suspend, true)), ...(await setSuspended(ctx, props.NetworkId, resume, false))];
  if (toggleFailures.length > 0) {
    logFailures(ctx, 'BatchToggleUserSuspendStatus', toggleFailures);
    throw new UsersBatchError('BatchToggleUserSuspendStatus', toggleFailures, suspend.length + resume.length);
  }

  const gone = removed.filter((k) => live.has(k)).map(idOf);
  const deleteFailures = await deleteUsers(ctx, props.NetworkId, gone, 'remove-users');
  if (deleteFailures.length > 0) {
    logFailures(ctx, 'BatchDeleteUser', deleteFailures);
    throw new UsersBatchError('BatchDeleteUser', deleteFailures, gone.length);
  }
  ctx.log.log('info', 'users updated', { added: added.length, recreated: missing.length, changed: updates.length, suspended: suspend.length, resumed: resume.length, removed: gone.length });
  return { physicalResourceId: id };
}

/** Deletes every managed user that still exists; a network already gone is a success (the dispatcher treats its 404 so). */
async function remove(ctx: OperationContext, _id: string, props: UsersProps): Promise<void> {
  const desired = await desiredUsers(ctx, props);
  const live = await lookUp(ctx, props.NetworkId, [...desired.keys()], desired.size);
  const failures = await deleteUsers(ctx, props.NetworkId, [...live.values()].map((u) => u.userId!), 'delete-users');
  if (failures.length > 0) {
    logFailures(ctx, 'BatchDeleteUser', failures);
    throw new UsersBatchError('BatchDeleteUser', failures, live.size);
  }
  ctx.log.log('info', 'users deleted', { deleted: live.size, alreadyGone: desired.size - live.size });
}

/**
 * The managed users as they are now, for drift: `Users` in the order and shape of the
 * declared list (group as its alias, or the group id when it is none of `Groups`;
 * `suspended` always present), and `MissingUsers`, the declared usernames not in the network.
 */
async function read(ctx: OperationContext, _id: string, props: UsersProps): Promise<LiveState> {
  const desired = await desiredUsers(ctx, props);
  const live = await lookUp(ctx, props.NetworkId, [...desired.keys()], desired.size);
  const alias = new Map(Object.entries(props.Groups).map(([a, g]) => [g, a]));
  alias.set(props.Groups[props.DefaultGroup], props.DefaultGroup);
  const users = [...desired.keys()]
    .map((k) => live.get(k))
    .filter((u): u is User => u !== undefined)
    .map((u) => {
      const groupId = u.securityGroups?.[0] ?? '';
      return {
        username: u.username,
        ...(u.firstName ? { firstName: u.firstName } : {}),
        ...(u.lastName ? { lastName: u.lastName } : {}),
        group: alias.get(groupId) ?? groupId,
        suspended: u.suspended ?? false,
      };
    });
  const missing = [...desired.entries()].filter(([k]) => !live.has(k)).map(([, d]) => d.username);
  return { exists: users.length > 0 || desired.size === 0, properties: { NetworkId: props.NetworkId, Users: users, MissingUsers: missing } };
}

export const usersHandler: ResourceHandler<UsersProps> = {
  resourceType: USERS_TYPE,
  parse: (raw) => decodeProperties(schema, raw),
  create,
  update,
  delete: remove,
  read,
};
