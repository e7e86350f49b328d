import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChimeSDKIdentityClient, ListAppInstancesCommand } from '@aws-sdk/client-chime-sdk-identity';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { StateStore } from '../../../local/runner/state';
import { send, sign, wickr } from './core-fakes';
import { ACCOUNT, REGION, stackSpec } from './stacks-fixtures';

/**
 * The emulator on a developer's machine, tried as an attacker would: a web page in the
 * developer's browser (DNS rebinding, cross-origin "simple" requests), another program
 * that guesses the control API, and a registration that names any directory as a
 * function's code. The official clients, which send the emulator's own address as `Host`
 * and no `Origin`, keep working unchanged.
 */

let running: RunningEmulator<DefaultServices>;
let dir: string;

beforeEach(async () => {
  running = await startEmulator({ port: 0, seed: 3 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-exposure-'));
});
afterEach(async () => {
  await running.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const bearer = () => ({ authorization: `Bearer ${running.controlToken}` });
const control = (method: string, route: string, headers: Record<string, string> = {}, body?: string) => send(running.url, method, `/_emulator/${route}`, headers, body);
const networks = () => Object.keys(running.emulator.services.wickr.store.state.networks);

describe('Host: only the names of its own address (DNS rebinding)', () => {
  test('a request for another host name is refused, control and service endpoints alike', async () => {
    const rebound = { host: `rebind.attacker.example:${running.port}` };
    const res = await control('GET', 'calls', { ...rebound, ...bearer() });
    expect(res.status).toBe(403);
    expect(res.json.message).toMatch(/^Host "rebind\.attacker\.example" is not an address of this emulator/);
    // A signed Wickr call for that host (the signature is valid for it) is refused too.
    const signed = await sign(`http://rebind.attacker.example:${running.port}`, { method: 'GET', path: '/networks', service: 'wickr' });
    expect((await send(running.url, 'GET', '/networks', signed)).status).toBe(403);
    expect(running.emulator.calls()).toEqual([]);
  });

  test.each(['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]'])('Host %s is answered', async (name) => {
    expect((await control('GET', 'faults', { host: `${name}:${running.port}`, ...bearer() })).status).toBe(200);
  });
});

describe('Origin: a foreign one is refused', () => {
  test('cross-origin text/plain POSTs to /_emulator/faults and /_emulator/reset change nothing, token or not', async () => {
    expect((await wickr(running.url, 'POST', '/networks', { networkName: 'kept', accessLevel: 'STANDARD' })).status).toBe(200);
    for (const origin of ['http://evil.example', 'null', `http://localhost:${running.port + 1}`, `https://127.0.0.1:${running.port}`]) {
      const headers = { origin, 'content-type': 'text/plain' };
      const fault = await control('POST', 'faults', headers, JSON.stringify({ operation: '*', kind: 'error' }));
      expect([origin, fault.status]).toEqual([origin, 403]);
      expect(fault.json.message).toContain('Origin');
      expect((await control('POST', 'reset', { ...headers, ...bearer() })).status).toBe(403);
    }
    expect(running.emulator.listFaults()).toEqual([]);
    expect(networks()).toHaveLength(1);
  });

  test('a service call with a foreign Origin is refused; the emulator\'s own origin is not foreign', async () => {
    expect((await wickr(running.url, 'GET', '/networks', undefined, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await control('GET', 'faults', { origin: `http://127.0.0.1:${running.port}`, ...bearer() })).status).toBe(200);
  });
});

describe('control endpoints need the per-process token', () => {
  test.each([
    ['GET', 'calls'],
    ['DELETE', 'calls'],
    ['POST', 'reset'],
    ['GET', 'faults'],
    ['POST', 'faults'],
    ['GET', 'state'],
    ['PUT', 'state'],
    ['GET', 'principals'],
    ['PUT', 'principals/AKIAEXAMPLEEXAMPLE01'],
    ['GET', 'stacks'],
    ['PUT', 'stacks/Ops'],
    ['GET', 'nothing'],
  ])('%s /_emulator/%s without the token, or with another one: 401', async (method, route) => {
    const other = await startEmulator({ port: 0 });
    try {
      const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${other.controlToken}` }, { authorization: running.controlToken }];
      for (const headers of attempts) {
        const res = await control(method, route, { ...headers, 'content-type': 'application/json' }, '{}');
        expect([headers, res.status]).toEqual([headers, 401]);
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    } finally {
      await other.close();
    }
    expect(running.emulator.listStacks()).toEqual([]);
    expect(running.emulator.listPrincipals()).toEqual([]);
  });

  test('with the token every route answers; each emulator has its own; it never appears in the call log or the state', async () => {
    expect(running.controlToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const other = await startEmulator({ port: 0 });
    expect(other.controlToken).not.toBe(running.controlToken);
    await other.close();
    expect((await control('POST', 'faults', { ...bearer(), 'content-type': 'application/json' }, JSON.stringify({ operation: 'GetNetwork', kind: 'throttle', count: 1 }))).status).toBe(200);
    expect((await control('GET', 'faults', bearer())).json).toEqual([{ operation: 'GetNetwork', kind: 'throttle', count: 1 }]);
    const calls = await control('GET', 'calls?detail=1', bearer());
    expect(JSON.stringify(calls.json)).not.toContain(running.controlToken);
    expect(JSON.stringify((await control('GET', 'state', bearer())).json)).not.toContain(running.controlToken);
  });

  test('the official clients need no token: their Host is the emulator\'s own address', async () => {
    const chime = new ChimeSDKIdentityClient({ region: REGION, endpoint: running.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    expect((await chime.send(new ListAppInstancesCommand({}))).AppInstances).toEqual([]);
    chime.destroy();
  });
});

describe('Invoke runs only code the runner staged from a cloud assembly', () => {
  const marker = () => path.join(dir, 'pwned');
  /** A directory an attacker controls: its index.js writes the file the caller names. */
  function anyDirectory(): string {
    const code = path.join(dir, 'downloads');
    fs.mkdirSync(code);
    fs.writeFileSync(path.join(code, 'index.js'), "exports.handler = async () => require('fs').writeFileSync(process.env.TARGET, 'ran');");
    return code;
  }
  const fn = (codeDir: string) => ({
    logicalId: 'Evil',
    functionName: 'evil',
    arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:evil`,
    codeDir,
    handler: 'index.handler',
    timeoutSeconds: 3,
    memorySize: 128,
    environment: { TARGET: marker() },
  });
  const invoke = async () => {
    const lambda = new LambdaClient({ region: REGION, endpoint: running.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    try {
      return await lambda.send(new InvokeCommand({ FunctionName: 'evil' })).then(
        (out) => ({ ok: out.FunctionError === undefined }),
        (err: { name: string; message: string }) => ({ error: err.name, message: err.message }),
      );
    } finally {
      lambda.destroy();
    }
  };

  test('a registration naming any directory as code is refused, over HTTP with the token and in process', async () => {
    const spec = stackSpec({ functions: [fn(anyDirectory())] });
    const res = await control('PUT', 'stacks/Ops', { ...bearer(), 'content-type': 'application/json' }, JSON.stringify(spec));
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/functions\[0\]: codeDir .* is not function code deploy-local staged/);
    expect(() => running.emulator.registerStack('Ops', spec)).toThrow(/is not function code deploy-local staged/);
    expect(await invoke()).toMatchObject({ error: 'ResourceNotFoundException' });
    expect(fs.existsSync(marker())).toBe(false);
  });

  test('a state that names such a directory (PUT /_emulator/state): Invoke refuses to load it', async () => {
    const state = running.emulator.exportState() as unknown as Record<string, unknown>;
    const recorded = { ...stackSpec({ functions: [fn(anyDirectory())] }), outputs: {}, creationTime: new Date().toISOString() };
    const res = await control('PUT', 'state', { ...bearer(), 'content-type': 'application/json' }, JSON.stringify({ ...state, cloudformation: { stacks: [recorded] } }));
    expect(res.status).toBe(200);
    expect(await invoke()).toMatchObject({ error: 'CodeVerificationFailedException', message: expect.stringContaining('not function code deploy-local staged') });
    expect(fs.existsSync(marker())).toBe(false);
  });

  test('code deploy-local staged runs; the same code changed after staging does not', async () => {
    const source = path.join(dir, 'asset');
    fs.mkdirSync(source);
    fs.writeFileSync(path.join(source, 'index.js'), "exports.handler = async () => 'hello';");
    const staged = path.join(dir, 'run', new StateStore(path.join(dir, 'run', 'state.json')).storeCode(source));
    running.emulator.registerStack('Ops', stackSpec({ functions: [fn(staged)] }));
    expect(await invoke()).toEqual({ ok: true });

    running.emulator.reset();
    running.emulator.registerStack('Ops', stackSpec({ functions: [fn(staged)] }));
    fs.writeFileSync(path.join(staged, 'index.js'), "exports.handler = async () => require('fs').writeFileSync(process.env.TARGET, 'ran');");
    expect(await invoke()).toMatchObject({ error: 'CodeVerificationFailedException' });
    expect(fs.existsSync(marker())).toBe(false);
  });
});
