import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { EmulatorApi } from './aws';
import { CustomOutcome, CustomRequest, CustomRuntime, CustomTimeouts, DuplicateDeliveryOptions, ResponseOutageOptions, sendCustomRequest } from './custom';
import { findCycle, reverseEdges, schedule } from './graph';
import { FunctionIdentities } from './iam';
import {
  canonicalJson,
  collectReferences,
  evaluateConditions,
  EvaluationContext,
  partitionOf,
  resolveParameters,
  resolveValue,
  ResourceView,
  StackEnvironment,
  TemplateError,
  TemplateResource,
} from './intrinsics';
import { LocalFunction } from './lambda';
import { fakeAttribute, isCustomResourceType, NativeContext, nativeType } from './native';
import { Action, Phase, Recorder, ResourceRow, setTypeWidth, StackReport, StackStatus } from './report';
import { ResponseServer } from './response-server';
import { recordedParameters } from './stacks';
import { ResourceState, StackState, StateFile, StateStore } from './state';
import { StackArtifact, substitutePlaceholders } from './synth';

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
 */

export interface EngineOptions {
  readonly concurrency: number;
  /** Parameter values: `Name` for every stack, or `Stack:Name` for one. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly timeouts: CustomTimeouts;
  readonly lambdaRetries: number;
  readonly retryDelayMs: number;
  readonly duplicateDeliveries?: DuplicateDeliveryOptions;
  readonly responseOutage?: ResponseOutageOptions;
}

type Journal =
  | { readonly kind: 'created'; readonly id: string; readonly entry: ResourceState }
  | { readonly kind: 'create-failed'; readonly id: string; readonly type: string; readonly physicalId?: string; readonly properties: Record<string, unknown>; readonly deletionPolicy?: string }
  | { readonly kind: 'updated'; readonly id: string; readonly before: ResourceState; readonly after: ResourceState }
  | { readonly kind: 'update-failed'; readonly id: string; readonly before: ResourceState; readonly attempted: Record<string, unknown> }
  | { readonly kind: 'replaced'; readonly id: string; readonly before: ResourceState; readonly after: ResourceState };

interface CleanupItem {
  readonly key: string;
  readonly id: string;
  readonly entry: ResourceState;
  readonly reason: 'replaced' | 'removed';
  readonly retain: boolean;
}

interface Plan {
  readonly desired: string[];
  readonly deps: Map<string, string[]>;
  readonly attributeRefs: Map<string, Set<string>>;
  readonly parameters: Record<string, unknown>;
  readonly conditions: Record<string, boolean>;
}

const RETAINED = new Set(['Retain', 'RetainExceptOnCreate']);

export class Engine {
  private readonly functionCache = new Map<string, LocalFunction>();
  /** IAM: each provider function's own credentials and role statements (local/runner/iam.ts). */
  private identities?: FunctionIdentities;
  private readonly warnedTypes = new Set<string>();
  /** The current stack's resources (working state first), for finding provider functions. */
  private scope?: { readonly region: string; readonly entries: () => ResourceState[] };

  constructor(
    readonly store: StateStore,
    readonly state: StateFile,
    readonly recorder: Recorder,
    private readonly server: ResponseServer,
    private readonly api: EmulatorApi | undefined,
    readonly options: EngineOptions,
  ) {}

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
    try {
      await this.publishAssets(stack);
      plan = this.plan(stack, env, prev);
    } catch (err) {
      const reason = message(err);
      rec.line(`${stack.stackName}: FAILED before any change: ${reason}`);
      return { stackName: stack.stackName, stackId: prev?.stackId, status: 'FAILED', success: false, reason, rows: [], outputs: prev?.outputs ?? {} };
    }

    const deployment = new Deployment(this, stack, env, plan, prev);
    this.scope = { region: stack.region, entries: () => deployment.liveEntries() };
    try {
      return await deployment.run(before);
    } finally {
      this.scope = undefined;
    }
  }

  /** Template validation, as CloudFormation does before it changes anything. */
  private plan(stack: StackArtifact, env: StackEnvironment, prev: StackState | undefined): Plan {
    const template = stack.template;
    const resources = template.Resources ?? {};
    const parameters = resolveParameters(template, this.parametersFor(stack.stackName));
    const conditions = evaluateConditions(template, env, parameters);
    const included = (condition: string | undefined, where: string) => {
      if (condition === undefined) return true;
      if (!(condition in conditions)) throw new TemplateError(`Template format error: ${where} refers to the unknown condition ${condition}`);
      return conditions[condition];
    };
    const desired = Object.keys(resources).filter((id) => included(resources[id].Condition, `resource ${id}`));
    const desiredSet = new Set(desired);
    const deps = new Map<string, string[]>();
    const attributeRefs = new Map<string, Set<string>>();
    const unresolved = new Set<string>();
    const noteRefs = (value: unknown, owner?: string) => {
      for (const reference of collectReferences(value)) {
        if (reference.target in parameters) continue;
        if (!(reference.target in resources)) {
          unresolved.add(reference.target);
          continue;
        }
        if (!desiredSet.has(reference.target)) continue; // only in a branch of Fn::If that is not taken
        if (owner) deps.get(owner)?.push(reference.target);
        if (reference.attribute) {
          const set = attributeRefs.get(reference.target) ?? new Set<string>();
          set.add(reference.attribute);
          attributeRefs.set(reference.target, set);
        }
      }
    };
    for (const id of desired) {
      deps.set(id, []);
      const def = resources[id];
      noteRefs(def.Properties, id);
      for (const target of def.DependsOn === undefined ? [] : ([] as string[]).concat(def.DependsOn)) {
        if (!(target in resources)) unresolved.add(target);
        else if (!desiredSet.has(target)) throw new TemplateError(`Template format error: ${id} DependsOn ${target}, which its condition leaves out`);
        else deps.get(id)?.push(target);
      }
      deps.set(id, [...new Set(deps.get(id))].filter((d) => d !== id));
    }
    for (const [name, output] of Object.entries(template.Outputs ?? {})) {
      if (included(output.Condition, `output ${name}`)) noteRefs([output.Value, output.Export?.Name]);
    }
    if (unresolved.size > 0) throw new TemplateError(`Template format error: Unresolved resource dependencies [${[...unresolved].join(', ')}] in the Resources block of the template`);
    const changedType = desired.filter((id) => prev?.resources[id] && prev.resources[id].type !== resources[id].Type);
    if (changedType.length > 0) {
      throw new TemplateError(`Update of resource type is not permitted. The new template modifies resource type of the following resources: [${changedType.join(', ')}]`);
    }
    for (const [target, attributes] of attributeRefs) {
      const type = resources[target].Type;
      if (isCustomResourceType(type)) continue;
      const known = nativeType(type).attributes;
      const bad = known ? [...attributes].filter((a) => !known.includes(a)) : [];
      if (bad.length > 0) throw new TemplateError(`Template error: resource ${target} does not support attribute type ${bad[0]} in Fn::GetAtt`);
    }
    const cycle = findCycle(desired, (id) => deps.get(id) ?? []);
    if (cycle) throw new TemplateError(`Circular dependency between resources: [${cycle.join(', ')}]`);
    return { desired, deps, attributeRefs, parameters, conditions };
  }

  private parametersFor(stackName: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.options.parameters)) {
      const colon = key.indexOf(':');
      if (colon < 0) out[key] = value;
      else if (key.slice(0, colon) === stackName) out[key.slice(colon + 1)] = value;
    }
    return out;
  }

  /** The CDK CLI's asset publishing, for plain file assets (a users CSV); directories (function code) are not uploaded. */
  private async publishAssets(stack: StackArtifact): Promise<void> {
    for (const asset of stack.assets) {
      if (asset.packaging !== 'file' || path.resolve(asset.sourcePath) === path.resolve(stack.templateFile)) continue;
      if (!fs.existsSync(asset.sourcePath) || !fs.statSync(asset.sourcePath).isFile()) continue;
      if (asset.sourcePath.endsWith('.template.json')) continue; // another stack's template
      for (const destination of asset.destinations) {
        const bucket = substitutePlaceholders(destination.bucketName, stack.account, stack.region);
        const key = substitutePlaceholders(destination.objectKey, stack.account, stack.region);
        const api = this.requireApi(`publishing the file asset ${asset.id}`);
        const region = destination.region ? substitutePlaceholders(destination.region, stack.account, stack.region) : stack.region;
        if (await api.objectExists(region, bucket, key)) continue;
        await api.putObject(region, bucket, key, fs.readFileSync(asset.sourcePath), contentType(asset.sourcePath));
        this.recorder.publishedAssets.push(`s3://${bucket}/${key}`);
        this.recorder.line(`  asset ${path.basename(asset.sourcePath)} -> s3://${bucket}/${key}`);
      }
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
    const entries: Record<string, ResourceState> = { ...stackState.resources };
    const ids = Object.keys(entries);
    setTypeWidth(ids.map((id) => entries[id].type));
    rec.line(`${stackName}: DELETE_IN_PROGRESS`);
    const rows = new Map<string, ResourceRow>();
    const failures: string[] = [];
    this.scope = { region: stackState.region, entries: () => Object.values(entries) };
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
            row.action = 'retained';
            delete entries[id];
            return 'ok';
          }
          rec.event('DELETE_IN_PROGRESS', entry.type, id, entry.physicalId);
          const error = await this.deleteResource(env, undefined, id, entry, 'destroy');
          if (error) {
            rec.event('DELETE_FAILED', entry.type, id, error);
            Object.assign(row, { action: 'failed', reason: error });
            failures.push(`${id}: ${error}`);
            return 'failed';
          }
          rec.event('DELETE_COMPLETE', entry.type, id, entry.physicalId);
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
      this.scope = undefined;
    }
    const remaining = Object.keys(entries);
    if (remaining.length === 0) delete this.state.stacks[stackName];
    else stackState.resources = entries;
    this.store.save(this.state);
    this.store.pruneCode(this.state);
    const ordered = ids.map((id) => rows.get(id)).filter((r): r is ResourceRow => r !== undefined);
    const success = remaining.length === 0;
    const status: StackStatus = success ? 'DELETE_COMPLETE' : 'DELETE_FAILED';
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

  async custom(request: CustomRequest): Promise<CustomOutcome> {
    // IAM: the function gets its own credentials; its role's statements reach the emulator first.
    this.identities ??= new FunctionIdentities(this.api, this.recorder);
    const identity = await this.identities.prepare(request.properties.ServiceToken, { current: this.scope?.entries() ?? [], currentStack: request.stack.stackName, saved: this.state });
    if ('error' in identity) return { status: 'FAILED', data: {}, timedOut: false, reason: identity.error };
    const runtime: CustomRuntime = {
      recorder: this.recorder,
      server: this.server,
      extraEnv: {
        ...(this.api
          ? {
              AWS_ENDPOINT_URL_WICKR: this.api.url,
              AWS_ENDPOINT_URL_CHIME_SDK_IDENTITY: this.api.url,
              AWS_ENDPOINT_URL_SECRETS_MANAGER: this.api.url,
              AWS_ENDPOINT_URL_S3: this.api.url,
              AWS_ENDPOINT_URL_CLOUDFORMATION: this.api.url,
              AWS_ENDPOINT_URL_LAMBDA: this.api.url,
            }
          : {}),
        ...identity.env,
        // The function runs on Node.js 22 in Lambda; locally it runs on this Node.js.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      timeouts: this.options.timeouts,
      lambdaRetries: this.options.lambdaRetries,
      retryDelayMs: this.options.retryDelayMs,
      duplicateDeliveries: this.options.duplicateDeliveries,
      responseOutage: this.options.responseOutage,
      functionFor: (token) => this.functionFor(token),
    };
    return sendCustomRequest(runtime, request);
  }

  /** The local function a `ServiceToken` names: a function of the current stack first, then of the other stacks. */
  private functionFor(token: string): LocalFunction | { error: string } {
    const candidates: Array<{ entry: ResourceState; region: string }> = [];
    if (this.scope) for (const entry of this.scope.entries()) candidates.push({ entry, region: this.scope.region });
    for (const stack of Object.values(this.state.stacks)) for (const entry of Object.values(stack.resources)) candidates.push({ entry, region: stack.region });
    const found = candidates.find(({ entry }) => entry.function && (entry.attributes.Arn === token || entry.physicalId === token));
    if (!found?.entry.function) {
      return { error: `ServiceToken ${token} is not a Lambda function deployed by the local runner (only AWS::Lambda::Function resources of the app's stacks can serve custom resources locally)` };
    }
    const fn = found.entry.function;
    if (fn.unavailable) return { error: `ServiceToken ${token}: ${fn.unavailable}` };
    const key = canonicalJson([token, found.region, fn]);
    let local = this.functionCache.get(key);
    if (!local) {
      local = new LocalFunction({
        logicalId: found.entry.physicalId,
        functionName: found.entry.physicalId,
        arn: String(found.entry.attributes.Arn ?? token),
        codeDir: path.join(this.store.dir, fn.code),
        handler: fn.handler,
        timeoutSeconds: fn.timeoutSeconds,
        memorySize: fn.memorySize,
        environment: fn.environment,
        region: found.region,
      });
      this.functionCache.set(key, local);
    }
    return local;
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

/** One stack deployment: its working state, journal and rows. */
class Deployment {
  private readonly working: Record<string, ResourceState>;
  private readonly journal: Journal[] = [];
  private readonly cleanup: CleanupItem[] = [];
  private readonly rows = new Map<string, ResourceRow>();
  private readonly resources: Record<string, TemplateResource>;
  private readonly desiredSet: Set<string>;
  private readonly evaluation: EvaluationContext;
  private failure?: string;
  private readonly rollbackFailures: string[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly stack: StackArtifact,
    private readonly env: StackEnvironment,
    private readonly plan: Plan,
    private readonly prev: StackState | undefined,
  ) {
    this.working = { ...(prev?.resources ?? {}) };
    this.resources = stack.template.Resources ?? {};
    this.desiredSet = new Set(plan.desired);
    this.evaluation = {
      ...env,
      parameters: plan.parameters,
      conditions: plan.conditions,
      mappings: stack.template.Mappings,
      resource: (id) => this.view(id),
      importValue: (name) => {
        for (const [other, state] of Object.entries(engine.state.stacks)) if (other !== env.stackName && name in state.exports) return state.exports[name];
        return undefined;
      },
    };
  }

  private get rec(): Recorder {
    return this.engine.recorder;
  }

  /** Everything that currently exists for this stack (working state, then what awaits cleanup). */
  liveEntries(): ResourceState[] {
    return [...Object.values(this.working), ...this.cleanup.map((c) => c.entry), ...Object.values(this.prev?.resources ?? {})];
  }

  async run(before: string | undefined): Promise<StackReport> {
    const { desired, deps } = this.plan;
    await schedule(desired, (id) => deps.get(id) ?? [], (id) => this.deployOne(id), { concurrency: this.engine.options.concurrency, stopOnFailure: true });

    let outputs: Record<string, string> = {};
    let exports: Record<string, string> = {};
    if (this.failure === undefined) {
      try {
        ({ outputs, exports } = this.outputs());
      } catch (err) {
        this.failure = `Outputs: ${message(err)}`;
        this.rec.line(`  ${this.env.stackName}: ${this.failure}`);
      }
    }

    if (this.failure !== undefined) {
      await this.rollback();
      this.engine.store.restore(before);
      if (before === undefined) delete this.engine.state.stacks[this.env.stackName];
      else this.engine.state.stacks = this.engine.store.load().stacks;
      const rollbackFailed = this.rollbackFailures.length > 0;
      const status: StackStatus = this.prev ? (rollbackFailed ? 'UPDATE_ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_COMPLETE') : rollbackFailed ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE';
      const reason = this.failure + (rollbackFailed ? `; the rollback failed too: ${this.rollbackFailures.join('; ')}` : '');
      this.rec.line(`${this.env.stackName}: ${status}`);
      this.rec.line(`${this.env.stackName}: failed: ${reason}`);
      const rows = this.orderedRows();
      this.rec.table(rows);
      return { stackName: this.env.stackName, stackId: this.env.stackId, status, success: false, reason, rows, outputs: this.prev?.outputs ?? {} };
    }

    await this.runCleanup();

    const resources: Record<string, ResourceState> = {};
    for (const id of [...desired, ...Object.keys(this.working)]) if (this.working[id] && !(id in resources)) resources[id] = this.working[id];
    this.engine.state.stacks[this.env.stackName] = {
      stackId: this.env.stackId,
      account: this.env.account,
      region: this.env.region,
      resources,
      outputs,
      exports,
      template: this.stack.template,
      parameters: recordedParameters(this.stack.template, this.plan.parameters),
    };
    this.engine.store.save(this.engine.state);
    this.engine.store.pruneCode(this.engine.state);

    const rows = this.orderedRows();
    const changed = rows.some((r) => r.action !== 'unchanged');
    const status: StackStatus = !this.prev ? 'CREATE_COMPLETE' : changed ? 'UPDATE_COMPLETE' : 'NO_CHANGES';
    this.rec.line(`${this.env.stackName}: ${status === 'NO_CHANGES' ? 'no changes' : status}`);
    this.rec.table(rows);
    if (!changed && this.prev) this.rec.line(`${this.env.stackName}: nothing changed (no request was sent)`);
    for (const [name, value] of Object.entries(outputs)) this.rec.line(`  output ${name} = ${value}`);
    return { stackName: this.env.stackName, stackId: this.env.stackId, status, success: true, rows, outputs };
  }

  private orderedRows(): ResourceRow[] {
    const order = [...this.plan.desired, ...Object.keys(this.prev?.resources ?? {})];
    const seen = new Set<string>();
    const out: ResourceRow[] = [];
    for (const id of order) {
      if (seen.has(id)) continue;
      seen.add(id);
      const row = this.rows.get(id);
      if (row) out.push(row);
    }
    return out;
  }

  private row(id: string, type: string, action: Action, physicalId?: string, reason?: string): ResourceRow {
    const row: ResourceRow = { stackName: this.env.stackName, logicalId: id, type, physicalId, action, ...(reason ? { reason } : {}) };
    this.rows.set(id, row);
    return row;
  }

  private fail(id: string, type: string, operation: 'CREATE' | 'UPDATE', reason: string, physicalId?: string): 'failed' {
    this.rec.event(`${operation}_FAILED`, type, id, reason);
    this.row(id, type, 'failed', physicalId, reason);
    this.failure ??= `${id} (${type}): ${reason}`;
    return 'failed';
  }

  // -------------------------------------------------------------------------------------
  // Main phase

  private async deployOne(id: string): Promise<'ok' | 'failed'> {
    const def = this.resources[id];
    const type = def.Type;
    const prevEntry = this.working[id];
    let props: Record<string, unknown>;
    try {
      props = resolveValue(def.Properties ?? {}, this.evaluation, `${id}.Properties`) as Record<string, unknown>;
    } catch (err) {
      return this.fail(id, type, prevEntry ? 'UPDATE' : 'CREATE', message(err), prevEntry?.physicalId);
    }
    const base = {
      type,
      ...(def.DeletionPolicy ? { deletionPolicy: def.DeletionPolicy } : {}),
      ...(def.UpdateReplacePolicy ? { updateReplacePolicy: def.UpdateReplacePolicy } : {}),
      dependencies: this.plan.deps.get(id) ?? [],
    };
    if (prevEntry && canonicalJson(props) === canonicalJson(prevEntry.properties)) {
      // Policies and dependencies change without a request, as in CloudFormation.
      this.working[id] = {
        ...base,
        physicalId: prevEntry.physicalId,
        properties: prevEntry.properties,
        attributes: prevEntry.attributes,
        ...(prevEntry.function ? { function: prevEntry.function } : {}),
      };
      this.row(id, type, 'unchanged', prevEntry.physicalId);
      return 'ok';
    }
    if (isCustomResourceType(type)) return prevEntry ? this.updateCustom(id, props, base, prevEntry) : this.createCustom(id, props, base);
    return prevEntry ? this.updateNative(id, def, props, base, prevEntry) : this.createNative(id, def, props, base);
  }

  /** The attributes the template asks of `id` that its response `Data` does not have. */
  private missingAttribute(id: string, data: Record<string, unknown>): string | undefined {
    const wanted = this.plan.attributeRefs.get(id);
    const missing = wanted ? [...wanted].find((a) => !(a in data)) : undefined;
    return missing === undefined ? undefined : `Vendor response doesn't contain ${missing} attribute`;
  }

  private async createCustom(id: string, props: Record<string, unknown>, base: Omit<ResourceState, 'physicalId' | 'properties' | 'attributes'>): Promise<'ok' | 'failed'> {
    const type = base.type;
    this.rec.event('CREATE_IN_PROGRESS', type, id);
    const out = await this.engine.custom({ stack: this.env, logicalId: id, resourceType: type, requestType: 'Create', properties: props, phase: 'deploy' });
    const failed = (reason: string) => {
      this.journal.push({ kind: 'create-failed', id, type, physicalId: out.physicalId, properties: props, deletionPolicy: base.deletionPolicy });
      return this.fail(id, type, 'CREATE', reason, out.physicalId);
    };
    if (out.status !== 'SUCCESS' || !out.physicalId) return failed(out.reason ?? 'FAILED');
    const missing = this.missingAttribute(id, out.data);
    if (missing) return failed(missing);
    const entry: ResourceState = { ...base, physicalId: out.physicalId, properties: props, attributes: out.data };
    this.working[id] = entry;
    this.journal.push({ kind: 'created', id, entry });
    this.row(id, type, 'created', entry.physicalId);
    this.rec.event('CREATE_COMPLETE', type, id, entry.physicalId);
    return 'ok';
  }

  private async updateCustom(id: string, props: Record<string, unknown>, base: Omit<ResourceState, 'physicalId' | 'properties' | 'attributes'>, prev: ResourceState): Promise<'ok' | 'failed'> {
    const type = base.type;
    if (canonicalJson(prev.properties.ServiceToken) !== canonicalJson(props.ServiceToken)) {
      return this.fail(id, type, 'UPDATE', 'Modifying service token is not allowed.', prev.physicalId);
    }
    this.rec.event('UPDATE_IN_PROGRESS', type, id, prev.physicalId);
    const out = await this.engine.custom({
      stack: this.env,
      logicalId: id,
      resourceType: type,
      requestType: 'Update',
      physicalId: prev.physicalId,
      properties: props,
      oldProperties: prev.properties,
      phase: 'deploy',
    });
    if (out.status !== 'SUCCESS' || !out.physicalId) {
      this.journal.push({ kind: 'update-failed', id, before: prev, attempted: props });
      return this.fail(id, type, 'UPDATE', out.reason ?? 'FAILED', prev.physicalId);
    }
    const entry: ResourceState = { ...base, physicalId: out.physicalId, properties: props, attributes: out.data };
    const replaced = entry.physicalId !== prev.physicalId;
    this.journal.push(replaced ? { kind: 'replaced', id, before: prev, after: entry } : { kind: 'updated', id, before: prev, after: entry });
    this.working[id] = entry;
    const missing = this.missingAttribute(id, out.data);
    if (missing) return this.fail(id, type, 'UPDATE', missing, entry.physicalId);
    this.completeUpdate(id, type, prev, entry, replaced);
    return 'ok';
  }

  private completeUpdate(id: string, type: string, prev: ResourceState, entry: ResourceState, replaced: boolean): void {
    if (replaced) {
      const policy = this.resources[id].UpdateReplacePolicy;
      this.cleanup.push({ key: `${id}#replaced`, id, entry: prev, reason: 'replaced', retain: policy !== undefined && RETAINED.has(policy) });
      this.row(id, type, 'replaced', entry.physicalId);
      this.rec.event('UPDATE_COMPLETE', type, id, `${entry.physicalId} (replaces ${prev.physicalId})`);
    } else {
      this.row(id, type, 'updated', entry.physicalId);
      this.rec.event('UPDATE_COMPLETE', type, id, entry.physicalId);
    }
  }

  private async createNative(id: string, def: TemplateResource, props: Record<string, unknown>, base: Omit<ResourceState, 'physicalId' | 'properties' | 'attributes'>): Promise<'ok' | 'failed'> {
    const native = nativeType(def.Type);
    if (!native.emulated) this.engine.warnType(def.Type, id);
    this.rec.event('CREATE_IN_PROGRESS', def.Type, id);
    try {
      const result = await native.create(this.engine.nativeContext(this.env, this.stack, id, def), props);
      const entry: ResourceState = { ...base, physicalId: result.physicalId, properties: props, attributes: result.attributes, ...(result.function ? { function: result.function } : {}) };
      this.working[id] = entry;
      this.journal.push({ kind: 'created', id, entry });
      this.row(id, def.Type, 'created', entry.physicalId);
      this.rec.event('CREATE_COMPLETE', def.Type, id, entry.physicalId);
      return 'ok';
    } catch (err) {
      return this.fail(id, def.Type, 'CREATE', message(err));
    }
  }

  private async updateNative(
    id: string,
    def: TemplateResource,
    props: Record<string, unknown>,
    base: Omit<ResourceState, 'physicalId' | 'properties' | 'attributes'>,
    prev: ResourceState,
  ): Promise<'ok' | 'failed'> {
    const native = nativeType(def.Type);
    const changed = new Set([...Object.keys(props), ...Object.keys(prev.properties)].filter((k) => canonicalJson(props[k]) !== canonicalJson(prev.properties[k])));
    const replace = native.replaceOn.some((k) => changed.has(k));
    this.rec.event('UPDATE_IN_PROGRESS', def.Type, id, replace ? `${prev.physicalId} (requires replacement)` : prev.physicalId);
    const ctx = this.engine.nativeContext(this.env, this.stack, id, def);
    try {
      const result = replace ? await native.create(ctx, props) : native.update ? await native.update(ctx, prev, props) : { physicalId: prev.physicalId, attributes: prev.attributes };
      const fn = result.function ?? (replace ? undefined : prev.function);
      const entry: ResourceState = { ...base, physicalId: result.physicalId, properties: props, attributes: result.attributes, ...(fn ? { function: fn } : {}) };
      this.working[id] = entry;
      this.journal.push(replace ? { kind: 'replaced', id, before: prev, after: entry } : { kind: 'updated', id, before: prev, after: entry });
      this.completeUpdate(id, def.Type, prev, entry, replace);
      return 'ok';
    } catch (err) {
      if (!replace) this.journal.push({ kind: 'update-failed', id, before: prev, attempted: props });
      return this.fail(id, def.Type, 'UPDATE', message(err), prev.physicalId);
    }
  }

  private outputs(): { outputs: Record<string, string>; exports: Record<string, string> } {
    const outputs: Record<string, string> = {};
    const exports: Record<string, string> = {};
    for (const [name, output] of Object.entries(this.stack.template.Outputs ?? {})) {
      if (output.Condition !== undefined && !this.plan.conditions[output.Condition]) continue;
      const value = resolveValue(output.Value, this.evaluation, `Outputs.${name}`);
      outputs[name] = Array.isArray(value) ? value.join(',') : String(value);
      if (output.Export) {
        const exportName = String(resolveValue(output.Export.Name, this.evaluation, `Outputs.${name}.Export.Name`));
        for (const [other, state] of Object.entries(this.engine.state.stacks)) {
          if (other !== this.env.stackName && exportName in state.exports) throw new TemplateError(`Export with name ${exportName} is already exported by stack ${other}`);
        }
        exports[exportName] = outputs[name];
      }
    }
    return { outputs, exports };
  }

  /** A resource as `Ref` and `Fn::GetAtt` see it (only resources of this template that exist). */
  private view(id: string): ResourceView | undefined {
    if (!this.desiredSet.has(id)) return undefined;
    const entry = this.working[id];
    if (!entry) return undefined;
    return {
      ref: entry.physicalId,
      attribute: (name) => {
        if (name in entry.attributes) return entry.attributes[name];
        if (isCustomResourceType(entry.type)) throw new TemplateError(`Vendor response doesn't contain ${name} attribute`);
        const native = nativeType(entry.type);
        if (!native.emulated || native.attributes === undefined) return fakeAttribute(this.env, id, entry.physicalId, name);
        throw new TemplateError(`Template error: resource ${id} does not support attribute type ${name} in Fn::GetAtt`);
      },
    };
  }

  // -------------------------------------------------------------------------------------
  // Cleanup phase

  private async runCleanup(): Promise<void> {
    for (const [id, entry] of Object.entries(this.prev?.resources ?? {})) {
      if (this.desiredSet.has(id)) continue;
      delete this.working[id];
      this.cleanup.push({ key: id, id, entry, reason: 'removed', retain: entry.deletionPolicy !== undefined && RETAINED.has(entry.deletionPolicy) });
    }
    if (this.cleanup.length === 0) return;
    this.rec.line(`${this.env.stackName}: ${this.prev ? 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' : 'CREATE_COMPLETE_CLEANUP_IN_PROGRESS'}`);
    const items = new Map(this.cleanup.map((c) => [c.key, c]));
    const keysOf = new Map<string, string[]>();
    for (const c of this.cleanup) keysOf.set(c.id, [...(keysOf.get(c.id) ?? []), c.key]);
    const keys = [...items.keys()];
    const deps = (key: string) => (items.get(key)?.entry.dependencies ?? []).flatMap((d) => keysOf.get(d) ?? []);
    await schedule(
      keys,
      reverseEdges(keys, deps),
      async (key) => {
        const item = items.get(key) as CleanupItem;
        const { id, entry } = item;
        if (item.retain) {
          this.rec.event('DELETE_SKIPPED', entry.type, id, entry.physicalId);
          if (item.reason === 'removed') this.row(id, entry.type, 'retained', entry.physicalId, 'DeletionPolicy Retain: kept, no longer managed');
          else {
            const row = this.rows.get(id);
            if (row) row.reason = `the old ${entry.physicalId} is kept: UpdateReplacePolicy Retain`;
          }
          return 'ok';
        }
        this.rec.event('DELETE_IN_PROGRESS', entry.type, id, entry.physicalId);
        const error = await this.engine.deleteResource(this.env, this.stack, id, entry, 'cleanup');
        if (error) {
          // CloudFormation does not roll back for a failed cleanup: the stack update stands and the resource is left behind.
          this.rec.event('DELETE_FAILED', entry.type, id, error);
          this.rec.warn(`${this.env.stackName}: cleanup could not delete ${id} (${entry.physicalId}): ${error}; it is left behind`);
          if (item.reason === 'removed') this.row(id, entry.type, 'failed', entry.physicalId, `cleanup delete failed: ${error}`);
          else {
            const row = this.rows.get(id);
            if (row) row.reason = `deleting the old ${entry.physicalId} failed: ${error}`;
          }
          return 'ok';
        }
        this.rec.event('DELETE_COMPLETE', entry.type, id, entry.physicalId);
        if (item.reason === 'removed') this.row(id, entry.type, 'deleted', entry.physicalId);
        return 'ok';
      },
      { concurrency: this.engine.options.concurrency, stopOnFailure: false },
    );
  }

  // -------------------------------------------------------------------------------------
  // Rollback

  private async rollback(): Promise<void> {
    const creating = !this.prev;
    this.rec.line(`${this.env.stackName}: ${creating ? 'ROLLBACK_IN_PROGRESS' : 'UPDATE_ROLLBACK_IN_PROGRESS'}  ${this.failure}`);
    const concurrency = this.engine.options.concurrency;
    const deps = (id: string) => this.plan.deps.get(id) ?? [];

    // 1. Updates back to the old properties, in dependency order (as a deployment of the old template).
    const updates = new Map<string, Extract<Journal, { kind: 'updated' | 'update-failed' }>>();
    for (const j of this.journal) if (j.kind === 'updated' || j.kind === 'update-failed') updates.set(j.id, j);
    await schedule(
      [...updates.keys()],
      deps,
      async (id) => {
        const j = updates.get(id) as Extract<Journal, { kind: 'updated' | 'update-failed' }>;
        const current = j.kind === 'updated' ? j.after : { ...j.before, properties: j.attempted };
        const error = await this.rollbackUpdate(id, j.before, current);
        if (error) {
          this.rollbackFailures.push(`${id}: ${error}`);
          return 'failed';
        }
        this.working[id] = j.before;
        if (j.kind === 'updated') this.row(id, j.before.type, 'rolled back', j.before.physicalId);
        return 'ok';
      },
      { concurrency, stopOnFailure: false },
    );

    // 2. Delete what this run created, in reverse dependency order.
    const deletes = new Map<string, Extract<Journal, { kind: 'created' | 'create-failed' | 'replaced' }>>();
    for (const j of this.journal) if (j.kind === 'created' || j.kind === 'create-failed' || j.kind === 'replaced') deletes.set(j.id, j);
    const ids = [...deletes.keys()];
    await schedule(
      ids,
      reverseEdges(ids, deps),
      async (id) => {
        const j = deletes.get(id) as Extract<Journal, { kind: 'created' | 'create-failed' | 'replaced' }>;
        if (j.kind === 'create-failed') {
          if (!isCustomResourceType(j.type)) return 'ok'; // a native create that failed made nothing
          if (j.deletionPolicy && j.deletionPolicy === 'Retain') {
            this.rec.event('DELETE_SKIPPED', j.type, id, j.physicalId);
            return 'ok';
          }
          if (!j.physicalId) {
            this.rec.warn(`${id}: its Create got no response, so there is no physical id to delete; if the provider made something, it is left behind`);
            return 'ok';
          }
          const entry: ResourceState = { type: j.type, physicalId: j.physicalId, properties: j.properties, attributes: {}, dependencies: [] };
          return this.rollbackDelete(id, entry, false);
        }
        const entry = j.kind === 'created' ? j.entry : j.after;
        if (j.kind === 'replaced') this.working[id] = j.before;
        else delete this.working[id];
        const outcome = await this.rollbackDelete(id, entry, true);
        return outcome;
      },
      { concurrency, stopOnFailure: false },
    );
  }

  /** An Update back to `before` for a resource now at `current`. Returns the error, if any. */
  private async rollbackUpdate(id: string, before: ResourceState, current: ResourceState): Promise<string | undefined> {
    this.rec.event('UPDATE_IN_PROGRESS', before.type, id, `${before.physicalId} (rollback)`);
    let error: string | undefined;
    if (isCustomResourceType(before.type)) {
      const out = await this.engine.custom({
        stack: this.env,
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
          await native.update(this.engine.nativeContext(this.env, this.stack, id), current, before.properties);
        } catch (err) {
          error = message(err);
        }
      }
    }
    this.rec.event(error ? 'UPDATE_FAILED' : 'UPDATE_COMPLETE', before.type, id, error ?? `${before.physicalId} (rollback)`);
    return error;
  }

  /** Deletes what this run made; `track` sets the row. DeletionPolicy Retain keeps it (as on a CloudFormation rollback). */
  private async rollbackDelete(id: string, entry: ResourceState, track: boolean): Promise<'ok' | 'failed'> {
    if (entry.deletionPolicy === 'Retain') {
      this.rec.event('DELETE_SKIPPED', entry.type, id, entry.physicalId);
      this.rec.warn(`${id}: ${entry.physicalId} was created by the failed run and is kept (DeletionPolicy Retain); it is not in the state any more`);
      if (track) this.row(id, entry.type, 'retained', entry.physicalId, 'created by the failed run; DeletionPolicy Retain keeps it');
      return 'ok';
    }
    this.rec.event('DELETE_IN_PROGRESS', entry.type, id, `${entry.physicalId} (rollback)`);
    const error = await this.engine.deleteResource(this.env, this.stack, id, entry, 'rollback');
    if (error) {
      this.rec.event('DELETE_FAILED', entry.type, id, error);
      this.rollbackFailures.push(`${id}: deleting ${entry.physicalId}: ${error}`);
      return 'failed';
    }
    this.rec.event('DELETE_COMPLETE', entry.type, id, `${entry.physicalId} (rollback)`);
    if (track) this.row(id, entry.type, 'rolled back', entry.physicalId);
    return 'ok';
  }
}

function message(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return String((err as Error).message);
  return String(err);
}

function contentType(file: string): string {
  const ext = path.extname(file).toLowerCase();
  return ({ '.json': 'application/json', '.csv': 'text/csv', '.txt': 'text/plain', '.zip': 'application/zip', '.yaml': 'application/yaml', '.yml': 'application/yaml' } as Record<string, string>)[ext] ?? 'application/octet-stream';
}
