import * as path from 'path';
import { stagedCodeProblem } from '../runner/code-store';
import type { FunctionSpec } from '../runner/lambda';
import { isRecord } from './protocol';

/**
 * The stacks `deploy-local` deployed into this emulator, as the runner records them after
 * every run (`PUT /_emulator/stacks/<stackName>`, `Emulator.registerStack`): what
 * CloudFormation would know of each (id, status, template, parameter values, outputs,
 * resources) and how to run each of its Lambda functions in process (code directory,
 * handler, timeout, environment, the access key id of its execution role). A code directory
 * must be one the runner staged from a cloud assembly (`runner/code-store.ts`). The emulator's
 * CloudFormation (`cloudformation.ts`) and Lambda (`lambda.ts`) serve the drift command
 * from it. Environment values are kept as they are given: they are data, never secrets
 * (secrets travel as Secrets Manager ARNs).
 */

/** The stack statuses CloudFormation reports (`StackStatus`). */
export const STACK_STATUSES: readonly string[] = [
  'CREATE_IN_PROGRESS', 'CREATE_FAILED', 'CREATE_COMPLETE', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_FAILED', 'ROLLBACK_COMPLETE',
  'DELETE_IN_PROGRESS', 'DELETE_FAILED', 'DELETE_COMPLETE', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_COMPLETE', 'UPDATE_FAILED', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_FAILED',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE', 'REVIEW_IN_PROGRESS', 'IMPORT_IN_PROGRESS',
  'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_IN_PROGRESS', 'IMPORT_ROLLBACK_FAILED', 'IMPORT_ROLLBACK_COMPLETE',
];

/** The resource statuses CloudFormation reports (`ResourceStatus`). */
export const RESOURCE_STATUSES: readonly string[] = [
  'CREATE_IN_PROGRESS', 'CREATE_FAILED', 'CREATE_COMPLETE', 'DELETE_IN_PROGRESS', 'DELETE_FAILED', 'DELETE_COMPLETE',
  'DELETE_SKIPPED', 'UPDATE_IN_PROGRESS', 'UPDATE_FAILED', 'UPDATE_COMPLETE', 'IMPORT_FAILED', 'IMPORT_COMPLETE',
  'IMPORT_IN_PROGRESS', 'IMPORT_ROLLBACK_IN_PROGRESS', 'IMPORT_ROLLBACK_FAILED', 'IMPORT_ROLLBACK_COMPLETE',
  'EXPORT_FAILED', 'EXPORT_COMPLETE', 'EXPORT_IN_PROGRESS', 'EXPORT_ROLLBACK_IN_PROGRESS', 'EXPORT_ROLLBACK_FAILED',
  'EXPORT_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED',
  'ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED',
];

/** One resource of a registered stack. */
export interface StackResourceSpec {
  readonly logicalId: string;
  readonly type: string;
  /** Absent while CloudFormation creates it (`CREATE_IN_PROGRESS`), as CloudFormation shows it. */
  readonly physicalId?: string;
  /** A CloudFormation resource status (`CREATE_COMPLETE`, ...). */
  readonly status: string;
  /** Why it has that status (a failure's reason), as `ResourceStatusReason` says. */
  readonly reason?: string;
  /** ISO 8601. @default the last registration's time for the same logical and physical id, else the time of this registration */
  readonly lastUpdated?: string;
}

/** One Lambda function of a registered stack: how `Invoke` runs it in process (in the stack's region). */
export interface StackFunctionSpec extends Omit<FunctionSpec, 'region'> {
  /** The access key id of its execution role's principal (see `registerPrincipal`). @default the test credentials */
  readonly accessKeyId?: string;
}

/**
 * A change of a registered stack while the runner deploys it (`PATCH /_emulator/stacks/<stackName>`):
 * its status, and resources whose status (and physical id) changed. A resource given
 * `DELETE_COMPLETE` or `DELETE_SKIPPED` leaves the list, as `DescribeStackResources` no longer
 * shows it.
 */
export interface StackPatch {
  readonly status?: string;
  readonly resources?: readonly StackResourceSpec[];
}

/** What a registration gives (`PUT /_emulator/stacks/<stackName>`). */
export interface StackSpec {
  /** `arn:aws:cloudformation:<region>:<account>:stack/<stackName>/<id>` */
  readonly stackId: string;
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  /** A CloudFormation stack status (`CREATE_COMPLETE`, `UPDATE_ROLLBACK_COMPLETE`, ...). */
  readonly status: string;
  /** The deployed template: a JSON object, or its body as text. */
  readonly template: unknown;
  /** Parameter values as deployed (a `NoEcho` parameter's value is shown as `****` all the same). */
  readonly parameters: Readonly<Record<string, string>>;
  readonly resources: readonly StackResourceSpec[];
  readonly functions: readonly StackFunctionSpec[];
  /** @default {} */
  readonly outputs?: Readonly<Record<string, string>>;
}

/** One event of a stack (what `DescribeStackEvents` answers): a resource's status as it changed. */
export interface StackEvent {
  readonly eventId: string;
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId?: string;
  readonly status: string;
  readonly reason?: string;
  /** ISO 8601. */
  readonly timestamp: string;
}

/** The most events a stack keeps (the oldest go first), as CloudFormation keeps a stack's recent history. */
const MAX_EVENTS = 1000;

/** A stack as the emulator keeps it. */
export interface RecordedStack extends Omit<StackSpec, 'resources' | 'outputs'> {
  /** Its resources' status changes while the runner deployed it, newest last (absent in states written before they were kept). */
  readonly events?: readonly StackEvent[];
  readonly resources: ReadonlyArray<StackResourceSpec & { readonly lastUpdated: string }>;
  readonly outputs: Readonly<Record<string, string>>;
  /** ISO 8601: the first registration of this stack id. */
  readonly creationTime: string;
  /** ISO 8601: the latest registration after the first. */
  readonly lastUpdatedTime?: string;
}

const STACK_KEYS = ['stackId', 'stackName', 'region', 'accountId', 'status', 'template', 'parameters', 'resources', 'functions', 'outputs'];
const RESOURCE_KEYS = ['logicalId', 'type', 'physicalId', 'status', 'reason', 'lastUpdated'];
const FUNCTION_KEYS = ['logicalId', 'functionName', 'arn', 'codeDir', 'handler', 'timeoutSeconds', 'memorySize', 'environment', 'accessKeyId'];
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const STACK_ID = /^arn:aws[a-z-]*:cloudformation:([a-z0-9-]+):(\d{12}):stack\/([^/]+)\/[^/]+$/;
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]{1,64})$/;

/** The registered stacks, by name. */
export class StackRegistry {
  private stacks = new Map<string, RecordedStack>();

  constructor(private readonly now: () => Date) {}

  /** Adds or replaces a stack; throws an `Error` that says what is wrong with the spec. */
  register(stackName: string, spec: unknown): RecordedStack {
    const problem = checkStack(stackName, spec);
    if (problem) throw new Error(`invalid stack: ${problem}`);
    const given = JSON.parse(JSON.stringify(spec)) as StackSpec;
    const now = this.now().toISOString();
    const previous = this.stacks.get(stackName);
    const same = previous?.stackId === given.stackId ? previous : undefined;
    const stack: RecordedStack = {
      ...given,
      events: same?.events ?? [],
      outputs: given.outputs ?? {},
      resources: given.resources.map((r) => {
        const before = same?.resources.find((p) => p.logicalId === r.logicalId && p.physicalId === r.physicalId);
        return { ...r, lastUpdated: r.lastUpdated ?? before?.lastUpdated ?? now };
      }),
      creationTime: same?.creationTime ?? now,
      ...(same ? { lastUpdatedTime: now } : {}),
    };
    this.stacks.set(stackName, stack);
    return stack;
  }

  /** Applies a `StackPatch` to a registered stack; throws an `Error` that says what is wrong with it. */
  patch(stackName: string, patch: unknown): RecordedStack {
    const stack = this.stacks.get(stackName);
    if (!stack) throw new Error(`no stack named ${stackName} is registered`);
    if (!isRecord(patch) || unknownKey(patch, ['status', 'resources'])) throw new Error('expected a JSON patch: {status?, resources?: [{logicalId, type, physicalId?, status}]}');
    if (patch.status !== undefined && (typeof patch.status !== 'string' || !STACK_STATUSES.includes(patch.status))) throw new Error(`status ${show(patch.status)} must be a stack status`);
    const changes = patch.resources === undefined ? [] : patch.resources;
    if (!Array.isArray(changes)) throw new Error('resources must be a list');
    for (const [i, r] of changes.entries()) {
      const problem = checkResource(r);
      if (problem) throw new Error(`resources[${i}]: ${problem}`);
    }
    const now = this.now().toISOString();
    const resources = [...stack.resources];
    const events = [...(stack.events ?? [])];
    // Ids go on counting past the events dropped once the list is full.
    let sequence = Number(/^\d+/.exec(events[events.length - 1]?.eventId ?? '')?.[0] ?? 0);
    for (const change of changes as StackResourceSpec[]) {
      events.push({ eventId: `${++sequence}-${change.logicalId}`, logicalId: change.logicalId, type: change.type, physicalId: change.physicalId, status: change.status, reason: change.reason, timestamp: change.lastUpdated ?? now });
      const at = resources.findIndex((r) => r.logicalId === change.logicalId);
      const gone = change.status === 'DELETE_COMPLETE' || change.status === 'DELETE_SKIPPED';
      const next = { ...change, lastUpdated: change.lastUpdated ?? now };
      if (gone) {
        if (at >= 0) resources.splice(at, 1);
      } else if (at >= 0) resources[at] = next;
      else resources.push(next);
    }
    const patched: RecordedStack = { ...stack, ...(patch.status ? { status: patch.status as string } : {}), resources, events: events.slice(-MAX_EVENTS), lastUpdatedTime: now };
    this.stacks.set(stackName, patched);
    return patched;
  }

  /** False when there was none. */
  remove(stackName: string): boolean {
    return this.stacks.delete(stackName);
  }

  get(stackName: string): RecordedStack | undefined {
    return this.stacks.get(stackName);
  }

  list(): RecordedStack[] {
    return [...this.stacks.values()];
  }

  /** The stack a `StackName` names in a region: its name, or its stack id. */
  /** The stack a name or stack id names in a region (and, when given, an account). */
  find(nameOrId: string, region: string, accountId?: string): RecordedStack | undefined {
    return this.list().find((s) => s.region === region && (accountId === undefined || s.accountId === accountId) && (nameOrId.startsWith('arn:') ? s.stackId === nameOrId : s.stackName === nameOrId));
  }

  clear(): void {
    this.stacks.clear();
  }

  exportState(): unknown {
    return { stacks: this.list() };
  }

  importState(state: unknown): void {
    const stacks = isRecord(state) && Array.isArray(state.stacks) ? state.stacks : [];
    this.stacks = new Map(stacks.filter((s): s is RecordedStack => isRecord(s) && typeof s.stackName === 'string').map((s) => [s.stackName, s]));
  }
}

/** The template body `GetTemplate` answers. */
export function templateBody(stack: RecordedStack): string {
  return typeof stack.template === 'string' ? stack.template : JSON.stringify(stack.template);
}

/** What is wrong with a registration (the field, its value and the rule), or undefined. */
export function checkStack(stackName: string, spec: unknown): string | undefined {
  if (!isRecord(spec)) return 'expected a JSON object {stackId, stackName, region, accountId, status, template, parameters, resources, functions, outputs?}';
  const unknown = unknownKey(spec, STACK_KEYS);
  if (unknown) return `unknown field ${unknown} (expected ${STACK_KEYS.join(', ')})`;
  if (typeof spec.stackName !== 'string' || !STACK_NAME.test(spec.stackName)) return `stackName ${show(spec.stackName)} must be a stack name (a letter, then letters, digits and hyphens, up to 128)`;
  if (spec.stackName !== stackName) return `stackName ${show(spec.stackName)} differs from the name in the path (${show(stackName)})`;
  if (typeof spec.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(spec.region)) return `region ${show(spec.region)} must be a region name such as us-east-1`;
  if (typeof spec.accountId !== 'string' || !/^\d{12}$/.test(spec.accountId)) return `accountId ${show(spec.accountId)} must be 12 digits`;
  const id = typeof spec.stackId === 'string' ? STACK_ID.exec(spec.stackId) : null;
  if (!id || id[1] !== spec.region || id[2] !== spec.accountId || id[3] !== spec.stackName) {
    return `stackId ${show(spec.stackId)} must be arn:aws:cloudformation:${spec.region}:${spec.accountId}:stack/${spec.stackName}/<id>`;
  }
  if (typeof spec.status !== 'string' || !STACK_STATUSES.includes(spec.status)) return `status ${show(spec.status)} must be a stack status (${STACK_STATUSES.slice(0, 3).join(', ')}, ...)`;
  if (!(isRecord(spec.template) || (typeof spec.template === 'string' && spec.template.trim() !== ''))) return 'template must be the template: a JSON object, or its body as a non-empty string';
  const parameters = stringMap(spec.parameters, 'parameters');
  if (parameters) return parameters;
  const outputs = spec.outputs === undefined ? undefined : stringMap(spec.outputs, 'outputs');
  if (outputs) return outputs;
  if (!Array.isArray(spec.resources)) return 'resources must be a list of {logicalId, type, physicalId, status, lastUpdated?}';
  for (const [i, resource] of spec.resources.entries()) {
    const problem = checkResource(resource);
    if (problem) return `resources[${i}]: ${problem}`;
  }
  const logicalIds = spec.resources.map((r: { logicalId: string }) => r.logicalId);
  const twice = logicalIds.find((l, i) => logicalIds.indexOf(l) !== i);
  if (twice !== undefined) return `resources: the logical id ${twice} appears twice`;
  if (!Array.isArray(spec.functions)) return `functions must be a list of {${FUNCTION_KEYS.join(', ')}}`;
  for (const [i, fn] of spec.functions.entries()) {
    const problem = checkFunction(fn, spec.region, spec.accountId);
    if (problem) return `functions[${i}]: ${problem}`;
  }
  const names = spec.functions.map((f: { functionName: string }) => f.functionName);
  const again = names.find((n, i) => names.indexOf(n) !== i);
  return again === undefined ? undefined : `functions: the function name ${again} appears twice`;
}

function checkResource(resource: unknown): string | undefined {
  if (!isRecord(resource)) return 'expected {logicalId, type, physicalId, status, lastUpdated?}';
  const unknown = unknownKey(resource, RESOURCE_KEYS);
  if (unknown) return `unknown field ${unknown} (expected ${RESOURCE_KEYS.join(', ')})`;
  if (typeof resource.logicalId !== 'string' || !/^[A-Za-z0-9]{1,255}$/.test(resource.logicalId)) return `logicalId ${show(resource.logicalId)} must be alphanumeric`;
  if (typeof resource.type !== 'string' || resource.type === '') return `type ${show(resource.type)} must be a resource type`;
  if (resource.physicalId !== undefined && (typeof resource.physicalId !== 'string' || resource.physicalId === '')) return `physicalId ${show(resource.physicalId)} must be a non-empty string (or absent, while the resource is created)`;
  if (typeof resource.status !== 'string' || !RESOURCE_STATUSES.includes(resource.status)) return `status ${show(resource.status)} must be a resource status (CREATE_COMPLETE, UPDATE_COMPLETE, ...)`;
  if (resource.reason !== undefined && typeof resource.reason !== 'string') return `reason ${show(resource.reason)} must be a string`;
  if (resource.lastUpdated !== undefined && (typeof resource.lastUpdated !== 'string' || Number.isNaN(Date.parse(resource.lastUpdated)))) {
    return `lastUpdated ${show(resource.lastUpdated)} must be an ISO 8601 time`;
  }
  return undefined;
}

function checkFunction(fn: unknown, region: string, accountId: string): string | undefined {
  if (!isRecord(fn)) return `expected {${FUNCTION_KEYS.join(', ')}}`;
  const unknown = unknownKey(fn, FUNCTION_KEYS);
  if (unknown) return `unknown field ${unknown} (expected ${FUNCTION_KEYS.join(', ')})`;
  if (typeof fn.logicalId !== 'string' || fn.logicalId === '') return `logicalId ${show(fn.logicalId)} must be a non-empty string`;
  if (typeof fn.functionName !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(fn.functionName)) return `functionName ${show(fn.functionName)} must be 1 to 64 letters, digits, hyphens or underscores`;
  const arn = typeof fn.arn === 'string' ? FUNCTION_ARN.exec(fn.arn) : null;
  if (!arn || arn[1] !== region || arn[2] !== accountId || arn[3] !== fn.functionName) {
    return `arn ${show(fn.arn)} must be arn:aws:lambda:${region}:${accountId}:function:${String(fn.functionName)} (the stack's region and account)`;
  }
  if (typeof fn.codeDir !== 'string' || !path.isAbsolute(fn.codeDir)) return `codeDir ${show(fn.codeDir)} must be an absolute path`;
  const unstaged = stagedCodeProblem(fn.codeDir);
  if (unstaged) return unstaged;
  if (typeof fn.handler !== 'string' || !/^[^.]+(\.[^.]+)*\.[A-Za-z_$][\w$]*$/.test(fn.handler)) return `handler ${show(fn.handler)} must be file.export (index.handler)`;
  if (!(Number.isInteger(fn.timeoutSeconds) && (fn.timeoutSeconds as number) >= 1 && (fn.timeoutSeconds as number) <= 900)) return `timeoutSeconds ${show(fn.timeoutSeconds)} must be an integer from 1 to 900`;
  if (!(Number.isInteger(fn.memorySize) && (fn.memorySize as number) >= 128 && (fn.memorySize as number) <= 10240)) return `memorySize ${show(fn.memorySize)} must be an integer from 128 to 10240`;
  const environment = stringMap(fn.environment, 'environment');
  if (environment) return environment;
  if (fn.accessKeyId !== undefined && (typeof fn.accessKeyId !== 'string' || !/^\w{16,128}$/.test(fn.accessKeyId))) return `accessKeyId ${show(fn.accessKeyId)} must be 16 to 128 letters, digits or underscores`;
  return undefined;
}

function stringMap(value: unknown, field: string): string | undefined {
  if (!isRecord(value)) return `${field} must be an object of strings`;
  const bad = Object.entries(value).find(([, v]) => typeof v !== 'string');
  return bad ? `${field}.${bad[0]} must be a string, not ${show(bad[1])}` : undefined;
}

function unknownKey(value: Record<string, unknown>, known: readonly string[]): string | undefined {
  return Object.keys(value).find((k) => !known.includes(k));
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
