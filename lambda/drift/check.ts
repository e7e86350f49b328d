import { ReadRequest, ReadResult } from '../core/event';
import { ResourceHandler } from '../core/resource';
import { decodeProperties } from '../core/schema';
import { driftsOf, ResourceDrift } from './compare';
import { declaredProperties, DeployedStack } from './declared';

/**
 * The drift check of one stack: each resource of ours is read (a `Read` request: the
 * provider function invoked synchronously by the drift command, or called in process by
 * the scheduled sweep) and compared with what the deployed template declares.
 */

/** Reads one resource's live state. */
export type Reader = (request: ReadRequest) => Promise<ReadResult>;

/** Resources read at once. */
const CONCURRENCY = 4;

/** Which resource types the check covers (the provider's table), and their schemas. */
export type HandlerLookup = (type: string) => ResourceHandler<unknown> | undefined;

export async function checkStack(
  stack: DeployedStack,
  handlers: HandlerLookup,
  read: Reader,
  onChecked?: (drift: ResourceDrift) => void,
  only?: (logicalId: string) => boolean,
): Promise<ResourceDrift[]> {
  const ours = stack.resources.filter((r) => handlers(r.type) !== undefined && (!only || only(r.logicalId)));
  const results: ResourceDrift[] = new Array(ours.length);
  let next = 0;
  const worker = async () => {
    while (next < ours.length) {
      const index = next++;
      results[index] = await checkResource(stack, ours[index], handlers(ours[index].type) as ResourceHandler<unknown>, read);
      onChecked?.(results[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ours.length) }, worker));
  return results;
}

async function checkResource(
  stack: DeployedStack,
  resource: DeployedStack['resources'][number],
  handler: ResourceHandler<unknown>,
  read: Reader,
): Promise<ResourceDrift> {
  const base = { logicalId: resource.logicalId, type: resource.type, physicalId: resource.physicalId };
  if (!resource.physicalId) return { ...base, status: 'NOT_CHECKED', reason: 'the stack has no physical id for it', drifts: [] };
  if (resource.status && /FAILED|IN_PROGRESS/.test(resource.status) && !/ROLLBACK_COMPLETE/.test(resource.status)) {
    return { ...base, status: 'NOT_CHECKED', reason: `its status is ${resource.status}`, drifts: [] };
  }
  let declared;
  try {
    declared = declaredProperties(stack, resource.logicalId);
  } catch (err) {
    return { ...base, status: 'NOT_CHECKED', reason: err instanceof Error ? err.message : String(err), drifts: [] };
  }
  let result: ReadResult;
  try {
    result = await read({
      RequestType: 'Read',
      ResourceType: resource.type,
      LogicalResourceId: resource.logicalId,
      PhysicalResourceId: resource.physicalId,
      ResourceProperties: declared.properties,
      StackId: stack.stackId,
    });
  } catch (err) {
    return { ...base, status: 'NOT_CHECKED', reason: `the read failed: ${err instanceof Error ? err.message : String(err)}`, drifts: [] };
  }
  const notCompared = Object.keys(declared.unresolved).length > 0 ? declared.unresolved : undefined;
  if (result.Status !== 'SUCCESS') return { ...base, status: 'NOT_CHECKED', reason: result.Reason ?? 'the read failed', drifts: [], notCompared };
  if (!result.Exists) return { ...base, status: 'DELETED', drifts: [], notCompared };
  const decoded = decodeProperties(handler.schema, declared.properties, { lenient: true }) as Record<string, unknown>;
  const { drifts, summary } = driftsOf(resource.type, Object.keys(declared.properties), decoded, result.Live ?? {});
  return { ...base, status: drifts.length > 0 ? 'MODIFIED' : 'IN_SYNC', drifts, ...(summary ? { summary } : {}), ...(notCompared ? { notCompared } : {}) };
}
