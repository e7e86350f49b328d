import * as fs from 'fs';
import * as path from 'path';
import { AccessLevel, UsersFile, WickrNetwork, WickrUsers } from '../../../lib';
import { driftCommand } from '../../../cli/drift/cli';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { expectSuccess, rowFor, StackWorkspace } from '../../harness/stack-workspace';

/**
 * The drift table at scale: a `WickrUsers` of 1,200 users, 300 of them changed by hand and
 * 50 deleted. On a terminal the row keeps to 120 columns and still shows both counts;
 * piped, the lines are whole (as with `--wide`), since a pipe has no width.
 */

let running: RunningEmulator<DefaultServices>;
let ws: StackWorkspace;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 12 });
  ws = new StackWorkspace(running, 'Staff');
});
afterAll(async () => {
  ws.remove();
  await running.close();
});

async function drift(isTTY: boolean): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await driftCommand(['--endpoint', running.url, '--stack', 'Staff'], { out: (s) => void (out += s), err: () => undefined, isTTY });
  return { code, out };
}

test('1,200 users, 300 changed and 50 deleted: the row shows "300 changed" and "50 missing" within 120 columns; piped output is not cut', async () => {
  const csv = path.join(ws.dir, 'users.csv');
  const names = Array.from({ length: 1200 }, (_, i) => `staff.member.number.${String(i).padStart(4, '0')}@operations.example.com`);
  fs.writeFileSync(csv, `username,lastName\n${names.map((n, i) => `${n},L${i}`).join('\n')}\n`);
  const deployed = expectSuccess(
    await ws.deploy((stack) => {
      const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM });
      new WickrUsers(stack, 'Staff', { network, usersFile: UsersFile.fromCsv(csv) });
    }),
  );
  const networkId = rowFor(deployed, 'Ops').physicalId!;
  // By hand: 300 last names changed, 50 users deleted.
  const users = running.emulator.services.wickr.store.state.networks[networkId].users;
  const live = Object.values(users).sort((a, b) => a.username.localeCompare(b.username));
  for (const user of live.slice(0, 300)) user.lastName = 'Edited';
  for (const user of live.slice(300, 350)) delete users[user.userId];

  const terminal = await drift(true);
  expect(terminal.code).toBe(1);
  const lines = terminal.out.split('\n');
  expect(lines.filter((l) => l.length > 120)).toEqual([]);
  const row = lines.find((l) => l.includes('Custom::WickrUsers'))!;
  expect(row).toContain('300 changed');
  expect(row).toContain('50 missing');

  const piped = await drift(false);
  expect(piped.code).toBe(1);
  const whole = piped.out.split('\n').find((l) => l.includes('Custom::WickrUsers'))!;
  expect(whole).toMatch(/300 changed.*50 missing/);
  // every username the summary names is whole, none cut in the middle or at the end
  expect(whole).toContain(names[0]);
  expect(whole).toContain(names[300]);
  expect(whole).not.toContain('...@');
}, 120_000);
