import type { OwningStack, StackReader, StackResourceSummary } from '../../lambda/core/cloudformation';

/**
 * CloudFormation's side of the stack as the deploy will show it to the provider, request by
 * request: the template being deployed, the stack in progress, the resources handled before
 * with the outcome the plan gave them, and the one under way `_IN_PROGRESS` since now. The
 * ownership code (`lambda/core/ownership.ts`) reads it as it reads CloudFormation during a
 * deploy, so a plan decides who owns what as the deploy will. Other stacks are read live.
 */
export class PlannedStack implements StackReader {
  private readonly resourcesById = new Map<string, StackResourceSummary>();
  private stackStatus: string;

  constructor(
    private readonly live: StackReader,
    readonly stackId: string,
    private readonly newTemplate: unknown,
    deployed: readonly StackResourceSummary[],
    private readonly exists: boolean,
  ) {
    for (const r of deployed) this.resourcesById.set(r.logicalId, r);
    this.stackStatus = exists ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS';
  }

  /** The resource the next request is for: `<TYPE>_IN_PROGRESS` since now (with its physical id, for an update or a delete). */
  begin(logicalId: string, type: string, requestType: 'Create' | 'Update' | 'Delete', physicalId?: string): void {
    if (requestType === 'Delete') this.stackStatus = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
    this.resourcesById.set(logicalId, { logicalId, type, physicalId, status: `${requestType.toUpperCase()}_IN_PROGRESS`, timestamp: new Date().toISOString() });
  }

  /** What the plan says the request ends with (no physical id: one the deploy makes, not known yet). */
  end(logicalId: string, type: string, requestType: 'Create' | 'Update' | 'Delete', physicalId: string | undefined): void {
    if (requestType === 'Delete') this.resourcesById.delete(logicalId);
    else this.resourcesById.set(logicalId, { logicalId, type, physicalId, status: `${requestType.toUpperCase()}_COMPLETE` });
  }

  /** The physical id a resource will have when the requests before it are done (undefined: made by the deploy, not known yet). */
  physicalIdOf(logicalId: string): string | undefined {
    return this.resourcesById.get(logicalId)?.physicalId;
  }

  get resourceList(): StackResourceSummary[] {
    return [...this.resourcesById.values()];
  }

  private own(stackName: string): boolean {
    return stackName === this.stackId || stackName === this.stackId.split('/')[1];
  }

  async status(stackName: string): Promise<string> {
    return this.own(stackName) ? this.stackStatus : this.live.status(stackName);
  }

  async resources(stackName: string): Promise<StackResourceSummary[]> {
    return this.own(stackName) ? this.resourceList : this.live.resources(stackName);
  }

  async owner(physicalId: string): Promise<OwningStack | undefined> {
    if (this.resourceList.some((r) => r.physicalId === physicalId)) return { stackId: this.stackId, stackName: this.stackId.split('/')[1], resources: this.resourceList };
    const theirs = await this.live.owner(physicalId);
    // What the deploy will have taken from this stack (a renamed construct) is the stack's as planned, not as deployed.
    return theirs?.stackId === this.stackId ? undefined : theirs;
  }

  async template(stackName: string): Promise<unknown> {
    return this.own(stackName) ? this.newTemplate : this.live.template(stackName);
  }

  async events(stackName: string): Promise<StackResourceSummary[]> {
    if (!this.own(stackName)) return this.live.events(stackName);
    return this.exists ? this.live.events(stackName) : [];
  }
}
