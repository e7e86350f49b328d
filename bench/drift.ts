/**
 * Drift figures for `npm run bench` (bench/run.ts prints what `benchDrift` returns). Nothing
 * here asserts: the targets (issue 9) are read against the printed numbers.
 *
 * - the read calls of a drift check of the example stack (through the emulator, with the
 *   official CloudFormation and Lambda clients, as `cdk-wickr-chime drift` makes them);
 * - a 10,000-user WickrUsers: list calls at most ceil(10,000 / page size) for its read,
 *   plus one read per other resource; and that check's wall time with 50 ms per call.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { ExampleStack } from '../bin/example-stack';
import { CreateNetworkCommand, ListSecurityGroupsCommand, WickrClient } from '../lambda/wickr/client';
import { driftCommand } from '../cli/drift/cli';
import { startEmulator } from '../local/emulator';
import { deployLocal } from '../local/runner';
import { startHarness } from '../test/harness/handler-harness';

async function exampleCheck(out: Record<string, string | number>): Promise<void> {
  const running = await startEmulator({ port: 0, seed: 9 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-drift-'));
  try {
    const outdir = path.join(dir, 'cdk.out');
    const app = new App({ outdir });
    new ExampleStack(app, 'Example', { env: { account: '123456789012', region: 'us-east-1' } });
    app.synth();
    const deployed = await deployLocal({ stateFile: path.join(dir, 'state.json'), emulator: running, assemblyDir: outdir });
    if (!deployed.success) throw new Error(`deploying the example failed: ${deployed.reason}`);
    running.emulator.clearCalls();
    const started = process.hrtime.bigint();
    const code = await driftCommand(['--endpoint', running.url, '--stack', 'Example', '--json'], { out: () => undefined, err: () => undefined });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (code !== 0) throw new Error(`the drift check of the example answered ${code}`);
    const calls = running.emulator.calls();
    const of = (service: string) => calls.filter((c) => c.service === service).length;
    const resources = calls.filter((c) => c.service === 'lambda').length;
    out['drift, example stack: resources checked (one Invoke each)'] = resources;
    out['drift, example stack: service read calls (Wickr, Chime, Secrets Manager)'] = of('wickr') + of('chime') + of('secretsmanager');
    out['drift, example stack: CloudFormation calls'] = of('cloudformation');
    out['drift, example stack: wall time, no latency (ms)'] = ms.toFixed(0);
  } finally {
    await running.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function tenThousandUsers(out: Record<string, string | number>): Promise<void> {
  const h = await startHarness({ seed: 11 });
  try {
    const wickr = new WickrClient({ region: 'us-east-1' });
    const { networkId } = await wickr.send(new CreateNetworkCommand({ networkName: 'bench-drift', accessLevel: 'PREMIUM' }));
    const { securityGroups } = await wickr.send(new ListSecurityGroupsCommand({ networkId: networkId! }));
    const users = Array.from({ length: 10_000 }, (_, i) => ({ username: `user${String(i).padStart(5, '0')}@example.com`, firstName: `First${i}`, lastName: `Last${i}` }));
    const props = { NetworkId: networkId!, Groups: { default: securityGroups!.find((g) => g.isDefault)!.id }, DefaultGroup: 'default', Users: users };
    const created = await h.create({ type: 'Custom::WickrUsers', props });
    if (created.Status !== 'SUCCESS') throw new Error(`creating 10,000 users failed: ${created.Reason}`);
    const read = async () => {
      h.clearCalls();
      const started = process.hrtime.bigint();
      const answer = await h.read({ type: 'Custom::WickrUsers', props, physicalId: created.PhysicalResourceId! });
      if (answer.Status !== 'SUCCESS' || !answer.Exists) throw new Error(`reading 10,000 users failed: ${answer.Reason}`);
      return { calls: h.calls(), ms: Number(process.hrtime.bigint() - started) / 1e6 };
    };
    const fast = await read();
    out['drift, 10,000-user WickrUsers: ListUsers calls  [target <= ceil(10,000 / 100) = 100]'] = fast.calls.filter((c) => c.operation === 'ListUsers').length;
    out['drift, 10,000-user WickrUsers: all calls of its read'] = fast.calls.length;
    h.emulator.latencyMs = 50;
    out['drift, 10,000-user WickrUsers: wall time of its read, 50 ms latency per call (ms)'] = (await read()).ms.toFixed(0);
  } finally {
    h.emulator.latencyMs = 0;
    await h.close();
  }
}

export async function benchDrift(): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  await exampleCheck(out);
  await tenThousandUsers(out);
  return out;
}

if (require.main === module) {
  benchDrift().then((figures) => {
    for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(64)} ${value}`);
  });
}
