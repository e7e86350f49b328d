import { ADOPT_PROPERTY } from '../../lambda/core/ownership.wire';
import { collectReferences } from '../../lambda/core/references';
import { deepEqual } from '../../lambda/core/resource';
import { Template } from '../../lambda/core/template';
import { declaredProperties, DeployedStack } from '../../lambda/drift/declared';
import { RECREATE_PROPERTY } from '../../lambda/drift/recreate.wire';
import { topologicalOrder } from '../graph';

/**
 * The requests a deploy will send for the resources of this library, as CloudFormation
 * decides them: a `Create` for a logical id the deployed template lacks, an `Update` for one
 * whose properties change, none for one that stays the same, and, in the cleanup phase, a
 * `Delete` for one the new template lacks (unless its deletion policy retains it). Creates
 * and updates come in the new template's dependency order, deletes after them in reverse.
 */

export type RequestKind = 'Create' | 'Update' | 'Delete' | 'None';

export interface PlannedRequest {
  readonly logicalId: string;
  readonly type: string;
  readonly kind: RequestKind;
  /** The deployed resource's physical id (an update, a delete, one unchanged). */
  readonly physicalId?: string;
  /** The deletion policy that keeps a resource leaving the stack (CloudFormation sends no Delete). */
  readonly retainedBy?: string;
}

/** The deployed stack, or none (a stack the deploy creates). */
export type Deployed = DeployedStack | undefined;

/** Resources of `template` in dependency order (what a resource refers to, or depends on, first), ties by logical id. */
function dependencyOrder(template: Template): string[] {
  const resources = template.Resources ?? {};
  return topologicalOrder(Object.keys(resources).sort(), (id) => {
    const r = resources[id] as { Properties?: unknown; DependsOn?: string | string[] };
    const dependsOn = typeof r.DependsOn === 'string' ? [r.DependsOn] : (r.DependsOn ?? []);
    return [...collectReferences(r.Properties).map((ref) => ref.target), ...dependsOn];
  });
}

/**
 * The requests of the resources `isOurs` matches: creates and updates in dependency order,
 * then the deletes. A deployed resource gets an `Update` here; whether its properties change
 * (`propertiesChange`) is known only once what it refers to is planned.
 */
export function plannedRequests(template: Template, deployed: Deployed, isOurs: (type: string) => boolean): PlannedRequest[] {
  const before = new Map((deployed?.resources ?? []).map((r) => [r.logicalId, r]));
  const now = template.Resources ?? {};
  const requests: PlannedRequest[] = [];
  for (const logicalId of dependencyOrder(template)) {
    const type = now[logicalId].Type;
    if (!isOurs(type)) continue;
    const was = before.get(logicalId);
    if (!was?.physicalId) requests.push({ logicalId, type, kind: 'Create' });
    else requests.push({ logicalId, type, kind: 'Update', physicalId: was.physicalId });
  }
  const leaving = deployed ? dependencyOrder(deployed.template).reverse().filter((id) => !now[id] && isOurs(deployed.template.Resources?.[id]?.Type ?? '')) : [];
  for (const logicalId of leaving) {
    const definition = deployed!.template.Resources![logicalId];
    const physicalId = before.get(logicalId)?.physicalId;
    if (!physicalId) continue;
    const policy = definition.DeletionPolicy;
    const retainedBy = policy === 'Retain' || policy === 'RetainExceptOnCreate' ? `DeletionPolicy ${policy}` : undefined;
    requests.push({ logicalId, type: definition.Type, kind: 'Delete', physicalId, ...(retainedBy ? { retainedBy } : {}) });
  }
  return requests;
}

/** The properties CloudFormation will send, resolved as far as the stack allows (see `declaredProperties`), with the adoption and recreate marks. */
export interface Resolved {
  readonly properties: Record<string, unknown>;
  /** Properties that name something the deploy makes first (not known yet), or that cannot be read back: with why. */
  readonly unresolved: Readonly<Record<string, string>>;
}

/** A resource's properties in `stack` (its template, parameters and physical ids): the handlers' keys, plus `AdoptExisting` / `RecreateIfMissing` as written. */
export function resolve(stack: DeployedStack, logicalId: string): Resolved {
  const declared = declaredProperties(stack, logicalId);
  const raw = stack.template.Resources?.[logicalId]?.Properties ?? {};
  const marks = Object.fromEntries([ADOPT_PROPERTY, RECREATE_PROPERTY].filter((k) => typeof raw[k] === 'string').map((k) => [k, raw[k]]));
  return { properties: { ...declared.properties, ...marks }, unresolved: declared.unresolved };
}

/**
 * Whether a deployed resource's properties change: what resolves differs, what one side
 * resolves and the other does not (a reference to what the deploy makes anew), or what
 * neither resolves is written differently (the same expression gives the same value).
 */
export function propertiesChange(deployed: DeployedStack, next: DeployedStack, logicalId: string): boolean {
  const a = resolve(deployed, logicalId);
  const b = resolve(next, logicalId);
  if (!deepEqual(a.properties, b.properties)) return true;
  const rawA = deployed.template.Resources?.[logicalId]?.Properties ?? {};
  const rawB = next.template.Resources?.[logicalId]?.Properties ?? {};
  // A key only one side resolves changes (a reference to what the deploy makes anew); one neither does, when written otherwise.
  const keys = new Set([...Object.keys(a.unresolved), ...Object.keys(b.unresolved)]);
  return [...keys].some((k) => k in a.unresolved !== k in b.unresolved || !deepEqual(rawA[k], rawB[k]));
}
