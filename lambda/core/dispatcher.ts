import { CallTracker, failedCreateId, persist } from './calls';
import { afterLateUpdate, cleanUpUpdate, createLeftovers } from './cleanup';
import { CustomResourceEvent, CustomResourceResponse, eventProblem, isRecord, LambdaContext, MAX_LOGICAL_ID_LENGTH, ReadRequest, ReadResult } from './event';
import { describeError, ProviderError, RequestRefusedError, ResourceOperationError } from './errors';
import { createLogger, Logger } from './log';
import { readResource } from './read';
import { fitResponse, putResponse } from './response';
import { OperationContext, OperationResult, ResourceHandler } from './resource';
import { CREATE_FAILED_PREFIX, runOperation } from './run';
import { Settled, Timeline } from './timeline';
import { requestToken } from './tokens';
import type { CallObserver } from './observer';
import { Ownership } from './ownership';
import { STACK_ID_ENV } from './ownership.wire';
import { repair, RepairRequest, RepairResult, sweep } from '../drift/requests';
import type { DriftDeps } from '../drift/requests';
import { READ_ONLY_ENV } from '../drift/monitor.wire';

export { CREATE_FAILED_PREFIX } from './run';

type SweepResult = Awaited<ReturnType<typeof sweep>>;
import type { ServiceClients } from './clients';

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
  /**
   * The provider's own stack (`AWS::StackId`): lifecycle events of other stacks are refused,
   * and what CloudFormation says of this stack decides who owns what (`ownership.ts`).
   * `null` turns those checks off, for tests of the answer mechanics alone.
   * @default the WICKR_CHIME_STACK_ID environment variable (the construct sets it)
   */
  readonly stackId?: string | null;
}

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
  const ownStack = () => (deps.stackId === undefined ? process.env[STACK_ID_ENV] || undefined : deps.stackId);

  /** The context of one phase; `lifecycle` adds the ownership view of the own stack (a Create, Update or Delete). */
  function context(request: OperationContext['request'], log: Logger, tracker: CallObserver, lifecycle = false): OperationContext {
    const stackId = lifecycle ? ownStack() : undefined;
    let ownership: Ownership | undefined;
    const make = (observer: CallObserver): OperationContext => {
      const clients = deps.clients(observer);
      ownership ??= stackId ? new Ownership(clients.cloudformation(), stackId, request.LogicalResourceId, log) : undefined;
      return {
        request,
        log,
        clients,
        token: (purpose, index) => requestToken(request, purpose, index),
        ownership,
        restricted: (refuse, why) => make(refusing(observer, refuse, why)),
      };
    };
    return make(tracker);
  }

  const handleRead = (request: ReadRequest, lambdaContext: LambdaContext) =>
    readResource(typeof request.ResourceType === 'string' && served(request.ResourceType) ? table[request.ResourceType] : undefined, request, lambdaContext, context);

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

    const main = new CallTracker(log, { stopAt: t.stopAt, outOfTime: "the request's time ran out" });
    // What the request may have made: what its calls say, unless the handler knows it made nothing (a batch answered, every item refused).
    let madeNothing = false;
    const made = () => (madeNothing ? new Map<string, number>() : main.made());
    const failedId = () =>
      event.RequestType !== 'Create' && typeof event.PhysicalResourceId === 'string' && event.PhysicalResourceId
        ? event.PhysicalResourceId
        : failedCreateId(CREATE_FAILED_PREFIX, echo.RequestId, made());
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
    if (deps.stackId !== null && !ownStack()) {
      const reason = new ResourceOperationError(type, named, operation, new RequestRefusedError(`the provider does not know its own stack (${STACK_ID_ENV} is not set), so it cannot tell what it owns`)).message;
      await deliver({ Status: 'FAILED', Reason: reason, PhysicalResourceId: failedId() }, putBy());
      return;
    }
    const request = event as unknown as CustomResourceEvent;
    const resource = table[request.ResourceType];
    const work: Promise<Settled> = runOperation(resource, request, context(request, log, main, true), t).then(
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
      if (request.RequestType === 'Update') await afterLateUpdate(resource, request, work, main, log, t, context);
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
    madeNothing = settled.error instanceof ProviderError && settled.error.madeNothing;
    if (request.RequestType === 'Create') note = createLeftovers(resource, made());
    if (request.RequestType === 'Update') note = await cleanUpUpdate(resource, request, settled.error, log, main.made(), t.answerBy, context);
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
    const tracker = new CallTracker(finishLog, { stopAt: until, outOfTime: 'the provider function is about to time out' });
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
    stackId: ownStack() ?? undefined,
  });

  return async function handler(event: unknown, lambdaContext: LambdaContext): Promise<ReadResult | RepairResult | SweepResult | void> {
    if (isRecord(event) && event.RequestType === 'Read') return handleRead(event as unknown as ReadRequest, lambdaContext);
    const deadline = () => Date.now() + lambdaContext.getRemainingTimeInMillis() - 1_000;
    // The drift monitor's function reads only: it serves sweeps (and reads), nothing that changes anything.
    if (process.env[READ_ONLY_ENV] === 'true' && !(isRecord(event) && event.RequestType === 'DriftSweep')) {
      createLogger().log('error', 'refused: this function only reads (a drift sweep)', { requestType: isRecord(event) ? event.RequestType : typeof event });
      throw new Error('this function only reads: it serves drift sweeps, not lifecycle or repair requests');
    }
    if (isRecord(event) && event.RequestType === 'Repair') return repair(event as unknown as RepairRequest, driftDeps(lambdaContext), deadline());
    if (isRecord(event) && event.RequestType === 'DriftSweep') {
      const stackId = process.env[STACK_ID_ENV];
      if (!stackId) throw new Error(`a drift sweep needs ${STACK_ID_ENV} (set by WickrChimeDriftMonitor)`);
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

/** An observer that refuses the operations `refuse` matches before `inner` sees them. */
function refusing(inner: CallObserver, refuse: RegExp, why: string): CallObserver {
  return {
    before: (call) => {
      if (refuse.test(call.operation)) throw new RequestRefusedError(`not calling ${call.service} ${call.operation}: ${why}`);
      inner.before?.(call);
    },
    after: (outcome) => inner.after?.(outcome),
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function short(id: string): string {
  return id.length > MAX_LOGICAL_ID_LENGTH ? `${id.slice(0, 40)}...(${id.length} characters)` : id;
}

