import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLevel, WickrNetwork } from '../../../lib';
import { deployLocal, destroyLocal, emulatorStateFileFor } from '../../../local/runner';

/**
 * Each state file has its own embedded emulator: two state files in one folder (a dev and a
 * prod deployment of one app) keep their resources apart.
 */

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'state-files-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function assembly(): string {
  const outdir = path.join(dir, 'cdk.out');
  const app = new App({ outdir });
  const stack = new Stack(app, 'Chat', { env: { account: '123456789012', region: 'us-east-1' } });
  new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM, removalPolicy: RemovalPolicy.DESTROY });
  app.synth();
  return outdir;
}

/** The networks an embedded emulator's state file holds. */
function networks(stateFile: string): Array<{ networkId: string; networkName: string }> {
  const state = JSON.parse(fs.readFileSync(stateFile.replace(/\.json$/, '.emulator-state.json'), 'utf8')) as { wickr: { service: { networks: Record<string, { networkId: string; networkName: string }> } } };
  return Object.values(state.wickr.service.networks);
}

test('emulatorStateFileFor: state.json keeps emulator-state.json; any other name has its own', () => {
  expect(emulatorStateFileFor(path.join('x', 'state.json'))).toBe(path.join('x', 'emulator-state.json'));
  expect(emulatorStateFileFor(path.join('x', 'dev.json'))).toBe(path.join('x', 'dev.emulator-state.json'));
  expect(emulatorStateFileFor(path.join('x', 'prod'))).toBe(path.join('x', 'prod.emulator-state.json'));
});

test('a dev and a prod state file in one folder each get their own emulator', async () => {
  const assemblyDir = assembly();
  const dev = path.join(dir, 'dev.json');
  const prod = path.join(dir, 'prod.json');

  const devRun = await deployLocal({ assemblyDir, stateFile: dev });
  const prodRun = await deployLocal({ assemblyDir, stateFile: prod });
  expect(devRun.success).toBe(true);
  expect(prodRun.success).toBe(true);
  const devNetwork = devRun.rows.find((r) => r.type === 'Custom::WickrNetwork');
  const prodNetwork = prodRun.rows.find((r) => r.type === 'Custom::WickrNetwork');
  // Each was created in its own emulator: neither took over the other's.
  expect(devNetwork?.action).toBe('created');
  expect(prodNetwork?.action).toBe('created');
  expect(networks(dev).map((n) => n.networkId)).toEqual([devNetwork?.physicalId]);
  expect(networks(prod).map((n) => n.networkId)).toEqual([prodNetwork?.physicalId]);

  // Destroying dev leaves prod's network where it is.
  expect((await destroyLocal({ stateFile: dev })).success).toBe(true);
  expect(networks(dev)).toEqual([]);
  expect(networks(prod).map((n) => n.networkId)).toEqual([prodNetwork?.physicalId]);
  expect((await destroyLocal({ stateFile: prod })).success).toBe(true);
  expect(networks(prod)).toEqual([]);
});
