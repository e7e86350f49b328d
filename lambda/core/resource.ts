import { MadeCalls } from './calls';
import { isNotFound } from './errors';
import { Logger } from './log';
import { Decoder } from './schema';
import { TokenSource } from './tokens';
import type { ServiceClients } from './clients';
import type { Ownership } from './ownership';
import type { Existing, TakeOverMode } from './takeover';

/** What a resource operation knows about the request it serves. */
export interface OperationContext {
  readonly request: TokenSource & {
    readonly RequestType: string;
    readonly ResourceType: string;
    readonly PhysicalResourceId?: string;
  };
  readonly log: Logger;
  readonly clients: ServiceClients;
  /** A deterministic idempotency token for one call of this request (see `requestToken`). */
  token(purpose: string, index?: number): string;
  /** Who owns what (a lifecycle request of the provider's own stack; absent for reads and repairs). */
  readonly ownership?: Ownership;
  /** The adoption the deploy asked for this resource (its `AdoptExisting` property: an id, or `declared`). */
  readonly adopt?: string;
  /** An update's old properties asked for adoption (the update a rollback undoes may have taken things over). */
  readonly adoptedBefore?: boolean;
  /** The same context with clients that refuse the operations `refuse` matches, saying `why`. */
  restricted?(refuse: RegExp, why: string): OperationContext;
  /**
   * Creates the resource of `props` through the ownership rule (what exists is taken over
   * only when the own stack owns it or adoption is asked): for an update that needs a new
   * resource (another network, app instance, username). Absent outside a lifecycle request.
   */
  replacement?(props: unknown): Promise<OperationResult>;
}

export interface OperationResult {
  /** The service id of the resource. A new id on update means replacement. */
  readonly physicalResourceId: string;
  /** Attributes for `Fn::GetAtt`, keyed by the resource's shared Data keys. Small, never secret. */
  readonly data?: Record<string, string>;
  /**
   * Work that must wait until CloudFormation has the answer: it removes the marker by which a
   * repeated delivery of the same request recognises the resource as its own (a network's
   * marker name, a bot's marker display name). It runs only once the SUCCESS answer was
   * delivered; if the answer could not be delivered the marker stays, so the redelivery
   * Lambda makes adopts the resource and answers the same physical id.
   */
  readonly finish?: (ctx: OperationContext) => Promise<void>;
}

/** The context of a failed-create cleanup: `token` derives the failed request's tokens. */
export interface CleanupContext extends OperationContext {
  /** Which mutating operations of the failed request may have been applied. */
  readonly made: MadeCalls;
  /**
   * The error a failed update's replacement failed with (a handler may attach what it knows
   * it made); absent on the Delete CloudFormation sends for a failed create.
   */
  readonly failure?: unknown;
}

/** The live state of a resource for drift detection, keyed by the resource's wire keys. */
export type LiveState = { readonly exists: false } | { readonly exists: true; readonly properties: Record<string, unknown> };

/**
 * One resource type's lifecycle. Handlers keep no state between invocations: everything
 * they need arrives in the event (properties, old properties, physical id).
 *
 * - `update` decides itself whether the change is in place (return the same id) or a
 *   replacement (create the new resource and return its id; CloudFormation then sends a
 *   Delete for the old id in its cleanup phase).
 * - `delete` and `read` may let the service's not-found error through: the dispatcher
 *   answers a delete of something gone with success, and a read with `Exists: false`.
 * - a failed `create` need not undo anything itself: the dispatcher calls
 *   `cleanupFailedCreate` (see there).
 */
export interface ResourceHandler<P> {
  readonly resourceType: string;
  /**
   * The properties' schema. The dispatcher decodes strictly what is asked for (a Create's
   * and an Update's new properties) and leniently what describes what exists (a Delete's
   * properties, an Update's old ones, a Read's): see `decodeProperties`.
   */
  readonly schema: Decoder<P>;
  create(ctx: OperationContext, props: P): Promise<OperationResult>;
  update(ctx: OperationContext, physicalId: string, props: P, oldProps: P): Promise<OperationResult>;
  delete(ctx: OperationContext, physicalId: string, props: P): Promise<void>;
  read(ctx: OperationContext, physicalId: string, props: P): Promise<LiveState>;
  /**
   * Removes what a create that failed may nevertheless have made: one mechanism for every
   * type, run by the dispatcher on the Delete CloudFormation sends for the failed create's id
   * (only then: CloudFormation sends it only if it took the FAILED answer), and right after
   * an update that failed while creating a replacement (no Delete comes for that). It finds
   * leftovers by the failed request's client tokens (`ctx.token` derives them), markers or
   * names, and only for the operations `ctx.made` says may have been applied. Returns what it
   * removed, for the reason or the log. Types whose create makes nothing that needs removing
   * (configuration that is overwritten) omit it.
   */
  cleanupFailedCreate?(ctx: CleanupContext, props: P): Promise<string | void>;
  /**
   * The properties the live state (`read`'s answer) amounts to, as the old properties of a
   * drift repair (an update from the live state to the declared one). Default: the declared
   * properties with each value `read` returned for a declared key put in place.
   */
  liveAsProperties?(live: Record<string, unknown>, declared: Record<string, unknown>): Record<string, unknown>;
  /**
   * The live things a create of `props` would take over (what the declaration names: a
   * network's name, a bot's username, a user's ARN), or none. `adopt` is the adoption the deploy
   * asked for (an id, or `declared`). Things this very request is making (a marker, its own
   * stored challenge) are not existing things: the create finds them itself. Omitted by types
   * whose create always makes something new. See `lambda/core/takeover.ts`.
   */
  existing?(ctx: OperationContext, props: P, adopt?: string): Promise<Existing[]>;
  /** The resource types whose physical ids name the same things (a native type this one adopts). @default [resourceType] */
  readonly claimTypes?: readonly string[];
  /** Other physical ids that name the thing `physicalId` names (a native type's ARN of a network). @default none */
  alsoKnownAs?(physicalId: string, ownership: Ownership): string[];
  /** Takes over `found` when `converge` (the update from the live state) is not the whole story. */
  takeOver?(ctx: OperationContext, found: Existing, props: P, mode: TakeOverMode): Promise<OperationResult>;
}

/** True when `look` finds the thing; false when the service says it is not there. */
export async function exists(look: () => Promise<unknown>): Promise<boolean> {
  try {
    await look();
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Keys of `a` and `b` whose values differ (deep comparison of the decoded values). */
export function changedKeys<P extends object>(a: P, b: P): Array<keyof P> {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof P>;
  return [...keys].filter((k) => !deepEqual(a[k], b[k]));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}
