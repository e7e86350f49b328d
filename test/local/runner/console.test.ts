import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { ExampleStack } from '../../../bin/example-stack';
import { AccessLevel, WickrNetwork, WickrUsers } from '../../../lib';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { deployLocal } from '../../../local/runner';
import { usersSummary } from '../../../local/runner/messages';
import { expectSuccess, StackWorkspace } from '../../harness/stack-workspace';

/**
 * What deploy-local prints with this library's real constructs: the table of the example
 * stack (long ARNs) within 120 columns unless wide, and a WickrUsers update's summary
 * line without --verbose.
 */

let running: RunningEmulator<DefaultServices>;
beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 7 });
});
afterAll(() => running.close());

/** The lines of the run's final table (from its header to the first line after it that is not a row). */
function tableOf(lines: readonly string[]): string[] {
  const start = lines.findIndex((l) => /^Logical ID +Type +Physical ID +Action$/.test(l));
  const end = lines.findIndex((l, i) => i > start && /^ {2}output |^\S+: /.test(l));
  return lines.slice(start, end < 0 ? undefined : end);
}

test('the example stack: the table fits 120 columns, long ARNs shortened in the middle; wide shows them whole', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-'));
  try {
    const outdir = path.join(dir, 'cdk.out');
    const app = new App({ outdir });
    new ExampleStack(app, 'Example', { env: { account: '123456789012', region: 'us-east-1' } });
    app.synth();
    const stateFile = path.join(dir, 'state.json');

    const deployed = expectSuccess(await deployLocal({ stateFile, emulator: running, assemblyDir: outdir }));
    const endpointRow = deployed.rows.find((r) => r.type === 'Custom::ChimeAppInstanceUserEndpoint')!;
    const endpoint = endpointRow.physicalId!;
    expect(endpoint.length).toBeGreaterThan(120);
    const table = tableOf(deployed.lines);
    expect(table.length).toBe(deployed.rows.length + 2);
    expect(table.filter((l) => l.length > 120)).toEqual([]);
    expect(table.join('\n')).not.toContain(endpoint);
    expect(table.find((l) => l.startsWith(endpointRow.logicalId))).toMatch(new RegExp(`  ${endpoint.slice(0, 8)}\\S*\\.\\.\\.\\S*${endpoint.slice(-8)}  created$`));

    const again = expectSuccess(await deployLocal({ stateFile, emulator: running, assemblyDir: outdir, wide: true }));
    const wide = tableOf(again.lines);
    expect(wide.some((l) => l.length > 120)).toBe(true);
    expect(wide.join('\n')).toContain(endpoint);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

test('a WickrUsers update prints who was added, changed and removed, without --verbose, and no names of people', async () => {
  const ws = new StackWorkspace(running, 'UsersSummary');
  try {
    const user = (n: number, firstName = `First${n}`) => ({ username: `user${n}@example.com`, firstName, lastName: `Last${n}` });
    const build = (users: ReturnType<typeof user>[]) => (stack: Parameters<Parameters<StackWorkspace['deploy']>[0]>[0]) => {
      const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops-summary', accessLevel: AccessLevel.STANDARD });
      new WickrUsers(stack, 'Staff', { network, users });
    };
    const created = expectSuccess(await ws.deploy(build([user(1), user(2), user(3)])));
    expect(created.lines.filter((l) => / users \d+ added/.test(l))).toEqual([]); // a create is not an update

    // Given: user2 renamed, user3 removed, five added.
    const updated = expectSuccess(await ws.deploy(build([user(1), user(2, 'Renamed'), user(4), user(5), user(6), user(7), user(8)])));
    const logicalId = updated.rows.find((r) => r.type === 'Custom::WickrUsers')!.logicalId;
    const summaries = updated.lines.filter((l) => l.includes(': users '));
    expect(summaries).toEqual([
      `      ${logicalId}: users 5 added (user4@example.com, user5@example.com, user6@example.com and 2 more), 1 changed (user2@example.com), 1 removed (user3@example.com)`,
    ]);
    expect(updated.lines.join('\n')).not.toMatch(/Renamed|First\d|Last\d|"message"/);
    // The provider's log line carries the usernames (never first or last names) and the counts.
    const logged = updated.logs.map((l) => l.line).find((l) => l.includes('"users updated"'))!;
    expect(JSON.parse(logged).users).toEqual({
      added: { count: 5, first: ['user4@example.com', 'user5@example.com', 'user6@example.com', 'user7@example.com', 'user8@example.com'] },
      changed: { count: 1, first: ['user2@example.com'] },
      removed: { count: 1, first: ['user3@example.com'] },
    });
    expect(logged).not.toMatch(/Renamed|First\d|Last\d/);
  } finally {
    ws.remove();
  }
}, 120_000);

test('usersSummary reads only the users updated line', () => {
  const line = JSON.stringify({ level: 'info', message: 'users updated', users: { added: { count: 0, first: [] }, changed: { count: 2, first: ['a', 'b'] }, removed: { count: 0, first: [] } } });
  expect(usersSummary(line, 'Staff')).toBe('Staff: users 0 added, 2 changed (a, b), 0 removed');
  expect(usersSummary(JSON.stringify({ level: 'info', message: 'users created', created: 3 }), 'Staff')).toBeUndefined();
  expect(usersSummary('not json "users updated"', 'Staff')).toBeUndefined();
  expect(usersSummary(JSON.stringify({ message: 'users updated', created: 1 }), 'Staff')).toBeUndefined(); // an older handler: no users member
});
