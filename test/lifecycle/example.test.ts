import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { ExampleStack } from '../../bin/example-stack';
import { DefaultServices, RunningEmulator, startEmulator } from '../../local/emulator';
import { deployLocal, destroyLocal } from '../../local/runner';
import { expectSuccess } from '../harness/stack-workspace';

/**
 * The example stack (`npm run demo`) with the defaults a user gets: it deploys, it can be
 * destroyed (what the defaults retain stays, nothing is half-deleted), a failed first deploy
 * leaves nothing behind, and a redeploy after that failure works.
 */
let running: RunningEmulator<DefaultServices>;
let dir: string;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 31 });
});
afterAll(() => running.close());
beforeEach(() => {
  running.emulator.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function synth(): string {
  const outdir = path.join(dir, 'cdk.out');
  const app = new App({ outdir });
  new ExampleStack(app, 'Example', { env: { account: '123456789012', region: 'us-east-1' } });
  app.synth();
  return outdir;
}

const wickr = () => running.emulator.services.wickr.store.state.networks;
const chime = () => running.emulator.services.chime.store.state.instances;
const run = { stateFile: '', emulator: undefined as unknown as RunningEmulator<DefaultServices> };

test('deploy-local then destroy-local of the example stack succeeds; what the defaults retain stays whole', async () => {
  Object.assign(run, { stateFile: path.join(dir, 'state.json'), emulator: running });
  const assemblyDir = synth();
  expectSuccess(await deployLocal({ ...run, assemblyDir }));
  const destroyed = expectSuccess(await destroyLocal(run));
  const retained = destroyed.rows.filter((r) => r.action === 'retained').map((r) => r.type).sort();
  expect(retained).toEqual(
    expect.arrayContaining(['Custom::ChimeAppInstance', 'Custom::WickrNetwork', 'Custom::WickrSecurityGroup', 'Custom::WickrUsers']),
  );
  expect(destroyed.rows.filter((r) => r.action === 'failed')).toEqual([]);
  // The network stays with its users and the group they are in; the bot (in that group) is gone.
  const [network] = Object.values(wickr());
  expect(Object.values(network.groups).map((g) => g.name).sort()).toContain('analysts');
  expect(Object.keys(network.users).length).toBeGreaterThan(0);
  expect(network.bots).toEqual({});
  // The app instance stays; its users, bot, admin role and endpoint were deleted.
  const [instance] = Object.values(chime());
  expect(instance.users).toEqual({});
  expect(instance.bots).toEqual({});
});

test('a first deploy that fails removes the network and the app instance it made (RetainExceptOnCreate); the next deploy succeeds', async () => {
  Object.assign(run, { stateFile: path.join(dir, 'state.json'), emulator: running });
  const assemblyDir = synth();
  // The bot's create fails for good: the stack rolls back.
  running.emulator.addFault({ operation: 'CreateBot', kind: 'error', count: 100 });
  const failed = await deployLocal({ ...run, assemblyDir });
  expect(failed.success).toBe(false);
  expect(failed.stacks[0].status).toBe('ROLLBACK_COMPLETE');
  expect(Object.values(wickr())).toEqual([]);
  // DeleteAppInstance is asynchronous: the instance is being deleted
  expect(Object.values(chime()).filter((i) => !i.deletion)).toEqual([]);

  running.emulator.clearFaults();
  expectSuccess(await deployLocal({ ...run, assemblyDir }));
  expect(Object.values(wickr())).toHaveLength(1);
});
