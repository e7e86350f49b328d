import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emulatorCommand } from '../local/emulator/cli';
import { createEmulator, startEmulator } from '../local/emulator/index';
import { wickr } from './emulator-core-fakes';

// The entry points wire in the real Wickr and Chime implementations, which other modules
// provide; these tests of the core's entry points run them against the fakes instead.
jest.mock('../local/emulator/wickr', () => ({ createWickrService: () => jest.requireActual('./emulator-core-fakes').fakeWickr() }), { virtual: true });
jest.mock('../local/emulator/chime', () => ({ createChimeService: () => jest.requireActual('./emulator-core-fakes').fakeChime() }), { virtual: true });

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-cli-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the command until it prints its line; returns the URL, the output and a stop function (SIGTERM). */
async function runCommand(args: string[]): Promise<{ url: string; output: string; stop(): Promise<number> }> {
  let output = '';
  let printed!: () => void;
  const line = new Promise<void>((resolve) => (printed = resolve));
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    if (output.includes('\n')) printed();
    return true;
  });
  const exit = emulatorCommand(args);
  const stop = () => {
    process.emit('SIGTERM', 'SIGTERM');
    return exit;
  };
  try {
    await Promise.race([line, exit.then((code) => Promise.reject(new Error(`exited with ${code} before printing`)))]);
  } finally {
    out.mockRestore();
  }
  const url = /^listening on (http:\/\/\S+)\n$/.exec(output)?.[1];
  if (!url) {
    await stop();
    throw new Error(`unexpected output ${JSON.stringify(output)}`);
  }
  return { url, output, stop };
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
