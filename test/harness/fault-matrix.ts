import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CallRecord, DefaultServices, EmulatorState, FaultKind, FaultSpec, RunningEmulator } from '../../local/emulator';
import { DeployLocalOptions, DeployReport, deployLocal, destroyLocal } from '../../local/runner';
import { isDigestOf, snapshot } from './emulator-snapshot';
import { synthVersion, Version } from './matrix-app';
import { ADOPT_CONTEXT } from '../../lambda/core/ownership.wire';
import { STALE_SERVICES } from '../../local/emulator/staleness';

/**
 * The fault matrix: a phase of the example stack's lifecycle (create, update in place,
 * replacement, delete) is run once without faults to learn its API calls, then once per
 * (call position × fault kind) with that fault injected at that position. After each run
 * the invariants must hold:
 *
 * 1. every request got exactly one answer, none timed out;
 * 2. the emulator equals the state the reference run reached (the phase succeeded) or the
 *    state before the phase (it rolled back), exactly: no orphan, no duplicate, nothing
 *    half-made, compared by `snapshot`;
 * 3. the secrets the stack made hold what the service holds (bot and data retention bot
 *    challenges);
 * 4. destroying the stack then succeeds and leaves what the reference destroy leaves (what
 *    the removal policies retain).
 */

export type PhaseName = 'create' | 'update' | 'replace' | 'delete' | 'rename' | 'adopt';

/**
 * Each phase: the version deployed before it, the one it deploys (none: a destroy), whether
 * the stack is forgotten before it (what it made stays, owned by nobody: made by hand, or by a
 * stack deleted with everything retained), and the context it deploys with.
 */
const PHASES: Readonly<Record<PhaseName, { before?: Version; after?: Version; forget?: boolean; context?: Record<string, string> }>> = {
  create: { after: 'v1' },
  update: { before: 'v1', after: 'v2' },
  replace: { before: 'v1', after: 'v3' },
  delete: { before: 'v1' },
  rename: { before: 'v1', after: 'v1r' },
  adopt: { before: 'v1', forget: true, after: 'v1', context: { [ADOPT_CONTEXT]: '*' } },
};

/** The function timeout for latency cases: calls that hang past the guard (at 80%) but end before the answer is due. */
const FUNCTION_TIMEOUT_MS = 3_000;
const LATENCY_MS = 2_500;
/** How stale a stale case makes its call: a read does not show the last second's changes, a change is not shown for a second. */
const STALE_MS = 1_000;

export interface Position {
  readonly service: CallRecord['service'];
  readonly operation: string;
  /** How many calls of the same operation came before it in the phase. */
  readonly occurrence: number;
}

export interface MatrixCase {
  /** The call the fault hits; none: every call of the phase (a stale case: the services eventually consistent throughout). */
  readonly position?: Position;
  readonly kind: FaultKind;
  /** The error an `error` case answers. @default the service's internal error */
  readonly code?: string;
}

/**
 * The named error sampled: a 503 the service names, which the handlers outlast as any
 * transient failure. Errors no retry helps (`AccessDeniedException`, `ExpiredTokenException`)
 * are not outlasted: in a rollback or CloudFormation's cleanup phase they leave what the call
 * would have removed (the README says so), so they are not among the matrix's faults.
 */
const NAMED_ERROR = 'ServiceUnavailableException';
/** The services whose errors the emulator can name (the others answer their standard errors). */
const NAMED_ERROR_SERVICES: readonly string[] = ['wickr', 'chime', 'secretsmanager'];

interface Saved {
  readonly emulator: EmulatorState;
  /** A copy of the runner's state directory (its state file and the functions' code it keeps). */
  readonly runnerDir: string;
}

export class FaultMatrix {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matrix-'));
  private readonly runDir = path.join(this.dir, 'run');
  private readonly stateFile = path.join(this.runDir, 'state.json');
  private readonly assemblies = new Map<string, string>();
  private start?: Saved;
  /** Snapshots the reference runs reached: after the phase, and after a destroy from either end. */
  private expected?: { before: unknown; after: unknown; destroyedBefore: unknown; destroyedAfter: unknown };
  positions: Position[] = [];

  constructor(
    readonly running: RunningEmulator<DefaultServices>,
    readonly phase: PhaseName,
  ) {}

  /** Deploys the state before the phase, then runs the reference (no faults) to learn its calls and end states. */
  async prepare(): Promise<void> {
    const { before, after, forget } = PHASES[this.phase];
    this.running.emulator.reset();
    if (before) ok(await deployLocal(this.options(before)));
    if (forget) {
      fs.rmSync(this.runDir, { recursive: true, force: true });
      this.running.emulator.removeStack('Matrix');
    }
    this.start = this.save();
    const beforeState = snapshot(this.running.emulator);
    this.running.emulator.clearCalls();
    ok(await this.runPhase());
    // The provider's calls (signed with its role's key); the runner's own, for native resources, are CloudFormation's.
    const calls = this.running.emulator.calls().filter((c) => c.authorization?.principal);
    const seen = new Map<string, number>();
    this.positions = calls.map((c) => {
      const key = `${c.service} ${c.operation}`;
      const occurrence = seen.get(key) ?? 0;
      seen.set(key, occurrence + 1);
      return { service: c.service, operation: c.operation, occurrence };
    });
    const afterState = snapshot(this.running.emulator);
    ok(await destroyLocal({ stateFile: this.stateFile, emulator: this.running }));
    const destroyedAfter = snapshot(this.running.emulator);
    this.restore();
    ok(await destroyLocal({ stateFile: this.stateFile, emulator: this.running }));
    const destroyedBefore = snapshot(this.running.emulator);
    this.expected = { before: beforeState, after: after ? afterState : destroyedAfter, destroyedBefore, destroyedAfter };
  }

  /**
   * Every position with the error, throttle and drop faults; latency and staleness, which
   * cost seconds a case, at every `sampleEvery`-th position (staleness half a step after
   * latency, so that they sample different calls, and only at the services whose reads the
   * emulator can make stale: not CloudFormation's, which the provider reads for ownership);
   * a named error (`NAMED_ERROR`) one step after latency, at the calls of services that
   * answer named errors; and one case with every call stale.
   */
  cases(sampleEvery: number): MatrixCase[] {
    const kinds: FaultKind[] = ['error', 'throttle', 'drop-after-commit'];
    const at = (i: number, step: number) => i % sampleEvery === step;
    const sampled = (position: Position, i: number): MatrixCase[] => [
      ...(at(i, 0) ? [{ position, kind: 'latency' as const }] : []),
      ...(at(i, 1) && NAMED_ERROR_SERVICES.includes(position.service) ? [{ position, kind: 'error' as const, code: NAMED_ERROR }] : []),
      ...(at(i, Math.floor(sampleEvery / 2)) && STALE_SERVICES.includes(position.service) ? [{ position, kind: 'stale' as const }] : []),
    ];
    return [...this.positions.flatMap((position, i) => [...kinds.map((kind) => ({ position, kind })), ...sampled(position, i)]), { kind: 'stale' }];
  }

  /** Runs one case and returns the invariants that did not hold (empty: all held). */
  async run(c: MatrixCase): Promise<string[]> {
    const emulator = this.running.emulator;
    this.restore();
    for (const fault of faultsFor(c)) emulator.addFault(fault);
    const report = await this.runPhase(c.kind === 'latency' ? { timeouts: { functionTimeoutMs: FUNCTION_TIMEOUT_MS } } : {});
    emulator.clearFaults();
    const problems: string[] = [];
    // One answer per delivery; a delivery Lambda repeats after a failed invocation answers the same.
    for (const i of report.invocations) {
      const answers = new Set(i.responses.map((r) => JSON.stringify([(r as { Status?: string }).Status, (r as { PhysicalResourceId?: string }).PhysicalResourceId])));
      if (i.responses.length === 0 || i.responses.length > i.deliveries || answers.size !== 1 || i.timedOut) {
        problems.push(`${i.logicalId} ${i.requestType}: ${i.responses.length} answer(s) to ${i.deliveries} deliveries, ${answers.size} different${i.timedOut ? ', timed out' : ''}`);
      }
    }
    const expected = this.expected!;
    const state = snapshot(emulator);
    // A delete phase that failed leaves the stack to be destroyed again, like a DELETE_FAILED stack.
    const reached = report.success ? expected.after : this.phase === 'delete' ? undefined : expected.before;
    if (reached !== undefined && !same(state, reached)) problems.push(`the emulator is neither the declared state nor the old one after ${report.success ? 'success' : 'rollback'}: ${difference(reached, state)}`);
    problems.push(...this.secretsConsistent());
    const destroyed = await destroyLocal({ stateFile: this.stateFile, emulator: this.running });
    if (!destroyed.success) problems.push(`destroy failed: ${destroyed.reason}`);
    const left = snapshot(emulator);
    const wanted = report.success || this.phase === 'delete' ? expected.destroyedAfter : expected.destroyedBefore;
    if (!same(left, wanted)) problems.push(`destroy left other than what the removal policies keep: ${difference(wanted, left)}`);
    return problems;
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** The stack's own secrets against the service: each bot's and the data retention bot's challenge. */
  private secretsConsistent(): string[] {
    const emulator = this.running.emulator;
    // The current value of every secret (the in-process export keeps values).
    const secrets = emulator.exportState().secretsmanager as Array<{ versions: Array<{ value: string; stages: string[] }> }>;
    const values = secrets.flatMap((s) => s.versions.filter((v) => v.stages.includes('AWSCURRENT')).map((v) => v.value));
    const problems: string[] = [];
    for (const network of Object.values(emulator.services.wickr.store.state.networks)) {
      for (const bot of Object.values(network.bots)) {
        if (!values.some((v) => isDigestOf(bot.challengeDigest, v))) problems.push(`bot ${bot.username}: no secret holds its challenge`);
      }
      const drb = network.dataRetentionBot;
      if (drb?.challengeDigest && !values.some((v) => isDigestOf(drb.challengeDigest, v))) problems.push('data retention bot: no secret holds the challenge the service holds');
    }
    for (const instance of Object.values(emulator.services.chime.store.state.instances)) {
      for (const user of Object.values(instance.users)) {
        for (const e of Object.values(user.endpoints)) if (!values.includes(e.attributes.DeviceToken)) problems.push(`endpoint ${e.endpointId}: its device token is no secret's current value`);
      }
    }
    return problems;
  }

  private runPhase(extra: Partial<DeployLocalOptions> = {}): Promise<DeployReport> {
    const { after, context } = PHASES[this.phase];
    return after ? deployLocal({ ...this.options(after, context), ...extra }) : destroyLocal({ stateFile: this.stateFile, emulator: this.running, concurrency: 1, ...extra });
  }

  private options(version: Version, context: Record<string, string> = {}): DeployLocalOptions {
    const key = `${version} ${JSON.stringify(context)}`;
    let assemblyDir = this.assemblies.get(key);
    if (!assemblyDir) {
      assemblyDir = synthVersion(this.dir, version, context);
      this.assemblies.set(key, assemblyDir);
    }
    // One resource at a time: the calls of a phase come in the same order every run, so a position names one call.
    return { assemblyDir, stateFile: this.stateFile, emulator: this.running, concurrency: 1, retryDelayMs: 10 };
  }

  private save(): Saved {
    const runnerDir = path.join(this.dir, 'saved-run');
    fs.rmSync(runnerDir, { recursive: true, force: true });
    if (fs.existsSync(this.runDir)) fs.cpSync(this.runDir, runnerDir, { recursive: true });
    return { emulator: this.running.emulator.exportState(), runnerDir };
  }

  private restore(): void {
    const saved = this.start!;
    this.running.emulator.clearFaults();
    this.running.emulator.importState(saved.emulator);
    this.running.emulator.clearCalls();
    fs.rmSync(this.runDir, { recursive: true, force: true });
    if (fs.existsSync(saved.runnerDir)) fs.cpSync(saved.runnerDir, this.runDir, { recursive: true });
  }
}

/**
 * The faults of a case: the call at the position fails for good (every retry; with the
 * case's named error, if any), is throttled a few times, commits and drops, hangs past the
 * guard, or is stale (a read that misses the last second's changes; a change that reads miss
 * for a second); without a position, every call of every service that keeps state is stale.
 */
export function faultsFor(c: MatrixCase): FaultSpec[] {
  if (!c.position) return [{ operation: '*', kind: 'stale', ms: STALE_MS }, ...(['secretsmanager', 's3'] as const).map((service) => ({ service, operation: '*', kind: 'stale' as const, ms: STALE_MS }))];
  return [faultAt(c.position, c.kind, c.code)];
}

function faultAt(position: Position, kind: FaultKind, code: string | undefined): FaultSpec {
  const at = { service: position.service, operation: position.operation, after: position.occurrence };
  switch (kind) {
    case 'error':
      return { ...at, kind: 'error', count: 5, ...(code ? { code } : {}) };
    case 'throttle':
      return { ...at, kind: 'throttle', count: 3 };
    case 'drop-after-commit':
      return { ...at, kind: 'drop-after-commit', count: 1 };
    case 'stale':
      return { ...at, kind: 'stale', ms: STALE_MS, count: 1 };
    default:
      return { ...at, kind: 'latency', ms: LATENCY_MS, count: 1 };
  }
}

/** What a case injects: its kind, its named error's code, or staleness of every call. */
export const kindOf = (c: MatrixCase): string => (c.code ?? c.kind) + (c.position ? '' : ' (every call)');

export const describeCase = (c: MatrixCase) => `${c.code ?? c.kind} at ${c.position ? `${c.position.service} ${c.position.operation} #${c.position.occurrence + 1}` : 'every call'}`;

function ok(report: DeployReport): DeployReport {
  if (!report.success) {
    const invocations = report.invocations.map((i) => `${i.logicalId} ${i.requestType} ${i.status} ${i.reason ?? ''}`).join('\n');
    throw new Error(`a reference run failed: ${report.reason}\n${report.lines.join('\n')}\n${invocations}\n${report.warnings.join('\n')}`);
  }
  return report;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The first place two snapshots differ, briefly. */
function difference(expected: unknown, actual: unknown, at = ''): string {
  if (same(expected, actual)) return '';
  if (typeof expected !== 'object' || typeof actual !== 'object' || expected === null || actual === null) {
    return `${at || '(root)'}: expected ${JSON.stringify(expected)?.slice(0, 300)}, got ${JSON.stringify(actual)?.slice(0, 300)}`;
  }
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
  for (const k of keys) {
    const d = difference((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k], `${at}.${k}`);
    if (d) return d;
  }
  return `${at}: differs`;
}

/**
 * Runs a phase's whole matrix on a fresh emulator: every position with every fault kind
 * (latency and staleness sampled, see `cases`). Returns the matrix's size, its fault kinds
 * and every broken invariant.
 */
export async function runMatrix(phase: PhaseName, latencyEvery: number): Promise<{ positions: number; cases: number; kinds: string[]; failures: string[] }> {
  const { startEmulator } = await import('../../local/emulator');
  const running = await startEmulator({ port: 0, seed: 101 });
  const matrix = new FaultMatrix(running, phase);
  try {
    await matrix.prepare();
    const cases = matrix.cases(latencyEvery);
    const failures: string[] = [];
    for (const c of cases) for (const problem of await matrix.run(c)) failures.push(`${describeCase(c)}: ${problem}`);
    const kinds = [...new Set(cases.map(kindOf))].sort();
    process.stdout.write(
      `fault matrix, ${phase}: ${matrix.positions.length} call positions x ${kinds.join(', ')} (latency, a named error and stale at every ${latencyEvery}th position, and every call stale) = ${cases.length} cases, ${failures.length} broken invariant(s)\n`,
    );
    return { positions: matrix.positions.length, cases: cases.length, kinds, failures };
  } finally {
    matrix.remove();
    await running.close();
  }
}
