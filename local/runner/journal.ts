import { ResourceState } from './state';

/**
 * What a deployment records as it goes: the journal of its changes, which the rollback
 * undoes, and the old physical resources the cleanup phase deletes (or keeps, as the
 * resource's retention policy says).
 */

export type Journal =
  | { readonly kind: 'created'; readonly id: string; readonly entry: ResourceState }
  | { readonly kind: 'create-failed'; readonly id: string; readonly type: string; readonly physicalId?: string; readonly properties: Record<string, unknown>; readonly deletionPolicy?: string }
  | { readonly kind: 'updated'; readonly id: string; readonly before: ResourceState; readonly after: ResourceState }
  | { readonly kind: 'update-failed'; readonly id: string; readonly before: ResourceState; readonly attempted: Record<string, unknown> }
  | { readonly kind: 'replaced'; readonly id: string; readonly before: ResourceState; readonly after: ResourceState };

export interface CleanupItem {
  readonly key: string;
  readonly id: string;
  readonly entry: ResourceState;
  readonly reason: 'replaced' | 'removed';
  readonly retain: boolean;
}

/** The `DeletionPolicy` and `UpdateReplacePolicy` values that keep the resource. */
export const RETAINED = new Set(['Retain', 'RetainExceptOnCreate']);
