import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import {
  ChimeSDKIdentityClient,
  CreateAppInstanceCommand,
  CreateAppInstanceUserCommand,
  DescribeAppInstanceUserEndpointCommand,
  ListAppInstancesCommand,
  RegisterAppInstanceUserEndpointCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createEmulator, DEFAULT_MAX_BODY_BYTES, DefaultServices, RunningEmulator, serve, startEmulator } from '../../../local/emulator';
import { control as controlCall, signedRequest, wickr } from './core-fakes';

/**
 * The emulator as a local server others can reach: signatures are refused when their time
 * is 15 minutes off the emulator clock, request bodies are capped before anything reads
 * them, fault parameters are range-checked, and secret values leave the process only
 * redacted (control endpoints) or sealed (the state file).
 */

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
let dir: string;
let running: RunningEmulator<DefaultServices>;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-hardening-'));
  running = await startEmulator({ port: 0, seed: 4, stateFile: path.join(dir, 'emulator-state.json') });
});
afterEach(async () => {
  jest.restoreAllMocks();
  await running.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const control = (method: string, route: string, body?: unknown) => controlCall(running, method, route, body);

/** Pins the emulator clock (the server answers by it). */
function pinClock(iso: string): Date {
  const now = new Date(iso);
  jest.spyOn(running.emulator.clock, 'now').mockReturnValue(now);
  return now;
}

describe('request time', () => {
  const at = (iso: string) => ({ signingDate: new Date(iso) });

  test('Wickr/Chime: more than 15 minutes late is 403 InvalidSignatureException "Signature expired", with AWS message; exactly 15 is fine', async () => {
    pinClock('2026-11-24T01:35:00Z');
    const late = await wickr(running.url, 'GET', '/networks', undefined, at('2026-11-24T01:02:03Z'));
    expect(late.status).toBe(403);
    expect(late.headers['x-amzn-errortype']).toBe('InvalidSignatureException');
    expect(late.json).toEqual({ message: 'Signature expired: 20261124T010203Z is now earlier than 20261124T012000Z (20261124T013500Z - 15 min.)' });
    expect((await wickr(running.url, 'GET', '/networks', undefined, at('2026-11-24T01:20:00Z'))).status).toBe(200);
    const chime = await signedRequest(running.url, { method: 'GET', path: '/app-instances', service: 'chime', ...at('2026-11-24T01:19:59Z') });
    expect(chime.status).toBe(403);
    expect(chime.json).toEqual({ Code: 'Forbidden', Message: 'Signature expired: 20261124T011959Z is now earlier than 20261124T012000Z (20261124T013500Z - 15 min.)' });
    expect(running.emulator.calls().map((c) => [c.operation, c.status])).toEqual([
      ['ListNetworks', 403],
      ['ListNetworks', 200],
      ['ListAppInstances', 403],
    ]);
  });

  test('more than 15 minutes early is "Signature not yet current"', async () => {
    pinClock('2026-11-24T01:35:00Z');
    const early = await wickr(running.url, 'GET', '/networks', undefined, at('2026-11-24T01:50:01Z'));
    expect(early.status).toBe(403);
    expect(early.json.message).toBe('Signature not yet current: 20261124T015001Z is still later than 20261124T015000Z (20261124T013500Z + 15 min.)');
    expect((await wickr(running.url, 'GET', '/networks', undefined, at('2026-11-24T01:50:00Z'))).status).toBe(200);
  });

  test('S3: 403 RequestTimeTooSkewed in XML, with the request and server times', async () => {
    pinClock('2026-11-24T01:35:00Z');
    const res = await signedRequest(running.url, { method: 'GET', path: '/bucket/key.txt', service: 's3', unsignedPayload: true, ...at('2026-11-24T01:00:00Z') });
    expect(res.status).toBe(403);
    expect(res.text).toContain('<Code>RequestTimeTooSkewed</Code>');
    expect(res.text).toContain('<Message>The difference between the request time and the current time is too large.</Message>');
    expect(res.text).toContain('<RequestTime>20261124T010000Z</RequestTime><ServerTime>2026-11-24T01:35:00Z</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>');
  });

  test('the official clients: a skewed clock is refused; with a retry the SDK corrects it from the Date header the emulator answers', async () => {
    running.emulator.clock.advance(40 * 60_000);
    const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: running.url, credentials: CREDENTIALS, maxAttempts: 1 });
    const err = await sm.send(new GetSecretValueCommand({ SecretId: 'x' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InvalidSignatureException', message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than/) });
    const chime = new ChimeSDKIdentityClient({ region: 'us-east-1', endpoint: running.url, credentials: CREDENTIALS, maxAttempts: 2 });
    const listed = await chime.send(new ListAppInstancesCommand({}));
    expect(listed.$metadata.attempts).toBe(2);
  });
});

describe('request body limit', () => {
  /** Sends headers (and `chunks`), never ends the request; resolves with the status and whether the server closed the connection. */
  function partialRequest(url: string, headers: Record<string, string>, chunks: Buffer[]): Promise<{ status: number; body: string; closed: boolean }> {
    const target = new URL(url);
    return new Promise((resolve, reject) => {
      let answer: { status: number; body: string } | undefined;
      let closed = false;
      const settle = () => answer && closed && resolve({ ...answer, closed });
      const req = http.request({ host: target.hostname, port: target.port, method: 'PUT', path: '/_emulator/state', headers, agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          answer = { status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() };
          settle();
        });
      });
      req.on('close', () => {
        closed = true;
        settle();
      });
      req.on('error', (err) => (answer ? undefined : reject(err)));
      req.flushHeaders();
      for (const chunk of chunks) req.write(chunk);
    });
  }

  test('a declared content-length over the limit is refused at once with 413, before any byte of the body is sent', async () => {
    const small = await serve(createEmulator(), { maxBodyBytes: 1024 });
    try {
      const res = await partialRequest(small.url, { 'content-type': 'application/json', 'content-length': '1025', authorization: `Bearer ${small.controlToken}` }, []);
      expect(res).toMatchObject({ status: 413, closed: true });
      expect(JSON.parse(res.body).message).toBe("Request body too large: content-length 1025 exceeds the emulator's limit of 1024 bytes (option maxBodyBytes)");
    } finally {
      await small.close();
    }
  });

  test('a streamed (chunked) body is cut off once it passes the limit: 413 and the connection closed, the rest never read', async () => {
    const small = await serve(createEmulator(), { maxBodyBytes: 1024 });
    try {
      const res = await partialRequest(small.url, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', authorization: `Bearer ${small.controlToken}` }, [Buffer.alloc(600, 0x20), Buffer.alloc(600, 0x20)]);
      expect(res).toMatchObject({ status: 413, closed: true });
      expect(JSON.parse(res.body).message).toContain('more than 1024 bytes');
      // At the limit, the same endpoint works.
      const ok = await controlCall(small, 'PUT', 'state', JSON.stringify({ version: 1 }).padEnd(1024, ' '));
      expect(ok.status).toBe(200);
    } finally {
      await small.close();
    }
  });

  test('service calls are capped before authentication; the default limit is 16 MiB', async () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(16 * 1024 * 1024);
    const tooBig = await partialRequest(running.url, { 'content-length': String(DEFAULT_MAX_BODY_BYTES + 1), authorization: `Bearer ${running.controlToken}` }, []);
    expect(tooBig.status).toBe(413);
    const small = await serve(createEmulator(), { maxBodyBytes: 64 });
    try {
      const res = await wickr(small.url, 'POST', '/networks', { networkName: 'a-network-name-that-is-long', accessLevel: 'STANDARD', pad: 'x'.repeat(64) });
      expect(res.status).toBe(413);
      expect(small.emulator.calls()).toEqual([]); // refused before the emulator saw it
    } finally {
      await small.close();
    }
  });
});

describe('fault parameters', () => {
  test.each([
    [{ operation: 'X', kind: 'latency', ms: 900_001 }, 'a latency fault needs ms >= 0 (a finite number of milliseconds up to 900000, 15 minutes), got 900001'],
    [{ operation: 'X', kind: 'latency', ms: Infinity }, 'a latency fault needs ms >= 0 (a finite number of milliseconds up to 900000, 15 minutes), got Infinity'],
    [{ operation: 'X', kind: 'error', ms: -1 }, 'ms must be a finite number of milliseconds from 0 to 900000 (15 minutes), got -1'],
    [{ operation: 'X', kind: 'error', count: 1_000_001 }, 'count must be a positive integer (1 to 1000000), got 1000001'],
    [{ operation: 'X', kind: 'error', after: 1_000_001 }, 'after must be a non-negative integer (0 to 1000000), got 1000001'],
    [{ operation: 'X', kind: 'throttle', rate: NaN }, 'rate must be between 0 and 1, got NaN'],
    [{ operation: 'X', kind: 'throttle', times: 2 }, 'unknown parameter "times": a fault has only operation, kind, service, count, after, rate, ms, code, seed'],
  ])('%j is refused: %s', (spec, message) => {
    expect(() => running.emulator.addFault(spec as never)).toThrow(`invalid fault: ${message}`);
    expect(running.emulator.listFaults()).toEqual([]);
  });

  test('the control endpoint answers 400 with the reason', async () => {
    const res = await control('POST', 'faults', { operation: 'CreateNetwork', kind: 'latency', ms: 3_600_000 });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('invalid fault: a latency fault needs ms >= 0 (a finite number of milliseconds up to 900000, 15 minutes), got 3600000');
    expect((await control('POST', 'faults', { operation: 'CreateNetwork', kind: 'error', count: 1e9 })).json.message).toContain('count must be a positive integer (1 to 1000000), got 1000000000');
    expect(running.emulator.listFaults()).toEqual([]);
  });
});

describe('secret values', () => {
  const PINPOINT_APP = 'arn:aws:mobiletargeting:us-east-1:123456789012:apps/0123456789abcdef0123456789abcdef';
  const SECRETS = ['in-process-s3cret', 'api-s3cret-one', 'api-s3cret-two', 'bot-challenge-w1ckr', 'oidc-s3cret-w1ckr', 'tdf-s3cret-w1ckr', 'query-s3cret-w1ckr', 'device-t0ken-apns', 'voip-t0ken-apns'];

  /** Puts every kind of secret the emulator keeps or sees, through the API where there is one. */
  async function populate(): Promise<{ apiArn: string; inProcessArn: string; endpoint: { user: string; id: string } }> {
    const inProcessArn = running.emulator.secrets.createSecret({ name: 'in-process', secretString: 'in-process-s3cret' });
    const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: running.url, credentials: CREDENTIALS, maxAttempts: 1 });
    const apiArn = (await sm.send(new CreateSecretCommand({ Name: 'api', SecretString: 'api-s3cret-one' }))).ARN as string;
    await sm.send(new PutSecretValueCommand({ SecretId: apiArn, SecretString: 'api-s3cret-two' }));

    const networkId = (await wickr(running.url, 'POST', '/networks', { networkName: 'ops', accessLevel: 'PREMIUM' })).json.networkId as string;
    const groups = await wickr(running.url, 'GET', `/networks/${networkId}/security-groups`);
    const bot = await wickr(running.url, 'POST', `/networks/${networkId}/bots`, { username: 'opsbot', groupId: groups.json.securityGroups[0].id, challenge: 'bot-challenge-w1ckr' });
    expect(bot.status).toBe(200);
    const oidc = await wickr(running.url, 'POST', `/networks/${networkId}/oidc/save`, { companyId: 'acme', issuer: 'https://idp.example.com', scopes: 'openid', secret: 'oidc-s3cret-w1ckr' });
    expect(oidc.status).toBe(200);
    const tdf = await wickr(running.url, 'POST', `/networks/${networkId}/tdf`, { provider: 'Virtru', domain: 'acme.virtru.com', clientId: 'c', clientSecret: 'tdf-s3cret-w1ckr' });
    expect(tdf.status).toBe(200);
    await wickr(running.url, 'GET', `/networks/${networkId}/oidc`, undefined, { query: { clientSecret: 'query-s3cret-w1ckr' } });

    const chime = new ChimeSDKIdentityClient({ region: 'us-east-1', endpoint: running.url, credentials: CREDENTIALS, maxAttempts: 1 });
    const { AppInstanceArn } = await chime.send(new CreateAppInstanceCommand({ Name: 'chat', ClientRequestToken: 'tok-instance' }));
    const { AppInstanceUserArn } = await chime.send(new CreateAppInstanceUserCommand({ AppInstanceArn, AppInstanceUserId: 'alice', Name: 'Alice', ClientRequestToken: 'tok-user' }));
    const endpoint = await chime.send(
      new RegisterAppInstanceUserEndpointCommand({
        AppInstanceUserArn,
        Type: 'APNS',
        ResourceArn: PINPOINT_APP,
        EndpointAttributes: { DeviceToken: 'device-t0ken-apns', VoipDeviceToken: 'voip-t0ken-apns' },
        ClientRequestToken: 'tok-endpoint',
      }),
    );
    return { apiArn, inProcessArn, endpoint: { user: AppInstanceUserArn as string, id: endpoint.EndpointId as string } };
  }

  const leaks = (text: string) => SECRETS.filter((s) => text.includes(s));

  test('no value appears in GET /_emulator/state (shown as "<redacted>") or GET /_emulator/calls, with or without detail', async () => {
    const { apiArn } = await populate();
    const state = await control('GET', 'state');
    expect(leaks(state.text)).toEqual([]);
    const secret = state.json.secretsmanager.find((s: { arn: string }) => s.arn === apiArn);
    expect(secret.versions.map((v: { value: unknown; stages: string[] }) => [v.value, v.stages])).toEqual([
      ['<redacted>', ['AWSPREVIOUS']],
      ['<redacted>', ['AWSCURRENT']],
    ]);
    expect(JSON.stringify(state.json.chime)).toContain('"DeviceToken":"<redacted>","VoipDeviceToken":"<redacted>"');
    expect(leaks((await control('GET', 'calls')).text)).toEqual([]);
    const detailed = await control('GET', 'calls?detail=1');
    expect(detailed.json.length).toBeGreaterThan(8);
    expect(leaks(detailed.text)).toEqual([]);
    expect(detailed.json.find((c: { operation: string }) => c.operation === 'GetOidcInfo').request.query).toEqual({ clientSecret: '***' });
    // A redacted state cannot be imported back as if it held the values.
    const put = await control('PUT', 'state', state.json);
    expect(put.status).toBe(400);
    expect(put.json.message).toContain('redacted');
  });

  test('the state file holds no value; its key file (0600) beside it brings every value back on load', async () => {
    const file = path.join(dir, 'emulator-state.json');
    running.emulator.saveState();
    expect(fs.readdirSync(dir)).toEqual(['emulator-state.json']); // nothing to seal yet: no key file
    const { apiArn, inProcessArn, endpoint } = await populate();
    running.emulator.saveState();
    expect(leaks(fs.readFileSync(file, 'utf8'))).toEqual([]);
    const keyFile = path.join(dir, 'emulator-state.key');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    await running.close();

    running = await startEmulator({ port: 0, stateFile: file });
    const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: running.url, credentials: CREDENTIALS, maxAttempts: 1 });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: inProcessArn }))).SecretString).toBe('in-process-s3cret');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: apiArn }))).SecretString).toBe('api-s3cret-two');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: apiArn, VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('api-s3cret-one');
    const chime = new ChimeSDKIdentityClient({ region: 'us-east-1', endpoint: running.url, credentials: CREDENTIALS, maxAttempts: 1 });
    const described = await chime.send(new DescribeAppInstanceUserEndpointCommand({ AppInstanceUserArn: endpoint.user, EndpointId: endpoint.id }));
    expect(described.AppInstanceUserEndpoint?.EndpointAttributes).toEqual({ DeviceToken: 'device-t0ken-apns', VoipDeviceToken: 'voip-t0ken-apns' });
    // Saved again with the same key; without the key the values cannot be opened.
    running.emulator.saveState();
    fs.rmSync(keyFile);
    expect(() => createEmulator({ stateFile: file })).toThrow(`their key file ${keyFile} is missing`);
  });
});
