import * as http from 'http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';

/**
 * Wire-level smoke test: the Wickr service behind the emulator's real HTTP server, with
 * requests signed by @smithy/signature-v4 (service `wickr`, credentials test/test), as the
 * project's Wickr client signs them. Checks status codes, `x-amzn-ErrorType`, query and
 * header members, client-token replay and the call log's redaction of bot challenges.
 */

let running: RunningEmulator<DefaultServices>;

beforeAll(async () => {
  running = await startEmulator({ seed: 1 });
});
afterAll(() => running.close());
beforeEach(() => running.emulator.reset());

interface Answer {
  status: number;
  errorType?: string;
  json: any;
}

const signer = new SignatureV4({ service: 'wickr', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: Hash.bind(null, 'sha256') });

async function wickr(method: string, path: string, options: { body?: unknown; query?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Answer> {
  const url = new URL(running.url);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { host: url.host, ...(options.headers ?? {}) };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const signed = await signer.sign({ method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query: options.query ?? {}, headers, body });
  const query = new URLSearchParams(options.query ?? {}).toString().replace(/\+/g, '%20');
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path: `${path}${query ? `?${query}` : ''}`, headers: signed.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, errorType: res.headers['x-amzn-errortype'] as string | undefined, json: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function createNetwork(name = 'ops'): Promise<string> {
  const res = await wickr('POST', '/networks', { body: { networkName: name, accessLevel: 'STANDARD' } });
  expect(res.status).toBe(200);
  return res.json.networkId;
}

test('create and read a network over the wire; unknown network 404 ResourceNotFoundError', async () => {
  const networkId = await createNetwork();
  const got = await wickr('GET', `/networks/${networkId}`);
  expect(got).toMatchObject({ status: 200, json: { networkId, networkName: 'ops', accessLevel: 'STANDARD', awsAccountId: '123456789012' } });
  const missing = await wickr('GET', '/networks/12345678');
  expect(missing).toMatchObject({ status: 404, errorType: 'ResourceNotFoundError', json: { message: expect.stringContaining('12345678') } });
});

test('prose rules answer 422 ValidationError with reasons; default group deletion 400 BadRequestError', async () => {
  const tooLong = await wickr('POST', '/networks', { body: { networkName: 'x'.repeat(21), accessLevel: 'STANDARD' } });
  expect(tooLong).toMatchObject({ status: 422, errorType: 'ValidationError', json: { reasons: [{ field: 'networkName', reason: expect.any(String) }] } });

  const networkId = await createNetwork();
  const groups = await wickr('GET', `/networks/${networkId}/security-groups`);
  const defaultGroup = groups.json.securityGroups.find((g: any) => g.isDefault);
  const del = await wickr('DELETE', `/networks/${networkId}/security-groups/${defaultGroup.id}`);
  expect(del).toMatchObject({ status: 400, errorType: 'BadRequestError', json: { message: 'the default security group cannot be deleted' } });

  const bot = await wickr('POST', `/networks/${networkId}/bots`, { body: { username: 'alerts', groupId: defaultGroup.id, challenge: 'pw' } });
  expect(bot).toMatchObject({ status: 422, errorType: 'ValidationError', json: { reasons: [{ field: 'username' }] } });
});

test('query members (suspend, maxResults, nextToken) and X-Client-Token replay of a batch', async () => {
  const networkId = await createNetwork();
  const { json } = await wickr('GET', `/networks/${networkId}/security-groups`);
  const groupId = json.securityGroups[0].id;
  const users = Array.from({ length: 3 }, (_, i) => ({ username: `u${i}@example.com`, securityGroupIds: [groupId] }));
  const first = await wickr('POST', `/networks/${networkId}/users`, { body: { users }, headers: { 'x-client-token': 'batch-1' } });
  const again = await wickr('POST', `/networks/${networkId}/users`, { body: { users }, headers: { 'x-client-token': 'batch-1' } });
  expect(first.status).toBe(200);
  expect(again.json).toEqual(first.json);
  expect(running.emulator.calls().map((c) => c.replayed ?? false)).toEqual([false, false, false, true]);

  const ids = first.json.successful.map((u: any) => u.userId);
  const toggled = await wickr('PATCH', `/networks/${networkId}/users/toggleSuspend`, { body: { userIds: ids.slice(0, 2) }, query: { suspend: 'true' } });
  expect(toggled.json.successful).toHaveLength(2);

  const page1 = await wickr('GET', `/networks/${networkId}/users`, { query: { maxResults: '2', sortFields: 'username', sortDirection: 'ASC' } });
  expect(page1.json.users.map((u: any) => [u.username, u.suspended])).toEqual([
    ['u0@example.com', true],
    ['u1@example.com', true],
  ]);
  const page2 = await wickr('GET', `/networks/${networkId}/users`, { query: { maxResults: '2', sortFields: 'username', sortDirection: 'ASC', nextToken: page1.json.nextToken } });
  expect(page2.json.users.map((u: any) => u.username)).toEqual(['u2@example.com']);
  expect(page2.json.nextToken).toBeUndefined();
  const bad = await wickr('GET', `/networks/${networkId}/users`, { query: { nextToken: 'nope' } });
  expect(bad).toMatchObject({ status: 400, errorType: 'BadRequestError' });
  const tooMany = await wickr('GET', `/networks/${networkId}/users`, { query: { maxResults: '500' } });
  expect(tooMany).toMatchObject({ status: 422, errorType: 'ValidationError', json: { reasons: [{ field: 'maxResults' }] } });
});

test('the bot challenge is neither answered nor logged', async () => {
  const networkId = await createNetwork();
  const { json } = await wickr('GET', `/networks/${networkId}/security-groups`);
  const created = await wickr('POST', `/networks/${networkId}/bots`, { body: { username: 'opsbot', groupId: json.securityGroups[0].id, challenge: 'wire-secret' } });
  expect(created.status).toBe(200);
  const bot = await wickr('GET', `/networks/${networkId}/bots/${created.json.botId}`);
  expect(bot.json).toMatchObject({ hasChallenge: true, username: 'opsbot' });
  const everything = JSON.stringify([created.json, bot.json, running.emulator.calls(), running.emulator.exportState()]);
  expect(everything).not.toContain('wire-secret');
});
