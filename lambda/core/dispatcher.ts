import { CustomResourceEvent, CustomResourceResponse, LambdaContext, ReadRequest, ReadResult } from './event';
import { describeError, isNotFound, ResourceOperationError } from './errors';
import { createLogger, Logger } from './log';
import { fitResponse, MAX_PHYSICAL_ID_LENGTH, putResponse } from './response';
import { OperationContext, OperationResult, ResourceHandler } from './resource';
import { requestToken } from './tokens';
import type { ServiceClients } from './clients';

/**
 * The physical id answered for a failed Create. CloudFormation follows a failed Create
 * with a Delete of the physical id we answered; this marker makes that Delete a no-op
 * (the failed create already removed what it made).
 */
export const CREATE_FAILED_PREFIX = 'wickr-chime:create-failed:';

/** Safety margin before the Lambda timeout at which the guard answers FAILED. */
export const GUARD_MARGIN_MS = 15_000;

export type HandlerTable = Readonly<Record<string, ResourceHandler<any>>>;

export interface DispatcherDeps {
  /** Creates the service clients for one invocation; `stopped` turns further calls into errors. */
  readonly clients: (stopped: () => boolean, log: Logger) => ServiceClients;
  readonly respond?: (url: string, response: CustomResourceResponse) => Promise<void>;
}

type Lifecycle = 'Create' | 'Update' | 'Delete';

/**
 * The single entry point: dispatches on `ResourceType` to a table of resource handlers,
 * answers CloudFormation itself (single hop) and never leaves it waiting: a guard timer
 * answers FAILED shortly before the Lambda would time out.
 */
export function createDispatcher(table: HandlerTable, deps: DispatcherDeps) {
  const respond = deps.respond ?? putResponse;

  async function handleRead(request: ReadRequest): Promise<ReadResult> {
    const log = createLogger({ requestType: 'Read', resourceType: request.ResourceType, logicalId: request.LogicalResourceId });
    const resource = table[request.ResourceType];
    if (!resource) return { Status: 'FAILED', Reason: `unknown resource type ${request.ResourceType}` };
    try {
      const props = resource.parse(request.ResourceProperties);
      const ctx = context(request as unknown as CustomResourceEvent, log, () => false);
      const state = await resource.read(ctx, request.PhysicalResourceId, props);
      return state.exists ? { Status: 'SUCCESS', Exists: true, Live: state.properties } : { Status: 'SUCCESS', Exists: false };
    } catch (err) {
      if (isNotFound(err)) return { Status: 'SUCCESS', Exists: false };
      const wrapped = new ResourceOperationError(request.ResourceType, request.LogicalResourceId, 'read', err);
      log.log('error', 'read failed', { reason: wrapped.message });
      return { Status: 'FAILED', Reason: wrapped.message };
    }
  }

  function context(event: CustomResourceEvent, log: Logger, stopped: () => boolean): OperationContext {
    return {
      request: event,
      log,
      clients: deps.clients(stopped, log),
      token: (purpose, index) => requestToken(event, purpose, index),
    };
  }

  async function run(resource: ResourceHandler<any>, event: CustomResourceEvent, ctx: OperationContext): Promise<OperationResult> {
    const type = event.RequestType as Lifecycle;
    if (type === 'Create') {
      return resource.create(ctx, resource.parse(event.ResourceProperties));
    }
    const physicalId = event.PhysicalResourceId ?? '';
    if (type === 'Update') {
      const props = resource.parse(event.ResourceProperties);
      const old = resource.parse(event.OldResourceProperties ?? {});
      return resource.update(ctx, physicalId, props, old);
    }
    if (physicalId.startsWith(CREATE_FAILED_PREFIX)) {
      // Properties that failed to decode made the create fail before any call: nothing to remove.
      const cleanup = resource.cleanupFailedCreate;
      const props = cleanup ? tryParse(resource, event.ResourceProperties) : undefined;
      if (cleanup && props !== undefined) {
        const createRequest = { ...event, RequestId: physicalId.slice(CREATE_FAILED_PREFIX.length) };
        await alreadyGoneIsDone(ctx, cleanup(ctx, (purpose, index) => requestToken(createRequest, purpose, index), props));
      } else {
        ctx.log.log('info', 'nothing to delete: the create failed and cleaned up');
      }
      return { physicalResourceId: physicalId };
    }
    await alreadyGoneIsDone(ctx, resource.delete(ctx, physicalId, resource.parse(event.ResourceProperties)));
    return { physicalResourceId: physicalId };
  }

  /** A delete whose target the service says is not there has nothing left to do (CloudFormation may delete twice). */
  async function alreadyGoneIsDone(ctx: OperationContext, work: Promise<void>): Promise<void> {
    try {
      await work;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      ctx.log.log('info', 'already gone', { reason: describeError(err) });
    }
  }

  async function handleLifecycle(event: CustomResourceEvent, lambdaContext: LambdaContext): Promise<void> {
    const log = createLogger({
      requestType: event.RequestType,
      resourceType: event.ResourceType,
      logicalId: event.LogicalResourceId,
      requestId: event.RequestId,
    });
    log.log('info', 'request', { physicalId: event.PhysicalResourceId, properties: event.ResourceProperties });

    let answered = false;
    let stopped = false;
    const answer = async (response: CustomResourceResponse) => {
      if (answered) return false;
      answered = true;
      const fitted = fitResponse(response);
      log.log(fitted.Status === 'SUCCESS' ? 'info' : 'error', 'response', {
        status: fitted.Status,
        physicalId: fitted.PhysicalResourceId,
        reason: fitted.Reason,
        dataKeys: Object.keys(fitted.Data ?? {}),
      });
      await respond(event.ResponseURL, fitted);
      return true;
    };
    const base = {
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    };
    const failedId = () =>
      event.RequestType === 'Create' ? `${CREATE_FAILED_PREFIX}${event.RequestId}`.slice(0, MAX_PHYSICAL_ID_LENGTH) : event.PhysicalResourceId ?? event.RequestId;

    const remaining = lambdaContext.getRemainingTimeInMillis();
    const guardIn = Math.max(0, remaining - Math.min(GUARD_MARGIN_MS, Math.floor(remaining * 0.2)));
    let guard: NodeJS.Timeout | undefined;
    const guardFired = new Promise<void>((resolve) => {
      guard = setTimeout(() => {
        stopped = true;
        const reason = `${event.ResourceType} ${event.LogicalResourceId}: ${event.RequestType.toLowerCase()} did not finish before the provider function's timeout; nothing more will be attempted`;
        void answer({ ...base, Status: 'FAILED', Reason: reason, PhysicalResourceId: failedId() }).then(() => resolve(), () => resolve());
      }, guardIn);
    });

    const work = (async () => {
      const resource = table[event.ResourceType];
      if (!resource) {
        throw new Error(`unknown resource type ${event.ResourceType}; this provider serves ${Object.keys(table).join(', ')}`);
      }
      if (!['Create', 'Update', 'Delete'].includes(event.RequestType)) throw new Error(`unknown request type ${event.RequestType}`);
      if ((event.RequestType === 'Update' || event.RequestType === 'Delete') && !event.PhysicalResourceId) {
        throw new Error(`${event.RequestType} request without a PhysicalResourceId`);
      }
      return { resource, result: await run(resource, event, context(event, log, () => stopped)) };
    })();

    try {
      const { resource, result } = await Promise.race([work, guardFired.then(() => work)]);
      if (answered) {
        // The guard already answered FAILED. A create that finished anyway must not be left behind.
        if (event.RequestType === 'Create' || (event.RequestType === 'Update' && result.physicalResourceId !== event.PhysicalResourceId)) {
          log.log('warn', 'finished after the guard answered FAILED; removing what it created', { physicalId: result.physicalResourceId });
          const props = resource.parse(event.ResourceProperties);
          await resource.delete(context(event, log, () => false), result.physicalResourceId, props);
        }
        return;
      }
      await answer({ ...base, Status: 'SUCCESS', PhysicalResourceId: result.physicalResourceId, Data: result.data });
    } catch (err) {
      const wrapped = new ResourceOperationError(event.ResourceType, event.LogicalResourceId, event.RequestType.toLowerCase(), err);
      log.log('error', 'failed', { reason: wrapped.message, cause: err instanceof Error ? err.stack : String(err) });
      await answer({ ...base, Status: 'FAILED', Reason: wrapped.message, PhysicalResourceId: failedId() });
    } finally {
      clearTimeout(guard);
    }
  }

  return async function handler(event: CustomResourceEvent | ReadRequest, lambdaContext: LambdaContext): Promise<ReadResult | void> {
    if (event && (event as ReadRequest).RequestType === 'Read') return handleRead(event as ReadRequest);
    const lifecycle = event as CustomResourceEvent;
    if (!lifecycle || typeof lifecycle.ResponseURL !== 'string' || !lifecycle.ResponseURL) {
      // Nothing to answer to: fail the invocation loudly instead of pretending.
      createLogger().log('error', 'malformed event without ResponseURL', { keys: Object.keys(lifecycle ?? {}) });
      throw new Error('malformed event: no ResponseURL to answer to');
    }
    try {
      await handleLifecycle(lifecycle, lambdaContext);
    } catch (err) {
      // Only the response PUT itself can end up here; nothing else is left to do.
      createLogger().log('error', 'could not deliver the response', { reason: describeError(err) });
      throw err;
    }
  };
}

function tryParse<P>(resource: ResourceHandler<P>, properties: Record<string, unknown>): P | undefined {
  try {
    return resource.parse(properties);
  } catch {
    return undefined;
  }
}
