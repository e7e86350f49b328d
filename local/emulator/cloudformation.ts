import { EmulatorRequest, EmulatorResponse, isRecord, ProtocolService, StandardErrorKind } from './protocol';
import { queryError, queryParams, queryResponse, XmlValue } from './query';
import { RequestContext } from './service';
import { RecordedStack, StackRegistry, templateBody } from './stacks';

/**
 * The CloudFormation reads the drift command and the provider's drift sweep make, over
 * the awsQuery protocol (`query.ts`), answered from the stacks `deploy-local` recorded
 * (`stacks.ts`): `DescribeStacks`, `ListStackResources` (pages of 100),
 * `DescribeStackResources`, `DescribeStackEvents` (newest first, pages of 100), `GetTemplate`
 * and `ListExports` (the outputs whose template gives an `Export` name, every stack of the
 * caller's account and region; pages of 100). A stack is found by its name or its stack
 * id, in the request's region; one that is not there is CloudFormation's
 * `ValidationError` "Stack with id X does not exist". This service owns the registry: it
 * is in the emulator's state under `cloudformation`.
 */

/** The namespace of CloudFormation's XML documents. */
export const CLOUDFORMATION_NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const VERSION = '2010-05-15';
const PAGE_SIZE = 100;

type Params = Readonly<Record<string, string>>;

class ValidationError extends Error {}

/** CloudFormation's reads of the recorded stacks (see the module comment). */
export class CloudFormation implements ProtocolService {
  readonly name = 'cloudformation';
  private readonly operations: Readonly<Record<string, (params: Params, ctx: RequestContext) => Record<string, XmlValue | undefined>>> = {
    DescribeStacks: (params, ctx) => this.describeStacks(params, ctx),
    ListStackResources: (params, ctx) => this.listResources(params, ctx),
    DescribeStackResources: (params, ctx) => this.describeResources(params, ctx),
    GetTemplate: (params, ctx) => this.template(params, ctx),
    DescribeStackEvents: (params, ctx) => this.events(params, ctx),
    ListExports: (params, ctx) => this.listExports(params, ctx),
  };

  constructor(readonly stacks: StackRegistry) {}

  operationOf(req: EmulatorRequest): string | undefined {
    if (req.path !== '/' || (req.method !== 'POST' && req.method !== 'GET')) return undefined;
    const params = queryParams(req);
    return params.Version === VERSION && Object.hasOwn(this.operations, params.Action) ? params.Action : undefined;
  }

  invoke(operation: string, req: EmulatorRequest, ctx: RequestContext): EmulatorResponse {
    try {
      return queryResponse(CLOUDFORMATION_NAMESPACE, operation, this.operations[operation](queryParams(req), ctx));
    } catch (err) {
      if (err instanceof ValidationError) return queryError(CLOUDFORMATION_NAMESPACE, 400, 'ValidationError', err.message);
      throw err;
    }
  }

  standardError(kind: StandardErrorKind, message: string): EmulatorResponse {
    const [status, code] = (
      {
        throttle: [400, 'Throttling'],
        error: [500, 'InternalFailure'],
        unrecognizedClient: [403, 'InvalidClientTokenId'],
        invalidSignature: [403, 'SignatureDoesNotMatch'],
        signatureExpired: [403, 'SignatureDoesNotMatch'],
        accessDenied: [403, 'AccessDenied'],
      } as const
    )[kind];
    return queryError(CLOUDFORMATION_NAMESPACE, status, code, message);
  }

  unknownOperation(req: EmulatorRequest): EmulatorResponse {
    const params = queryParams(req);
    const served = `the emulator serves ${Object.keys(this.operations).join(', ')} (POST / with Version=${VERSION})`;
    const what = params.Action ? `Could not find operation ${params.Action} for version ${params.Version ?? '(none)'}` : 'No Action given';
    return queryError(CLOUDFORMATION_NAMESPACE, 400, 'InvalidAction', `${what}: ${served}`);
  }

  loggedBody(req: EmulatorRequest): unknown {
    return { ...queryParams(req) };
  }

  reset(): void {
    this.stacks.clear();
  }

  exportState(): unknown {
    return this.stacks.exportState();
  }

  importState(state: unknown): void {
    this.stacks.importState(state);
  }

  private describeStacks(params: Params, ctx: RequestContext): Record<string, XmlValue | undefined> {
    const stacks = params.StackName ? [this.stack(params.StackName, ctx)] : this.stacks.list().filter((s) => s.region === ctx.region && mine(s, ctx));
    return { Stacks: stacks.map((stack) => describeStack(stack)) };
  }

  private listResources(params: Params, ctx: RequestContext): Record<string, XmlValue | undefined> {
    const stack = this.stack(required(params, 'StackName'), ctx);
    const start = params.NextToken ? pageStart(params.NextToken, stack) : 0;
    const page = stack.resources.slice(start, start + PAGE_SIZE);
    const next = start + PAGE_SIZE < stack.resources.length ? Buffer.from(JSON.stringify({ stackId: stack.stackId, start: start + PAGE_SIZE })).toString('base64') : undefined;
    return {
      StackResourceSummaries: page.map((r) => ({
        LogicalResourceId: r.logicalId,
        PhysicalResourceId: r.physicalId,
        ResourceType: r.type,
        LastUpdatedTimestamp: r.lastUpdated,
        ResourceStatus: r.status,
        DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
      })),
      NextToken: next,
    };
  }

  private describeResources(params: Params, ctx: RequestContext): Record<string, XmlValue | undefined> {
    let stack: RecordedStack;
    if (params.StackName) stack = this.stack(params.StackName, ctx);
    else if (params.PhysicalResourceId) {
      const owner = this.stacks.list().find((s) => s.region === ctx.region && mine(s, ctx) && s.resources.some((r) => r.physicalId === params.PhysicalResourceId));
      if (!owner) throw new ValidationError(`Stack for ${params.PhysicalResourceId} does not exist`);
      stack = owner;
    } else throw new ValidationError('Either StackName or PhysicalResourceId must be specified.');
    // By a physical id: every resource of the stack that owns it (as CloudFormation answers), unless a logical id narrows it.
    const resources = stack.resources.filter((r) => params.LogicalResourceId === undefined || r.logicalId === params.LogicalResourceId);
    return {
      StackResources: resources.map((r) => ({
        StackName: stack.stackName,
        StackId: stack.stackId,
        LogicalResourceId: r.logicalId,
        PhysicalResourceId: r.physicalId,
        ResourceType: r.type,
        Timestamp: r.lastUpdated,
        ResourceStatus: r.status,
        DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
      })),
    };
  }

  /** Newest first, pages of 100, as CloudFormation answers. */
  private events(params: Params, ctx: RequestContext): Record<string, XmlValue | undefined> {
    const stack = this.stack(required(params, 'StackName'), ctx);
    const events = [...(stack.events ?? [])].reverse();
    const start = params.NextToken ? pageStart(params.NextToken, stack) : 0;
    const next = start + PAGE_SIZE < events.length ? Buffer.from(JSON.stringify({ stackId: stack.stackId, start: start + PAGE_SIZE })).toString('base64') : undefined;
    return {
      StackEvents: events.slice(start, start + PAGE_SIZE).map((e) => ({
        StackId: stack.stackId,
        EventId: e.eventId,
        StackName: stack.stackName,
        LogicalResourceId: e.logicalId,
        PhysicalResourceId: e.physicalId,
        ResourceType: e.type,
        Timestamp: e.timestamp,
        ResourceStatus: e.status,
        ResourceStatusReason: e.reason,
      })),
      NextToken: next,
    };
  }

  private template(params: Params, ctx: RequestContext): Record<string, XmlValue | undefined> {
    if (params.ChangeSetName) throw new ValidationError('the emulator keeps no change sets: GetTemplate takes a StackName only');
    const stage = params.TemplateStage ?? 'Original';
    if (stage !== 'Original' && stage !== 'Processed') {
      throw new ValidationError(`1 validation error detected: Value '${stage}' at 'templateStage' failed to satisfy constraint: Member must satisfy enum value set: [Original, Processed]`);
    }
    const stack = this.stack(required(params, 'StackName'), ctx);
    return { TemplateBody: templateBody(stack), StagesAvailable: ['Original', 'Processed'] };
  }

  private listExports(params: Params, ctx: RequestContext): Record<string, XmlValue | undefined> {
    const exports = this.stacks
      .list()
      .filter((s) => s.region === ctx.region && s.accountId === ctx.accountId && s.status !== 'DELETE_COMPLETE')
      .flatMap((s) => {
        const declared = isRecord(s.template) && isRecord(s.template.Outputs) ? s.template.Outputs : {};
        return Object.entries(s.outputs).flatMap(([key, value]) => {
          const output = declared[key];
          const name = isRecord(output) && isRecord(output.Export) ? output.Export.Name : undefined;
          return typeof name === 'string' ? [{ ExportingStackId: s.stackId, Name: name, Value: value }] : [];
        });
      })
      .sort((a, b) => a.Name.localeCompare(b.Name));
    const start = params.NextToken ? Number(Buffer.from(params.NextToken, 'base64').toString('utf8')) : 0;
    if (!Number.isInteger(start) || start < 0) throw new ValidationError('Invalid NextToken');
    const page = exports.slice(start, start + PAGE_SIZE);
    const next = start + PAGE_SIZE < exports.length ? Buffer.from(String(start + PAGE_SIZE)).toString('base64') : undefined;
    return { Exports: page, NextToken: next };
  }

  private stack(nameOrId: string, ctx: RequestContext): RecordedStack {
    const stack = this.stacks.find(nameOrId, ctx.region, ctx.operator ? undefined : ctx.accountId);
    if (!stack) throw new ValidationError(`Stack with id ${nameOrId} does not exist`);
    return stack;
  }
}

function describeStack(stack: RecordedStack): Record<string, XmlValue | undefined> {
  const template = isRecord(stack.template) ? stack.template : {};
  const declared = isRecord(template.Parameters) ? template.Parameters : {};
  const outputs = isRecord(template.Outputs) ? template.Outputs : {};
  const noEcho = (key: string) => isRecord(declared[key]) && String(declared[key].NoEcho) === 'true';
  const parameters = Object.entries(stack.parameters).map(([key, value]) => ({ ParameterKey: key, ParameterValue: noEcho(key) ? '****' : value }));
  return {
    StackId: stack.stackId,
    StackName: stack.stackName,
    Description: typeof template.Description === 'string' ? template.Description : undefined,
    Parameters: parameters.length > 0 ? parameters : undefined,
    CreationTime: stack.creationTime,
    LastUpdatedTime: stack.lastUpdatedTime,
    StackStatus: stack.status,
    DisableRollback: false,
    Outputs: Object.keys(stack.outputs).length > 0
      ? Object.entries(stack.outputs).map(([key, value]) => {
          const declaredOutput = isRecord(outputs[key]) ? outputs[key] : {};
          return { OutputKey: key, OutputValue: value, Description: typeof declaredOutput.Description === 'string' ? declaredOutput.Description : undefined };
        })
      : undefined,
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

function required(params: Params, name: string): string {
  const value = params[name];
  if (!value) throw new ValidationError(`1 validation error detected: Value null at '${name[0].toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** Where a `NextToken` of `ListStackResources` continues (it is only good for the stack it came from). */
function pageStart(token: string, stack: RecordedStack): number {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!isRecord(decoded) || decoded.stackId !== stack.stackId || !Number.isInteger(decoded.start) || (decoded.start as number) < 0) {
    throw new ValidationError(`Invalid NextToken ${token} for stack ${stack.stackName}`);
  }
  return decoded.start as number;
}

/** A stack the caller sees: one of its own account's (the test credentials, the operator's, see every account's). */
function mine(stack: RecordedStack, ctx: RequestContext): boolean {
  return ctx.operator === true || stack.accountId === ctx.accountId;
}
