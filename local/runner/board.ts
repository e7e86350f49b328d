import type { RecordedStack, StackResourceSpec } from '../emulator/stacks';
import type { EmulatorApi } from './aws';
import type { StackEnvironment } from './intrinsics';
import type { ResourceState } from './state';

/**
 * What CloudFormation shows of a stack while a run changes it: the stack's status
 * (`UPDATE_IN_PROGRESS`, `UPDATE_ROLLBACK_IN_PROGRESS`, ...) and each resource's (its physical
 * id, and `CREATE_IN_PROGRESS` before it has one), told to the emulator as they change, before
 * the request that depends on them is sent. The provider asks CloudFormation who owns what and
 * whether a request is one CloudFormation is running (`lambda/core/ownership.ts`), and
 * `drift --fix` refuses a stack that is being changed: both read this.
 */
export class StackBoard {
  private readonly rows = new Map<string, StackResourceSpec>();

  private constructor(
    private readonly api: EmulatorApi | undefined,
    readonly stackName: string,
    private current: string,
    rows: readonly StackResourceSpec[],
  ) {
    for (const row of rows) this.rows.set(row.logicalId, row);
  }

  /**
   * Registers the stack as `status` with the template being deployed, keeping the resources
   * (and their statuses) the emulator knows from the last run, else those of the runner's state.
   */
  static async open(
    api: EmulatorApi | undefined,
    env: StackEnvironment,
    status: string,
    spec: { readonly template: object; readonly parameters: Record<string, string>; readonly resources: Readonly<Record<string, ResourceState>> },
  ): Promise<StackBoard> {
    const fromState = Object.entries(spec.resources).map(([logicalId, r]): StackResourceSpec => ({ logicalId, type: r.type, physicalId: r.physicalId, status: 'CREATE_COMPLETE' }));
    if (!api) return new StackBoard(undefined, env.stackName, status, fromState);
    const previous: RecordedStack | undefined = (await api.listStacks()).find((s) => s.stackName === env.stackName && s.stackId === env.stackId);
    const rows = previous?.resources ?? fromState;
    await api.registerStack(env.stackName, {
      stackId: env.stackId,
      stackName: env.stackName,
      region: env.region,
      accountId: env.account,
      status,
      template: spec.template,
      parameters: spec.parameters,
      resources: rows,
      functions: previous?.functions ?? [],
      outputs: previous?.outputs ?? {},
    });
    return new StackBoard(api, env.stackName, status, rows);
  }

  get status(): string {
    return this.current;
  }

  /** The stack's resources as CloudFormation shows them now. */
  resources(): StackResourceSpec[] {
    return [...this.rows.values()];
  }

  async stack(status: string): Promise<void> {
    this.current = status;
    await this.api?.patchStack(this.stackName, { status });
  }

  /** A resource's new status (and why, for a failure); `DELETE_COMPLETE` and `DELETE_SKIPPED` take it off the list. */
  async resource(logicalId: string, type: string, status: string, physicalId?: string, reason?: string): Promise<void> {
    const row: StackResourceSpec = { logicalId, type, status, ...(physicalId ? { physicalId } : {}), ...(reason ? { reason } : {}) };
    if (status === 'DELETE_COMPLETE' || status === 'DELETE_SKIPPED') this.rows.delete(logicalId);
    else this.rows.set(logicalId, row);
    await this.api?.patchStack(this.stackName, { resources: [row] });
  }
}
