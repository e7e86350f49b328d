import type { StackBoard } from './board';
import { runCleanup } from './cleanup';
import { deployOne } from './deploy-resource';
import { schedule } from '../../cli/graph';
import { EvaluationContext, resolveValue, ResourceView, StackEnvironment, TemplateError, TemplateResource } from './intrinsics';
import { exportsBlockingUpdate } from './exports';
import { CleanupItem, Journal } from './journal';
import { message } from './messages';
import { fakeAttribute, isCustomResourceType, nativeType } from './native';
import type { DeploymentContext, StackServices } from './phase';
import { Plan } from './plan';
import { Action, Recorder, ResourceRow, StackReport, StackStatus } from './report';
import { rollback } from './rollback';
import { recordedParameters } from './stacks';
import { ResourceState, StackState } from './state';
import { StackArtifact } from '../../cli/synth';

/**
 * One stack deployment: its working state, journal and rows. The phases it runs are in
 * `deploy-resource.ts` (create/update), `cleanup.ts` and `rollback.ts`; they work on its
 * members.
 */
export class Deployment implements DeploymentContext {
  readonly working: Record<string, ResourceState>;
  readonly journal: Journal[] = [];
  readonly cleanup: CleanupItem[] = [];
  readonly rows = new Map<string, ResourceRow>();
  readonly resources: Record<string, TemplateResource>;
  readonly desiredSet: Set<string>;
  readonly evaluation: EvaluationContext;
  failure?: string;
  readonly rollbackFailures: string[] = [];
  /** The exports this stack's template imports (`Fn::ImportValue`), as resolved. */
  private readonly imports = new Set<string>();

  constructor(
    readonly engine: StackServices,
    readonly stack: StackArtifact,
    readonly env: StackEnvironment,
    readonly plan: Plan,
    readonly prev: StackState | undefined,
    /** What CloudFormation shows of the stack, told to the emulator as it changes. */
    readonly board: StackBoard,
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
        this.imports.add(name);
        for (const [other, state] of Object.entries(engine.state.stacks)) if (other !== env.stackName && name in state.exports) return state.exports[name];
        return undefined;
      },
    };
  }

  get rec(): Recorder {
    return this.engine.recorder;
  }

  /** Everything that currently exists for this stack (working state, then what awaits cleanup). */
  liveEntries(): ResourceState[] {
    return [...Object.values(this.working), ...this.cleanup.map((c) => c.entry), ...Object.values(this.prev?.resources ?? {})];
  }

  async run(before: string | undefined): Promise<StackReport> {
    const { desired, deps } = this.plan;
    await schedule(desired, (id) => deps.get(id) ?? [], (id) => deployOne(this, id), { concurrency: this.engine.options.concurrency, stopOnFailure: true });

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
      await rollback(this);
      await this.board.stack(this.prev ? (this.rollbackFailures.length > 0 ? 'UPDATE_ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_COMPLETE') : this.rollbackFailures.length > 0 ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE');
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

    if (this.prev) await this.board.stack('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    await runCleanup(this);
    await this.board.stack(this.prev ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE');

    const resources: Record<string, ResourceState> = {};
    for (const id of [...desired, ...Object.keys(this.working)]) if (this.working[id] && !(id in resources)) resources[id] = this.working[id];
    this.engine.state.stacks[this.env.stackName] = {
      stackId: this.env.stackId,
      account: this.env.account,
      region: this.env.region,
      resources,
      outputs,
      exports,
      imports: [...this.imports].sort(),
      template: this.stack.template,
      parameters: recordedParameters(this.stack.template, this.plan.parameters),
    };
    this.engine.store.save(this.engine.state);
    this.engine.store.pruneCode(this.engine.state);

    this.markAdopted();
    const rows = this.orderedRows();
    const changed = rows.some((r) => r.action !== 'unchanged');
    const status: StackStatus = !this.prev ? 'CREATE_COMPLETE' : changed ? 'UPDATE_COMPLETE' : 'NO_CHANGES';
    this.rec.line(`${this.env.stackName}: ${status === 'NO_CHANGES' ? 'no changes' : status}`);
    this.rec.table(rows);
    this.rec.line(`${this.env.stackName}: ${summary(rows)}`);
    if (!changed && this.prev) this.rec.line(`${this.env.stackName}: nothing changed (no request was sent)`);
    for (const [name, value] of Object.entries(outputs)) this.rec.line(`  output ${name} = ${value}`);
    return { stackName: this.env.stackName, stackId: this.env.stackId, status, success: true, rows, outputs };
  }

  /**
   * The resources whose create took over something that existed (the provider logs one
   * `adopted` line per takeover): their rows say `adopted`, with how.
   */
  private markAdopted(): void {
    for (const log of this.rec.logs) {
      if (log.stackName !== this.env.stackName) continue;
      let entry: { message?: string; how?: string } | undefined;
      try {
        entry = JSON.parse(log.line.slice(log.line.indexOf('{')));
      } catch {
        continue;
      }
      const row = this.rows.get(log.logicalId);
      if (entry?.message === 'adopted' && row && (row.action === 'created' || row.action === 'replaced')) Object.assign(row, { action: 'adopted', reason: entry.how });
    }
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

  row(id: string, type: string, action: Action, physicalId?: string, reason?: string): ResourceRow {
    const row: ResourceRow = { stackName: this.env.stackName, logicalId: id, type, physicalId, action, ...(reason ? { reason } : {}) };
    this.rows.set(id, row);
    return row;
  }

  /** A resource event: printed, and told to the emulator's CloudFormation (see `StackBoard`). */
  async event(status: string, type: string, id: string, physicalId?: string, detail: string | undefined = physicalId): Promise<void> {
    this.rec.event(status, type, id, detail);
    await this.board.resource(id, type, status, physicalId);
  }

  async fail(id: string, type: string, operation: 'CREATE' | 'UPDATE', reason: string, physicalId?: string): Promise<'failed'> {
    this.rec.event(`${operation}_FAILED`, type, id, reason);
    await this.board.resource(id, type, `${operation}_FAILED`, physicalId, reason);
    this.row(id, type, 'failed', physicalId, reason);
    this.failure ??= `${id} (${type}): ${reason}`;
    return 'failed';
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
    const blocked = exportsBlockingUpdate(this.engine.state, this.env.stackName, exports);
    if (blocked) throw new TemplateError(blocked);
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
}

/** `adopted N, created M, changed K, unchanged U` (and what was deleted or retained, when anything was). */
function summary(rows: readonly ResourceRow[]): string {
  const count = (...actions: string[]) => rows.filter((r) => actions.includes(r.action)).length;
  const extra = [['deleted', count('deleted')], ['retained', count('retained')]].filter(([, n]) => n).map(([what, n]) => `, ${what} ${n}`).join('');
  return `adopted ${count('adopted')}, created ${count('created')}, changed ${count('updated', 'replaced')}, unchanged ${count('unchanged')}${extra}`;
}
