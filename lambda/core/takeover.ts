import { NotOwnedError, Ownership, describeClaim } from './ownership';
import { ADOPT_BY_DECLARATION, ADOPT_CONTEXT, ADOPT_PROPERTY } from './ownership.wire';
import { LiveState, OperationContext, OperationResult, ResourceHandler } from './resource';
import { decodeProperties } from './schema';
import { isPlainObject } from './template';

/**
 * Creating a resource whose thing may already exist. A create takes over silently only what
 * its own stack owns (a construct renamed or moved within the stack: the old logical id claims
 * the thing until CloudFormation's cleanup deletes it, and that delete then leaves it, since the
 * new logical id claims it); what another stack owns is refused; what nobody owns is taken over
 * only when the deploy asks for it (the adoption context), and refused otherwise, naming the
 * command that takes it over. Taking over applies the declared values with the update path
 * from the live state (the fewest calls; none when they match), and never creates or deletes.
 */

/** A live thing the declaration of a resource names (see `ResourceHandler.existing`). */
export interface Existing {
  /** The physical id the resource answers for it. */
  readonly physicalId: string;
  /** Other physical ids that name the same thing (a native type's: a network's ARN). */
  readonly alsoKnownAs?: readonly string[];
  /** For messages: `Wickr network 12345678 ("acme")`. */
  readonly what: string;
  /**
   * Configuration of a parent thing (a network's settings, an app instance's retention): when
   * nobody claims it, it belongs to whoever owns the parent, so the parent's own stack takes
   * it over silently.
   */
  readonly parent?: { readonly physicalIds: readonly string[]; readonly types: readonly string[] };
  /**
   * The service allows several things of this name (Chime app instances and bots), so a name
   * is no identity: one another stack owns is that stack's, one nobody owns is taken over only
   * by adoption, and otherwise the create makes a new one beside them.
   */
  readonly namesRepeat?: boolean;
  /**
   * When the service made it (epoch ms), where it says: made after CloudFormation began this
   * request, it is this request's own (an earlier or concurrent delivery made it). The provider's
   * first call comes at least a Lambda invocation after that moment, far more than the clocks of
   * two AWS services differ.
   */
  readonly createdAt?: number;
}

export type TakeOverMode = 'own' | 'adopt';

/** Operations a takeover (and a drift repair) never makes: it changes what exists, never makes, replaces or deletes. */
export const MAKES_OR_DELETES = /^(Create(?!DataRetentionBotChallenge)|Delete|Deregister|RegisterAppInstanceUserEndpoint$|BatchDeleteUser$)/;

/** The adoption asked for this resource (its `AdoptExisting` property: an id, or `declared`), if any. */
export function adoptionAsked(declared: Record<string, unknown> | undefined): string | undefined {
  const value = declared?.[ADOPT_PROPERTY];
  return typeof value === 'string' && value ? value : undefined;
}

/** The resource types whose physical ids may name the same things as `resource`'s. */
export function claimTypesOf(resource: ResourceHandler<any>): readonly string[] {
  return resource.claimTypes ?? [resource.resourceType];
}

/** A create through the ownership rule (see the module comment). */
export async function createOrTakeOver(resource: ResourceHandler<any>, ctx: OperationContext, props: unknown, declared: Record<string, unknown>): Promise<OperationResult> {
  const ownership = ctx.ownership;
  if (!resource.existing || !ownership) return resource.create(ctx, props);
  const adopt = adoptionAsked(declared);
  const since = await ownership.since();
  // What this very request made (an earlier or concurrent delivery of it) is not an existing thing: its create finds it again by its token.
  const candidates = (await resource.existing(ctx, props, adopt)).filter((c) => !(since !== undefined && c.createdAt !== undefined && c.createdAt > since));
  if (candidates.length === 0) return resource.create(ctx, props);
  const decision = await decide(resource, ownership, candidates, adopt);
  if (decision === 'create') return resource.create(ctx, props);
  const { found, mode, from } = decision;
  const guarded = ctx.restricted ? { ...ctx, ...ctx.restricted(MAKES_OR_DELETES, 'taking over an existing resource never makes, replaces or deletes one') } : ctx;
  const result = resource.takeOver ? await resource.takeOver(guarded, found, props, mode) : await converge(resource, guarded, found.physicalId, props, declared);
  if (result.physicalResourceId !== found.physicalId) throw new Error(`taking over ${found.what} answered another id (${result.physicalResourceId})`);
  // One line per takeover: deploy-local counts them ("adopted N").
  ctx.log.log('info', 'adopted', { what: found.what, physicalId: found.physicalId, how: mode === 'own' ? `taken over from ${from ?? 'this resource'} of this stack` : 'adopted (no stack owned it)' });
  return result;
}

type Decision = 'create' | { readonly found: Existing; readonly mode: TakeOverMode; readonly from?: string };

async function decide(resource: ResourceHandler<any>, ownership: Ownership, candidates: readonly Existing[], adopt: string | undefined): Promise<Decision> {
  const types = claimTypesOf(resource);
  const free: Existing[] = [];
  let refusal: string | undefined;
  for (const found of candidates) {
    const claims = await ownership.claims([found.physicalId, ...(found.alsoKnownAs ?? [])], types);
    const other = claims.find((c) => !c.ownStack);
    if (other) {
      refusal ??= `${found.what} already exists and belongs to ${describeClaim(other)}. A live resource has one owner: reference it in this stack with the construct's import (fromXxx), or remove it from that stack first`;
      continue;
    }
    if (claims.length > 0) {
      // The own stack's other claimant must be leaving the stack (a rename, a move): two declarations of one thing are refused.
      const staying = (await Promise.all(claims.map(async (c) => ((await ownership.declares(c.logicalId)) ? c : undefined)))).find((c) => c !== undefined);
      if (staying) throw new NotOwnedError(`${found.what} already exists and ${describeClaim(staying)} declares it: a live resource has one declaration. Remove one of the two`);
      return { found, mode: 'own', from: claims[0].logicalId };
    }
    if (await ownership.holds([found.physicalId, ...(found.alsoKnownAs ?? [])])) return { found, mode: 'own' };
    // Asked for, an adoption is one even of configuration whose parent the stack owns (the parent may be adopted in the same deploy).
    if (adopt === undefined && found.parent && (await ownership.claims(found.parent.physicalIds, found.parent.types)).some((c) => c.ownStack)) {
      return { found, mode: 'own', from: 'its parent' };
    }
    free.push(found);
  }
  if (adopt !== undefined) {
    if (free.length === 1) return { found: free[0], mode: 'adopt' };
    if (free.length > 1) {
      throw new NotOwnedError(`${free.length} existing things match what ${ownership.logicalId} declares (${free.map((f) => f.what).join('; ')}): name the one to adopt with ${ADOPT_CONTEXT}=${ownership.logicalId}=<id>`);
    }
  }
  // A name that repeats may be another's and still leave room for a new one; an id the adoption names is that one thing.
  const namedById = adopt !== undefined && adopt !== ADOPT_BY_DECLARATION;
  if (free.length === 0 && (!refusal || (!namedById && candidates.every((c) => c.namesRepeat)))) return 'create';
  if (free.length === 0) throw new NotOwnedError(refusal as string);
  // Names that repeat are not identities: without adoption, one nobody owns is not taken over, and a new one is made.
  if (free.every((f) => f.namesRepeat)) return 'create';
  const target = free[0];
  throw new NotOwnedError(
    `${target.what} already exists, and no stack owns it. To take it over (nothing is deleted; the declared values are applied), deploy with the adoption context: ` +
      `cdk deploy ${ownership.stackName} -c ${ADOPT_CONTEXT}=${ownership.logicalId} (locally: cdk-wickr-chime deploy-local --context ${ADOPT_CONTEXT}=${ownership.logicalId})`,
  );
}

/**
 * The update path from the live state to the declared properties: old = what `read` finds
 * (mapped onto the declared keys), new = the declared properties; only what differs is sent.
 * Values the service never returns (secrets) stay as declared on both sides, so they are not
 * sent. Shared by a takeover and a drift repair.
 */
export async function converge(resource: ResourceHandler<any>, ctx: OperationContext, physicalId: string, props: unknown, declared: Record<string, unknown>, live?: LiveState): Promise<OperationResult> {
  const state = live ?? (await resource.read(ctx, physicalId, decodeProperties(resource.schema, declared, { lenient: true })));
  if (!state.exists) throw new Error(`${physicalId} is not there any more`);
  const mapped = resource.liveAsProperties ? resource.liveAsProperties(state.properties, declared) : overlay(declared, state.properties);
  const old = decodeProperties(resource.schema, mapped, { lenient: true });
  const result = await resource.update(ctx, physicalId, props, old);
  if (result.physicalResourceId !== physicalId) throw new Error(`bringing ${physicalId} to the declared values would replace it`);
  return result;
}

/**
 * The update's old properties from the live state: the declared properties with every value
 * the read returned for a declared key put in place (nested structures key by key). A handler
 * whose read reports its state in other terms than its properties maps it itself
 * (`ResourceHandler.liveAsProperties`).
 */
export function overlay(declared: Record<string, unknown>, live: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(declared)) {
    const now = live[key];
    if (!Object.prototype.hasOwnProperty.call(live, key)) out[key] = value;
    else if (isPlainObject(value) && isPlainObject(now)) out[key] = overlay(value, now);
    else if (isTagList(value) && Array.isArray(now)) out[key] = now.filter((t) => isPlainObject(t) && value.some((d) => d.Key === t.Key));
    else out[key] = now;
  }
  return out;
}

/** Tags: only those the template declares are compared and applied; a tag added by hand stays. */
function isTagList(value: unknown): value is Array<{ Key: unknown }> {
  return Array.isArray(value) && value.every((t) => isPlainObject(t) && 'Key' in t);
}
