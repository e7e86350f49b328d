import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { deployLocal, destroyLocal } from '../../../local/runner';

/**
 * One run at a time per state file: a second `deploy-local` on a state file another run
 * holds is refused (naming the file and the holder's pid) and changes nothing; the lock goes
 * with the run that held it, and one left by a process that is gone is taken over.
 */

let running: RunningEmulator<DefaultServices>;
let dir: string;
let stateFile: string;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 43 });
});
afterAll(() => running.close());
beforeEach(() => {
  running.emulator.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-'));
  stateFile = path.join(dir, 'state.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An app of one stack with one log group. */
function assembly(stackName: string): string {
  const outdir = path.join(dir, `cdk.out.${stackName}`);
  const app = new App({ outdir });
  new CfnResource(new Stack(app, stackName, { env: { account: '123456789012', region: 'us-east-1' } }), 'Group', { type: 'AWS::Logs::LogGroup' });
  app.synth();
  return outdir;
}

const stacksInState = () => Object.keys((JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { stacks: object }).stacks).sort();
const lockFile = () => `${stateFile}.lock`;

test('a second run on the state file while the first holds it is refused, naming the file and the pid; no stack is lost', async () => {
  const first = deployLocal({ assemblyDir: assembly('First'), stateFile, emulator: running });
  const second = deployLocal({ assemblyDir: assembly('Second'), stateFile, emulator: running });
  const [a, b] = await Promise.all([first, second]);

  expect(a.success).toBe(true);
  expect(b.success).toBe(false);
  expect(b.reason).toContain(`${stateFile} is in use by another run (deploy-local, pid ${process.pid}`);
  expect(b.stacks).toEqual([]);
  expect(stacksInState()).toEqual(['First']);
  expect(fs.existsSync(lockFile())).toBe(false);

  // Once the first has ended, the second deploys beside it.
  expect((await deployLocal({ assemblyDir: assembly('Second'), stateFile, emulator: running })).success).toBe(true);
  expect(stacksInState()).toEqual(['First', 'Second']);
});

test('destroy-local takes the same lock', async () => {
  expect((await deployLocal({ assemblyDir: assembly('First'), stateFile, emulator: running })).success).toBe(true);
  const deploying = deployLocal({ assemblyDir: assembly('Second'), stateFile, emulator: running });
  const destroying = destroyLocal({ stateFile, emulator: running });
  const [deployed, destroyed] = await Promise.all([deploying, destroying]);
  expect(deployed.success).toBe(true);
  expect(destroyed.success).toBe(false);
  expect(destroyed.reason).toContain(`${stateFile} is in use by another run (deploy-local, pid ${process.pid}`);
  expect(stacksInState()).toEqual(['First', 'Second']);
});

test('a run that fails releases the lock too', async () => {
  fs.writeFileSync(stateFile, '{ not json');
  const report = await deployLocal({ assemblyDir: assembly('First'), stateFile, emulator: running });
  expect(report.success).toBe(false);
  expect(fs.existsSync(lockFile())).toBe(false);
});

test('a lock left by a process that is gone (a crashed run) is taken over', async () => {
  const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
  expect(gone.pid).toBeGreaterThan(0);
  fs.writeFileSync(lockFile(), JSON.stringify({ pid: gone.pid, command: 'deploy-local', since: '2026-01-01T00:00:00.000Z' }));

  const report = await deployLocal({ assemblyDir: assembly('First'), stateFile, emulator: running });
  expect(report.success).toBe(true);
  expect(stacksInState()).toEqual(['First']);
  expect(fs.existsSync(lockFile())).toBe(false);
});

test('a lock held by a running process refuses the run and stays', async () => {
  const held = JSON.stringify({ pid: process.ppid, command: 'destroy-local' });
  fs.writeFileSync(lockFile(), held);
  const report = await deployLocal({ assemblyDir: assembly('First'), stateFile, emulator: running });
  expect(report.reason).toContain(`${stateFile} is in use by another run (destroy-local, pid ${process.ppid})`);
  expect(report.reason).toContain(`remove ${lockFile()}`);
  expect(fs.existsSync(stateFile)).toBe(false);
  expect(fs.readFileSync(lockFile(), 'utf8')).toBe(held);
});

test('a process that exits while it holds the lock (without ending its run) releases it', () => {
  const script = `require(${JSON.stringify(path.resolve(__dirname, '../../../local/runner/lock'))}).StateLock.acquire(process.argv[1], 'deploy-local');
require('fs').writeFileSync(process.argv[1] + '.seen', require('fs').readFileSync(process.argv[1] + '.lock'));
process.exit(3);`;
  const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script, stateFile], { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8' });
  expect(child.status).toBe(3);
  expect(JSON.parse(fs.readFileSync(`${stateFile}.seen`, 'utf8')).pid).toBe(child.pid);
  expect(fs.existsSync(lockFile())).toBe(false);
});
