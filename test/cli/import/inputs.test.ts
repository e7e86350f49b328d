import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { importCli, Made, makeByHand, readAll } from './fixture';

/**
 * `import` is stable (a second run writes the same bytes), never writes or prints a secret,
 * and refuses bad input with one line and exit 2, writing nothing.
 */
let running: RunningEmulator<DefaultServices>;
let dir: string;
let made: Made;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 152 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-inputs-'));
  made = await makeByHand(running, Array.from({ length: 120 }, (_, i) => `user${i}@example.com`));
});
afterAll(async () => {
  await running.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const args = (out: string, ...more: string[]) => ['--endpoint', running.url, '--network-id', made.networkId, '--app-instance-arn', made.instanceArn, '--out', out, ...more];
const snapshot = (out: string) => Object.fromEntries(fs.readdirSync(out).sort().map((f) => [f, fs.readFileSync(path.join(out, f))]));

test('two runs on the same live state write byte-identical files; the class and stack name come from the network', async () => {
  const out = path.join(dir, 'stable');
  const first = await importCli(args(out));
  expect(first.code).toBe(0);
  const before = snapshot(out);
  expect(Object.keys(before)).toEqual(['AcmeOrg-app.ts', 'AcmeOrg-users.csv', 'AcmeOrg.ts']);
  const second = await importCli(args(out));
  expect(second.code).toBe(0);
  expect(snapshot(out)).toEqual(before);
  expect(second.out).toEqual(first.out);
});

test('no secret value the emulator holds is written or printed', async () => {
  const out = path.join(dir, 'secrets');
  const run = await importCli(args(out));
  expect(run.code).toBe(0);
  const everything = `${readAll(out)}\n${run.out}\n${run.err}`;
  const held = made.secretValues;
  expect(made.secretValues.length).toBeGreaterThanOrEqual(3);
  for (const value of held) expect(everything).not.toContain(value);
  // each becomes a reference with a TODO instead
  expect(run.out).toMatch(/Create these 2 secret\(s\) first/);
});

describe('bad input: one line, exit 2, nothing written', () => {
  const expectRefused = async (argv: string[], message: RegExp, out: string) => {
    const before = fs.existsSync(out) ? snapshot(out) : undefined;
    const run = await importCli(argv);
    expect(run.code).toBe(2);
    // progress lines may come first; the error is one line, the last
    const lines = run.err.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.filter((l) => l.startsWith('import:'))).toHaveLength(1);
    expect(lines.pop()).toMatch(message);
    expect(fs.existsSync(out) ? snapshot(out) : undefined).toEqual(before);
  };

  test('an unknown network id', async () => {
    const out = path.join(dir, 'unknown-network');
    await expectRefused(['--endpoint', running.url, '--network-id', '99999999', '--out', out], /^import: there is no Wickr network 99999999 in this account and region$/, out);
  });

  test('an unknown app instance ARN', async () => {
    const out = path.join(dir, 'unknown-instance');
    const arn = made.instanceArn.replace(/app-instance\/.*/, 'app-instance/00000000-0000-4000-8000-000000000000');
    await expectRefused(['--endpoint', running.url, '--app-instance-arn', arn, '--out', out], /^import: there is no app instance arn:.* in this account and region$/, out);
  });

  test('missing permissions: the IAM action is named', async () => {
    const out = path.join(dir, 'denied');
    const reader = { accessKeyId: 'AKIAIMPORTREADER0001', secretAccessKey: 'import-reader-secret' };
    running.emulator.registerPrincipal(reader.accessKeyId, {
      secretAccessKey: reader.secretAccessKey,
      arn: 'arn:aws:iam::123456789012:user/import-reader',
      statements: [{ Effect: 'Allow', Action: ['wickr:GetNetwork', 'wickr:GetNetworkSettings', 'wickr:ListSecurityGroups', 'wickr:GetSecurityGroup'], Resource: '*' }] as never,
    });
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: reader.accessKeyId, AWS_SECRET_ACCESS_KEY: reader.secretAccessKey });
    try {
      await expectRefused(['--endpoint', running.url, '--network-id', made.networkId, '--out', out], /^import: reading the bots of network \d{8} was refused: the credentials lack wickr:ListBots/, out);
    } finally {
      process.env = saved;
    }
  });

  test('an --out holding files import did not write (unless --force)', async () => {
    const out = path.join(dir, 'foreign');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'notes.md'), 'mine\n');
    await expectRefused(args(out), /^import: --out .* holds files import did not write \(notes\.md\): give an empty or new directory, or --force to write there anyway$/, out);
    const forced = await importCli(args(out, '--force'));
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'notes.md'), 'utf8')).toBe('mine\n');
  });

  test('a read that fails halfway: nothing is written', async () => {
    const out = path.join(dir, 'halfway');
    running.emulator.addFault({ operation: 'ListUsers', kind: 'error', after: 1, count: 100 });
    try {
      await expectRefused(args(out), /^import: reading the users of network \d{8} failed: /, out);
    } finally {
      running.emulator.clearFaults();
    }
    expect(fs.existsSync(out)).toBe(false);
  });

  test('bad arguments', async () => {
    expect(await importCli(['--out', path.join(dir, 'x')])).toMatchObject({ code: 2, out: '', err: 'cdk-wickr-chime import: give at least one --network-id or --app-instance-arn (see "cdk-wickr-chime import --help")\n' });
    expect((await importCli(['--network-id', '1', '--name', 'not-a-class'])).err).toMatch(/--name must be a class name/);
    const help = await importCli(['--help']);
    expect([help.code, help.err]).toEqual([0, '']);
    expect(help.out).toMatch(/^usage: cdk-wickr-chime import \[options\]\n/);
  });
});
