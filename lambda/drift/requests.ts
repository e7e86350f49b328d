import { CallTracker } from '../core/calls';
import { CloudFormationReader } from '../core/cloudformation';
import { region, type ServiceClients } from '../core/clients';
import { RequestRefusedError, ResourceOperationError } from '../core/errors';
import { createLogger, Logger } from '../core/log';
import { CallObserver } from '../core/observer';
import { OperationContext } from '../core/resource';
import { Ownership, STABLE_STACK } from '../core/ownership';
import { decodeProperties } from '../core/schema';
import { converge, MAKES_OR_DELETES } from '../core/takeover';
import { Template } from '../core/template';
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

export interface DriftDeps {
  readonly handlers: HandlerLookup;
  readonly clients: (observer: CallObserver) => ServiceClients;
  /** The in-process read (the dispatcher's `Read`). */
  readonly read: Reader;
  /** The provider's own stack: a repair of another stack, or of a stack CloudFormation is changing, is refused. */
  readonly stackId?: string;
}

/**
 * The update path with old = the live state (declared keys only, nested structures too) and
 * new = the declared properties (`converge`): only what drifted differs, so only that is sent.
 * A repair changes what exists; it never makes, replaces or deletes a resource (nor a user of
 * a `WickrUsers`). Setting a configuration again (`RegisterOidcConfig`) and re-creating a
 * declared user that went missing from a `WickrUsers` are changes of what exists. It runs
 * only on a stack that CloudFormation is not changing, for a resource the stack has.
 */
export async function repair(request: RepairRequest, deps: DriftDeps, deadline: number): Promise<RepairResult> {
  const log = createLogger({ requestType: 'Repair', resourceType: request.ResourceType, logicalId: request.LogicalResourceId });
  const resource = deps.handlers(request.ResourceType);
  if (!resource) return { Status: 'FAILED', Reason: `unknown resource type ${String(request.ResourceType)}` };
  if (!request.LiveProperties || Object.keys(request.LiveProperties).length === 0) {
    return { Status: 'FAILED', Reason: `${request.ResourceType} ${request.LogicalResourceId}: a repair needs the live state a Read answered for a resource that exists` };
  }
  const tracker = new CallTracker(log, { stopAt: deadline, outOfTime: 'the repair ran out of time' });
  const refusing: CallObserver = {
    before: (call) => {
      if (MAKES_OR_DELETES.test(call.operation)) throw new Error(`not calling ${call.service} ${call.operation}: a repair never creates, replaces or deletes; cdk deploy is the way back`);
      tracker.before(call);
    },
    after: (outcome) => tracker.after(outcome),
  };
  const clients = deps.clients(refusing);
  const ctx: OperationContext = {
    request: { ...request, StackId: request.StackId ?? '' },
    log,
    clients,
    token: (purpose, index) => requestToken({ StackId: request.StackId ?? '', LogicalResourceId: request.LogicalResourceId, RequestId: request.RequestId }, purpose, index),
  };
  try {
    if (deps.stackId) await admitRepair(request, new Ownership(clients.cloudformation(), deps.stackId, request.LogicalResourceId, log));
    const declared = decodeProperties(resource.schema, request.ResourceProperties);
    await converge(resource, ctx, request.PhysicalResourceId, declared, request.ResourceProperties, { exists: true, properties: request.LiveProperties });
    return { Status: 'SUCCESS' };
  } catch (err) {
    const reason = new ResourceOperationError(request.ResourceType, request.LogicalResourceId, 'repair', err).message;
    log.log('error', 'repair failed', { reason });
    return { Status: 'FAILED', Reason: reason };
  }
}

/** A repair of the provider's own stack, while nothing changes it, for a resource it has with this physical id. */
async function admitRepair(request: RepairRequest, ownership: Ownership): Promise<void> {
  if (request.StackId !== ownership.stackId) throw new RequestRefusedError(`this provider repairs stack ${ownership.stackName} only; the request names ${request.StackId ?? 'no stack'}`);
  const status = await ownership.status();
  if (!STABLE_STACK.test(status)) throw new RequestRefusedError(`stack ${ownership.stackName} is ${status}: a repair waits until CloudFormation is not changing the stack`);
  const resource = (await ownership.resources()).find((r) => r.logicalId === request.LogicalResourceId);
  if (resource?.physicalId !== request.PhysicalResourceId) {
    throw new RequestRefusedError(`stack ${ownership.stackName} has no resource ${request.LogicalResourceId} with physical id ${request.PhysicalResourceId}`);
  }
}

/**
 * The scheduled sweep: reads the stack's own resources of ours (`DescribeStackResources`)
 * and what its template declares (`GetTemplate`), checks each, and writes one CloudWatch
 * embedded-metric line (`DriftedResources` for the stack) and one line per drifted
 * resource. Nothing else is called but reads.
 */
export async function sweep(deps: DriftDeps, stackId: string, deadline: number): Promise<{ checked: number; drifted: number }> {
  const log = createLogger({ requestType: 'DriftSweep' });
  const tracker = new CallTracker(log, { stopAt: deadline, outOfTime: 'the sweep ran out of time', readOnly: true });
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

