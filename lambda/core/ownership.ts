import { StackReader, StackResourceSummary } from './cloudformation';
import { RequestRefusedError } from './errors';
import { Logger } from './log';

/**
 * Who owns a live thing. Every live thing is owned by at most one logical resource of one
 * stack; the provider keeps no registry of its own for this: CloudFormation knows which
 * stack and logical id claim a physical id. `DescribeStackResources` of the provider's own
 * stack answers within the stack (one call per request, cached), and a lookup by
 * `PhysicalResourceId` answers across stacks.
 *
 * The same view checks that a lifecycle event is one CloudFormation is running: the
 * provider serves its own stack only, and only for a resource whose status says
 * CloudFormation is creating, updating or deleting it.
 */

/** A live resource that claims a physical id. */
export interface Claim {
  readonly stackId: string;
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  /** True when the claim is of the provider's own stack. */
  readonly ownStack: boolean;
}

/** What an event's check found: go on, refuse it (with why), or nothing left to do (a Delete CloudFormation already finished). */
export type Admission = { readonly kind: 'go' } | { readonly kind: 'done' } | { readonly kind: 'refused'; readonly reason: string };

/** Resource statuses of a resource that no longer claims its physical id (being deleted, deleted, retained and let go, a failed create's id). */
const RELEASED = /^(DELETE_(IN_PROGRESS|COMPLETE|SKIPPED)|CREATE_FAILED)$/;
/** Stack statuses of a rollback: what is deleted then was made (or taken over) by the deploy that failed. */
const ROLLING_BACK = /^(ROLLBACK_IN_PROGRESS|UPDATE_ROLLBACK_IN_PROGRESS|UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS)$/;
/** Stack statuses whose cleanup deletes the old physical ids of replaced resources. */
const CLEANING_UP = /_CLEANUP_IN_PROGRESS$/;
/** Stack statuses in which nothing is being changed. */
export const STABLE_STACK = /^(CREATE_COMPLETE|UPDATE_COMPLETE|UPDATE_ROLLBACK_COMPLETE|IMPORT_COMPLETE|IMPORT_ROLLBACK_COMPLETE)$/;

/** How long a status that does not match yet is read again: CloudFormation's reads may lag its writes. */
const RECHECK_DELAYS_MS = [500, 1_500];

export const stackNameOf = (stackId: string) => /:stack\/([^/]+)\//.exec(stackId)?.[1] ?? stackId;

const live = (r: StackResourceSummary) => !RELEASED.test(r.status ?? '');

/** Where a claim stands, for a reason: `stack Foo (logical id Bar)`. */
export const describeClaim = (c: Claim) => `${c.ownStack ? 'this stack' : `stack ${c.stackName}`} (logical id ${c.logicalId}, ${c.type})`;

/**
 * A read kept for the rest of the request, unless it fails: the dispatcher retries a request
 * that failed transiently, and the retry must read again, not get the same failure back.
 */
function kept<T>(read: Promise<T>, forget: (read: Promise<T>) => unknown): Promise<T> {
  read.catch(() => forget(read));
  return read;
}

export class Ownership {
  private own?: Promise<StackResourceSummary[]>;
  private stackStatus?: Promise<string>;

  constructor(
    private readonly reader: StackReader,
    /** The provider's own stack (`AWS::StackId`). */
    readonly stackId: string,
    /** The logical id of the resource the request is for. */
    readonly logicalId: string,
    private readonly log: Logger,
  ) {}

  get stackName(): string {
    return stackNameOf(this.stackId);
  }

  /** The own stack's resources (read once per request unless `fresh`). */
  resources(fresh = false): Promise<StackResourceSummary[]> {
    if (fresh || !this.own) this.own = kept(this.reader.resources(this.stackId), (read) => this.own === read && (this.own = undefined));
    return this.own;
  }

  /** The own stack's status (read once per request). */
  status(): Promise<string> {
    return (this.stackStatus ??= kept(this.reader.status(this.stackId), (read) => this.stackStatus === read && (this.stackStatus = undefined)));
  }

  /** True while the own stack rolls back a deploy that failed. */
  async rollingBack(): Promise<boolean> {
    return ROLLING_BACK.test(await this.status());
  }

  /**
   * Whether CloudFormation is running this event: the own stack, and a resource whose status
   * says it is being created (or was: a later delivery of the same create), updated, or
   * deleted. A Delete of a resource CloudFormation has already deleted (a later delivery) is
   * `done`. The cleanup of a replaced resource deletes its old physical id while the
   * resource already has its new one.
   */
  async admit(event: { readonly RequestType: string; readonly StackId: string; readonly PhysicalResourceId?: string }): Promise<Admission> {
    if (event.StackId !== this.stackId) {
      return { kind: 'refused', reason: `this provider serves stack ${this.stackName} only (${this.stackId}); the request names ${event.StackId}` };
    }
    let verdict: Admission = { kind: 'go' };
    for (let attempt = 0; attempt <= RECHECK_DELAYS_MS.length; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, RECHECK_DELAYS_MS[attempt - 1]));
      verdict = await this.judge(event, attempt > 0);
      if (verdict.kind !== 'refused') return verdict;
    }
    return verdict;
  }

  private async judge(event: { readonly RequestType: string; readonly PhysicalResourceId?: string }, fresh: boolean): Promise<Admission> {
    const resource = (await this.resources(fresh)).find((r) => r.logicalId === this.logicalId);
    const status = resource?.status ?? 'absent';
    const refused = (expected: string) => ({
      kind: 'refused' as const,
      reason:
        `CloudFormation is not ${expected} ${this.logicalId} of stack ${this.stackName} (its status is ${status}): ` +
        'the provider acts only on the requests CloudFormation sends for its own stack',
    });
    switch (event.RequestType) {
      case 'Create':
        return /^CREATE_(IN_PROGRESS|COMPLETE)$/.test(status) ? { kind: 'go' } : refused('creating');
      case 'Update':
        return /^UPDATE_(IN_PROGRESS|COMPLETE)$/.test(status) ? { kind: 'go' } : refused('updating');
      default: {
        if (!resource || status === 'DELETE_COMPLETE') return { kind: 'done' };
        if (status === 'DELETE_IN_PROGRESS' && resource.physicalId === event.PhysicalResourceId) return { kind: 'go' };
        if (resource.physicalId !== event.PhysicalResourceId && CLEANING_UP.test(await this.status())) return { kind: 'go' };
        return refused(`deleting ${event.PhysicalResourceId} as`);
      }
    }
  }

  /**
   * The other live resources that claim `physicalId` (of one of `types`): another logical id
   * of the own stack, or a resource of another stack. The resource the request is for is
   * not a claim against itself.
   */
  async claims(physicalIds: string | readonly string[], types: readonly string[]): Promise<Claim[]> {
    const ids = typeof physicalIds === 'string' ? [physicalIds] : physicalIds;
    const matches = (r: StackResourceSummary) => ids.includes(r.physicalId ?? '') && types.includes(r.type) && live(r);
    const own = (await this.resources()).filter((r) => r.logicalId !== this.logicalId && matches(r));
    if (own.length > 0) return own.map((r) => ({ stackId: this.stackId, stackName: this.stackName, logicalId: r.logicalId, type: r.type, ownStack: true }));
    for (const id of ids) {
      const owner = await this.reader.owner(id);
      if (!owner || owner.stackId === this.stackId) continue;
      const theirs = owner.resources.filter(matches).map((r) => ({ stackId: owner.stackId, stackName: owner.stackName, logicalId: r.logicalId, type: r.type, ownStack: false }));
      if (theirs.length > 0) return theirs;
    }
    return [];
  }

  /** The ARN of a resource of another service in the own stack's partition, region and account. */
  arn(service: string, resource: string): string {
    const [, partition, , region, account] = this.stackId.split(':');
    return `arn:${partition}:${service}:${region}:${account}:${resource}`;
  }

  /** True when the resource the request is for already has `physicalId` (a later delivery of a create that was answered). */
  async holds(physicalIds: string | readonly string[]): Promise<boolean> {
    const ids = typeof physicalIds === 'string' ? [physicalIds] : physicalIds;
    return (await this.resources()).some((r) => r.logicalId === this.logicalId && ids.includes(r.physicalId ?? ''));
  }

  /**
   * When CloudFormation began the create (or update) this request serves: a thing the service
   * says was made since then, and that nobody claims, is this request's own making (an earlier
   * or concurrent delivery of it), not something that existed before.
   */
  async since(): Promise<number | undefined> {
    const resource = (await this.resources()).find((r) => r.logicalId === this.logicalId);
    const at = resource && /_IN_PROGRESS$/.test(resource.status ?? '') && resource.timestamp ? Date.parse(resource.timestamp) : NaN;
    return Number.isFinite(at) ? at : undefined;
  }

  /**
   * How the last create or update of this resource before the one under way ended
   * (`UPDATE_COMPLETE`, `UPDATE_FAILED`, ...) and why, from the stack's events: a rollback's
   * update learns whether the update it undoes finished. Empty when the events do not say.
   */
  async lastOutcome(): Promise<{ readonly status?: string; readonly reason?: string }> {
    const events = await this.reader.events(this.stackId);
    const last = events.find((e) => e.logicalId === this.logicalId && /_(COMPLETE|FAILED)$/.test(e.status ?? ''));
    return { status: last?.status, reason: last?.reason };
  }

  /** The own stack's other live resources of one of `types` whose physical id starts with `prefix`. */
  async siblings(types: string | readonly string[], prefix = ''): Promise<StackResourceSummary[]> {
    const wanted = typeof types === 'string' ? [types] : types;
    return (await this.resources()).filter((r) => r.logicalId !== this.logicalId && wanted.includes(r.type) && live(r) && (r.physicalId ?? '').startsWith(prefix));
  }

  private templateRead?: Promise<unknown>;

  /** The own stack's template as deployed (the one being deployed, while CloudFormation deploys it); read once per request. */
  template(): Promise<unknown> {
    return (this.templateRead ??= kept(this.reader.template(this.stackId), (read) => this.templateRead === read && (this.templateRead = undefined)));
  }

  /** True when the own stack's template declares `logicalId`: a resource absent from it is leaving the stack (a construct renamed or removed). */
  async declares(logicalId: string): Promise<boolean> {
    const template = (await this.template()) as { Resources?: Record<string, unknown> } | undefined;
    return Object.prototype.hasOwnProperty.call(template?.Resources ?? {}, logicalId);
  }

  note(message: string, fields: Record<string, unknown>): void {
    this.log.log('info', message, fields);
  }
}

/** Refuses a request that acts on what it does not own. */
export class NotOwnedError extends RequestRefusedError {}
