import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { isMutating } from '../../lambda/core/calls';
import { DefaultServices, RunningEmulator } from '../../local/emulator';
import { DeployLocalOptions, DeployReport, deployLocal, destroyLocal, DestroyLocalOptions } from '../../local/runner';

/**
 * A scenario for the lifecycle runner with this library's real constructs: `deploy(build)`
 * synthesizes a fresh app (one stack, built by `build`) into a temporary directory and
 * deploys it into the emulator with the bundled handler, as `cdk deploy` would.
 */
export class StackWorkspace {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-'));
  readonly stateFile = path.join(this.dir, 'state.json');
  private synths = 0;

  constructor(
    readonly running: RunningEmulator<DefaultServices>,
    readonly stackName = 'LifecycleStack',
  ) {}

  /** Synthesizes the app; `context` as `cdk deploy -c` gives it (the adoption context, say). */
  synth(build: (stack: Stack) => void, context: Record<string, string> = {}): string {
    const outdir = path.join(this.dir, `cdk.out.${++this.synths}`);
    const app = new App({ outdir, context });
    build(new Stack(app, this.stackName, { env: { account: '123456789012', region: 'us-east-1' } }));
    app.synth();
    return outdir;
  }

  deploy(build: (stack: Stack) => void, options: Partial<DeployLocalOptions> = {}, context: Record<string, string> = {}): Promise<DeployReport> {
    return deployLocal({ assemblyDir: this.synth(build, context), stateFile: this.stateFile, emulator: this.running, ...options });
  }

  destroy(options: Partial<DestroyLocalOptions> = {}): Promise<DeployReport> {
    return destroyLocal({ stateFile: this.stateFile, emulator: this.running, ...options });
  }

  /** The API calls the emulator saw for one service operation. */
  calls(operation: string) {
    return this.running.emulator.calls().filter((c) => c.operation === operation);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Fails the test with the run's output when the run did not succeed. */
export function expectSuccess(report: DeployReport): DeployReport {
  if (!report.success) throw new Error(`the run failed: ${report.reason}\n${report.lines.join('\n')}`);
  return report;
}

/** The physical id and action of a construct's custom resource (logical id starting with `prefix`). */
export function rowFor(report: DeployReport, prefix: string) {
  const row = report.rows.find((r) => r.logicalId.startsWith(prefix) && r.type.startsWith('Custom::'));
  if (!row) throw new Error(`no custom resource row for ${prefix}: ${report.rows.map((r) => r.logicalId).join(', ')}`);
  return row;
}

/** The calls that change something each resource's provider request made (from the provider's log lines), sorted. */
export function providerChanges(report: DeployReport): Record<string, string[]> {
  const calls: Record<string, string[]> = {};
  for (const record of report.logs) {
    const start = record.line.indexOf('{');
    if (start < 0) continue;
    const entry = JSON.parse(record.line.slice(start)) as { message?: string; operation?: string };
    if (entry.message === 'api call' && entry.operation && isMutating(entry.operation)) (calls[record.logicalId] ??= []).push(entry.operation);
  }
  return Object.fromEntries(Object.entries(calls).map(([id, operations]) => [id, operations.sort()]));
}
