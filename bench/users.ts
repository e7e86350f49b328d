/**
 * WickrUsers figures for `npm run bench` (bench/run.ts prints what `benchUsers` returns;
 * `node -r ts-node/register/transpile-only bench/users.ts` prints them alone). Nothing
 * here asserts: the targets are read against the printed numbers.
 *
 * Targets (issue 3): 1,000 users created in 20 API calls; 1 call when one user changes
 * (we make 2: the user id must be looked up, see lambda/wickr/users.ts); the wall time
 * with 50 ms of injected latency; 10,000 users synthesize to a template under 1 MB.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { CreateNetworkCommand, ListSecurityGroupsCommand, WickrClient } from '../lambda/wickr/client';
import { AccessLevel, UsersFile, WickrNetwork, WickrUsers } from '../lib';
import { startHarness } from '../test/harness/handler-harness';

const TYPE = 'Custom::WickrUsers';

interface Harness {
  readonly h: Awaited<ReturnType<typeof startHarness>>;
  readonly wickr: WickrClient;
}

type UserSpec = { username: string; firstName: string; lastName: string; suspended?: boolean };
const users = (count: number): UserSpec[] =>
  Array.from({ length: count }, (_, i) => ({ username: `user${String(i).padStart(5, '0')}@example.com`, firstName: `First${i}`, lastName: `Last${i}` }));

async function network(harness: Harness, name: string) {
  const { networkId } = await harness.wickr.send(new CreateNetworkCommand({ networkName: name, accessLevel: 'PREMIUM' }));
  const { securityGroups } = await harness.wickr.send(new ListSecurityGroupsCommand({ networkId: networkId! }));
  const props = (list: UserSpec[]) => ({ NetworkId: networkId!, Groups: { default: securityGroups!.find((g) => g.isDefault)!.id }, DefaultGroup: 'default', Users: list });
  return { networkId: networkId!, props };
}

/** Runs one lifecycle event; returns the Wickr calls it made and its wall time. */
async function measure(harness: Harness, run: () => Promise<{ Status: string; Reason?: string; PhysicalResourceId?: string }>) {
  harness.h.clearCalls();
  const started = process.hrtime.bigint();
  const response = await run();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (response.Status !== 'SUCCESS') throw new Error(`benchmark step failed: ${response.Reason}`);
  return { calls: harness.h.calls().length, ms, physicalId: response.PhysicalResourceId! };
}

async function apiFigures(out: Record<string, string | number>): Promise<void> {
  const h = await startHarness({ seed: 5 });
  const harness = { h, wickr: new WickrClient({ region: 'us-east-1' }) };
  try {
    // Call counts, no latency.
    const net = await network(harness, 'bench-users');
    const initial = users(1000);
    const created = await measure(harness, () => h.create({ type: TYPE, props: net.props(initial) }));
    out['WickrUsers: API calls to create 1,000 users  [target 20]'] = created.calls;
    out['WickrUsers: API calls, update changing nothing  [target 0]'] = (
      await measure(harness, () => h.update({ type: TYPE, props: net.props(initial), oldProps: net.props(initial), physicalId: created.physicalId }))
    ).calls;
    const oneChanged = initial.map((u, i) => (i === 500 ? { ...u, lastName: 'Changed' } : u));
    out['WickrUsers: API calls when one user of 1,000 changes  [target 1; we make 2: ListUsers lookup + UpdateUser]'] = (
      await measure(harness, () => h.update({ type: TYPE, props: net.props(oneChanged), oldProps: net.props(initial), physicalId: created.physicalId }))
    ).calls;
    const mixed = oneChanged.filter((_, i) => i !== 10).map((u, i) => (i === 600 ? { ...u, firstName: 'Changed' } : u)).concat(users(1001).slice(1000));
    out['WickrUsers: API calls, one changed + one removed + one added'] = (
      await measure(harness, () => h.update({ type: TYPE, props: net.props(mixed), oldProps: net.props(oneChanged), physicalId: created.physicalId }))
    ).calls;
    out['WickrUsers: API calls to delete 1,000 users'] = (await measure(harness, () => h.remove({ type: TYPE, props: net.props(mixed), physicalId: created.physicalId }))).calls;

    // Wall time with 50 ms per call.
    h.emulator.latencyMs = 50;
    const slow = await network(harness, 'bench-slow');
    const slowCreate = await measure(harness, () => h.create({ type: TYPE, props: slow.props(initial) }));
    out['WickrUsers: wall time to create 1,000 users, 50 ms latency per call (ms)'] = slowCreate.ms.toFixed(0);
    out['WickrUsers: wall time when one user changes, 50 ms latency (ms)'] = (
      await measure(harness, () => h.update({ type: TYPE, props: slow.props(oneChanged), oldProps: slow.props(initial), physicalId: slowCreate.physicalId }))
    ).ms.toFixed(0);
    out['WickrUsers: wall time to delete 1,000 users, 50 ms latency (ms)'] = (
      await measure(harness, () => h.remove({ type: TYPE, props: slow.props(oneChanged), physicalId: slowCreate.physicalId }))
    ).ms.toFixed(0);
  } finally {
    h.emulator.latencyMs = 0;
    await h.close();
  }
}

function synthFigures(out: Record<string, string | number>): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-users-'));
  try {
    const file = path.join(dir, 'users.csv');
    const rows = ['username,firstName,lastName,suspended'];
    for (let i = 0; i < 10_000; i++) rows.push(`user${i}@example.com,First${i},Last${i},${i % 100 === 0}`);
    fs.writeFileSync(file, rows.join('\n'));
    const started = process.hrtime.bigint();
    const app = new App({ outdir: path.join(dir, 'out') });
    const stack = new Stack(app, 'Users', { env: { account: '123456789012', region: 'us-east-1' } });
    const net = new WickrNetwork(stack, 'Net', { networkName: 'bench', accessLevel: AccessLevel.PREMIUM });
    new WickrUsers(stack, 'Users', { network: net, usersFile: UsersFile.fromCsv(file) });
    const assembly = app.synth();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const template = path.join(assembly.directory, 'Users.template.json');
    out['WickrUsers: 10,000 users from a file: synth time (ms)'] = ms.toFixed(0);
    out['WickrUsers: 10,000 users from a file: template (bytes)  [target < 1,000,000]'] = fs.statSync(template).size;
    out['WickrUsers: 10,000 users from a file: resources in the stack  [limit 500]'] = Object.keys(JSON.parse(fs.readFileSync(template, 'utf8')).Resources).length;
    out['WickrUsers: 10,000 users from a file: the CSV asset (bytes)'] = fs.statSync(file).size;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchUsers(): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  await apiFigures(out);
  synthFigures(out);
  return out;
}

if (require.main === module) {
  process.env.CDK_VALIDATION = 'false';
  benchUsers().then(
    (figures) => {
      for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(100)} ${value}`);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
