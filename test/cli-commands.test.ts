import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningEmulator, startEmulator } from '../local/emulator';

/**
 * `cdk-wickr-chime` as a user runs it, in a child process: every subcommand answers
 * --help and -h with its usage (exit 0), bad arguments with one line on stderr (exit 2),
 * a synth failure is printed once as one readable message, and the AWS SDK's Node.js
 * version warning never lands in the output.
 */

const ROOT = path.join(__dirname, '..');
const SUBCOMMANDS = ['emulator', 'deploy-local', 'destroy-local', 'drift', 'plan', 'import'];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-commands-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs bin/cli.ts from the sources (not a stale build) with `env` over the test's environment. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PREFER_TS_EXTS: 'true', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  return new Promise((resolve) => {
    execFile(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'bin', 'cli.ts'), ...args], { cwd: ROOT, env: childEnv, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('--help, -h and "help <command>": each subcommand prints its own usage on stdout and exits 0', async () => {
  const forms = (command: string) => [[command, '--help'], [command, '-h'], ['help', command], ['-h', command]];
  const runs = await Promise.all(SUBCOMMANDS.flatMap((command) => forms(command).map((args) => cli(args))));
  SUBCOMMANDS.forEach((command, i) => {
    for (const run of runs.slice(i * 4, i * 4 + 4)) {
      expect({ command, code: run.code, stderr: run.stderr }).toEqual({ command, code: 0, stderr: '' });
      expect(run.stdout).toMatch(new RegExp(`^usage: cdk-wickr-chime ${command} \\[options\\]\n`));
      expect(run.stdout).toMatch(/-h, --help/);
    }
  });
  for (const top of await Promise.all([cli(['--help']), cli(['-h']), cli(['help'])])) {
    expect([top.code, top.stderr, top.stdout.startsWith('usage: cdk-wickr-chime <command> [options]')]).toEqual([0, '', true]);
  }
}, 120_000);

test.each([
  [['emulator', '--bogus'], 'emulator', 'unknown option "--bogus"'],
  [['emulator', '--port'], 'emulator', '--port needs a value'],
  [['emulator', '--port', 'high'], 'emulator', '--port must be a port number, not "high"'],
  [['deploy-local', '--app'], 'deploy-local', '--app needs a value'],
  [['deploy-local', '--app', '--wide'], 'deploy-local', '--app needs a value'],
  [['deploy-local', '--stack', 'A', 'B'], 'deploy-local', 'unexpected argument "B"'],
  [['deploy-local', '--parameter', 'NoValue'], 'deploy-local', '--parameter takes NAME=VALUE, not "NoValue"'],
  [['destroy-local', '--verbose=yes'], 'destroy-local', '--verbose takes no value'],
  [['destroy-local', '--parameter', 'A=1'], 'destroy-local', '--parameter is an option of deploy-local only'],
  [['drift', '--stak', 'x'], 'drift', 'unknown option "--stak"'],
  [['drift', '--endpoint', 'localhost'], 'drift', '--endpoint must be a URL (http://host:port), not "localhost"'],
  [['plan', '--bogus'], 'plan', 'unknown option "--bogus"'],
  [['plan', '--context', 'novalue'], 'plan', '--context takes KEY=VALUE, not "novalue"'],
  [['import', '--out', 'x'], 'import', 'give at least one --network-id or --app-instance-arn'],
  [['deploy'], undefined, 'unknown command "deploy"'],
  [['--bogus', 'drift'], undefined, 'unknown option "--bogus"'],
])('bad arguments %j: one line on stderr that says what is wrong, exit 2', async (args, command, reason) => {
  const run = await cli(args);
  const name = command ? `cdk-wickr-chime ${command}` : 'cdk-wickr-chime';
  expect(run).toEqual({ code: 2, stdout: '', stderr: `${name}: ${reason} (see "${name} --help")\n` });
}, 60_000);

test('no command: the list of commands on stderr, exit 2', async () => {
  const run = await cli([]);
  expect([run.code, run.stdout]).toEqual([2, '']);
  expect(run.stderr).toMatch(/^cdk-wickr-chime: no command given\n\nusage: cdk-wickr-chime <command> \[options\]\n/);
});

describe('a synth failure inside deploy-local', () => {
  const app = 'node -r ts-node/register/transpile-only test/fixtures/cli/invalid-app.ts';
  const run = (env: Record<string, string>, name: string) => cli(['deploy-local', '--app', app, '--state', path.join(dir, `state-${name}.json`)], env);

  /** What every synth failure shows: the reason once, on stderr, without stack frames or code frames; exit 1. */
  function expectOneReadableMessage(result: Run, message: string): void {
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`synthesizing (${app})...\n`);
    expect(result.stderr.startsWith(`deploy-local failed: synthesis failed: \`${app}\` exited with 1\n`)).toBe(true);
    const all = result.stdout + result.stderr;
    expect(all.split(message).length - 1).toBe(1);
    expect(all.split('synthesis failed').length - 1).toBe(1);
    expect(all).not.toMatch(/^\s+at |\.[jt]s:\d+$|^\s*\^+$|^Node\.js v\d/m);
  }

  test("this library's validation error: its message, once", async () => {
    expectOneReadableMessage(await run({}, 'library'), '[Invalid/Ops] networkName: must be 1 to 20 characters long, got 26 (received "operations-network-eu-west")');
  }, 60_000);

  test("CDK's ValidationError: its message right after the first line, and the construct tree CDK adds", async () => {
    const message = "«StackNameInvalidFormat» Stack name must match the regular expression: /^[A-Za-z][A-Za-z0-9-]*$/, got 'not a valid name!'";
    const result = await run({ INVALID_APP: 'stack-name' }, 'cdk');
    expectOneReadableMessage(result, message);
    expect(result.stderr).toBe(`deploy-local failed: synthesis failed: \`${app}\` exited with 1\n${message}\nRelates to construct:\n    <.> (aws-cdk-lib.App)\n     └─ Invalid (aws-cdk-lib.Stack)\n`);
  }, 60_000);
});

describe('the AWS SDK Node.js version warning', () => {
  let running: RunningEmulator;
  beforeAll(async () => {
    running = await startEmulator({ port: 0 });
  });
  afterAll(() => running.close());

  test('is not printed, even when the environment does not switch it off (the SDK warns on Node.js < 22)', async () => {
    // drift creates the SDK's CloudFormation and Lambda clients, which warn when they are made.
    const run = await cli(['drift', '--endpoint', running.url, '--stack', 'Nope'], { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^drift: there is no stack named Nope[^\n]*\n$/);
  }, 60_000);
});
