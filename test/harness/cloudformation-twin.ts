import { CustomResourceResponse } from '../../lambda/core/event';
import type { Emulator } from '../../local/emulator';

/**
 * CloudFormation's side of a stack, for tests that drive the provider's handler directly:
 * what `DescribeStacks` and `DescribeStackResources` answer while each event is under way
 * (the resource `<TYPE>_IN_PROGRESS` before, `<TYPE>_COMPLETE` or `_FAILED` with the answered
 * physical id after), recorded in the emulator's stacks registry as the lifecycle runner
 * records it. The provider acts only on events CloudFormation is running for its own stack
 * (`lambda/core/ownership.ts`), and asks it who owns what.
 */
export class CloudFormationTwin {
  constructor(
    private readonly emulator: Emulator,
    readonly stackId: string,
    /** The stack's status while events run. */
    public stackStatus = 'UPDATE_IN_PROGRESS',
  ) {}

  get stackName(): string {
    return this.stackId.split('/')[1];
  }

  /** The logical ids the template declares: every one an event was sent for (an earlier create's alias is not). */
  private readonly declared = new Map<string, string>();

  /** Registers the stack when the emulator does not have it (a test may reset the emulator), or its template when it declares more. */
  ensure(declare?: { readonly logicalId: string; readonly type: string }): void {
    const current = this.emulator.listStacks().find((s) => s.stackId === this.stackId);
    const added = declare !== undefined && !this.declared.has(declare.logicalId);
    if (declare) this.declared.set(declare.logicalId, declare.type);
    if (current && !added) return;
    const [, , , region, accountId] = this.stackId.split(':');
    this.emulator.registerStack(this.stackName, {
      stackId: this.stackId,
      stackName: this.stackName,
      region,
      accountId,
      status: current?.status ?? this.stackStatus,
      template: { Resources: Object.fromEntries([...this.declared].map(([id, type]) => [id, { Type: type }])) },
      parameters: {},
      resources: current?.resources ?? [],
      functions: [],
    });
  }

  /** Takes a logical id out of the template (its construct was renamed or removed). */
  undeclare(logicalId: string): void {
    this.declared.delete(logicalId);
    this.ensure();
    const { stackId, stackName, region, accountId, status, parameters, resources } = this.emulator.listStacks().find((s) => s.stackId === this.stackId)!;
    const template = { Resources: Object.fromEntries([...this.declared].map(([id, type]) => [id, { Type: type }])) };
    this.emulator.registerStack(this.stackName, { stackId, stackName, region, accountId, status, template, parameters, resources, functions: [] });
  }

  /** Sets the stack's status (a rollback: `UPDATE_ROLLBACK_IN_PROGRESS`). */
  status(status: string): void {
    this.stackStatus = status;
    this.ensure();
    this.emulator.patchStack(this.stackName, { status });
  }

  /** Sets what CloudFormation shows of one resource (`DELETE_COMPLETE` takes it off the list). */
  resource(logicalId: string, type: string, status: string, physicalId?: string, reason?: string): void {
    this.ensure();
    this.emulator.patchStack(this.stackName, { status: this.stackStatus, resources: [{ logicalId, type, status, ...(physicalId ? { physicalId } : {}), ...(reason ? { reason } : {}) }] });
  }

  /**
   * Before an event of this stack is sent: its resource is being created, updated or deleted.
   * Tests send many creates under one logical id: what an earlier create of that logical id made
   * stays a resource of the stack (under another logical id), as if each create had its own.
   */
  before(event: { readonly StackId: string; readonly RequestType: string; readonly RequestId: string; readonly LogicalResourceId: string; readonly ResourceType: string; readonly PhysicalResourceId?: string }): void {
    if (event.StackId !== this.stackId) return;
    this.ensure({ logicalId: event.LogicalResourceId, type: event.ResourceType });
    const earlier = this.emulator.listStacks().find((s) => s.stackId === this.stackId)?.resources.find((r) => r.logicalId === event.LogicalResourceId);
    // Another delivery of the same create is the same resource.
    const again = this.creates.get(event.LogicalResourceId) === event.RequestId;
    if (event.RequestType === 'Create' && !again && earlier?.physicalId && /_COMPLETE$/.test(earlier.status)) {
      this.resource(`${event.LogicalResourceId}Earlier${++this.earlier}`, earlier.type, earlier.status, earlier.physicalId);
    }
    if (event.RequestType === 'Create') this.creates.set(event.LogicalResourceId, event.RequestId);
    // A later delivery of the same create finds the resource as CloudFormation has it (in progress since the first, or answered).
    if (again && earlier) return;
    this.resource(event.LogicalResourceId, event.ResourceType, `${event.RequestType.toUpperCase()}_IN_PROGRESS`, event.PhysicalResourceId);
  }

  private earlier = 0;
  /** The request id of each logical id's last create. */
  private readonly creates = new Map<string, string>();

  /** After its answer: what CloudFormation records of it. */
  after(event: { readonly StackId: string; readonly RequestType: string; readonly RequestId: string; readonly LogicalResourceId: string; readonly ResourceType: string; readonly PhysicalResourceId?: string }, response: CustomResourceResponse): void {
    if (event.StackId !== this.stackId) return;
    const type = event.RequestType.toUpperCase();
    const ok = response.Status === 'SUCCESS';
    const physicalId = ok || type === 'CREATE' ? response.PhysicalResourceId : event.PhysicalResourceId;
    this.resource(event.LogicalResourceId, event.ResourceType, `${type}_${ok ? 'COMPLETE' : 'FAILED'}`, physicalId, ok ? undefined : response.Reason);
  }
}
