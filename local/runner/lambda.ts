import { AsyncLocalStorage } from 'async_hooks';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';

/**
 * A Lambda function run in this process: its code directory, handler, timeout and
 * environment, as the template deployed them.
 *
 * - The handler module is loaded once per function per run (a cold start for each
 *   `deploy-local`, warm for the invocations within it), with its own module instance,
 *   so a handler's module-level state never leaks from one run (or test) into the next.
 * - The function's environment variables are set on `process.env` during the invocation
 *   (it runs in process). Invocations of functions whose environments differ wait for
 *   each other; invocations with the same environment run concurrently.
 * - What the handler writes to stdout and stderr (its log lines) is captured per
 *   invocation instead of reaching the console: the module gets its own `process` (the
 *   real one, except `stdout` and `stderr`) and `console`, and an AsyncLocalStorage
 *   context tells which invocation wrote. Nothing global is patched.
 */
export interface FunctionSpec {
  readonly logicalId: string;
  readonly functionName: string;
  readonly arn: string;
  /** Absolute path of the code directory. */
  readonly codeDir: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly region: string;
}

export interface CapturedLine {
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

export interface InvocationOptions {
  /** Variables set besides the function's own (emulator endpoints, credentials). */
  readonly extraEnv: Readonly<Record<string, string>>;
  /** Overrides the function's timeout (what `getRemainingTimeInMillis` counts down from). */
  readonly timeoutMs?: number;
  readonly onLog: (line: CapturedLine) => void;
  /** Resolves when the caller stops waiting for this invocation. */
  readonly abandon?: Promise<void>;
}

export interface InvocationOutcome {
  /** What the handler returned (or passed to its callback), when it succeeded. */
  readonly value?: unknown;
  /** The handler threw or its promise rejected (a function error: Lambda retries asynchronous invocations). */
  readonly error?: unknown;
  /** Still running when the function's timeout passed. */
  readonly timedOut?: boolean;
  /** Still running when the caller stopped waiting. */
  readonly abandoned?: boolean;
}

type Handler = (event: unknown, context: unknown, callback?: (err?: unknown, result?: unknown) => void) => unknown;

export class LocalFunction {
  private handlerFn?: Handler;
  /** Where writes made outside any invocation's context go (timers the module set up when it loaded). */
  private lastStore?: LogStore;

  constructor(readonly spec: FunctionSpec) {}

  /**
   * Invokes the handler; resolves when it settles, when its timeout passes, or when
   * `abandon` resolves (the runner stopped waiting). Never rejects. A handler still running
   * then keeps its log capture until it settles, but no longer holds the environment.
   */
  async invoke(event: unknown, options: InvocationOptions): Promise<InvocationOutcome> {
    const timeoutMs = options.timeoutMs ?? this.spec.timeoutSeconds * 1000;
    const env: Record<string, string> = {
      ...this.spec.environment,
      AWS_LAMBDA_FUNCTION_NAME: this.spec.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.spec.memorySize),
      AWS_REGION: this.spec.region,
      AWS_DEFAULT_REGION: this.spec.region,
      ...options.extraEnv,
    };
    const release = await envLease.acquire(env);
    const requestId = randomUUID();
    const deadline = Date.now() + timeoutMs;
    const context = {
      functionName: this.spec.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: this.spec.arn,
      memoryLimitInMB: String(this.spec.memorySize),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${this.spec.functionName}`,
      logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${requestId.replace(/-/g, '')}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    const store: LogStore = { onLog: options.onLog, partial: { stdout: '', stderr: '' } };
    this.lastStore = store;
    // Async, so that a handler that cannot be loaded (a missing file or export) is a function error, not a throw that would keep the environment.
    const run = logStore.run(store, async () => this.call(event, context));
    const settled = run.then(
      (value): InvocationOutcome => (value === undefined ? {} : { value }),
      (error: unknown): InvocationOutcome => ({ error }),
    );
    void settled.then(() => {
      for (const stream of ['stdout', 'stderr'] as const) {
        if (store.partial[stream]) options.onLog({ stream, line: store.partial[stream] });
        store.partial[stream] = '';
      }
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<InvocationOutcome>((resolve) => {
        timer = setTimeout(() => resolve({ timedOut: true }), Math.max(0, timeoutMs));
      });
      const abandoned = (options.abandon ?? new Promise<never>(() => undefined)).then((): InvocationOutcome => ({ abandoned: true }));
      const outcome = await Promise.race([settled, timeout, abandoned]);
      if (outcome.timedOut) {
        options.onLog({ stream: 'stdout', line: `${new Date().toISOString()} ${requestId} Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` });
      }
      return outcome;
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  private call(event: unknown, context: unknown): Promise<unknown> {
    const handler = this.load();
    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const callback = (err?: unknown, result?: unknown) => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve(result);
      };
      try {
        const result = handler(event, context, callback);
        // An async handler settles through its promise; a callback handler through the callback.
        if (result && typeof (result as Promise<unknown>).then === 'function') {
          (result as Promise<unknown>).then((value) => callback(undefined, value), (err: unknown) => callback(err ?? new Error('rejected')));
        } else if (handler.length < 3) {
          callback(undefined, result);
        }
      } catch (err) {
        callback(err ?? new Error('threw'));
      }
    });
  }

  /** The handler export, loaded on first use (the function's cold start). */
  private load(): Handler {
    if (this.handlerFn) return this.handlerFn;
    const dot = this.spec.handler.lastIndexOf('.');
    if (dot <= 0) throw new Error(`${this.spec.logicalId}: Handler "${this.spec.handler}" must be "file.export"`);
    const base = path.join(this.spec.codeDir, this.spec.handler.slice(0, dot));
    const exportName = this.spec.handler.slice(dot + 1);
    const file = ['.js', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
    if (!file) {
      const esm = fs.existsSync(`${base}.mjs`) ? ' (an ES module handler, .mjs, is not supported by the local runner)' : '';
      throw new Error(`${this.spec.logicalId}: Runtime.ImportModuleError: cannot find ${path.relative(process.cwd(), base)}.js in the function's code${esm}`);
    }
    const exports = loadCommonJs(file, this.sandbox());
    const handler = exports[exportName];
    if (typeof handler !== 'function') throw new Error(`${this.spec.logicalId}: Runtime.HandlerNotFound: ${path.basename(file)}.${exportName} is undefined or not exported`);
    this.handlerFn = handler as Handler;
    return this.handlerFn;
  }

  /** The module's own `process` and `console`, whose output lands in the writing invocation's log. */
  private sandbox(): { process: NodeJS.Process; console: Console } {
    const stream = (name: 'stdout' | 'stderr') => {
      const write = (chunk: unknown, ...rest: unknown[]): boolean => {
        const store = logStore.getStore() ?? this.lastStore;
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
        if (store) {
          const lines = (store.partial[name] + text).split('\n');
          store.partial[name] = lines.pop() ?? '';
          for (const line of lines) store.onLog({ stream: name, line });
        }
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        if (callback) process.nextTick(callback);
        return true;
      };
      const real = process[name];
      return new Proxy(real, { get: (target, prop) => (prop === 'write' ? write : Reflect.get(target, prop)) });
    };
    const stdout = stream('stdout');
    const stderr = stream('stderr');
    const sandboxed = new Proxy(process, { get: (target, prop) => (prop === 'stdout' ? stdout : prop === 'stderr' ? stderr : Reflect.get(target, prop)) });
    return { process: sandboxed, console: new console.Console({ stdout, stderr }) };
  }
}

/**
 * Loads a CommonJS file as a new module instance, in the caller's realm (so under jest the
 * handler sees the same globals as the test), with a real `require` for what the file
 * itself requires (the bundled handler only needs Node's built-in modules) and the given
 * `process` and `console`.
 */
function loadCommonJs(file: string, sandbox: { process: NodeJS.Process; console: Console }): Record<string, unknown> {
  const source = fs.readFileSync(file, 'utf8').replace(/^#!.*/, '');
  const module = { exports: {} as Record<string, unknown>, filename: file, id: file, loaded: false };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const wrapper = new Function('exports', 'require', 'module', '__filename', '__dirname', 'process', 'console', `${source}\n//# sourceURL=${file}`);
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file), sandbox.process, sandbox.console);
  module.loaded = true;
  return module.exports;
}

// ---------------------------------------------------------------------------------------
// The environment during invocations

const REMOVED_DURING_INVOCATION = ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_ENDPOINT_URL'];

class EnvLease {
  private active = 0;
  private key?: string;
  private saved: Record<string, string | undefined> = {};
  private waiters: Array<() => void> = [];

  async acquire(env: Readonly<Record<string, string>>): Promise<() => void> {
    const key = JSON.stringify(Object.entries(env).sort(([a], [b]) => a.localeCompare(b)));
    while (this.active > 0 && this.key !== key) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.active === 0) {
      this.key = key;
      this.saved = {};
      for (const name of [...Object.keys(env), ...REMOVED_DURING_INVOCATION]) this.saved[name] = process.env[name];
      for (const name of REMOVED_DURING_INVOCATION) delete process.env[name];
      Object.assign(process.env, env);
    }
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      if (this.active > 0) return;
      for (const [name, value] of Object.entries(this.saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      this.key = undefined;
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    };
  }
}

const envLease = new EnvLease();

// ---------------------------------------------------------------------------------------
// Which invocation is writing

interface LogStore {
  readonly onLog: (line: CapturedLine) => void;
  /** The unfinished last line of each stream. */
  readonly partial: { stdout: string; stderr: string };
}

const logStore = new AsyncLocalStorage<LogStore>();
