import { randomBytes } from 'crypto';
import * as path from 'path';
import type { PrincipalSpec } from '../emulator/principals';
import type { RecordedStack, StackFunctionSpec, StackResourceSpec, StackSpec } from '../emulator/stacks';
import { deployedEntries, functionPrincipal } from './iam';
import { Action, StackReport } from './report';
import { StateFile, StateStore } from './state';

/**
 * The stacks the runner deployed, recorded with the emulator (`PUT /_emulator/stacks/<name>`)
 * so that its CloudFormation and Lambda serve the drift command: after every deploy run
 * the stack as it is after the run (success, or the rollback's outcome; a stack whose
 * first create rolled back is forgotten, as the runner's state forgets it), after
 * `destroy-local` its removal. Each Lambda function is recorded with its code directory
 * in the runner's store and the access key id of its execution role's principal, so an
 * `Invoke` runs it with its own role's credentials.
 */

/** Where stacks are recorded: the emulator in this process (`Emulator`), or its control endpoints (`EmulatorApi`). */
export interface StackHost {
  registerStack(stackName: string, spec: StackSpec): unknown;
  removeStack(stackName: string): unknown;
  listStacks(): readonly RecordedStack[] | Promise<readonly RecordedStack[]>;
  registerPrincipal(accessKeyId: string, spec: PrincipalSpec): unknown;
  listPrincipals(): ReadonlyArray<{ readonly accessKeyId: string }> | Promise<ReadonlyArray<{ readonly accessKeyId: string }>>;
}

/** The stack statuses a run leaves, as CloudFormation names them (`NO_CHANGES` and `FAILED` keep the stack's status). */
const STATUS_AFTER: Readonly<Partial<Record<StackReport['status'], string>>> = {
  CREATE_COMPLETE: 'CREATE_COMPLETE',
  UPDATE_COMPLETE: 'UPDATE_COMPLETE',
  UPDATE_ROLLBACK_COMPLETE: 'UPDATE_ROLLBACK_COMPLETE',
  UPDATE_ROLLBACK_FAILED: 'UPDATE_ROLLBACK_FAILED',
  DELETE_FAILED: 'DELETE_FAILED',
};

/** What a resource that the run touched is now. */
const RESOURCE_STATUS: Readonly<Partial<Record<Action, string>>> = {
  created: 'CREATE_COMPLETE',
  adopted: 'CREATE_COMPLETE',
  updated: 'UPDATE_COMPLETE',
  replaced: 'UPDATE_COMPLETE',
  'rolled back': 'UPDATE_COMPLETE',
};

/** Parameter values as the state keeps them: lists joined with commas, a `NoEcho` parameter's value as `****` (what DescribeStacks shows). */
export function recordedParameters(template: { readonly Parameters?: Readonly<Record<string, { readonly NoEcho?: unknown }>> }, values: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    out[name] = String(template.Parameters?.[name]?.NoEcho) === 'true' ? '****' : Array.isArray(value) ? value.join(',') : String(value);
  }
  return out;
}

/**
 * What the emulator is told of one stack of the state: its resources (status and time:
 * those the run touched as of now, the others as the emulator had them), its functions
 * and its template. Undefined when the state has no such stack.
 */
export function stackSpec(
  store: StateStore,
  state: StateFile,
  stackName: string,
  status: string,
  previous?: RecordedStack,
  touched: ReadonlyMap<string, string> = new Map(),
  shown: ReadonlyMap<string, StackResourceSpec> = new Map(),
): StackSpec | undefined {
  const stack = state.stacks[stackName];
  if (!stack) return undefined;
  const now = new Date().toISOString();
  const entries = deployedEntries({ current: [], currentStack: stackName, saved: state });
  const resources: StackResourceSpec[] = Object.entries(stack.resources).map(([logicalId, r]) => {
    const before = previous?.resources.find((p) => p.logicalId === logicalId && p.physicalId === r.physicalId);
    const changed = touched.get(logicalId);
    const base = { logicalId, type: r.type, physicalId: r.physicalId };
    // What the run showed last (an UPDATE_FAILED whose rollback failed too stays UPDATE_FAILED), else what it touched.
    const last = shown.get(logicalId);
    if (last && last.physicalId === r.physicalId) return { ...base, status: last.status, lastUpdated: before?.status === last.status ? before.lastUpdated : now };
    if (changed) return { ...base, status: changed, lastUpdated: now };
    return before ? { ...base, status: before.status, lastUpdated: before.lastUpdated } : { ...base, status: 'CREATE_COMPLETE' };
  });
  const functions: StackFunctionSpec[] = [];
  for (const [logicalId, r] of Object.entries(stack.resources)) {
    if (!r.function || r.function.unavailable) continue; // container images, zip files: nothing to run locally
    const accessKeyId = functionPrincipal(r, entries)?.accessKeyId;
    functions.push({
      logicalId,
      functionName: r.physicalId,
      arn: typeof r.attributes.Arn === 'string' ? r.attributes.Arn : `arn:aws:lambda:${stack.region}:${stack.account}:function:${r.physicalId}`,
      codeDir: path.join(store.dir, r.function.code),
      handler: r.function.handler,
      timeoutSeconds: r.function.timeoutSeconds,
      memorySize: r.function.memorySize,
      environment: r.function.environment,
      ...(accessKeyId ? { accessKeyId } : {}),
    });
  }
  return {
    stackId: stack.stackId,
    stackName,
    region: stack.region,
    accountId: stack.account,
    status,
    // A state written before templates were kept: an empty template, so the stack is still listed.
    template: stack.template ?? {},
    parameters: stack.parameters ?? {},
    resources,
    functions,
    outputs: stack.outputs,
  };
}

/**
 * Records one stack after a run (`report` is the run's report of it): registered as the
 * state has it now, or removed when the state has it no more.
 */
export async function recordStack(host: StackHost, store: StateStore, state: StateFile, report: StackReport, shown: readonly StackResourceSpec[] = []): Promise<void> {
  const stack = state.stacks[report.stackName];
  if (!stack) {
    await host.removeStack(report.stackName);
    return;
  }
  const previous = (await host.listStacks()).find((s) => s.stackName === report.stackName && s.stackId === stack.stackId);
  const status = STATUS_AFTER[report.status] ?? previous?.status ?? 'CREATE_COMPLETE';
  const touched = new Map<string, string>();
  for (const row of report.rows) {
    const changed = RESOURCE_STATUS[row.action];
    if (changed) touched.set(row.logicalId, changed);
  }
  await host.registerStack(report.stackName, stackSpec(store, state, report.stackName, status, previous, touched, new Map(shown.map((r) => [r.logicalId, r]))) as StackSpec);
  await registerFunctionPrincipals(host, state, report.stackName);
}

/**
 * Registers the execution-role principal of each function of a stack that the emulator does
 * not know yet (with a new secret), so an `Invoke` of it (a function the runner never invoked
 * itself: the drift monitor's) runs with its own role's statements, as after a deploy.
 */
async function registerFunctionPrincipals(host: StackHost, state: StateFile, stackName: string, known?: Set<string>): Promise<void> {
  const seen = known ?? new Set((await host.listPrincipals()).map((p) => p.accessKeyId));
  const secret = randomBytes(30).toString('base64');
  const entries = deployedEntries({ current: [], currentStack: stackName, saved: state });
  for (const resource of Object.values(state.stacks[stackName]?.resources ?? {})) {
    const principal = resource.function ? functionPrincipal(resource, entries) : undefined;
    if (!principal || seen.has(principal.accessKeyId)) continue;
    await host.registerPrincipal(principal.accessKeyId, { secretAccessKey: secret, arn: principal.arn, statements: principal.statements as PrincipalSpec['statements'] });
    seen.add(principal.accessKeyId);
  }
}

/**
 * Records every stack of a runner state file with an emulator (the drift command's
 * embedded emulator beside a state file, or a running one): each stack as the state has
 * it (its status as the emulator last recorded it, else `CREATE_COMPLETE`), and the
 * execution-role principal of each function whose role the runner deployed, when the
 * emulator does not know that key yet (with a new secret), so an `Invoke` is authorized
 * against the role's statements as after a deploy. Returns the stack names.
 */
export async function registerStacksFromState(host: StackHost, stateFile: string): Promise<string[]> {
  const store = new StateStore(path.resolve(stateFile));
  const state = store.load();
  const recorded = await host.listStacks();
  const known = new Set((await host.listPrincipals()).map((p) => p.accessKeyId));
  const names = Object.keys(state.stacks);
  for (const name of names) {
    await registerFunctionPrincipals(host, state, name, known);
    const previous = recorded.find((s) => s.stackName === name && s.stackId === state.stacks[name].stackId);
    await host.registerStack(name, stackSpec(store, state, name, previous?.status ?? 'CREATE_COMPLETE', previous) as StackSpec);
  }
  return names;
}
