import { Logger } from './log';
import { TokenSource } from './tokens';
import type { ServiceClients } from './clients';

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
}

export interface OperationResult {
  /** The service id of the resource. A new id on update means replacement. */
  readonly physicalResourceId: string;
  /** Attributes for `Fn::GetAtt`, keyed by the resource's shared Data keys. Small, never secret. */
  readonly data?: Record<string, string>;
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
 * - a failed `create` removes what it made before throwing.
 */
export interface ResourceHandler<P> {
  readonly resourceType: string;
  /** Decodes raw (stringified) properties with the resource schema: `decodeProperties(schema, raw)`. */
  parse(properties: Record<string, unknown>): P;
  create(ctx: OperationContext, props: P): Promise<OperationResult>;
  update(ctx: OperationContext, physicalId: string, props: P, oldProps: P): Promise<OperationResult>;
  delete(ctx: OperationContext, physicalId: string, props: P): Promise<void>;
  read(ctx: OperationContext, physicalId: string, props: P): Promise<LiveState>;
  /**
   * Removes what a create that answered FAILED may nevertheless have made (a call that
   * committed after its connection dropped, with the reconciliation failing too). Called on
   * the Delete CloudFormation sends for the failed create's marker id; `createToken` derives
   * the tokens the failed create used. Optional: resources whose create cleans up after
   * itself, or whose service call carries a client token, need nothing here.
   */
  cleanupFailedCreate?(ctx: OperationContext, createToken: (purpose: string, index?: number) => string, props: P): Promise<void>;
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
