import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emulatorCommand } from '../../../local/emulator/cli';
import { createEmulator, startEmulator } from '../../../local/emulator/index';
import { controlTokenFile, controlTokenFor } from '../../../local/emulator/control-token';
import { send, wickr } from './core-fakes';

// The entry points wire in the real Wickr and Chime implementations, which other modules
// provide; these tests of the core's entry points run them against the fakes instead.
jest.mock('../../../local/emulator/wickr', () => ({ createWickrService: () => jest.requireActual('./core-fakes').fakeWickr() }), { virtual: true });
jest.mock('../../../local/emulator/chime', () => ({ createChimeService: () => jest.requireActual('./core-fakes').fakeChime() }), { virtual: true });

let dir: string;
const home = process.env.HOME;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-cli-'));
  // The command keeps its control token under the home folder: a temporary one here.
  process.env.HOME = path.join(dir, 'home');
});
afterEach(() => {
  process.env.HOME = home;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the command until it prints its line; returns the URL, the output (stdout, stderr) and a stop function (SIGTERM). */
async function runCommand(args: string[]): Promise<{ url: string; output: string; errors: () => string; stop(): Promise<number> }> {
  let output = '';
  let errors = '';
  let printed!: () => void;
  const line = new Promise<void>((resolve) => (printed = resolve));
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    if (output.includes('\n')) printed();
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    errors += String(chunk);
    return true;
  });
  const exit = emulatorCommand(args);
  const stop = () => {
    process.emit('SIGTERM', 'SIGTERM');
    return exit;
  };
  try {
    await Promise.race([line, exit.then((code) => Promise.reject(new Error(`exited with ${code} before printing`)))]);
    // What the command prints on stderr follows its stdout line at once.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const url = /^listening on (http:\/\/\S+)\n$/.exec(output)?.[1];
  if (!url) {
    await stop();
    throw new Error(`unexpected output ${JSON.stringify(output)}`);
  }
  return { url, output, errors: () => errors, stop };
}

test('emulator command: prints exactly the listening line, serves, saves --state on SIGTERM and loads it next time', async () => {
  const state = path.join(dir, 'emulator-state.json');
  const first = await runCommand(['--port', '0', '--state', state]);
  expect(first.output).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
  const created = await wickr(first.url, 'POST', '/networks', { networkName: 'kept', accessLevel: 'STANDARD' });
  expect(created.status).toBe(200);
  expect(await first.stop()).toBe(0);
  expect(JSON.parse(fs.readFileSync(state, 'utf8')).wickr.service[created.json.networkId]).toMatchObject({ networkName: 'kept' });

  const second = await runCommand(['--state', state, '--port', '0', '--host', '127.0.0.1']);
  const got = await wickr(second.url, 'GET', `/networks/${created.json.networkId}`);
  expect(got.json).toMatchObject({ networkName: 'kept' });
  expect(await second.stop()).toBe(0);
});

test('emulator command: its control token is kept for its user only (0600 in a 0700 folder), never printed, and removed at exit', async () => {
  const running = await runCommand(['--port', '0']);
  const port = Number(new URL(running.url).port);
  const file = controlTokenFile(port);
  try {
    expect(file).toBe(path.join(dir, 'home', '.cdk-wickr-chime', 'emulators', `${port}.token`));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const token = fs.readFileSync(file, 'utf8').trim();
    expect(running.errors()).toBe(`control token in ${file} (readable by you only; deploy-local and destroy-local --endpoint read it)\n`);
    expect(running.output + running.errors()).not.toContain(token);
    expect(controlTokenFor(running.url)).toBe(token);
    const headers = (t: string) => ({ authorization: `Bearer ${t}` });
    expect((await send(running.url, 'GET', '/_emulator/faults', headers(token))).status).toBe(200);
    expect((await send(running.url, 'GET', '/_emulator/faults', headers('guessed'))).status).toBe(401);
  } finally {
    expect(await running.stop()).toBe(0);
  }
  expect(fs.existsSync(file)).toBe(false);
});

test('emulator command: listening beyond loopback prints a clear warning; --allow-host names are answered', async () => {
  const exposed = await runCommand(['--port', '0', '--host', '0.0.0.0', '--allow-host', 'emulator.internal']);
  try {
    expect(exposed.output).toMatch(/^listening on http:\/\/0\.0\.0\.0:\d+\n$/);
    expect(exposed.errors()).toContain('warning: the emulator listens on 0.0.0.0, so other machines can reach it.');
    const port = new URL(exposed.url).port;
    const token = { authorization: `Bearer ${fs.readFileSync(controlTokenFile(Number(port)), 'utf8').trim()}` };
    expect((await send(exposed.url, 'GET', '/_emulator/faults', { ...token, host: `emulator.internal:${port}` })).status).toBe(200);
    expect((await send(exposed.url, 'GET', '/_emulator/faults', { ...token, host: `${os.hostname()}:${port}` })).status).toBe(200);
    expect((await send(exposed.url, 'GET', '/_emulator/faults', { ...token, host: `rebind.attacker.example:${port}` })).status).toBe(403);
  } finally {
    await exposed.stop();
  }
  for (const host of ['127.0.0.1', '::1']) {
    const local = await runCommand(['--port', '0', '--host', host]);
    await local.stop();
    expect(local.errors()).not.toContain('warning');
  }
});

test.each([
  [['--port', 'abc'], '--port must be a port number, not "abc"'],
  [['--port'], '--port needs a value'],
  [['--verbose'], 'unknown option "--verbose"'],
])('emulator command %j: exit code 2 and the reason on stderr', async (args, reason) => {
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await emulatorCommand(args)).toBe(2);
    expect(err.mock.calls.map(([chunk]) => String(chunk))).toEqual([`cdk-wickr-chime emulator: ${reason} (see "cdk-wickr-chime emulator --help")\n`]);
  } finally {
    err.mockRestore();
  }
});

test('emulator command --help: its usage on stdout, exit 0, nothing started', async () => {
  let output = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  });
  try {
    expect(await emulatorCommand(['--help'])).toBe(0);
    expect(await emulatorCommand(['-h'])).toBe(0);
  } finally {
    out.mockRestore();
  }
  expect(output).toMatch(/^usage: cdk-wickr-chime emulator \[options\]\n/);
  expect(output).not.toMatch(/^listening on http/m);
});

test('startEmulator: 127.0.0.1 on a free port, account 123456789012, stateFile loaded when present', async () => {
  const file = path.join(dir, 'state.json');
  const seed = createEmulator();
  seed.secrets.createSecret({ name: 'persisted', secretString: 'v' });
  seed.saveState(file);

  const running = await startEmulator({ port: 0, stateFile: file });
  try {
    expect(running.url).toBe(`http://127.0.0.1:${running.port}`);
    expect(running.emulator.accountId).toBe('123456789012');
    expect(running.emulator.secrets.getSecretString('persisted')).toBe('v');
  } finally {
    await running.close();
  }
  const fresh = await startEmulator({ stateFile: path.join(dir, 'absent.json'), accountId: '210987654321' });
  try {
    expect(fresh.emulator.exportState().secretsmanager).toEqual([]);
    expect(fresh.emulator.accountId).toBe('210987654321');
  } finally {
    await fresh.close();
  }
});
