import { randomUUID } from 'crypto';
import { publishAssets } from './assets';
import { EmulatorApi } from './aws';
import { StackBoard } from './board';
import { CustomOutcome, CustomRequest } from './custom';
import { Deployment } from './deployment';
import { exportsBlockingDelete } from './exports';
import { reverseEdges, schedule } from '../../cli/graph';
import { partitionOf, StackEnvironment, TemplateResource } from './intrinsics';
import { RETAINED } from './journal';
import { message } from './messages';
import { isCustomResourceType, NativeContext, nativeType } from './native';
import type { EngineOptions, StackServices } from './phase';
import { Plan, planDeployment } from './plan';
import { ProviderFunctions } from './provider-functions';
import { Phase, Recorder, ResourceRow, setTypeWidth, StackReport, StackStatus } from './report';
import { ResponseServer } from './response-server';
import { ResourceState, StateFile, StateStore } from './state';
import { recordedParameters } from './stacks';
import { StackArtifact } from '../../cli/synth';

/**
 * The lifecycle engine: what CloudFormation does with a template and the previous state
 * of a stack.
 *
 * Deploy: resources are created or updated in dependency order (independent ones
 * concurrently, up to a limit); a resource whose resolved properties did not change is
 * left alone. Then, in the cleanup phase, the old physical resources of replaced
 * resources and the resources removed from the template are deleted in reverse
 * dependency order (unless their `UpdateReplacePolicy` / `DeletionPolicy` is `Retain`).
 *
 * On a failure nothing new starts; what is in flight finishes; then the rollback: updated
 * resources (and the one whose update failed) get an Update back to their old
 * properties, and what this run created (a failed Create included, with the physical id
 * its FAILED response carried, and the new physical resources of replacements) is
 * deleted in reverse order. The state file is put back as it was.
 *
 * This module holds the stack-level operations (deploy, destroy) and what every phase
 * shares. The rest is in `assets.ts` (file assets published first), `plan.ts` (validation
 * and ordering), `deployment.ts` (one deployment's run and report), `deploy-resource.ts`
 * (create/update), `cleanup.ts`, `rollback.ts`, `journal.ts` (what a deployment records
 * for those two) and `provider-functions.ts` (requests sent to the provider functions).
 */

export type { EngineOptions } from './phase';

export class Engine implements StackServices {
  private readonly warnedTypes = new Set<string>();
  /** What CloudFormation shows of each stack this run deployed or destroyed (the last run's view, by stack name). */
  readonly boards = new Map<string, StackBoard>();
  /** The provider functions custom resource requests go to, with the current stack's resources to find them in. */
  private readonly providers: ProviderFunctions;

  constructor(
    readonly store: StateStore,
    readonly state: StateFile,
    readonly recorder: Recorder,
    server: ResponseServer,
    private readonly api: EmulatorApi | undefined,
    readonly options: EngineOptions,
  ) {
    this.providers = new ProviderFunctions(store, state, recorder, server, api, options);
  }

  // -------------------------------------------------------------------------------------
  // Deploy

  async deployStack(stack: StackArtifact): Promise<StackReport> {
    const rec = this.recorder;
    const before = this.store.raw();
    const prev = this.state.stacks[stack.stackName];
    const env: StackEnvironment = {
      stackName: stack.stackName,
      stackId: prev?.stackId ?? `arn:${partitionOf(stack.region)}:cloudformation:${stack.region}:${stack.account}:stack/${stack.stackName}/${randomUUID()}`,
      account: stack.account,
      region: stack.region,
    };
    const resources = stack.template.Resources ?? {};
    setTypeWidth([...Object.values(resources).map((r) => r.Type), ...Object.values(prev?.resources ?? {}).map((r) => r.type)]);
    rec.line(`${stack.stackName}: ${prev ? 'updating' : 'creating'} (account ${stack.account}, region ${stack.region})`);

    let plan: Plan;
    let board: StackBoard;
    try {
      await publishAssets(stack, this.recorder, (purpose) => this.requireApi(purpose));
      plan = planDeployment(stack, env, prev, this.options.parameters);
      const spec = { template: stack.template, parameters: recordedParameters(stack.template, plan.parameters), resources: prev?.resources ?? {} };
      board = await StackBoard.open(this.api, env, prev ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS', spec);
      this.boards.set(stack.stackName, board);
    } catch (err) {
      const reason = message(err);
      rec.line(`${stack.stackName}: FAILED before any change: ${reason}`);
      return { stackName: stack.stackName, stackId: prev?.stackId, status: 'FAILED', success: false, reason, rows: [], outputs: prev?.outputs ?? {} };
    }

    const deployment = new Deployment(this, stack, env, plan, prev, board);
    this.providers.scope = { region: stack.region, entries: () => deployment.liveEntries() };
    try {
      return await deployment.run(before);
    } finally {
      this.providers.scope = undefined;
    }
  }

  // -------------------------------------------------------------------------------------
  // Destroy

  async destroyStack(stackName: string): Promise<StackReport> {
    const rec = this.recorder;
    const stackState = this.state.stacks[stackName];
    if (!stackState) {
      rec.line(`${stackName}: not deployed, nothing to destroy`);
      return { stackName, status: 'NOT_DEPLOYED', success: true, rows: [], outputs: {} };
    }
    const env: StackEnvironment = { stackName, stackId: stackState.stackId, account: stackState.account, region: stackState.region };
    const blocked = exportsBlockingDelete(this.state, stackName);
    if (blocked) {
      // As CloudFormation: the stack is left as it is, DELETE_FAILED, and nothing is deleted.
      rec.line(`${stackName}: DELETE_FAILED: ${blocked}`);
      return { stackName, stackId: stackState.stackId, status: 'DELETE_FAILED', success: false, reason: blocked, rows: [], outputs: stackState.outputs };
    }
    const entries: Record<string, ResourceState> = { ...stackState.resources };
    const ids = Object.keys(entries);
    setTypeWidth(ids.map((id) => entries[id].type));
    rec.line(`${stackName}: DELETE_IN_PROGRESS`);
    const board = await StackBoard.open(this.api, env, 'DELETE_IN_PROGRESS', { template: stackState.template ?? {}, parameters: stackState.parameters ?? {}, resources: stackState.resources });
    this.boards.set(stackName, board);
    const rows = new Map<string, ResourceRow>();
    const failures: string[] = [];
    this.providers.scope = { region: stackState.region, entries: () => Object.values(entries) };
    try {
      const deps = (id: string) => stackState.resources[id]?.dependencies ?? [];
      const result = await schedule(
        ids,
        reverseEdges(ids, deps),
        async (id) => {
          const entry = entries[id];
          const row: ResourceRow = { stackName, logicalId: id, type: entry.type, physicalId: entry.physicalId, action: 'deleted' };
          rows.set(id, row);
          if (entry.deletionPolicy && RETAINED.has(entry.deletionPolicy)) {
            rec.event('DELETE_SKIPPED', entry.type, id, entry.physicalId);
            await board.resource(id, entry.type, 'DELETE_SKIPPED', entry.physicalId);
            row.action = 'retained';
            delete entries[id];
            return 'ok';
          }
          rec.event('DELETE_IN_PROGRESS', entry.type, id, entry.physicalId);
          await board.resource(id, entry.type, 'DELETE_IN_PROGRESS', entry.physicalId);
          const error = await this.deleteResource(env, undefined, id, entry, 'destroy');
          if (error) {
            rec.event('DELETE_FAILED', entry.type, id, error);
            await board.resource(id, entry.type, 'DELETE_FAILED', entry.physicalId);
            Object.assign(row, { action: 'failed', reason: error });
            failures.push(`${id}: ${error}`);
            return 'failed';
          }
          rec.event('DELETE_COMPLETE', entry.type, id, entry.physicalId);
          await board.resource(id, entry.type, 'DELETE_COMPLETE', entry.physicalId);
          delete entries[id];
          return 'ok';
        },
        { concurrency: this.options.concurrency, stopOnFailure: false },
      );
      for (const id of result.notStarted) {
        const entry = stackState.resources[id];
        rows.set(id, { stackName, logicalId: id, type: entry.type, physicalId: entry.physicalId, action: 'failed', reason: 'not deleted: a resource that depends on it could not be deleted' });
      }
    } finally {
      this.providers.scope = undefined;
    }
    const remaining = Object.keys(entries);
    if (remaining.length === 0) delete this.state.stacks[stackName];
    else stackState.resources = entries;
    this.store.save(this.state);
    this.store.pruneCode(this.state);
    const ordered = ids.map((id) => rows.get(id)).filter((r): r is ResourceRow => r !== undefined);
    const success = remaining.length === 0;
    const status: StackStatus = success ? 'DELETE_COMPLETE' : 'DELETE_FAILED';
    if (!success) await board.stack('DELETE_FAILED');
    rec.line(`${stackName}: ${status}${success ? '' : ` (${remaining.length} resource(s) left: ${remaining.join(', ')})`}`);
    rec.table(ordered);
    return { stackName, stackId: stackState.stackId, status, success, reason: failures.join('; ') || undefined, rows: ordered, outputs: {} };
  }

  // -------------------------------------------------------------------------------------
  // Shared by deploy, cleanup, rollback and destroy

  /** Deletes one resource (custom: a Delete request; native: its emulation). Returns the error, if any. */
  async deleteResource(env: StackEnvironment, stack: StackArtifact | undefined, id: string, entry: ResourceState, phase: Phase): Promise<string | undefined> {
    if (isCustomResourceType(entry.type)) {
      const out = await this.custom({ stack: env, logicalId: id, resourceType: entry.type, requestType: 'Delete', physicalId: entry.physicalId, properties: entry.properties, phase });
      return out.status === 'SUCCESS' ? undefined : (out.reason ?? 'FAILED');
    }
    const native = nativeType(entry.type);
    if (!native.delete) return undefined;
    try {
      await native.delete(this.nativeContext(env, stack, id), entry);
      return undefined;
    } catch (err) {
      return message(err);
    }
  }

  /** Sends a custom resource request to its provider function (`provider-functions.ts`). */
  async custom(request: CustomRequest): Promise<CustomOutcome> {
    return this.providers.custom(request);
  }

  nativeContext(env: StackEnvironment, stack: StackArtifact | undefined, id: string, def?: TemplateResource): NativeContext {
    return {
      stackName: env.stackName,
      account: env.account,
      region: env.region,
      logicalId: id,
      metadata: def?.Metadata,
      assets: stack?.assets ?? [],
      assemblyDir: stack?.assemblyDir,
      store: this.store,
      api: () => this.requireApi(`emulating ${id}`),
    };
  }

  private requireApi(purpose: string): EmulatorApi {
    if (!this.api) throw new Error(`${purpose} needs the emulator, and this run has none`);
    return this.api;
  }

  warnType(type: string, logicalId: string): void {
    if (this.warnedTypes.has(type)) return;
    this.warnedTypes.add(type);
    this.recorder.warn(`${type} is not emulated by the local runner: ${logicalId} (and any other) gets a fake physical id, and Fn::GetAtt on it fake values`);
  }
}
