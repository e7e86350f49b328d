import { randomUUID } from 'crypto';
import { CustomResourceEvent } from '../../lambda/core/event';
import { describeError, RequestRefusedError } from '../../lambda/core/errors';
import { createLogger } from '../../lambda/core/log';
import { Ownership } from '../../lambda/core/ownership';
import { OperationContext, ResourceHandler } from '../../lambda/core/resource';
import { runOperation } from '../../lambda/core/run';
import { ADOPT_PROPERTY } from '../../lambda/core/ownership.wire';
import { decodeProperties } from '../../lambda/core/schema';
import { requestToken } from '../../lambda/core/tokens';
import { driftsOf, PropertyDrift } from '../../lambda/drift/compare';
import { inProcessReader } from '../../lambda/drift/reader';
import { RECREATE_PROPERTY } from '../../lambda/drift/recreate.wire';
import { CallRecorder, dryRunClients, NewResource, PlannedCall, Refusal } from './dry-run';
import { PlannedValue } from './planned-secrets';
import { PlannedRequest } from './events';
import { PlannedStack } from './view';
import type { ServiceClients } from '../../lambda/core/clients';

/**
 * The plan of one request: the provider's own code (`runOperation`: the ownership rule, the
 * takeover, the update, the delete) run against the live services with the dry run's
 * clients (`dry-run.ts`) and the stack as the deploy will show it (`view.ts`). A create of
 * something new is not run (what it makes is not there to read): it is a `CREATE`, whose
 * calls the plan counts separately (`fresh.ts`).
 */

export type Action = 'CREATE' | 'ADOPT' | 'UPDATE' | 'REPLACE' | 'DELETE' | 'RETAIN' | 'NO CHANGE' | 'BLOCKED';

export interface PlanEntry {
  readonly logicalId: string;
  readonly type: string;
  readonly action: Action;
  /** The calls that change something, in order; undefined until counted (a create, see `fresh.ts`), or when they cannot be. */
  calls?: PlannedCall[];
  /** The physical id it has or will have (undefined: made by the deploy). */
  readonly physicalId?: string;
  /** What the deploy changes, live → declared (an update, an adoption). */
  readonly changes: readonly PropertyDrift[];
  /** WickrUsers: the counts and the first usernames, as drift gives them. */
  readonly summary?: string;
  /** Why: a replacement's, a retention's, a refusal's, or why the calls are not counted. */
  reason?: string;
  /** A replacement's cleanup: the plan of the old resource's Delete (its calls are among `calls`). */
  deletes?: PlanEntry;
}

/** What a request's plan needs. */
export interface RequestPlan {
  readonly request: PlannedRequest;
  readonly handler: ResourceHandler<unknown>;
  readonly view: PlannedStack;
  readonly stackId: string;
  /** The live services, read-only (a change is refused before it is sent), with what the deploy stages and the secrets it makes (`cli.ts`). */
  readonly live: ServiceClients;
  /** The properties the request sends (an update's and a delete's old ones in `oldProperties`), with what does not resolve yet. */
  readonly properties?: Record<string, unknown>;
  readonly oldProperties?: Record<string, unknown>;
  readonly unresolved: Readonly<Record<string, string>>;
}

/** Plans one request (see the module comment). Never sends a change. */
export async function planRequest(p: RequestPlan): Promise<PlanEntry> {
  const { request } = p;
  const base = { logicalId: request.logicalId, type: request.type, changes: [] as PropertyDrift[] };
  if (request.kind === 'None') return { ...base, action: 'NO CHANGE', calls: [], physicalId: request.physicalId };
  if (request.kind === 'Delete' && request.retainedBy) {
    p.view.end(request.logicalId, request.type, 'Delete', undefined);
    return { ...base, action: 'RETAIN', calls: [], physicalId: request.physicalId, reason: `${request.retainedBy}: CloudFormation sends no Delete` };
  }
  // It names what the deploy makes first: nothing of it can be there to read.
  if (Object.keys(p.unresolved).length > 0) return waiting(p, base, waitingReason(p.unresolved));
  const recorder = new CallRecorder();
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ logicalId: request.logicalId }, (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  const event = eventOf(p);
  const ownership = new Ownership(p.view, p.stackId, request.logicalId, log);
  const context = (refusal?: Refusal): OperationContext => ({
    request: event,
    log,
    clients: dryRunClients(p.live, recorder, p.view, refusal),
    token: (purpose, index) => requestToken(event, purpose, index),
    ownership,
    restricted: (refuse, why) => context({ refuse, why }),
  });
  const now = Date.now();
  p.view.begin(request.logicalId, request.type, request.kind, request.physicalId);
  let result;
  try {
    result = await runOperation(p.handler, event, context(), { stopAt: now + 600_000, answerBy: now + 600_000, deadline: now + 600_000 });
  } catch (err) {
    if (err instanceof PlannedValue) return waiting(p, base, { text: `after ${err.logicalId} (its value is read)`, made: true });
    if (err instanceof NewResource) {
      p.view.end(request.logicalId, request.type, request.kind === 'Create' ? 'Create' : 'Update', undefined);
      return request.kind === 'Create' ? { ...base, action: 'CREATE' } : { ...base, action: 'REPLACE', reason: replacementReason(lines), calls: undefined };
    }
    p.view.end(request.logicalId, request.type, request.kind === 'Delete' ? 'Delete' : request.kind, request.physicalId);
    if (err instanceof RequestRefusedError) return { ...base, action: 'BLOCKED', calls: recorder.calls, reason: describeError(err) };
    throw new Error(`${request.logicalId} (${request.type}): the plan could not be made: ${describeError(err)}`, { cause: err });
  }
  const physicalId = result.physicalResourceId;
  if (request.kind === 'Delete') {
    const kept = lines.find((l) => l.message === 'kept, not deleted');
    p.view.end(request.logicalId, request.type, 'Delete', undefined);
    return kept ? { ...base, action: 'RETAIN', calls: recorder.calls, physicalId, reason: String(kept.why) } : { ...base, action: 'DELETE', calls: recorder.calls, physicalId };
  }
  p.view.end(request.logicalId, request.type, request.kind, physicalId);
  const adopted = lines.find((l) => l.message === 'adopted');
  const { changes, summary, exists } = await liveToDeclared(p, physicalId);
  // A create that went through without making anything manages what exists (a network's default group, its settings): taken over too.
  if (request.kind === 'Create' && !adopted && !exists) return { ...base, action: 'CREATE', calls: recorder.calls, physicalId };
  const action = request.kind === 'Create' ? 'ADOPT' : recorder.calls.length > 0 ? 'UPDATE' : 'NO CHANGE';
  return { ...base, action, calls: recorder.calls, physicalId, changes, ...(summary ? { summary } : {}), ...(adopted ? { reason: String(adopted.how) } : {}) };
}

/**
 * A request that waits for what the deploy makes first (`why`): a create, a replacement (an
 * update naming something made anew), or an adoption whose changes are not known yet. An
 * update whose properties cannot be resolved for another reason (an export or a parameter
 * that is not there) is an update whose calls are not known.
 */
function waiting(p: RequestPlan, base: Pick<PlanEntry, 'logicalId' | 'type' | 'changes'>, why: { readonly text: string; readonly made: boolean }): PlanEntry {
  const { request } = p;
  if (request.kind === 'Update' && !why.made) {
    p.view.end(request.logicalId, request.type, 'Update', request.physicalId);
    return { ...base, action: 'UPDATE', physicalId: request.physicalId, reason: `its calls are not known: ${why.text}` };
  }
  p.view.end(request.logicalId, request.type, request.kind === 'Create' ? 'Create' : 'Update', undefined);
  if (request.kind === 'Create' && typeof p.properties?.[ADOPT_PROPERTY] === 'string') {
    // Asked to take over what exists: whether it does, and what taking it over changes, is known once the deploy made what it names.
    return { ...base, action: 'ADOPT', reason: `if it exists; its changes are known ${why.text}` };
  }
  return { ...base, action: request.kind === 'Create' ? 'CREATE' : 'REPLACE', reason: why.text };
}

/** Why a request cannot be run before the deploy: the resources its properties name, which the deploy makes first (`made`), or what else does not resolve. */
function waitingReason(unresolved: Readonly<Record<string, string>>): { readonly text: string; readonly made: boolean } {
  const made = new Set<string>();
  for (const text of Object.values(unresolved)) for (const m of text.matchAll(/unresolved reference to ([A-Za-z0-9]+)/g)) made.add(m[1]);
  const properties = Object.keys(unresolved).join(', ');
  if (made.size === 0) return { text: `${properties}: ${Object.values(unresolved)[0]}`, made: false };
  return { text: `after ${[...made].sort().join(', ')} (named by ${properties})`, made: true };
}

/** The event CloudFormation will send (a request id of its own: tokens of a plan are never a deploy's). */
function eventOf(p: RequestPlan): CustomResourceEvent {
  const { request } = p;
  return {
    RequestType: request.kind as 'Create' | 'Update' | 'Delete',
    ServiceToken: 'plan',
    ResponseURL: 'plan',
    StackId: p.stackId,
    RequestId: `plan-${randomUUID()}`,
    LogicalResourceId: request.logicalId,
    ResourceType: request.type,
    ...(request.physicalId ? { PhysicalResourceId: request.physicalId } : {}),
    ResourceProperties: (request.kind === 'Delete' ? p.oldProperties : p.properties) ?? {},
    ...(request.kind === 'Update' ? { OldResourceProperties: p.oldProperties ?? {} } : {}),
  } as CustomResourceEvent;
}

/** What the update said before it asked for a new resource (its log's last warning), else a generic reason. */
function replacementReason(lines: ReadonlyArray<Record<string, unknown>>): string {
  const said = [...lines].reverse().find((l) => l.level === 'warn' || /replac/i.test(String(l.message)));
  return said ? String(said.message) : 'the change needs a new resource';
}

/** The declared properties against the live ones, as drift compares them (the same read and the same comparison). */
async function liveToDeclared(p: RequestPlan, physicalId: string): Promise<{ changes: PropertyDrift[]; summary?: string; exists: boolean }> {
  const declared = Object.fromEntries(Object.entries(p.properties ?? {}).filter(([k]) => k !== ADOPT_PROPERTY && k !== RECREATE_PROPERTY));
  const read = await inProcessReader(
    () => p.handler,
    () => p.live,
    600_000,
  )({ RequestType: 'Read', ResourceType: p.request.type, LogicalResourceId: p.request.logicalId, PhysicalResourceId: physicalId, ResourceProperties: declared, StackId: p.stackId });
  if (read.Status !== 'SUCCESS' || !read.Exists) return { changes: [], exists: false };
  const decoded = decodeProperties(p.handler.schema, declared, { lenient: true }) as Record<string, unknown>;
  const { drifts, summary } = driftsOf(p.request.type, Object.keys(declared), decoded, read.Live ?? {});
  return { changes: drifts, summary, exists: true };
}
