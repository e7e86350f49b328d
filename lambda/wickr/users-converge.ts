import { describeError } from '../core/errors';
import { OperationContext } from '../core/resource';
import { UpdateUserCommand, User } from './client';
import {
  asDesired,
  compare,
  createUsers,
  CreateProgress,
  deleteUsers,
  Desired,
  detailsChange,
  digest,
  inParallel,
  keyOf,
  lookUp,
  setSuspended,
  valuesOf,
} from './users-calls';
import { declaredKeys, UsersProps } from './users-desired';
import { deletable, mayTakeOverUsers, REFUSED_EXISTING, refuseExisting, siblingUsers } from './users-owners';

/** How `Custom::WickrUsers` converges declared users from their live state: an update, a rollback, a takeover. */

/** How many usernames of each kind the 'users updated' log line names. */
const LOGGED_USERNAMES = 5;

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
export async function converge(ctx: OperationContext, props: UsersProps, next: Map<string, Desired>, prev: Map<string, Desired>, takingOver: boolean): Promise<void> {
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

