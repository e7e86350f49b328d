import type { DeploymentContext } from './phase';
import { canonicalJson, resolveValue, TemplateResource } from './intrinsics';
import { RETAINED } from './journal';
import { message } from './messages';
import { isCustomResourceType, nativeType } from './native';
import { ResourceState } from './state';

/**
 * The main phase of a deployment, one resource at a time: its properties resolved, then a
 * Create or an Update (a request to the provider function for a custom resource, the
 * emulation for a native one), or nothing when the properties did not change. An Update
 * that gives a new physical id is a replacement: the old one awaits the cleanup phase.
 */

export async function deployOne(deployment: DeploymentContext, id: string): Promise<'ok' | 'failed'> {
  const def = deployment.resources[id];
  const type = def.Type;
  const prevEntry = deployment.working[id];
  let props: Record<string, unknown>;
  try {
    props = resolveValue(def.Properties ?? {}, deployment.evaluation, `${id}.Properties`) as Record<string, unknown>;
  } catch (err) {
    return deployment.fail(id, type, prevEntry ? 'UPDATE' : 'CREATE', message(err), prevEntry?.physicalId);
  }
  const base = {
    type,
    ...(def.DeletionPolicy ? { deletionPolicy: def.DeletionPolicy } : {}),
    ...(def.UpdateReplacePolicy ? { updateReplacePolicy: def.UpdateReplacePolicy } : {}),
    dependencies: deployment.plan.deps.get(id) ?? [],
  };
  if (prevEntry && canonicalJson(props) === canonicalJson(prevEntry.properties)) {
    // Policies and dependencies change without a request, as in CloudFormation.
    deployment.working[id] = {
      ...base,
      physicalId: prevEntry.physicalId,
      properties: prevEntry.properties,
      attributes: prevEntry.attributes,
      ...(prevEntry.function ? { function: prevEntry.function } : {}),
    };
    deployment.row(id, type, 'unchanged', prevEntry.physicalId);
    return 'ok';
  }
  if (isCustomResourceType(type)) return prevEntry ? updateCustom(deployment, id, props, base, prevEntry) : createCustom(deployment, id, props, base);
  return prevEntry ? updateNative(deployment, id, def, props, base, prevEntry) : createNative(deployment, id, def, props, base);
}

/** The attributes the template asks of `id` that its response `Data` does not have. */
function missingAttribute(deployment: DeploymentContext, id: string, data: Record<string, unknown>): string | undefined {
  const wanted = deployment.plan.attributeRefs.get(id);
  const missing = wanted ? [...wanted].find((a) => !(a in data)) : undefined;
  return missing === undefined ? undefined : `Vendor response doesn't contain ${missing} attribute`;
}

async function createCustom(deployment: DeploymentContext, id: string, props: Record<string, unknown>, base: Omit<ResourceState, 'physicalId' | 'properties' | 'attributes'>): Promise<'ok' | 'failed'> {
  const type = base.type;
  await deployment.event('CREATE_IN_PROGRESS', type, id);
  // CloudFormation takes the first answer at once (a duplicate delivery then finds the resource answered).
  const answered = (first: { status: string; physicalId?: string; reason?: string }) =>
    deployment.board.resource(id, type, first.status === 'SUCCESS' ? 'CREATE_COMPLETE' : 'CREATE_FAILED', first.physicalId, first.reason);
  const out = await deployment.engine.custom({ stack: deployment.env, logicalId: id, resourceType: type, requestType: 'Create', properties: props, phase: 'deploy', answered });
  const failed = (reason: string) => {
    deployment.journal.push({ kind: 'create-failed', id, type, physicalId: out.physicalId, properties: props, deletionPolicy: base.deletionPolicy });
    return deployment.fail(id, type, 'CREATE', reason, out.physicalId);
  };
  if (out.status !== 'SUCCESS' || !out.physicalId) return failed(out.reason ?? 'FAILED');
  const missing = missingAttribute(deployment, id, out.data);
  if (missing) return failed(missing);
  const entry: ResourceState = { ...base, physicalId: out.physicalId, properties: props, attributes: out.data };
  deployment.working[id] = entry;
  deployment.journal.push({ kind: 'created', id, entry });
  deployment.row(id, type, 'created', entry.physicalId);
  await deployment.event('CREATE_COMPLETE', type, id, entry.physicalId);
  return 'ok';
}

async function updateCustom(deployment: DeploymentContext, id: string, props: Record<string, unknown>, base: Omit<ResourceState, 'physicalId' | 'properties' | 'attributes'>, prev: ResourceState): Promise<'ok' | 'failed'> {
  const type = base.type;
  if (canonicalJson(prev.properties.ServiceToken) !== canonicalJson(props.ServiceToken)) {
    return deployment.fail(id, type, 'UPDATE', 'Modifying service token is not allowed.', prev.physicalId);
  }
  await deployment.event('UPDATE_IN_PROGRESS', type, id, prev.physicalId);
  const answered = (first: { status: string; physicalId?: string; reason?: string }) =>
    deployment.board.resource(id, type, first.status === 'SUCCESS' ? 'UPDATE_COMPLETE' : 'UPDATE_FAILED', first.status === 'SUCCESS' ? first.physicalId : prev.physicalId, first.reason);
  const out = await deployment.engine.custom({
    stack: deployment.env,
    logicalId: id,
    resourceType: type,
    requestType: 'Update',
    physicalId: prev.physicalId,
    properties: props,
    oldProperties: prev.properties,
    phase: 'deploy',
    answered,
  });
  if (out.status !== 'SUCCESS' || !out.physicalId) {
    deployment.journal.push({ kind: 'update-failed', id, before: prev, attempted: props });
    return deployment.fail(id, type, 'UPDATE', out.reason ?? 'FAILED', prev.physicalId);
  }
  const entry: ResourceState = { ...base, physicalId: out.physicalId, properties: props, attributes: out.data };
  const replaced = entry.physicalId !== prev.physicalId;
  deployment.journal.push(replaced ? { kind: 'replaced', id, before: prev, after: entry } : { kind: 'updated', id, before: prev, after: entry });
  deployment.working[id] = entry;
  const missing = missingAttribute(deployment, id, out.data);
  if (missing) return deployment.fail(id, type, 'UPDATE', missing, entry.physicalId);
  await completeUpdate(deployment, id, type, prev, entry, replaced);
  return 'ok';
}

async function completeUpdate(deployment: DeploymentContext, id: string, type: string, prev: ResourceState, entry: ResourceState, replaced: boolean): Promise<void> {
  if (replaced) {
    const policy = deployment.resources[id].UpdateReplacePolicy;
    deployment.cleanup.push({ key: `${id}#replaced`, id, entry: prev, reason: 'replaced', retain: policy !== undefined && RETAINED.has(policy) });
    deployment.row(id, type, 'replaced', entry.physicalId);
    await deployment.event('UPDATE_COMPLETE', type, id, entry.physicalId, `${entry.physicalId} (replaces ${prev.physicalId})`);
  } else {
    deployment.row(id, type, 'updated', entry.physicalId);
    await deployment.event('UPDATE_COMPLETE', type, id, entry.physicalId);
  }
}

async function createNative(deployment: DeploymentContext, id: string, def: TemplateResource, props: Record<string, unknown>, base: Omit<ResourceState, 'physicalId' | 'properties' | 'attributes'>): Promise<'ok' | 'failed'> {
  const native = nativeType(def.Type);
  if (!native.emulated) deployment.engine.warnType(def.Type, id);
  await deployment.event('CREATE_IN_PROGRESS', def.Type, id);
  try {
    const result = await native.create(deployment.engine.nativeContext(deployment.env, deployment.stack, id, def), props);
    const entry: ResourceState = { ...base, physicalId: result.physicalId, properties: props, attributes: result.attributes, ...(result.function ? { function: result.function } : {}) };
    deployment.working[id] = entry;
    deployment.journal.push({ kind: 'created', id, entry });
    deployment.row(id, def.Type, 'created', entry.physicalId);
    await deployment.event('CREATE_COMPLETE', def.Type, id, entry.physicalId);
    return 'ok';
  } catch (err) {
    return deployment.fail(id, def.Type, 'CREATE', message(err));
  }
}

async function updateNative(
  deployment: DeploymentContext,
  id: string,
  def: TemplateResource,
  props: Record<string, unknown>,
  base: Omit<ResourceState, 'physicalId' | 'properties' | 'attributes'>,
  prev: ResourceState,
): Promise<'ok' | 'failed'> {
  const native = nativeType(def.Type);
  const changed = new Set([...Object.keys(props), ...Object.keys(prev.properties)].filter((k) => canonicalJson(props[k]) !== canonicalJson(prev.properties[k])));
  const replace = native.replaceOn.some((k) => changed.has(k));
  await deployment.event('UPDATE_IN_PROGRESS', def.Type, id, prev.physicalId, replace ? `${prev.physicalId} (requires replacement)` : prev.physicalId);
  const ctx = deployment.engine.nativeContext(deployment.env, deployment.stack, id, def);
  try {
    const result = replace ? await native.create(ctx, props) : native.update ? await native.update(ctx, prev, props) : { physicalId: prev.physicalId, attributes: prev.attributes };
    const fn = result.function ?? (replace ? undefined : prev.function);
    const entry: ResourceState = { ...base, physicalId: result.physicalId, properties: props, attributes: result.attributes, ...(fn ? { function: fn } : {}) };
    deployment.working[id] = entry;
    deployment.journal.push(replace ? { kind: 'replaced', id, before: prev, after: entry } : { kind: 'updated', id, before: prev, after: entry });
    await completeUpdate(deployment, id, def.Type, prev, entry, replace);
    return 'ok';
  } catch (err) {
    if (!replace) deployment.journal.push({ kind: 'update-failed', id, before: prev, attempted: props });
    return deployment.fail(id, def.Type, 'UPDATE', message(err), prev.physicalId);
  }
}
