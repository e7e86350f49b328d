import { CallTracker } from '../core/calls';
import { CloudFormationReader } from '../core/cloudformation';
import { region, type ServiceClients } from '../core/clients';
import { ResourceOperationError } from '../core/errors';
import { createLogger, Logger } from '../core/log';
import { CallObserver } from '../core/observer';
import { OperationContext } from '../core/resource';
import { decodeProperties } from '../core/schema';
import { isPlainObject, Template } from '../core/template';
import { requestToken } from '../core/tokens';
import { checkStack, HandlerLookup, Reader } from './check';
import { ResourceDrift } from './compare';
import { DRIFT_METRIC, DRIFT_NAMESPACE } from './monitor.wire';

/**
 * The two drift requests the provider serves besides CloudFormation's: `Repair`, sent
 * synchronously by `cdk-wickr-chime drift --fix`, and `DriftSweep`, sent by the scheduled
 * rule of `WickrChimeDriftMonitor`.
 */

/** Brings one MODIFIED resource back to what its template declares. */
export interface RepairRequest {
  readonly RequestType: 'Repair';
  readonly ResourceType: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId: string;
  /** The declared properties (as a `Read` request carries them). */
  readonly ResourceProperties: Record<string, unknown>;
  /** What the `Read` answered (`Live`): the update's old properties where it read them. */
  readonly LiveProperties: Record<string, unknown>;
  readonly StackId?: string;
  /** Distinguishes the client tokens of one repair from another's. */
  readonly RequestId: string;
}

export interface RepairResult {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
}

/**
 * A repair changes what exists; it never makes, replaces or deletes a resource (nor a user of
 * a `WickrUsers`). Setting a configuration again (`RegisterOidcConfig`) and re-creating a
 * declared user that went missing from a `WickrUsers` are changes of what exists.
 */
const NOT_IN_A_REPAIR = /^(Create(?!DataRetentionBotChallenge)|Delete|Deregister|RegisterAppInstanceUserEndpoint$|BatchDeleteUser$)/;

export interface DriftDeps {
  readonly handlers: HandlerLookup;
  readonly clients: (observer: CallObserver) => ServiceClients;
  /** The in-process read (the dispatcher's `Read`). */
  readonly read: Reader;
}

/**
 * The update path with old = the live state (declared keys only, nested structures too) and
 * new = the declared properties: only what drifted differs, so only that is sent.
 */
export async function repair(request: RepairRequest, deps: DriftDeps, deadline: number): Promise<RepairResult> {
  const log = createLogger({ requestType: 'Repair', resourceType: request.ResourceType, logicalId: request.LogicalResourceId });
  const resource = deps.handlers(request.ResourceType);
  if (!resource) return { Status: 'FAILED', Reason: `unknown resource type ${String(request.ResourceType)}` };
  if (!request.LiveProperties || Object.keys(request.LiveProperties).length === 0) {
    return { Status: 'FAILED', Reason: `${request.ResourceType} ${request.LogicalResourceId}: a repair needs the live state a Read answered for a resource that exists` };
  }
  const tracker = new CallTracker(log, () => (Date.now() >= deadline ? 'the repair ran out of time' : undefined));
  const refusing: CallObserver = {
    before: (call) => {
      if (NOT_IN_A_REPAIR.test(call.operation)) throw new Error(`not calling ${call.service} ${call.operation}: a repair never creates, replaces or deletes; cdk deploy is the way back`);
      tracker.before(call);
    },
    after: (outcome) => tracker.after(outcome),
  };
  const ctx: OperationContext = {
    request: { ...request, StackId: request.StackId ?? '' },
    log,
    clients: deps.clients(refusing),
    token: (purpose, index) => requestToken({ StackId: request.StackId ?? '', LogicalResourceId: request.LogicalResourceId, RequestId: request.RequestId }, purpose, index),
  };
  try {
    const declared = decodeProperties(resource.schema, request.ResourceProperties);
    const live = request.LiveProperties ?? {};
    const mapped = resource.liveAsProperties ? resource.liveAsProperties(live, request.ResourceProperties) : overlay(request.ResourceProperties, live);
    const old = decodeProperties(resource.schema, mapped, { lenient: true });
    const result = await resource.update(ctx, request.PhysicalResourceId, declared, old);
    if (result.physicalResourceId !== request.PhysicalResourceId) throw new Error('the repair would replace the resource');
    return { Status: 'SUCCESS' };
  } catch (err) {
    const reason = new ResourceOperationError(request.ResourceType, request.LogicalResourceId, 'repair', err).message;
    log.log('error', 'repair failed', { reason });
    return { Status: 'FAILED', Reason: reason };
  }
}

/**
 * The update's old properties for a repair: the declared properties with every value the
 * read returned for a declared key put in place (nested structures key by key). A handler
 * whose read reports its state in other terms than its properties maps it itself
 * (`ResourceHandler.liveAsProperties`).
 */
export function overlay(declared: Record<string, unknown>, live: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(declared)) {
    const now = live[key];
    if (!Object.prototype.hasOwnProperty.call(live, key)) out[key] = value;
    else if (isPlainObject(value) && isPlainObject(now)) out[key] = overlay(value, now);
    else if (isTagList(value) && Array.isArray(now)) out[key] = now.filter((t) => isPlainObject(t) && value.some((d) => d.Key === t.Key));
    else out[key] = now;
  }
  return out;
}

/** Tags: only those the template declares are compared and repaired; a tag added by hand stays. */
function isTagList(value: unknown): value is Array<{ Key: unknown }> {
  return Array.isArray(value) && value.every((t) => isPlainObject(t) && 'Key' in t);
}

/**
 * The scheduled sweep: reads the stack's own resources of ours (`DescribeStackResources`)
 * and what its template declares (`GetTemplate`), checks each, and writes one CloudWatch
 * embedded-metric line (`DriftedResources` for the stack) and one line per drifted
 * resource. Nothing else is called but reads.
 */
export async function sweep(deps: DriftDeps, stackId: string, deadline: number): Promise<{ checked: number; drifted: number }> {
  const log = createLogger({ requestType: 'DriftSweep' });
  const tracker = new CallTracker(log, () => (Date.now() >= deadline ? 'the sweep ran out of time' : undefined), { readOnly: true });
  const cloudformation = new CloudFormationReader({ region: region(), observer: tracker });
  const [template, resources] = await Promise.all([cloudformation.template(stackId), cloudformation.resources(stackId)]);
  const stackName = /:stack\/([^/]+)\//.exec(stackId)?.[1] ?? stackId;
  const [, partitionAccount] = /^arn:[^:]+:cloudformation:[^:]+:(\d+):/.exec(stackId) ?? [];
  const results = await checkStack(
    { stackName, stackId, region: region(), account: partitionAccount ?? '', template: template as Template, parameters: {}, resources },
    deps.handlers,
    deps.read,
  );
  const drifted = results.filter((r) => r.status === 'MODIFIED' || r.status === 'DELETED');
  log.log('info', 'drift sweep', {
    _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: DRIFT_NAMESPACE, Dimensions: [['StackName']], Metrics: [{ Name: DRIFT_METRIC, Unit: 'Count' }] }] },
    StackName: stackName,
    [DRIFT_METRIC]: drifted.length,
    CheckedResources: results.length,
  });
  for (const r of results) if (r !== undefined && r.status !== 'IN_SYNC') logDrift(log, stackName, r);
  return { checked: results.length, drifted: drifted.length };
}

function logDrift(log: Logger, stackName: string, r: ResourceDrift): void {
  log.log(r.status === 'NOT_CHECKED' ? 'warn' : 'info', 'drifted resource', {
    StackName: stackName,
    logicalId: r.logicalId,
    type: r.type,
    physicalId: r.physicalId,
    status: r.status,
    reason: r.reason,
    summary: r.summary,
    drifts: r.drifts.slice(0, 20),
  });
}

