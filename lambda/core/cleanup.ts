import { CallTracker, madeCalls } from './calls';
import { CustomResourceEvent } from './event';
import { describeError, isNotFound } from './errors';
import { Logger } from './log';
import { CleanupContext, ResourceHandler } from './resource';
import { decodeProperties } from './schema';
import { ContextOf, Settled, Timeline } from './timeline';

/**
 * Removes what a failed update may have made while replacing its resource, with clients
 * that may call until `until`. Returns the sentence for the reason. (A failed create's
 * leftovers wait for CloudFormation's Delete of the failed id: see `createDispatcher`.)
 */
export async function cleanUpUpdate(resource: ResourceHandler<any>, event: CustomResourceEvent, failure: unknown, log: Logger, made: ReadonlyMap<string, number>, until: number, contextOf: ContextOf): Promise<string> {
  if (made.size === 0 || !resource.cleanupFailedCreate) return '';
  const cleanupLog = log.child({ phase: 'cleanup' });
  const tracker = new CallTracker(cleanupLog, { stopAt: until, outOfTime: 'no time is left before the answer is due' });
  const ctx: CleanupContext = { ...contextOf(event, cleanupLog, tracker), made: madeCalls(made), failure };
  try {
    const summary = await resource.cleanupFailedCreate(ctx, decodeProperties(resource.schema, event.ResourceProperties));
    if (summary) cleanupLog.log('info', 'removed the replacement the failed update made', { removed: summary });
    return summary ? `. Removed the replacement it had made: ${summary}` : '';
  } catch (err) {
    if (isNotFound(err)) return '';
    cleanupLog.log('error', 'cleanup failed; the replacement may be left behind', { reason: describeError(err), made: [...made.keys()] });
    return `. Removing the replacement it may have made failed (${describeError(err)}); it may be left behind`;
  }
}

/** The reason's sentence for a failed create: what may exist, and who removes it (types with nothing to remove say nothing). */
export function createLeftovers(resource: ResourceHandler<any>, made: ReadonlyMap<string, number>): string {
  if (made.size === 0) return '. Nothing was made';
  if (!resource.cleanupFailedCreate) return '';
  return `. What it may have made (${[...made.keys()].join(', ')}) is removed by the Delete CloudFormation sends for this failed resource`;
}

/**
 * After a late FAILED answer to an update: once the work settles (within the time left),
 * a replacement it made is removed, since CloudFormation took the failure and will never
 * delete it. Bounded so that the invocation ends before the timeout (a timed-out
 * invocation would be delivered again).
 */
export async function afterLateUpdate(resource: ResourceHandler<any>, request: CustomResourceEvent, work: Promise<Settled>, main: CallTracker, log: Logger, t: Timeline, contextOf: ContextOf): Promise<void> {
  const bound = <T>(p: Promise<T>, until: number) => Promise.race([p, sleep(until - Date.now()).then(() => 'timeout' as const)]);
  // The time between the answer and the timeout: half for the work to settle, a quarter for the cleanup's calls, the rest to end.
  const reserve = t.deadline - t.answerBy;
  const settled = await bound(work, t.deadline - reserve / 2);
  const replaced = settled !== 'timeout' && (!settled.ok || settled.result.physicalResourceId !== request.PhysicalResourceId);
  if (settled === 'timeout' || main.pending > 0) {
    log.log('error', 'the update did not settle before the timeout; a replacement it may have made is left behind', { made: [...main.made().keys()] });
    return;
  }
  if (!replaced) return;
  await bound(cleanUpUpdate(resource, request, settled.ok ? undefined : settled.error, log, main.made(), t.deadline - reserve / 4, contextOf), t.deadline - reserve / 8);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
