import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChimeSDKIdentityClient, CreateAppInstanceCommand, DescribeAppInstanceCommand } from '@aws-sdk/client-chime-sdk-identity';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Emulator } from '../../../local/emulator/emulator';
import { EmulatorRequest, parseQuery } from '../../../local/emulator/protocol';
import { RunningEmulator, serve } from '../../../local/emulator/server';
import { control as controlCall, fakeChime, fakeWickr, sign, wickr } from './core-fakes';

type Fakes = { wickr: ReturnType<typeof fakeWickr>; chime: ReturnType<typeof fakeChime> };
let running: RunningEmulator<Fakes>;

beforeAll(async () => {
  running = await serve(new Emulator({ wickr: fakeWickr(), chime: fakeChime() }, { seed: 3 }));
});
afterAll(() => running.close());
beforeEach(() => running.emulator.reset());

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
// Its clock agrees with the emulator's (tests move it; AWS refuses signatures 15 minutes off).
const chime = (maxAttempts = 1) =>
  new ChimeSDKIdentityClient({ region: 'us-east-1', endpoint: running.url, credentials: CREDENTIALS, maxAttempts, systemClockOffset: running.emulator.clock.offsetMs });
const createNetwork = () => wickr(running.url, 'POST', '/networks', { networkName: 'n', accessLevel: 'STANDARD' });
const control = (method: string, route: string, body?: unknown) => controlCall(running, method, route, body);

describe('faults', () => {
  test('throttle: Wickr 429 RateLimitError, Chime 429 ThrottledClientException; the operation does not run', async () => {
    running.emulator.addFault({ operation: '*', kind: 'throttle', count: 2 });
    const w = await createNetwork();
    expect(w.status).toBe(429);
    expect(w.headers['x-amzn-errortype']).toBe('RateLimitError');
    expect(w.json).toEqual({ message: 'Rate exceeded (injected fault)' });
    const err = await chime()
      .send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ThrottledClientException', Code: 'Throttled', $metadata: { httpStatusCode: 429 } });
    expect(running.emulator.services.wickr.runs).toEqual({});
    expect(running.emulator.services.chime.runs).toEqual({});
    expect((await createNetwork()).status).toBe(200); // count used up
    expect(running.emulator.calls().map((c) => [c.operation, c.status, c.fault])).toEqual([
      ['CreateNetwork', 429, 'throttle'],
      ['CreateAppInstance', 429, 'throttle'],
      ['CreateNetwork', 200, undefined],
    ]);
  });

  test('after: the first matching calls pass, then the fault fires its count', async () => {
    running.emulator.addFault({ operation: 'CreateNetwork', kind: 'error', after: 2, count: 1 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await createNetwork()).status);
    expect(statuses).toEqual([200, 200, 500, 200]);
    expect(() => running.emulator.addFault({ operation: 'CreateNetwork', kind: 'error', after: -1 })).toThrow('after must be a non-negative integer');
  });

  test('error: Wickr 500 InternalServerError, Chime 500 ServiceFailureException; the SDK retries through it', async () => {
    running.emulator.addFault({ operation: 'CreateNetwork', kind: 'error', count: 1 });
    const w = await createNetwork();
    expect(w.status).toBe(500);
    expect(w.headers['x-amzn-errortype']).toBe('InternalServerError');
    running.emulator.addFault({ operation: 'CreateAppInstance', kind: 'error', count: 1 });
    const err = await chime()
      .send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ServiceFailureException', Code: 'ServiceFailure', $metadata: { httpStatusCode: 500 } });
    running.emulator.addFault({ operation: 'CreateAppInstance', kind: 'error', count: 1 });
    const ok = await chime(3).send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }));
    expect(ok.$metadata.attempts).toBe(2);
  });

  test('drop-after-commit: the state changes, the client gets a socket error, and the retry replays the token', async () => {
    running.emulator.addFault({ operation: 'CreateAppInstance', kind: 'drop-after-commit', count: 1 });
    const err = await chime()
      .send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as NodeJS.ErrnoException).code ?? (err as Error).message).toMatch(/ECONNRESET|socket hang up/);
    const instances = Object.keys(running.emulator.services.chime.state);
    expect(instances).toHaveLength(1); // committed

    const retried = await chime().send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }));
    expect(retried.AppInstanceArn).toBe(instances[0]);
    expect(running.emulator.services.chime.runs.CreateAppInstance).toBe(1);
    expect(running.emulator.calls().map(({ operation, status, dropped, replayed, fault }) => ({ operation, status, dropped, replayed, fault }))).toEqual([
      { operation: 'CreateAppInstance', status: 201, dropped: true, replayed: undefined, fault: 'drop-after-commit' },
      { operation: 'CreateAppInstance', status: 201, dropped: undefined, replayed: true, fault: undefined },
    ]);
  });

  test('latency: a fault delays exactly its call by ms, the global latencyMs every call (fake timers)', async () => {
    const emulator = new Emulator({ wickr: fakeWickr(), chime: fakeChime() }, { latencyMs: 5 });
    emulator.addFault({ operation: 'ListNetworks', kind: 'latency', ms: 100, count: 1 });
    const req = await signedListNetworks();
    jest.useFakeTimers();
    try {
      let done = false;
      const pending = emulator.handle(req).then((r) => {
        done = true;
        return r;
      });
      await jest.advanceTimersByTimeAsync(104);
      expect(done).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(done).toBe(true);
      expect((await pending).status).toBe(200);
      expect(emulator.calls()[0].fault).toBe('latency');

      let second = false;
      const next = emulator.handle(req).then(() => (second = true));
      await jest.advanceTimersByTimeAsync(4);
      expect(second).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(second).toBe(true);
      await next;
    } finally {
      jest.useRealTimers();
    }
  });

  test('rate: seeded, so the same seed gives the same sequence; count caps it', async () => {
    const outcomes = async (seed: number) => {
      const emulator = new Emulator({ wickr: fakeWickr(), chime: fakeChime() }, { seed });
      emulator.addFault({ operation: 'ListNetworks', kind: 'throttle', rate: 0.5 });
      const req = await signedListNetworks();
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await emulator.handle(req)).status);
      return statuses;
    };
    const a = await outcomes(42);
    expect(await outcomes(42)).toEqual(a);
    expect(await outcomes(43)).not.toEqual(a);
    const throttled = a.filter((s) => s === 429).length;
    expect(throttled).toBeGreaterThan(5);
    expect(throttled).toBeLessThan(35);

    const capped = new Emulator({ wickr: fakeWickr(), chime: fakeChime() });
    capped.addFault({ operation: '*', kind: 'throttle', rate: 1, count: 3, seed: 9 });
    const req = await signedListNetworks();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await capped.handle(req)).status);
    expect(statuses).toEqual([429, 429, 429, 200, 200]);
    expect(capped.listFaults()).toEqual([]);
  });

  test('without `service`, faults leave Secrets Manager and S3 alone; with it, they hit them', async () => {
    running.emulator.addFault({ operation: '*', kind: 'throttle' });
    const arn = running.emulator.secrets.createSecret({ name: 's', secretString: 'v' });
    const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: running.url, credentials: CREDENTIALS, maxAttempts: 1 });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe('v');
    running.emulator.addFault({ operation: 'GetSecretValue', kind: 'throttle', service: 'secretsmanager', count: 1 });
    const err = await sm.send(new GetSecretValueCommand({ SecretId: arn })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
  });

  test('invalid fault specs are refused with a reason', () => {
    expect(() => running.emulator.addFault({ operation: 'X', kind: 'latency' })).toThrow('a latency fault needs ms >= 0');
    expect(() => running.emulator.addFault({ operation: 'X', kind: 'throttle', rate: 2 })).toThrow('rate must be between 0 and 1');
    expect(() => running.emulator.addFault({ operation: 'X', kind: 'explode' as never })).toThrow(/kind must be one of/);
    expect(() => running.emulator.addFault({ operation: 'X', kind: 'error', count: 0 })).toThrow('count must be a positive integer');
  });
});

describe('control endpoints over HTTP', () => {
  test('faults: POST adds, GET lists with remaining counts, DELETE clears; an invalid one is 400', async () => {
    const added = await control('POST', 'faults', { operation: 'CreateNetwork', kind: 'throttle', count: 2 });
    expect(added.status).toBe(200);
    expect((await createNetwork()).status).toBe(429);
    expect((await control('GET', 'faults')).json).toEqual([{ operation: 'CreateNetwork', kind: 'throttle', count: 1 }]);
    expect((await control('DELETE', 'faults')).status).toBe(200);
    expect((await createNetwork()).status).toBe(200);
    const bad = await control('POST', 'faults', { operation: 'CreateNetwork', kind: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/kind must be one of/);
  });

  test('drop-after-commit over HTTP with a seed in the body', async () => {
    await control('POST', 'faults', { operation: 'CreateNetwork', kind: 'drop-after-commit', rate: 1, count: 1, seed: 5 });
    await expect(createNetwork()).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(Object.keys(running.emulator.services.wickr.state)).toHaveLength(1);
    expect(running.emulator.calls()).toMatchObject([{ operation: 'CreateNetwork', status: 200, dropped: true }]);
  });

  test('calls: without request by default, with it on ?detail=1 (no authorization header); DELETE clears', async () => {
    await createNetwork();
    const plain = await control('GET', 'calls');
    expect(plain.json).toEqual([{ service: 'wickr', operation: 'CreateNetwork', status: 200 }]);
    const detailed = await control('GET', 'calls?detail=1');
    const request = detailed.json[0].request;
    expect(request).toMatchObject({ method: 'POST', path: '/networks', query: {}, body: { networkName: 'n', accessLevel: 'STANDARD' } });
    expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request.headers).not.toHaveProperty('authorization');
    await control('DELETE', 'calls');
    expect((await control('GET', 'calls')).json).toEqual([]);
  });

  test('reset: state, faults and calls are gone', async () => {
    await createNetwork();
    running.emulator.addFault({ operation: 'GetNetwork', kind: 'error' });
    running.emulator.secrets.createSecret({ name: 'x', secretString: 'y' });
    expect((await control('POST', 'reset')).status).toBe(200);
    expect(running.emulator.services.wickr.state).toEqual({});
    expect(running.emulator.listFaults()).toEqual([]);
    expect(running.emulator.calls()).toEqual([]);
    expect(running.emulator.secrets.getSecretString('x')).toBeUndefined();
  });

  test('state: GET exports, PUT imports', async () => {
    const id = (await createNetwork()).json.networkId as string;
    const exported = (await control('GET', 'state')).json;
    expect(exported.wickr.service[id]).toMatchObject({ networkName: 'n' });
    running.emulator.reset();
    expect((await control('PUT', 'state', exported)).status).toBe(200);
    expect((await wickr(running.url, 'GET', `/networks/${id}`)).json).toMatchObject({ networkId: id, networkName: 'n' });
    expect((await control('PUT', 'state', { version: 99 })).status).toBe(400);
  });

  test('an unknown control route is 404', async () => {
    expect((await control('GET', 'nothing')).status).toBe(404);
  });
});

describe('call log', () => {
  test('every handled request with its final status: success, validation error, auth failure, unknown route', async () => {
    await createNetwork();
    await wickr(running.url, 'POST', '/networks', { accessLevel: 'STANDARD' });
    await wickr(running.url, 'GET', '/networks', undefined, { secretAccessKey: 'wrong' });
    await wickr(running.url, 'GET', '/nope');
    expect(running.emulator.calls().map((c) => [c.service, c.operation, c.status])).toEqual([
      ['wickr', 'CreateNetwork', 200],
      ['wickr', 'CreateNetwork', 422],
      ['wickr', 'ListNetworks', 403],
      ['wickr', 'Unknown', 404],
    ]);
    running.emulator.clearCalls();
    expect(running.emulator.calls()).toEqual([]);
  });

  test('credentials in Wickr bodies (sensitive members such as a bot challenge) are redacted; names are not', async () => {
    const id = (await createNetwork()).json.networkId as string;
    await wickr(running.url, 'POST', `/networks/${id}/bots`, { username: 'mybot', groupId: 'g', challenge: 'hunter2', displayName: 'Bot' });
    expect(running.emulator.calls().at(-1)?.request.body).toEqual({ username: 'mybot', groupId: 'g', challenge: '***', displayName: 'Bot' });
  });
});

describe('state', () => {
  test('export → JSON → import into a fresh emulator round-trips all services, tokens, secrets and objects', async () => {
    const a = await chime().send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }));
    await createNetwork();
    running.emulator.secrets.createSecret({ name: 'db', secretString: 'pw' });
    running.emulator.s3.putObject('bucket', 'dir/users.csv', 'a,b\n');
    const state = JSON.parse(JSON.stringify(running.emulator.exportState()));

    const other = new Emulator({ wickr: fakeWickr(), chime: fakeChime() });
    other.importState(state);
    expect(other.exportState()).toEqual(state);
    expect(other.secrets.getSecretString('db')).toBe('pw');
    expect(other.s3.getObject('bucket', 'dir/users.csv')?.toString()).toBe('a,b\n');
    expect(other.services.chime.state[a.AppInstanceArn!]).toMatchObject({ Name: 'a' });
  });

  test('saveState / loadState through a file, by default the stateFile option', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-core-'));
    try {
      const file = path.join(dir, 'nested', 'state.json');
      const first = new Emulator({ wickr: fakeWickr(), chime: fakeChime() }, { stateFile: file });
      first.s3.putObject('b', 'k', Buffer.from([0, 1, 2, 255]));
      first.saveState();
      const second = new Emulator({ wickr: fakeWickr(), chime: fakeChime() }, { stateFile: file });
      second.loadState();
      expect(second.s3.getObject('b', 'k')).toEqual(Buffer.from([0, 1, 2, 255]));
      expect(fs.readdirSync(path.dirname(file))).toEqual(['state.json']); // no temporary file left
      expect(() => new Emulator({ wickr: fakeWickr(), chime: fakeChime() }).saveState()).toThrow(/no stateFile/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('clock and tick', () => {
  test('each service call ticks the services first; ctx.now() follows the emulator clock', async () => {
    const ticksBefore = running.emulator.services.chime.ticks;
    running.emulator.clock.advance(10 * 86_400_000);
    const { AppInstanceArn } = await chime().send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }));
    const described = await chime().send(new DescribeAppInstanceCommand({ AppInstanceArn }));
    const skew = described.AppInstance!.CreatedTimestamp!.getTime() - Date.now();
    expect(skew).toBeGreaterThan(10 * 86_400_000 - 5_000);
    expect(skew).toBeLessThan(10 * 86_400_000 + 5_000);
    expect(running.emulator.services.chime.ticks - ticksBefore).toBe(2);
    expect(running.emulator.services.wickr.ticks).toBe(2); // every service sees time pass
  });

  test('reset puts the clock back', () => {
    running.emulator.clock.advance(1000);
    running.emulator.reset();
    expect(running.emulator.clock.offsetMs).toBe(0);
  });
});

async function signedListNetworks(): Promise<EmulatorRequest> {
  const headers = await sign('http://127.0.0.1:1', { method: 'GET', path: '/networks', service: 'wickr' });
  return { method: 'GET', path: '/networks', query: parseQuery(''), headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])), body: Buffer.alloc(0) };
}
