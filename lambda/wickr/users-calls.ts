import { createHash } from 'crypto';
import { describeError, PartialFailureError, ProviderError } from '../core/errors';
import { OperationContext } from '../core/resource';
import { BatchCreateUserCommand, BatchDeleteUserCommand, BatchToggleUserSuspendStatusCommand, ListUsersCommand, UpdateUserDetails, User } from './client';
import { USERS_BATCH_SIZE } from './users.wire';

/**
 * The Wickr calls of `Custom::WickrUsers`, 50 users per batch call and `USERS_CONCURRENCY`
 * calls at once; the handler (`users.ts`) decides which users they concern.
 */

/** Batch calls and `UpdateUser` calls in flight at once. */
export const USERS_CONCURRENCY = 4;
/** Failures listed in one log line (the logs list every failure, in lines of this many). */
const FAILURES_PER_LOG_LINE = 100;
/** Bytes of per-user reasons in the error message; CloudFormation's response is capped at 4096 bytes. */
const REASON_BUDGET = 2500;

/** A user as the API wants it: the group resolved to its id. */
export interface Desired {
  readonly username: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly groupId: string;
  readonly suspended: boolean;
}

export type Failure = { readonly item: string; readonly field?: string; readonly reason?: string };

/** The key of a username: the service compares usernames without regard to case. */
export const keyOf = (username: string) => username.toLowerCase();

export const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += USERS_BATCH_SIZE) out.push(items.slice(i, i + USERS_BATCH_SIZE));
  return out;
}

/** A short digest of a batch's contents, for tokens of batches computed from live state. */
export function digest(items: readonly string[]): string {
  return createHash('sha256').update(items.join('\n')).digest('hex').slice(0, 16);
}

type Outcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

/**
 * Runs `run` over `items`, `USERS_CONCURRENCY` at once, and waits for every started call:
 * an error never leaves a call running unobserved. Items start in their order (so the
 * first n batches sent are batches 0 to n-1). `stop()` true starts nothing more; with
 * `probe`, the first item runs alone first, so a problem that fails every call shows
 * before the others are sent. Outcomes keep the items' order (undefined: not started).
 */
export async function inParallel<T, R>(
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

export function firstError<R>(outcomes: ReadonlyArray<Outcome<R> | undefined>): unknown {
  const failed = outcomes.find((o): o is { ok: false; error: unknown } => o !== undefined && !o.ok);
  return failed?.error;
}

/** The results of calls that all succeeded; the first error otherwise. */
export function valuesOf<R>(outcomes: ReadonlyArray<Outcome<R> | undefined>): R[] {
  const error = firstError(outcomes);
  if (error !== undefined) throw error;
  return outcomes.flatMap((o) => (o?.ok ? [o.value] : []));
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

/** Every failure in the logs (a line per `FAILURES_PER_LOG_LINE`), then the error: usernames or user ids and reasons, never names. */
export function failWith(ctx: OperationContext, operation: string, failures: readonly Failure[], total: number, note?: string): never {
  for (let i = 0; i < failures.length; i += FAILURES_PER_LOG_LINE) {
    ctx.log.log('error', 'user failures', { operation, from: i, total: failures.length, failures: failures.slice(i, i + FAILURES_PER_LOG_LINE) });
  }
  throw new UsersBatchError(operation, failures, total, note);
}

/** The `BatchCreateUser` of one batch; sent again with the same token it is replayed, not repeated. */
export function createCommand(ctx: OperationContext, networkId: string, batch: readonly Desired[], purpose: string, index: number): BatchCreateUserCommand {
  return new BatchCreateUserCommand({
    networkId,
    users: batch.map((u) => ({ username: u.username, firstName: u.firstName, lastName: u.lastName, securityGroupIds: [u.groupId] })),
    clientToken: ctx.token(purpose, index),
  });
}

/** What a create of users did so far: the users made (username key → id), and the batches whose call failed as a whole (their outcome is unknown). */
export interface CreateProgress {
  readonly made: Map<string, string>;
  readonly unknownBatches: number[];
}

/**
 * A create of users that failed, with what it knows it made: the failed-create cleanup
 * (which the dispatcher hands this error) deletes those users without asking the service
 * again, and sends only the batches of unknown outcome again. The message is the cause's.
 */
export class UsersCreateFailed extends ProviderError {
  constructor(cause: unknown, readonly progress: CreateProgress) {
    super(describeError(cause), { cause });
  }
}

/**
 * Creates users in batches of 50 (the token of batch i: `ctx.token(purposeOf(batch), i)`),
 * and throws when any user or call failed, with each user's reason. A batch whose every
 * user failed (a systemic problem: a missing group, a full network) stops further batches,
 * as does a call that fails as a whole; partial failures go on, so one deployment reports
 * every conflicting username. `progress` records what was made, for the cleanup of a
 * failed create (an update's rollback converges instead).
 */
export async function createUsers(
  ctx: OperationContext,
  networkId: string,
  users: readonly Desired[],
  purposeOf: (batch: readonly Desired[]) => string,
  progress: CreateProgress = { made: new Map(), unknownBatches: [] },
): Promise<Map<string, string>> {
  const failedByBatch: Failure[][] = [];
  let stop = false;
  const outcomes = await inParallel(
    batches(users),
    async (batch, i) => {
      const out = await ctx.clients
        .wickr()
        .send(createCommand(ctx, networkId, batch, purposeOf(batch), i))
        .catch((err: unknown) => {
          stop = true;
          progress.unknownBatches.push(i);
          throw err;
        });
      for (const u of out.successful ?? []) if (u.userId && u.username) progress.made.set(keyOf(u.username), u.userId);
      const failed = out.failed ?? [];
      failedByBatch[i] = failed.map((f) => ({ item: f.userId, field: f.field, reason: f.reason }));
      if (failed.length > 0 && failed.length >= batch.length) stop = true;
    },
    { stop: () => stop, probe: true },
  );
  const notSent = outcomes.reduce((n, o, i) => (o === undefined ? n + Math.min(USERS_BATCH_SIZE, users.length - i * USERS_BATCH_SIZE) : n), 0);
  const skipped = notSent > 0 ? `${notSent} user(s) were not tried after the failure` : undefined;
  const error = firstError(outcomes);
  if (error !== undefined) throw new ProviderError(`BatchCreateUser failed: ${describeError(error)}${skipped ? `. ${skipped}` : ''}`, { cause: error });
  const failures = failedByBatch.flatMap((f) => f ?? []);
  if (failures.length > 0) failWith(ctx, 'BatchCreateUser', failures, users.length, skipped);
  return progress.made;
}

/** Suspends or resumes users in batches; throws with each user's reason when any failed. */
export async function setSuspended(ctx: OperationContext, networkId: string, userIds: readonly string[], suspend: boolean): Promise<void> {
  const failures = valuesOf(
    await inParallel(batches(userIds), async (batch, i) => {
      const purpose = `${suspend ? 'suspend' : 'resume'}-users:${digest(batch)}`;
      const out = await ctx.clients.wickr().send(new BatchToggleUserSuspendStatusCommand({ networkId, suspend, userIds: batch, clientToken: ctx.token(purpose, i) }));
      return (out.failed ?? []).map((f): Failure => ({ item: f.userId, field: f.field, reason: f.reason }));
    }),
  ).flat();
  if (failures.length > 0) failWith(ctx, 'BatchToggleUserSuspendStatus', failures, userIds.length);
}

/**
 * Deletes users in batches; users already gone count as deleted; throws with each user's
 * reason when any other failed. The token of a batch is derived from its contents (they come
 * from live state, which a repeated delivery may see differently), so a repeated batch
 * replays and a different one never reuses a token.
 */
export async function deleteUsers(ctx: OperationContext, networkId: string, userIds: readonly string[], purpose: string): Promise<void> {
  const failures = valuesOf(
    await inParallel(batches(userIds), async (batch, i) => {
      const out = await ctx.clients.wickr().send(new BatchDeleteUserCommand({ networkId, userIds: batch, clientToken: ctx.token(`${purpose}:${digest(batch)}`, i) }));
      return (out.failed ?? []).filter((f) => !/not found/i.test(f.reason ?? '')).map((f): Failure => ({ item: f.userId, field: f.field, reason: f.reason }));
    }),
  ).flat();
  if (failures.length > 0) failWith(ctx, 'BatchDeleteUser', failures, userIds.length);
}

/**
 * The live users among `keys` (username keys), by key. Few: one `ListUsers` per username
 * with the username filter (a substring filter on the service, so the match is checked
 * exactly; more pages only when over 100 usernames contain it). Many: one listing of the
 * network, 100 users per page. Which is fewer calls is estimated from the managed count
 * (the network may hold more users than this resource manages).
 */
export async function lookUp(ctx: OperationContext, networkId: string, keys: readonly string[], managed: number): Promise<Map<string, User>> {
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
  if (keys.length <= Math.ceil(managed / 100)) valuesOf(await inParallel(keys, (key) => list(key, () => found.has(key))));
  else await list(undefined, () => found.size === wanted.size);
  return found;
}

/** A live user in the handler's terms. */
export function asDesired(u: User): Desired {
  return { username: u.username ?? '', firstName: u.firstName, lastName: u.lastName, groupId: u.securityGroups?.[0] ?? '', suspended: u.suspended ?? false };
}

/** What `UpdateUser` must change to turn `from` into `to`; undefined when nothing (an empty name is no name). */
export function detailsChange(from: Desired, to: Desired): UpdateUserDetails | undefined {
  const same = (a?: string, b?: string) => (a ?? '') === (b ?? '');
  const details: UpdateUserDetails = {
    ...(from.username !== to.username ? { username: to.username } : {}),
    // A name that is no longer given is cleared.
    ...(!same(from.firstName, to.firstName) ? { firstName: to.firstName ?? '' } : {}),
    ...(!same(from.lastName, to.lastName) ? { lastName: to.lastName ?? '' } : {}),
    ...(from.groupId !== to.groupId ? { securityGroupIds: [to.groupId] } : {}),
  };
  return Object.keys(details).length > 0 ? details : undefined;
}
