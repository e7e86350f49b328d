import { parseFailedCreateId, persist } from './calls';
import { CustomResourceEvent } from './event';
import { describeError, isNotFound, RequestRefusedError } from './errors';
import { describeClaim } from './ownership';
import { CleanupContext, OperationContext, OperationResult, ResourceHandler } from './resource';
import { decodeProperties } from './schema';
import { adoptionAsked, claimTypesOf, createOrTakeOver } from './takeover';
import { Timeline } from './timeline';
import { requestToken } from './tokens';
import { RECREATE_PROPERTY } from '../drift/recreate.wire';

/** The physical id answered for a failed Create starts with this (see `failedCreateId`). */
export const CREATE_FAILED_PREFIX = 'wickr-chime:create-failed:';

/**
 * The work of one lifecycle request, once CloudFormation's view of the own stack says it is
 * running it (`Ownership.admit`): a Create (which takes over what the own stack owns, and
 * what the deploy asked to adopt: `createOrTakeOver`), an Update (which creates again what
 * the deploy asked to, when it is gone: `RecreateIfMissing`), a Delete (outlasting transient
 * failures, and leaving what another live resource claims), or the Delete of a failed
 * create's id, which removes what that create may have made with its own tokens.
 */
export async function runOperation(resource: ResourceHandler<any>, event: CustomResourceEvent, baseCtx: OperationContext, t: Timeline): Promise<OperationResult> {
  const ownership = baseCtx.ownership;
  // A delete's reads persist as its calls do (a failed delete in the cleanup phase leaves the resource behind for good).
  const admit = () => (ownership ? ownership.admit(event) : Promise.resolve({ kind: 'go' as const }));
  const admission = event.RequestType === 'Delete' ? await persist(admit, t.stopAt, baseCtx.log) : await admit();
  if (admission.kind === 'refused') throw new RequestRefusedError(admission.reason);
  if (admission.kind === 'done') {
    baseCtx.log.log('info', 'CloudFormation has deleted this resource already: nothing to do', { physicalId: event.PhysicalResourceId });
    return { physicalResourceId: event.PhysicalResourceId as string };
  }
  const declared = event.ResourceProperties ?? {};
  const ctx: OperationContext = {
    ...baseCtx,
    adopt: adoptionAsked(declared),
    adoptedBefore: adoptionAsked(event.OldResourceProperties) !== undefined,
    replacement: (props) => createOrTakeOver(resource, ctx, props, declared),
  };
  if (event.RequestType === 'Create') return createOrTakeOver(resource, ctx, decodeProperties(resource.schema, declared), declared);
  const physicalId = event.PhysicalResourceId as string;
  if (event.RequestType === 'Update') {
    const props = decodeProperties(resource.schema, declared);
    const old = decodeProperties(resource.schema, event.OldResourceProperties, { lenient: true });
    if (recreateAsked(event) && !(await stillThere(resource, ctx, physicalId, props))) {
      ctx.log.log('warn', 'the resource is gone (deleted outside the stack); creating it again, as the deploy asked', { physicalId });
      return createOrTakeOver(resource, ctx, props, declared);
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
  const kept = await persist(() => whyKept(resource, ctx, physicalId, declared), t.stopAt, ctx.log);
  if (kept) {
    ctx.log.log('info', 'kept, not deleted', { physicalId, why: kept });
    return { physicalResourceId: physicalId };
  }
  // A delete that fails for good leaves the resource behind (CloudFormation does not roll back its
  // cleanup phase): transient failures are outlasted until the guard, not only the clients' retries.
  const props = decodeProperties(resource.schema, declared, { lenient: true });
  await persist(() => alreadyGoneIsDone(ctx, resource.delete(ctx, physicalId, props)), t.stopAt, ctx.log);
  return { physicalResourceId: physicalId };
}

/**
 * Why a Delete must leave the thing: another live resource claims it (a construct renamed or
 * moved: the new logical id took it over; or another stack), or the deploy that named it for
 * adoption is rolling back (a rollback never deletes what an adoption may have taken over).
 */
async function whyKept(resource: ResourceHandler<any>, ctx: OperationContext, physicalId: string, declared: Record<string, unknown>): Promise<string | undefined> {
  const ownership = ctx.ownership;
  if (!ownership) return undefined;
  const claims = await ownership.claims([physicalId, ...(resource.alsoKnownAs?.(physicalId, ownership) ?? [])], claimTypesOf(resource));
  if (claims.length > 0) return `${physicalId} is claimed by ${describeClaim(claims[0])}`;
  if (adoptionAsked(declared) && (await ownership.rollingBack())) {
    return `the deploy that named it for adoption is rolling back, and a rollback never deletes what an adoption may have taken over`;
  }
  return undefined;
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
export async function alreadyGoneIsDone(ctx: OperationContext, work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    ctx.log.log('info', 'already gone', { reason: describeError(err) });
  }
}

/** The deploy asked for what is missing to be created again (`RecreateIfMissing`, newly set on this update). */
function recreateAsked(event: CustomResourceEvent): boolean {
  const now = (event.ResourceProperties as Record<string, unknown> | undefined)?.[RECREATE_PROPERTY];
  const before = (event.OldResourceProperties as Record<string, unknown> | undefined)?.[RECREATE_PROPERTY];
  return now !== undefined && now !== before;
}

function tryDecode<P>(resource: ResourceHandler<P>, properties: unknown): P | undefined {
  try {
    return decodeProperties(resource.schema, properties);
  } catch {
    return undefined;
  }
}
