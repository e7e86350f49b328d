import { CallTracker, failedCreateId, madeCalls, parseFailedCreateId, persist } from './calls';
import { CustomResourceEvent, CustomResourceResponse, eventProblem, isRecord, LambdaContext, MAX_LOGICAL_ID_LENGTH, ReadRequest, ReadResult } from './event';
import { describeError, isNotFound, RequestRefusedError, ResourceOperationError } from './errors';
import { createLogger, Logger } from './log';
import { fitResponse, putResponse } from './response';
import { CleanupContext, OperationContext, OperationResult, ResourceHandler } from './resource';
import { decodeProperties } from './schema';
import { requestToken, TokenSource } from './tokens';
import type { CallObserver } from './observer';
import { repair, RepairRequest, RepairResult, sweep } from '../drift/requests';
import type { DriftDeps } from '../drift/requests';
import { DRIFT_STACK_ENV } from '../drift/monitor.wire';
import { RECREATE_PROPERTY } from '../drift/recreate.wire';

type SweepResult = Awaited<ReturnType<typeof sweep>>;
import type { ServiceClients } from './clients';

/** The physical id answered for a failed Create starts with this (see `failedCreateId`). */
export const CREATE_FAILED_PREFIX = 'wickr-chime:create-failed:';
/** Before the Lambda timeout by this much (at most 20% of the time), the request's own work may start no new call. */
export const GUARD_MARGIN_MS = 15_000;
/** Before the Lambda timeout by this much (at most a third of the margin), the answer is sent, whatever is still running. */
export const ANSWER_RESERVE_MS = 5_000;

export type HandlerTable = Readonly<Record<string, ResourceHandler<any>>>;

export interface DispatcherDeps {
  /** Creates the service clients of one phase of an invocation; `observer` sees (and may refuse) every call. */
  readonly clients: (observer: CallObserver) => ServiceClients;
  /** Delivers an answer by `deadline` (epoch ms) or throws. @default putResponse */
  readonly respond?: (url: string, response: CustomResourceResponse, deadline: number) => Promise<void>;
}

/** The moments of one invocation, in epoch milliseconds. */
interface Timeline {
  /** The request's own work starts no call after this. */
  readonly stopAt: number;
  /** The answer goes out by then; cleanup starts no call after it. */
  readonly answerBy: number;
  readonly deadline: number;
}

type Settled = { readonly ok: true; readonly result: OperationResult } | { readonly ok: false; readonly error: unknown };

/**
 * The single entry point: dispatches on `ResourceType` to a table of resource handlers and
 * answers CloudFormation itself (single hop), exactly once per delivery:
 *
 * - a malformed event is answered FAILED with the reason;
 * - a create that fails answers FAILED with an id naming what may have been applied
 *   (`failedCreateId`); what it made is removed (`cleanupFailedCreate`) by the Delete
 *   CloudFormation sends for that id, and only then: CloudFormation sends it only if it took
 *   the FAILED answer, so a duplicate delivery that answered SUCCESS first, or a redelivery
 *   after an answer that was lost, never finds its resource removed underneath it;
 * - an update that fails while making a replacement removes it before the FAILED answer
 *   (no Delete ever comes for it), and the answer says what was removed;
 * - the guard: near the Lambda timeout the request's work may start no new call, what it
 *   started settles, the cleanup runs within the margin, and the answer goes out before the
 *   timeout whatever is still running; an update's replacement that settles after that
 *   answer is removed in the time left;
 * - the answer's PUT is bounded and retried; if it cannot be delivered the invocation fails,
 *   so Lambda delivers the event again and the idempotent handlers converge.
 */
export function createDispatcher(table: HandlerTable, deps: DispatcherDeps) {
  const respond = deps.respond ?? putResponse;
  const served = (type: string) => Object.prototype.hasOwnProperty.call(table, type);

  function context(request: OperationContext['request'], log: Logger, tracker: CallTracker, source: TokenSource = request): OperationContext {
    return { request, log, clients: deps.clients(tracker), token: (purpose, index) => requestToken(source, purpose, index) };
  }

  async function handleRead(request: ReadRequest, lambdaContext: LambdaContext): Promise<ReadResult> {
    const log = createLogger({ requestType: 'Read', resourceType: request.ResourceType, logicalId: request.LogicalResourceId });
    if (typeof request.ResourceType !== 'string' || !served(request.ResourceType)) return { Status: 'FAILED', Reason: `unknown resource type ${String(request.ResourceType)}` };
    const resource = table[request.ResourceType];
    const deadline = Date.now() + lambdaContext.getRemainingTimeInMillis() - 1_000;
    // A read changes nothing: a mutating call is refused, whatever a handler would do.
    const tracker = new CallTracker(log, () => (Date.now() >= deadline ? 'the read ran out of time' : undefined), { readOnly: true });
    try {
      const props = decodeProperties(resource.schema, request.ResourceProperties, { lenient: true });
      const state = await resource.read(context(request as unknown as OperationContext['request'], log, tracker), request.PhysicalResourceId, props);
      // A value the service does not have is null, not left out: the answer travels as JSON, and a left-out key is one not read.
      const live = state.exists ? Object.fromEntries(Object.entries(state.properties).map(([k, v]) => [k, v === undefined ? null : v])) : undefined;
      return live ? { Status: 'SUCCESS', Exists: true, Live: live } : { Status: 'SUCCESS', Exists: false };
    } catch (err) {
      if (isNotFound(err)) return { Status: 'SUCCESS', Exists: false };
      const wrapped = new ResourceOperationError(request.ResourceType, request.LogicalResourceId, 'read', err);
      log.log('error', 'read failed', { reason: wrapped.message });
      return { Status: 'FAILED', Reason: wrapped.message };
    }
  }

  async function run(resource: ResourceHandler<any>, event: CustomResourceEvent, ctx: OperationContext, t: Timeline): Promise<OperationResult> {
    if (event.RequestType === 'Create') return resource.create(ctx, decodeProperties(resource.schema, event.ResourceProperties));
    const physicalId = event.PhysicalResourceId as string;
    if (event.RequestType === 'Update') {
      const props = decodeProperties(resource.schema, event.ResourceProperties);
      const old = decodeProperties(resource.schema, event.OldResourceProperties, { lenient: true });
      if (recreateAsked(event) && !(await stillThere(resource, ctx, physicalId, props))) {
        ctx.log.log('warn', 'the resource is gone (deleted outside the stack); creating it again, as the deploy asked', { physicalId });
        return resource.create(ctx, props);
      }
      return resource.update(ctx, physicalId, props, old);
    }
    if (physicalId.startsWith(CREATE_FAILED_PREFIX)) {
      const { requestId, made } = parseFailedCreateId(CREATE_FAILED_PREFIX, physicalId);
      if (!resource.cleanupFailedCreate || made.none) {
        ctx.log.log('info', 'nothing to delete: the failed create left nothing behind');
      } else {
        const createRequest = { ...event, RequestType: 'Create' as const, RequestId: requestId };
        const cleanupCtx: CleanupContext = { ...ctx, request: createRequest, token: (purpose, index) => requestToken(createRequest, purpose, index), made };
        const props = tryDecode(resource, event.ResourceProperties);
        // Properties that do not decode made the create fail before any call: nothing to remove.
        if (props !== undefined) {
          const cleanup = resource.cleanupFailedCreate.bind(resource);
          const removed = async () => {
            const summary = await cleanup(cleanupCtx, props);
            ctx.log.log('info', summary ? 'removed what the failed create had made' : 'the failed create left nothing behind', { removed: summary || undefined });
          };
          // Like any delete, outlasting transient failures: a failed one would leave what it made behind.
          await persist(() => alreadyGoneIsDone(ctx, removed()), t.stopAt, ctx.log);
        }
      }
      return { physicalResourceId: physicalId };
    }
    // A delete that fails for good leaves the resource behind (CloudFormation does not roll back its
    // cleanup phase): transient failures are outlasted until the guard, not only the clients' retries.
    const props = decodeProperties(resource.schema, event.ResourceProperties, { lenient: true });
    await persist(() => alreadyGoneIsDone(ctx, resource.delete(ctx, physicalId, props)), t.stopAt, ctx.log);
    return { physicalResourceId: physicalId };
  }

  /** Whether the resource still exists (`read`); a failed create's id never does. */
  async function stillThere(resource: ResourceHandler<any>, ctx: OperationContext, physicalId: string, props: unknown): Promise<boolean> {
    if (physicalId.startsWith(CREATE_FAILED_PREFIX)) return false;
    try {
      return (await resource.read(ctx, physicalId, props)).exists;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** A target the service says is not there has nothing left to remove (CloudFormation may delete twice). */
  async function alreadyGoneIsDone(ctx: OperationContext, work: Promise<unknown>): Promise<void> {
    try {
      await work;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      ctx.log.log('info', 'already gone', { reason: describeError(err) });
    }
  }

  /**
   * Removes what a failed update may have made while replacing its resource, with clients
   * that may call until `until`. Returns the sentence for the reason. (A failed create's
   * leftovers wait for CloudFormation's Delete of the failed id: see `createDispatcher`.)
   */
  async function cleanUpUpdate(resource: ResourceHandler<any>, event: CustomResourceEvent, failure: unknown, log: Logger, made: ReadonlyMap<string, number>, until: number): Promise<string> {
    if (made.size === 0 || !resource.cleanupFailedCreate) return '';
    const cleanupLog = log.child({ phase: 'cleanup' });
    const tracker = new CallTracker(cleanupLog, () => (Date.now() >= until ? 'no time is left before the answer is due' : undefined));
    const ctx: CleanupContext = { ...context(event, cleanupLog, tracker), made: madeCalls(made), failure };
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
  function createLeftovers(resource: ResourceHandler<any>, made: ReadonlyMap<string, number>): string {
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
  async function afterLateUpdate(resource: ResourceHandler<any>, request: CustomResourceEvent, work: Promise<Settled>, main: CallTracker, log: Logger, t: Timeline): Promise<void> {
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
    await bound(cleanUpUpdate(resource, request, settled.ok ? undefined : settled.error, log, main.made(), t.deadline - reserve / 4), t.deadline - reserve / 8);
  }

  async function handleLifecycle(event: Record<string, unknown>, lambdaContext: LambdaContext): Promise<void> {
    const now = Date.now();
    const remaining = Math.max(0, lambdaContext.getRemainingTimeInMillis());
    const margin = Math.min(GUARD_MARGIN_MS, Math.floor(remaining * 0.2));
    const t: Timeline = { stopAt: now + remaining - margin, answerBy: now + remaining - Math.min(ANSWER_RESERVE_MS, Math.floor(margin / 3)), deadline: now + remaining };
    const echo = { StackId: text(event.StackId), RequestId: text(event.RequestId), LogicalResourceId: text(event.LogicalResourceId) };
    // Reasons name the resource; an identifier no real event has (over 255 characters) is shortened there.
    const type = short(text(event.ResourceType));
    const named = short(echo.LogicalResourceId);
    const operation = typeof event.RequestType === 'string' ? event.RequestType.toLowerCase() : 'request';
    const log = createLogger({ requestType: event.RequestType, resourceType: type, logicalId: echo.LogicalResourceId, requestId: echo.RequestId });
    log.log('info', 'request', { physicalId: event.PhysicalResourceId, properties: event.ResourceProperties });

    const main = new CallTracker(log, () => (Date.now() >= t.stopAt ? "the request's time ran out" : undefined));
    const failedId = () =>
      event.RequestType !== 'Create' && typeof event.PhysicalResourceId === 'string' && event.PhysicalResourceId
        ? event.PhysicalResourceId
        : failedCreateId(CREATE_FAILED_PREFIX, echo.RequestId, main.made());
    const deliver = async (response: Omit<CustomResourceResponse, keyof typeof echo>, putBy: number) => {
      const fitted = fitResponse({ ...echo, ...response });
      log.log(fitted.Status === 'SUCCESS' ? 'info' : 'error', 'response', { status: fitted.Status, physicalId: fitted.PhysicalResourceId, reason: fitted.Reason, dataKeys: Object.keys(fitted.Data ?? {}) });
      await respond(event.ResponseURL as string, fitted, putBy);
    };
    const putBy = () => Math.min(Date.now() + GUARD_MARGIN_MS, t.deadline - 250);

    const problem = eventProblem(event, served, Object.keys(table));
    if (problem) {
      const reason = new ResourceOperationError(type, named, operation, new RequestRefusedError(problem)).message;
      await deliver({ Status: 'FAILED', Reason: reason, PhysicalResourceId: failedId() }, putBy());
      return;
    }
    const request = event as unknown as CustomResourceEvent;
    const resource = table[request.ResourceType];
    const work: Promise<Settled> = run(resource, request, context(request, log, main), t).then(
      (result) => ({ ok: true, result }),
      (error: unknown) => ({ ok: false, error }),
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, t.answerBy - Date.now()))));
    const settled = await Promise.race([work, late]);
    clearTimeout(timer);

    if (settled === 'late') {
      const left = {
        Create: '; whatever it may have made is removed by the Delete CloudFormation sends for this failed resource',
        Update: '; a replacement it may have made is removed once its calls settle, if they settle before the timeout (the log says which)',
        Delete: '',
      }[request.RequestType];
      const reason = `${type} ${named}: ${operation} did not finish before the provider function's timeout; nothing more is attempted${left}`;
      await deliver({ Status: 'FAILED', Reason: reason, PhysicalResourceId: failedId() }, t.deadline - 250);
      if (request.RequestType === 'Update') await afterLateUpdate(resource, request, work, main, log, t);
      return;
    }
    if (settled.ok) {
      await deliver({ Status: 'SUCCESS', PhysicalResourceId: settled.result.physicalResourceId, Data: settled.result.data }, putBy());
      if (settled.result.finish) await finish(settled.result.finish, request, log, t);
      return;
    }
    const wrapped = new ResourceOperationError(type, named, operation, settled.error);
    log.log('error', 'failed', { reason: wrapped.message, cause: settled.error instanceof Error ? settled.error.stack : String(settled.error) });
    let note = '';
    if (request.RequestType === 'Create') note = createLeftovers(resource, main.made());
    if (request.RequestType === 'Update') note = await cleanUpUpdate(resource, request, settled.error, log, main.made(), t.answerBy);
    await deliver({ Status: 'FAILED', Reason: wrapped.message + note, PhysicalResourceId: failedId() }, putBy());
  }

  /**
   * The work that waits for a delivered SUCCESS (see `OperationResult.finish`), outlasting
   * transient failures until shortly before the timeout. If it still fails, the invocation
   * fails: Lambda delivers the event again, and the redelivery (which recognises the resource
   * by the marker this work would have removed) answers the same and tries the work again.
   */
  async function finish(work: NonNullable<OperationResult['finish']>, request: CustomResourceEvent, log: Logger, t: Timeline): Promise<void> {
    const finishLog = log.child({ phase: 'finish' });
    const until = t.deadline - 1_000;
    const tracker = new CallTracker(finishLog, () => (Date.now() >= until ? 'the provider function is about to time out' : undefined));
    try {
      await persist(() => work(context(request, finishLog, tracker)), until, finishLog);
    } catch (err) {
      finishLog.log('error', 'the work after the answer failed; failing the invocation so that Lambda delivers the event again', { reason: describeError(err) });
      throw err;
    }
  }

  const driftDeps = (lambdaContext: LambdaContext): DriftDeps => ({
    handlers: (type) => (served(type) ? table[type] : undefined),
    clients: deps.clients,
    read: (request) => handleRead(request, lambdaContext),
  });

  return async function handler(event: unknown, lambdaContext: LambdaContext): Promise<ReadResult | RepairResult | SweepResult | void> {
    if (isRecord(event) && event.RequestType === 'Read') return handleRead(event as unknown as ReadRequest, lambdaContext);
    const deadline = () => Date.now() + lambdaContext.getRemainingTimeInMillis() - 1_000;
    if (isRecord(event) && event.RequestType === 'Repair') return repair(event as unknown as RepairRequest, driftDeps(lambdaContext), deadline());
    if (isRecord(event) && event.RequestType === 'DriftSweep') {
      const stackId = process.env[DRIFT_STACK_ENV];
      if (!stackId) throw new Error(`a drift sweep needs ${DRIFT_STACK_ENV} (set by WickrChimeDriftMonitor)`);
      return sweep(driftDeps(lambdaContext), stackId, deadline());
    }
    if (!isRecord(event) || typeof event.ResponseURL !== 'string' || !event.ResponseURL) {
      // Nothing to answer to: fail the invocation loudly instead of pretending.
      createLogger().log('error', 'malformed event without ResponseURL', { keys: isRecord(event) ? Object.keys(event) : typeof event });
      throw new Error('malformed event: no ResponseURL to answer to');
    }
    try {
      await handleLifecycle(event, lambdaContext);
    } catch (err) {
      // An answer that could not be delivered, or work after a delivered answer that failed: failing the
      // invocation makes Lambda deliver the event again, and the idempotent handlers converge.
      createLogger().log('error', 'failing the invocation so that Lambda delivers the event again', { reason: describeError(err) });
      throw err;
    }
  };
}

/** The deploy asked for what is missing to be created again (`RecreateIfMissing`, newly set on this update). */
function recreateAsked(event: CustomResourceEvent): boolean {
  const now = (event.ResourceProperties as Record<string, unknown> | undefined)?.[RECREATE_PROPERTY];
  const before = (event.OldResourceProperties as Record<string, unknown> | undefined)?.[RECREATE_PROPERTY];
  return now !== undefined && now !== before;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function short(id: string): string {
  return id.length > MAX_LOGICAL_ID_LENGTH ? `${id.slice(0, 40)}...(${id.length} characters)` : id;
}

function tryDecode<P>(resource: ResourceHandler<P>, properties: unknown): P | undefined {
  try {
    return decodeProperties(resource.schema, properties);
  } catch {
    return undefined;
  }
}
