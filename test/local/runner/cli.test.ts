import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AccessLevel, WickrBot, WickrNetwork } from '../../../lib';
import { RunningEmulator, startEmulator } from '../../../local/emulator';
import { deployLocalCommand, destroyLocalCommand, parseArgs } from '../../../local/runner/cli';
import { publishControlToken } from '../../../local/emulator/control-token';
import { deployLocal } from '../../../local/runner';
import { readToyState } from '../../fixtures/runner/toy-app';

/**
 * `deploy-local` / `destroy-local` as a user runs them: the app is synthesized by its
 * command (as the CDK CLI does), the embedded emulator keeps its state beside the state
 * file, `--endpoint` uses a running emulator instead.
 */

const ROOT = path.join(__dirname, '..', '..', '..');
const APP = 'node -r ts-node/register/transpile-only test/fixtures/runner/app.ts';

let dir: string;
let stateFile: string;
let toyStateFile: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-cli-'));
  stateFile = path.join(dir, 'local', 'state.json');
  toyStateFile = path.join(dir, 'toy-service.json');
});
afterEach(() => {
  delete process.env.RUNNER_TOY_SPEC;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes the fixture app's spec; the app reads it from RUNNER_TOY_SPEC. */
function spec(content: Record<string, unknown>): string {
  const file = path.join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify({ toyStateFile, ...content }));
  process.env.RUNNER_TOY_SPEC = file;
  return file;
}

/** Runs the real command line in a child process: what the console shows, and the exit code. */
function cli(args: string[], specFile: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'bin', 'cli.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, RUNNER_TOY_SPEC: specFile, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PREFER_TS_EXTS: 'true' }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs a command in process, collecting what it prints. */
async function inProcess(command: (args: string[]) => Promise<number>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await command(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

test(
  'deploy-local in a fresh process: synthesizes the app, deploys into the embedded emulator (state kept beside), prints progress and a table, no handler logs; a second run changes nothing',
  async () => {
    const csv = path.join(dir, 'users.csv');
    fs.writeFileSync(csv, 'email\nalice@example.com\n');
    const specFile = spec({ resources: { Hello: { Name: 'hello' } }, secret: true, usersFile: csv });

    const first = await cli(['deploy-local', '--app', APP, '--state', stateFile], specFile);
    expect(first.stderr).not.toContain('failed');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/ {2}CREATE_COMPLETE {5}Custom::Toy +Hello {2}toy-1\n/);
    expect(first.stdout).toContain('CliToyStack: CREATE_COMPLETE');
    expect(first.stdout).toMatch(/Logical ID +Type +Physical ID +Action/);
    expect(first.stdout).not.toContain('"message"'); // the provider's log lines stay out of the console

    const emulatorState = path.join(dir, 'local', 'emulator-state.json');
    const saved = JSON.parse(fs.readFileSync(emulatorState, 'utf8'));
    const secretArn = readToyState(toyStateFile).events[0].ResourceProperties.SecretArn as string;
    expect(saved.secretsmanager.map((s: { arn: string }) => s.arn)).toEqual([secretArn]);
    const { UsersBucket, UsersKey } = readToyState(toyStateFile).events[0].ResourceProperties as Record<string, string>;
    expect(Buffer.from(saved.s3[UsersBucket][UsersKey].body, 'base64').toString('utf8')).toBe('email\nalice@example.com\n');

    const second = await cli(['deploy-local', '--app', APP, '--state', stateFile], specFile);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('CliToyStack: nothing changed (no request was sent)');
    expect(second.stdout).not.toMatch(/\s(created|updated|deleted)$/m);
    expect(second.stdout).toContain('CliToyStack: adopted 0, created 0, changed 0, unchanged 5');
    expect(readToyState(toyStateFile).events).toHaveLength(1);
    // The emulator's state was loaded before and saved after: the secret is still there.
    expect(JSON.parse(fs.readFileSync(emulatorState, 'utf8')).secretsmanager.map((s: { arn: string }) => s.arn)).toEqual([secretArn]);
  },
  180_000,
);

test('destroy-local and a failed deploy-local through the command functions; exit codes', async () => {
  const specFile = spec({ resources: { Hello: { Name: 'hello' } }, secret: true });
  void specFile;
  const deployed = await inProcess(deployLocalCommand, ['--app', APP, '--state', stateFile]);
  expect(deployed.code).toBe(0);
  expect(Object.keys(readToyState(toyStateFile).resources)).toEqual(['toy-1']);

  const destroyed = await inProcess(destroyLocalCommand, ['--state', stateFile]);
  expect(destroyed.code).toBe(0);
  expect(destroyed.stdout).toContain('CliToyStack: DELETE_COMPLETE');
  expect(readToyState(toyStateFile).resources).toEqual({});
  expect(JSON.parse(fs.readFileSync(stateFile, 'utf8')).stacks).toEqual({});
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'local', 'emulator-state.json'), 'utf8')).secretsmanager).toEqual([]);

  spec({ resources: { Hello: { FailOn: 'Create' } } });
  const failed = await inProcess(deployLocalCommand, ['--app', APP, '--state', stateFile]);
  expect(failed.code).toBe(1);
  expect(failed.stdout).toContain('CliToyStack: ROLLBACK_COMPLETE');
  expect(failed.stderr).toContain('deploy-local failed: Hello (Custom::Toy): Received response status [FAILED] from custom resource. Message returned: toy: Create refused (FailOn)');
}, 120_000);

describe('--endpoint', () => {
  let running: RunningEmulator;
  const home = process.env.HOME;
  beforeAll(async () => {
    running = await startEmulator({ port: 0 });
  });
  afterAll(() => running.close());
  beforeEach(() => {
    // Where the emulator command keeps its control token: a temporary home folder here.
    process.env.HOME = path.join(dir, 'home');
  });
  afterEach(() => {
    process.env.HOME = home;
  });

  test('uses a running emulator over HTTP (native resources and assets too), finding its control token on its own; no embedded emulator state', async () => {
    // What the emulator command does when it starts.
    publishControlToken(running.port, running.controlToken);
    const csv = path.join(dir, 'users.csv');
    fs.writeFileSync(csv, 'email\nbob@example.com\n');
    spec({ resources: { Hello: { Name: 'hello' } }, secret: true, usersFile: csv });
    const result = await inProcess(deployLocalCommand, ['--app', APP, '--state', stateFile, '--endpoint', running.url]);
    expect(result.code).toBe(0);
    const props = readToyState(toyStateFile).events[0];
    expect(props.endpoint).toBe(running.url);
    const { SecretArn, UsersBucket, UsersKey } = props.ResourceProperties as Record<string, string>;
    expect(running.emulator.secrets.getSecretString(SecretArn)).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(running.emulator.s3.getObject(UsersBucket, UsersKey)?.toString('utf8')).toBe('email\nbob@example.com\n');
    expect(running.emulator.calls().map((c) => `${c.service} ${c.operation}`)).toEqual(['s3 HeadObject', 's3 PutObject', 'secretsmanager CreateSecret']);
    expect(fs.existsSync(path.join(dir, 'local', 'emulator-state.json'))).toBe(false);
    expect(result.stdout + result.stderr).not.toContain(running.controlToken);
    const destroyed = await inProcess(destroyLocalCommand, ['--state', stateFile, '--endpoint', running.url]);
    expect(destroyed.code).toBe(0);
    expect(running.emulator.listStacks()).toEqual([]);
  }, 120_000);

  test('without the control token (no emulator command on this machine wrote it), or with a stale one: a clear error naming where it is looked for', async () => {
    const missing = await deployLocal({ assemblyDir: dir, endpoint: running.url, stateFile });
    expect(missing.success).toBe(false);
    expect(missing.reason).toBe(
      `no control token for the emulator at ${running.url}: run it with "cdk-wickr-chime emulator" as the same user on this machine ` +
        `(it writes ${path.join(dir, 'home', '.cdk-wickr-chime', 'emulators', `${running.port}.token`)}), or set CDK_WICKR_CHIME_EMULATOR_TOKEN to the content of that file`,
    );
    publishControlToken(running.port, 'a-token-of-an-emulator-that-stopped');
    const stale = await deployLocal({ assemblyDir: dir, endpoint: running.url, stateFile });
    expect(stale.reason).toBe(`the emulator at ${running.url} refused the control token (a token file left by an emulator that stopped?)`);
  });

  test('an endpoint that does not answer is a clear error', async () => {
    const report = await deployLocal({ assemblyDir: dir, endpoint: 'http://127.0.0.1:1', stateFile, controlToken: 'any' });
    expect(report.success).toBe(false);
    expect(report.reason).toContain('cannot reach the emulator at http://127.0.0.1:1');
  });
});

test('usage errors and a failing app', async () => {
  expect(parseArgs(['--app'])).toEqual({ error: '--app needs a value' });
  expect(parseArgs(['--bogus'])).toEqual({ error: 'unknown option "--bogus"' });
  expect(parseArgs(['--endpoint', 'localhost:4599'])).toEqual({ error: '--endpoint must be a URL (http://host:port), not "localhost:4599"' });
  expect(parseArgs(['--stack', 'A', '--stack', 'B', '--parameter', 'Stage=prod', '--verbose'])).toEqual({
    options: { stacks: ['A', 'B'], parameters: { Stage: 'prod' }, verbose: true },
  });
  expect(parseArgs(['--context', 'a=1', '--context', 'b=x=y', '--concurrency', '2', '--wide', '-v'])).toEqual({
    options: { context: { a: '1', b: 'x=y' }, concurrency: 2, wide: true, verbose: true },
  });
  expect(parseArgs(['--concurrency', '0'])).toEqual({ error: '--concurrency must be a positive number, not "0"' });
  expect(parseArgs(['--context', '=v'])).toEqual({ error: '--context takes KEY=VALUE, not "=v"' });
  expect(parseArgs(['--app', '--state', 'x'])).toEqual({ error: '--app needs a value' });
  expect(parseArgs(['-h', '--app', 'a'])).toEqual({ help: true });
  const usage = await inProcess(deployLocalCommand, ['--nope']);
  expect([usage.code, usage.stderr]).toEqual([2, 'cdk-wickr-chime deploy-local: unknown option "--nope" (see "cdk-wickr-chime deploy-local --help")\n']);
  const help = await inProcess(destroyLocalCommand, ['--help']);
  expect([help.code, help.stderr]).toEqual([0, '']);
  expect(help.stdout).toMatch(/^usage: cdk-wickr-chime destroy-local \[options\]/);

  // The app's output is in the one failure message, on stderr.
  const broken = await inProcess(deployLocalCommand, ['--app', `node -e "console.error('boom'); process.exit(3)"`, '--state', stateFile]);
  expect(broken.code).toBe(1);
  expect(broken.stderr).toContain('synthesis failed');
  expect(broken.stderr).toContain('boom');
  expect(broken.stdout).not.toContain('failed');
});

describe('--secret: secrets the app references by name, put into the emulator before the deploy', () => {
  const VALUE = 'challenge-value-from-a-file-5f3a';

  /** A stack whose bot reads its challenge from the secret `alerts/challenge` (by name), synthesized to a directory. */
  function secretApp(): string {
    const outdir = path.join(dir, 'cdk.out');
    const app = new App({ outdir });
    const stack = new Stack(app, 'Secrets', { env: { account: '123456789012', region: 'us-east-1' } });
    const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    new WickrBot(stack, 'Alerts', { network, username: 'alertsbot', challenge: secretsmanager.Secret.fromSecretNameV2(stack, 'Challenge', 'alerts/challenge') });
    app.synth();
    return outdir;
  }

  test('parsed: NAME=VALUE and NAME=@FILE, repeatable; a bad one names the problem, never the value; deploy-local only', () => {
    const file = path.join(dir, 'value.txt');
    fs.writeFileSync(file, `${VALUE}\n`);
    const parsed = parseArgs(['--secret', 'a/b=plain', '--secret', `c=@${file}`]);
    expect('options' in parsed && parsed.options.secrets).toEqual({ 'a/b': 'plain', c: VALUE });
    for (const bad of [['--secret', 'novalue'], ['--secret', 'bad name=x'], ['--secret', `x=@${path.join(dir, 'missing')}`]]) {
      const result = parseArgs(bad);
      expect('error' in result && result.error).toMatch(/^--secret/);
    }
    expect(parseArgs(['--secret', 'a=b'], 'destroy')).toEqual({ error: '--secret is an option of deploy-local only' });
  });

  test('embedded emulator: the stack deploys with the secret; the value is printed nowhere and sealed in the state', async () => {
    const file = path.join(dir, 'challenge.txt');
    fs.writeFileSync(file, VALUE);
    const run = await inProcess(deployLocalCommand, ['--app', secretApp(), '--state', stateFile, '--secret', `alerts/challenge=@${file}`]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('secret alerts/challenge: created');
    expect(run.stdout).not.toContain(VALUE);
    const emulatorState = path.join(path.dirname(stateFile), 'emulator-state.json');
    expect(fs.readFileSync(emulatorState, 'utf8')).not.toContain(VALUE);
    expect(fs.readFileSync(emulatorState, 'utf8')).toContain('aes-256-gcm');
    expect(fs.statSync(path.join(path.dirname(stateFile), 'emulator-state.key')).mode & 0o777).toBe(0o600);
  });

  test('--endpoint: put into the running emulator, a second run gives the secret a new value', async () => {
    const running = await startEmulator({ port: 0 });
    const home = process.env.HOME;
    try {
      // What the emulator command does when it starts (its token file, in a temporary home here).
      process.env.HOME = path.join(dir, 'home');
      publishControlToken(running.port, running.controlToken);
      const assembly = secretApp();
      expect((await inProcess(deployLocalCommand, ['--app', assembly, '--state', stateFile, '--endpoint', running.url, '--secret', `alerts/challenge=${VALUE}`])).code).toBe(0);
      expect(running.emulator.secrets.getSecretString('alerts/challenge')).toBe(VALUE);
      const again = await inProcess(deployLocalCommand, ['--app', assembly, '--state', stateFile, '--endpoint', running.url, '--secret', 'alerts/challenge=rotated-value']);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('secret alerts/challenge: new value');
      expect(running.emulator.secrets.getSecretString('alerts/challenge')).toBe('rotated-value');
    } finally {
      process.env.HOME = home;
      await running.close();
    }
  });
});
