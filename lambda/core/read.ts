import { CallTracker } from './calls';
import { LambdaContext, ReadRequest, ReadResult } from './event';
import { isNotFound, ResourceOperationError } from './errors';
import { createLogger } from './log';
import { OperationContext, ResourceHandler } from './resource';
import { decodeProperties } from './schema';
import { ContextOf } from './timeline';

/**
 * A `Read` request (drift detection): the handler's `read` with clients that refuse every
 * mutating call. Values the service does not have are `null` in `Live`; a resource the
 * service does not know is `Exists: false`; a read that fails is FAILED with the reason.
 */
export async function readResource(resource: ResourceHandler<any> | undefined, request: ReadRequest, lambdaContext: LambdaContext, contextOf: ContextOf): Promise<ReadResult> {
  const log = createLogger({ requestType: 'Read', resourceType: request.ResourceType, logicalId: request.LogicalResourceId });
  if (!resource) return { Status: 'FAILED', Reason: `unknown resource type ${String(request.ResourceType)}` };
  const deadline = Date.now() + lambdaContext.getRemainingTimeInMillis() - 1_000;
  // A read changes nothing: a mutating call is refused, whatever a handler would do.
  const tracker = new CallTracker(log, { stopAt: deadline, outOfTime: 'the read ran out of time', readOnly: true });
  try {
    const props = decodeProperties(resource.schema, request.ResourceProperties, { lenient: true });
    const state = await resource.read(contextOf(request as unknown as OperationContext['request'], log, tracker), request.PhysicalResourceId, props);
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
