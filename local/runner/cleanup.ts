import type { DeploymentContext } from './phase';
import { reverseEdges, schedule } from '../../cli/graph';
import { CleanupItem, RETAINED } from './journal';

/**
 * The cleanup phase of a successful deployment: the old physical resources of replaced
 * resources and the resources removed from the template are deleted in reverse dependency
 * order, unless their policy retains them. A failed delete is a warning, not a rollback.
 */

export async function runCleanup(deployment: DeploymentContext): Promise<void> {
  for (const [id, entry] of Object.entries(deployment.prev?.resources ?? {})) {
    if (deployment.desiredSet.has(id)) continue;
    delete deployment.working[id];
    deployment.cleanup.push({ key: id, id, entry, reason: 'removed', retain: entry.deletionPolicy !== undefined && RETAINED.has(entry.deletionPolicy) });
  }
  if (deployment.cleanup.length === 0) return;
  deployment.rec.line(`${deployment.env.stackName}: ${deployment.prev ? 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' : 'CREATE_COMPLETE_CLEANUP_IN_PROGRESS'}`);
  const items = new Map(deployment.cleanup.map((c) => [c.key, c]));
  const keysOf = new Map<string, string[]>();
  for (const c of deployment.cleanup) keysOf.set(c.id, [...(keysOf.get(c.id) ?? []), c.key]);
  const keys = [...items.keys()];
  const deps = (key: string) => (items.get(key)?.entry.dependencies ?? []).flatMap((d) => keysOf.get(d) ?? []);
  await schedule(
    keys,
    reverseEdges(keys, deps),
    async (key) => {
      const item = items.get(key) as CleanupItem;
      const { id, entry } = item;
      // The old physical id of a replaced resource is not a resource of its own: CloudFormation shows the resource with its new id.
      const removed = item.reason === 'removed';
      const show = (status: string, detail?: string) => (removed ? deployment.event(status, entry.type, id, entry.physicalId, detail) : (deployment.rec.event(status, entry.type, id, detail ?? entry.physicalId), Promise.resolve()));
      if (item.retain) {
        await show('DELETE_SKIPPED');
        if (item.reason === 'removed') deployment.row(id, entry.type, 'retained', entry.physicalId, 'DeletionPolicy Retain: kept, no longer managed');
        else {
          const row = deployment.rows.get(id);
          if (row) row.reason = `the old ${entry.physicalId} is kept: UpdateReplacePolicy Retain`;
        }
        return 'ok';
      }
      await show('DELETE_IN_PROGRESS');
      const error = await deployment.engine.deleteResource(deployment.env, deployment.stack, id, entry, 'cleanup');
      if (error) {
        // CloudFormation does not roll back for a failed cleanup: the stack update stands and the resource is left behind.
        await show('DELETE_FAILED', error);
        deployment.rec.warn(`${deployment.env.stackName}: cleanup could not delete ${id} (${entry.physicalId}): ${error}; it is left behind`);
        if (item.reason === 'removed') deployment.row(id, entry.type, 'failed', entry.physicalId, `cleanup delete failed: ${error}`);
        else {
          const row = deployment.rows.get(id);
          if (row) row.reason = `deleting the old ${entry.physicalId} failed: ${error}`;
        }
        return 'ok';
      }
      await show('DELETE_COMPLETE');
      if (item.reason === 'removed') deployment.row(id, entry.type, 'deleted', entry.physicalId);
      return 'ok';
    },
    { concurrency: deployment.engine.options.concurrency, stopOnFailure: false },
  );
}
