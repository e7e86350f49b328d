import type { DeploymentContext } from './phase';
import { reverseEdges, schedule } from '../../cli/graph';
import { Journal } from './journal';
import { message } from './messages';
import { isCustomResourceType, nativeType } from './native';
import { ResourceState } from './state';

/**
 * The rollback of a failed deployment: updated resources (and the one whose update failed)
 * get an Update back to their old properties, in dependency order; then what the run
 * created (a failed custom Create included, and the new physical resources of
 * replacements) is deleted in reverse order.
 */

export async function rollback(deployment: DeploymentContext): Promise<void> {
  const creating = !deployment.prev;
  deployment.rec.line(`${deployment.env.stackName}: ${creating ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS'}  ${deployment.failure}`);
  await deployment.board.stack(creating ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS');
  const concurrency = deployment.engine.options.concurrency;
  const deps = (id: string) => deployment.plan.deps.get(id) ?? [];

  // 1. Updates back to the old properties, in dependency order (as a deployment of the old template).
  const updates = new Map<string, Extract<Journal, { kind: 'updated' | 'update-failed' }>>();
  for (const j of deployment.journal) if (j.kind === 'updated' || j.kind === 'update-failed') updates.set(j.id, j);
  await schedule(
    [...updates.keys()],
    deps,
    async (id) => {
      const j = updates.get(id) as Extract<Journal, { kind: 'updated' | 'update-failed' }>;
      const current = j.kind === 'updated' ? j.after : { ...j.before, properties: j.attempted };
      const error = await rollbackUpdate(deployment, id, j.before, current);
      if (error) {
        deployment.rollbackFailures.push(`${id}: ${error}`);
        return 'failed';
      }
      deployment.working[id] = j.before;
      if (j.kind === 'updated') deployment.row(id, j.before.type, 'rolled back', j.before.physicalId);
      return 'ok';
    },
    { concurrency, stopOnFailure: false },
  );

  // 2. Delete what this run created, in reverse dependency order.
  if (!creating) await deployment.board.stack('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
  const deletes = new Map<string, Extract<Journal, { kind: 'created' | 'create-failed' | 'replaced' }>>();
  for (const j of deployment.journal) if (j.kind === 'created' || j.kind === 'create-failed' || j.kind === 'replaced') deletes.set(j.id, j);
  const ids = [...deletes.keys()];
  await schedule(
    ids,
    reverseEdges(ids, deps),
    async (id) => {
      const j = deletes.get(id) as Extract<Journal, { kind: 'created' | 'create-failed' | 'replaced' }>;
      if (j.kind === 'create-failed') {
        if (!isCustomResourceType(j.type)) {
          await deployment.board.resource(id, j.type, 'DELETE_COMPLETE'); // a native create that failed made nothing
          return 'ok';
        }
        if (j.deletionPolicy && j.deletionPolicy === 'Retain') {
          await deployment.event('DELETE_SKIPPED', j.type, id, j.physicalId);
          return 'ok';
        }
        if (!j.physicalId) {
          deployment.rec.warn(`${id}: its Create got no response, so there is no physical id to delete; if the provider made something, it is left behind`);
          await deployment.board.resource(id, j.type, 'DELETE_COMPLETE');
          return 'ok';
        }
        const entry: ResourceState = { type: j.type, physicalId: j.physicalId, properties: j.properties, attributes: {}, dependencies: [] };
        return rollbackDelete(deployment, id, entry, false);
      }
      const entry = j.kind === 'created' ? j.entry : j.after;
      if (j.kind === 'replaced') {
        // Back to the old physical resource; the new one is deleted as the replaced one would have been.
        deployment.working[id] = j.before;
        await deployment.event('UPDATE_COMPLETE', j.before.type, id, j.before.physicalId, `${j.before.physicalId} (rollback)`);
      } else delete deployment.working[id];
      return rollbackDelete(deployment, id, entry, true, j.kind !== 'replaced');
    },
    { concurrency, stopOnFailure: false },
  );
}

/** An Update back to `before` for a resource now at `current`. Returns the error, if any. */
async function rollbackUpdate(deployment: DeploymentContext, id: string, before: ResourceState, current: ResourceState): Promise<string | undefined> {
  await deployment.event('UPDATE_IN_PROGRESS', before.type, id, current.physicalId, `${before.physicalId} (rollback)`);
  let error: string | undefined;
  if (isCustomResourceType(before.type)) {
    const out = await deployment.engine.custom({
      stack: deployment.env,
      logicalId: id,
      resourceType: before.type,
      requestType: 'Update',
      physicalId: current.physicalId,
      properties: before.properties,
      oldProperties: current.properties,
      phase: 'rollback',
    });
    if (out.status !== 'SUCCESS') error = out.reason ?? 'FAILED';
    else if (out.physicalId !== current.physicalId) error = `the rollback Update answered a different physical id (${out.physicalId}); ${current.physicalId} is kept`;
  } else {
    const native = nativeType(before.type);
    if (native.stateful && native.update) {
      try {
        await native.update(deployment.engine.nativeContext(deployment.env, deployment.stack, id), current, before.properties);
      } catch (err) {
        error = message(err);
      }
    }
  }
  await deployment.event(error ? 'UPDATE_FAILED' : 'UPDATE_COMPLETE', before.type, id, error ? current.physicalId : before.physicalId, error ?? `${before.physicalId} (rollback)`);
  return error;
}

/**
 * Deletes what this run made; `track` sets the row; `shown`: the resource itself leaves the stack (a
 * replacement's new physical id is not shown as a resource of its own). DeletionPolicy Retain keeps it
 * (as on a CloudFormation rollback).
 */
async function rollbackDelete(deployment: DeploymentContext, id: string, entry: ResourceState, track: boolean, shown = true): Promise<'ok' | 'failed'> {
  const event = (status: string, detail?: string) => (shown ? deployment.event(status, entry.type, id, entry.physicalId, detail) : (deployment.rec.event(status, entry.type, id, detail ?? entry.physicalId), Promise.resolve()));
  if (entry.deletionPolicy === 'Retain') {
    await event('DELETE_SKIPPED');
    deployment.rec.warn(`${id}: ${entry.physicalId} was created by the failed run and is kept (DeletionPolicy Retain); it is not in the state any more`);
    if (track) deployment.row(id, entry.type, 'retained', entry.physicalId, 'created by the failed run; DeletionPolicy Retain keeps it');
    return 'ok';
  }
  await event('DELETE_IN_PROGRESS', `${entry.physicalId} (rollback)`);
  const error = await deployment.engine.deleteResource(deployment.env, deployment.stack, id, entry, 'rollback');
  if (error) {
    await event('DELETE_FAILED', error);
    deployment.rollbackFailures.push(`${id}: deleting ${entry.physicalId}: ${error}`);
    return 'failed';
  }
  await event('DELETE_COMPLETE', `${entry.physicalId} (rollback)`);
  if (track) deployment.row(id, entry.type, 'rolled back', entry.physicalId);
  return 'ok';
}
