import * as fs from 'fs';
import * as path from 'path';
import type { RunningEmulator } from '../emulator';
import { CONTROL_TOKEN_ENV, controlTokenFile, controlTokenFor } from '../emulator/control-token';
import { EmulatorApi } from './aws';
import { CustomTimeouts, DuplicateDeliveryOptions, ResponseOutageOptions } from './custom';
import { Engine } from './engine';
import { StateLock } from './lock';
import { DeployReport, Recorder, StackReport } from './report';
import { ResponseServer } from './response-server';
import { recordStack } from './stacks';
import { StateStore } from './state';
import { putSecrets } from './secrets';
import { DEFAULT_REGION, readAssembly, StackArtifact, synthesize } from '../../cli/synth';

/**
 * The local lifecycle runner: deploys a CDK app's stacks into the emulator the way
 * CloudFormation would (`deploy-local`), and deletes them again (`destroy-local`).
 * A test harness: production deploys go through `cdk deploy`.
 */

export type { DeployReport, InvocationRecord, LogRecord, ResourceRow, StackReport, Action, Phase } from './report';
export type { CustomTimeouts, DuplicateDeliveryOptions, ResponseOutageOptions } from './custom';
export { DEFAULT_STATE_FILE };
export { registerStacksFromState } from './stacks';
export type { StackHost } from './stacks';

const DEFAULT_STATE_FILE = path.join('.local', 'state.json');
/** The embedded emulator's state, beside the runner's state file (`state.json`'s; see `emulatorStateFileFor`). */
export const EMULATOR_STATE_FILE = 'emulator-state.json';

/**
 * Where the embedded emulator of a state file keeps its state: beside it, one per state file,
 * so that two state files in one folder (a dev and a prod stage) never share an emulator.
 * `state.json` (the default's name) has `emulator-state.json`, as before; any other
 * `NAME.json` has `NAME.emulator-state.json`. Its key file is named after it (`.key`).
 */
export function emulatorStateFileFor(stateFile: string): string {
  const base = path.basename(stateFile);
  if (base === 'state.json') return path.join(path.dirname(stateFile), EMULATOR_STATE_FILE);
  return path.join(path.dirname(stateFile), `${base.replace(/\.json$/, '')}.${EMULATOR_STATE_FILE}`);
}

export interface LocalRunOptions {
  /** Where relative paths (and `cdk.json`) are looked up. @default process.cwd() */
  readonly cwd?: string;
  /** @default '.local/state.json' */
  readonly stateFile?: string;
  /**
   * An emulator running in this process. Without it (and without `endpoint`) an embedded
   * emulator is started whose state persists in `emulator-state.json` beside the state file.
   */
  readonly emulator?: RunningEmulator;
  /** A running emulator's URL (`cdk-wickr-chime emulator`). */
  readonly endpoint?: string;
  /**
   * The control token of the emulator at `endpoint` (a secret).
   * @default `CDK_WICKR_CHIME_EMULATOR_TOKEN`, else the file the emulator command wrote for the endpoint's port
   */
  readonly controlToken?: string;
  /** Only these stacks. @default every stack of the app (deploy), or of the state file (destroy) */
  readonly stacks?: readonly string[];
  /** Resources run at once when they do not depend on each other. @default 4 */
  readonly concurrency?: number;
  readonly timeouts?: CustomTimeouts;
  /** Deliver requests twice, to prove the provider idempotent. */
  readonly duplicateDeliveries?: DuplicateDeliveryOptions;
  /** Make the response endpoint refuse PUTs for a while, to prove an undeliverable answer is delivered again by Lambda's retry. */
  readonly responseOutage?: ResponseOutageOptions;
  /** Retries after a function error (Lambda retries asynchronous invocations twice). @default 2 */
  readonly lambdaRetries?: number;
  /** Delay before such a retry (Lambda waits about a minute). @default 100 */
  readonly retryDelayMs?: number;
  /** Progress lines go here as they happen (the CLI prints them). @default nowhere (they are in the report) */
  readonly out?: (line: string) => void;
  /**
   * The run's own failure goes here, once, as one message: an app that does not
   * synthesize (its output without stack frames), an emulator that does not answer.
   * @default out
   */
  readonly err?: (line: string) => void;
  /** Also print the provider's log lines. @default false */
  readonly verbose?: boolean;
  /** Print tables with every cell whole instead of fitting lines to 120 columns. @default false */
  readonly wide?: boolean;
}

export interface DeployLocalOptions extends LocalRunOptions {
  /** The app command. @default `app` of ./cdk.json */
  readonly app?: string;
  /** A synthesized cloud assembly to deploy instead of running the app. */
  readonly assemblyDir?: string;
  /** Template parameter values: `Name` (every stack) or `Stack:Name`. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Context values for the app, over those of `cdk.json` (as `cdk deploy -c KEY=VALUE`). @default none */
  readonly context?: Readonly<Record<string, string>>;
  /**
   * Secrets (name → value) put into the emulator's Secrets Manager before the deploy, in the
   * first stack's region (`--secret`). @default none
   */
  readonly secrets?: Readonly<Record<string, string>>;
}

export interface DestroyLocalOptions extends LocalRunOptions {
  /** When given, the stacks of this app are destroyed (it is synthesized to learn their names). */
  readonly app?: string;
  readonly assemblyDir?: string;
}

export async function deployLocal(options: DeployLocalOptions = {}): Promise<DeployReport> {
  return withRun(options, 'deploy', async (engine, recorder, api) => {
    const assembly = await loadAssembly(options, recorder);
    const stacks = selectStacks(assembly.stacks, options.stacks);
    if (options.secrets) await putSecrets(api, stacks[0]?.region ?? DEFAULT_REGION, options.secrets, (text) => recorder.line(text));
    const reports: StackReport[] = [];
    try {
      for (const stack of stacks) {
        const report = await engine.deployStack(stack);
        reports.push(report);
        await record(api, engine, report, recorder);
        if (!report.success) break;
      }
    } finally {
      assembly.dispose();
    }
    return reports;
  });
}

export async function destroyLocal(options: DestroyLocalOptions = {}): Promise<DeployReport> {
  return withRun(options, 'destroy', async (engine, recorder, api) => {
    let names = options.stacks ? [...options.stacks] : undefined;
    if (!names && (options.app || options.assemblyDir)) {
      const assembly = await loadAssembly(options, recorder);
      names = assembly.stacks.map((s) => s.stackName);
      assembly.dispose();
    }
    // The reverse of the order they were deployed in.
    const deployed = Object.keys(engine.state.stacks).reverse();
    const targets = names ? deployed.filter((n) => names?.includes(n)) : deployed;
    if (targets.length === 0) recorder.line('nothing to destroy');
    const reports: StackReport[] = [];
    for (const name of targets) {
      const report = await engine.destroyStack(name);
      reports.push(report);
      await record(api, engine, report, recorder);
    }
    return reports;
  });
}

/**
 * Tells the emulator what the stack is after a run (`stacks.ts`), for the drift command. A
 * failure to do so is a warning: the deployment itself stands.
 */
async function record(api: EmulatorApi, engine: Engine, report: StackReport, recorder: Recorder): Promise<void> {
  try {
    await recordStack(api, engine.store, engine.state, report, engine.boards.get(report.stackName)?.resources());
  } catch (err) {
    recorder.warn(`${report.stackName}: could not record the stack with the emulator (the drift command reads it there): ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function withRun(
  options: LocalRunOptions,
  mode: 'deploy' | 'destroy',
  body: (engine: Engine, recorder: Recorder, api: EmulatorApi) => Promise<StackReport[]>,
): Promise<DeployReport> {
  const recorder = new Recorder(options);
  const cwd = options.cwd ?? process.cwd();
  const store = new StateStore(path.resolve(cwd, options.stateFile ?? DEFAULT_STATE_FILE));
  let reports: StackReport[] = [];
  let failure: string | undefined;
  let target: EmulatorTarget | undefined;
  let server: ResponseServer | undefined;
  let lock: StateLock | undefined;
  try {
    fs.mkdirSync(store.dir, { recursive: true });
    lock = StateLock.acquire(store.file, `${mode}-local`);
    const state = store.load();
    target = await connect(options, store);
    server = await ResponseServer.start();
    const engine = new Engine(store, state, recorder, server, target.api, {
      concurrency: options.concurrency ?? 4,
      parameters: (options as DeployLocalOptions).parameters ?? {},
      timeouts: options.timeouts ?? {},
      lambdaRetries: options.lambdaRetries ?? 2,
      retryDelayMs: options.retryDelayMs ?? 100,
      duplicateDeliveries: options.duplicateDeliveries,
      responseOutage: options.responseOutage,
    });
    reports = await body(engine, recorder, target.api);
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
    recorder.failure(`${mode}-local failed: ${failure}`);
  } finally {
    await server?.close();
    await target?.close();
    lock?.release();
  }
  const failed = reports.find((r) => !r.success);
  return {
    success: failure === undefined && failed === undefined,
    reason: failure ?? failed?.reason,
    stacks: reports,
    rows: reports.flatMap((r) => r.rows),
    invocations: recorder.invocations,
    logs: recorder.logs,
    lines: recorder.lines,
    warnings: recorder.warnings,
    publishedAssets: recorder.publishedAssets,
  };
}

interface EmulatorTarget {
  readonly api: EmulatorApi;
  close(): Promise<void>;
}

async function connect(options: LocalRunOptions, store: StateStore): Promise<EmulatorTarget> {
  if (options.emulator && options.endpoint) throw new Error('give either an in-process emulator or an endpoint, not both');
  if (options.emulator) {
    const api = new EmulatorApi(options.emulator.url, options.emulator.controlToken, options.emulator.emulator.s3);
    return { api, close: async () => api.destroy() };
  }
  if (options.endpoint) {
    const url = options.endpoint.replace(/\/$/, '');
    const token = options.controlToken ?? controlTokenFor(url);
    if (!token) {
      throw new Error(
        `no control token for the emulator at ${url}: run it with "cdk-wickr-chime emulator" as the same user on this machine ` +
          `(it writes ${controlTokenFile(Number(new URL(url).port || 80))}), or set ${CONTROL_TOKEN_ENV} to the content of that file`,
      );
    }
    const api = new EmulatorApi(url, token);
    await probe(api);
    return { api, close: async () => api.destroy() };
  }
  // The embedded emulator; its state lives beside the runner's.
  const { startEmulator } = await import('../emulator');
  const stateFile = emulatorStateFileFor(store.file);
  const running = await startEmulator({ port: 0, stateFile });
  const api = new EmulatorApi(running.url, running.controlToken, running.emulator.s3);
  return {
    api,
    close: async () => {
      api.destroy();
      fs.mkdirSync(store.dir, { recursive: true });
      running.emulator.saveState(stateFile);
      await running.close();
    },
  };
}

/** Checks that the emulator answers at the API's URL and takes its token (its control API), for a clear error up front. */
async function probe(api: EmulatorApi): Promise<void> {
  const res = await api.control('GET', 'faults', undefined, 5_000);
  if (res.status === 401) throw new Error(`the emulator at ${api.url} refused the control token (a token file left by an emulator that stopped?)`);
  if (res.status !== 200) throw new Error(`${api.url} does not look like the cdk-wickr-chime emulator (GET /_emulator/faults answered HTTP ${res.status})`);
}

async function loadAssembly(options: DeployLocalOptions | DestroyLocalOptions, recorder: Recorder): Promise<{ stacks: readonly StackArtifact[]; dispose(): void }> {
  const cwd = options.cwd ?? process.cwd();
  if (options.assemblyDir) return { stacks: readAssembly(path.resolve(cwd, options.assemblyDir)).stacks, dispose: () => undefined };
  recorder.line(`synthesizing${options.app ? ` (${options.app})` : ''}...`);
  const synth = await synthesize({ app: options.app, cwd, context: 'context' in options ? options.context : undefined, onOutput: options.verbose ? (line) => recorder.line(`    ${line}`) : undefined });
  try {
    return {
      stacks: readAssembly(synth.dir).stacks,
      dispose: () => {
        if (synth.temporary) fs.rmSync(synth.dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (synth.temporary) fs.rmSync(synth.dir, { recursive: true, force: true });
    throw err;
  }
}

function selectStacks(stacks: readonly StackArtifact[], names: readonly string[] | undefined): StackArtifact[] {
  if (!names) return [...stacks];
  const unknown = names.filter((n) => !stacks.some((s) => s.stackName === n));
  if (unknown.length > 0) throw new Error(`no stack named ${unknown.join(', ')} in the app (it has ${stacks.map((s) => s.stackName).join(', ') || 'none'})`);
  return stacks.filter((s) => names.includes(s.stackName));
}
