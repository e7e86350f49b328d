import {
  ChimeSDKIdentityClient,
  CreateAppInstanceCommand,
  CreateAppInstanceUserCommand,
  DescribeAppInstanceUserCommand,
  ListAppInstancesCommand,
  ListAppInstanceUsersCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { wickr } from './core-fakes';

/**
 * The fault kinds that make the emulator as unreliable as the real services are:
 * eventual consistency (`stale`), any error the service can answer (`error` with a
 * `code`), and page tokens that expire (`expire-page-tokens`).
 */

let running: RunningEmulator<DefaultServices>;
beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 8 });
});
afterAll(() => running.close());
beforeEach(() => running.emulator.reset());

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const chime = () => new ChimeSDKIdentityClient({ region: 'us-east-1', endpoint: running.url, credentials: CREDENTIALS, maxAttempts: 1 });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const listed = async () => ((await wickr(running.url, 'GET', '/networks')).json.networks as Array<{ networkName: string }>).map((n) => n.networkName).sort();
const createNetwork = async (networkName: string) => (await wickr(running.url, 'POST', '/networks', { networkName, accessLevel: 'STANDARD' })).json.networkId as string;

describe('stale', () => {
  test('on a list: it does not show what changed in the last ms; gets are not affected', async () => {
    await createNetwork('old');
    await pause(150);
    running.emulator.addFault({ operation: 'ListNetworks', kind: 'stale', ms: 100 });
    const id = await createNetwork('new');
    expect(await listed()).toEqual(['old']);
    expect((await wickr(running.url, 'GET', `/networks/${id}`)).status).toBe(200);
    await pause(150);
    expect(await listed()).toEqual(['new', 'old']);
  });

  test('on a change: lists and gets do not show it for ms after it is made (a create, an update, a delete)', async () => {
    const kept = await createNetwork('kept');
    running.emulator.addFault({ operation: '*', kind: 'stale', ms: 150 });
    const id = await createNetwork('fresh');
    expect(await listed()).toEqual(['kept']);
    expect((await wickr(running.url, 'GET', `/networks/${id}`)).status).toBe(404);
    await pause(200);
    expect((await wickr(running.url, 'GET', `/networks/${id}`)).status).toBe(200);
    expect((await wickr(running.url, 'PATCH', `/networks/${kept}`, { networkName: 'renamed' })).status).toBe(200);
    expect((await wickr(running.url, 'DELETE', `/networks/${id}`)).status).toBe(200);
    expect(await listed()).toEqual(['fresh', 'kept']);
    await pause(200);
    expect(await listed()).toEqual(['renamed']);
    // The service itself is consistent: what it refuses or accepts depends on the true state.
    expect(running.emulator.calls().filter((c) => c.status !== 200).map((c) => c.operation)).toEqual(['GetNetwork']);
  });

  test('count: only the next matching change is hidden; Chime too', async () => {
    const client = chime();
    const { AppInstanceArn } = await client.send(new CreateAppInstanceCommand({ Name: 'chat', ClientRequestToken: 'tok-chat-0001' }));
    running.emulator.addFault({ operation: 'CreateAppInstanceUser', kind: 'stale', ms: 150, count: 1 });
    for (const id of ['a', 'b']) await client.send(new CreateAppInstanceUserCommand({ AppInstanceArn, AppInstanceUserId: id, Name: id, ClientRequestToken: `tok-user-${id}-001` }));
    const names = async () => ((await client.send(new ListAppInstanceUsersCommand({ AppInstanceArn }))).AppInstanceUsers ?? []).map((u) => u.Name);
    // The state before the hidden change: b, made after it, is not shown either (lists never show a newer state before an older one).
    expect(await names()).toEqual([]);
    const missing = (id: string) => failure(client.send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: `${AppInstanceArn}/user/${id}` }))) as Promise<{ name: string }>;
    expect((await missing('a')).name).toBe((await missing('nobody')).name);
    await pause(200);
    expect(await names()).toEqual(['a', 'b']);
    client.destroy();
  });

  test('a stale fault needs ms; the call log marks stale calls', async () => {
    expect(() => running.emulator.addFault({ operation: 'ListNetworks', kind: 'stale' })).toThrow(/a stale fault needs ms/);
    running.emulator.addFault({ operation: 'ListNetworks', kind: 'stale', ms: 50, count: 1 });
    await listed();
    await listed();
    expect(running.emulator.calls().map((c) => c.fault)).toEqual(['stale', undefined]);
  });
});

describe('error with a named code', () => {
  test.each([
    ['wickr', 'GetNetwork', 'ResourceNotFoundError', 404],
    ['wickr', 'GetNetwork', 'ValidationError', 422],
    ['wickr', 'GetNetwork', 'ExpiredTokenException', 403],
    ['wickr', 'GetNetwork', 'AccessDeniedException', 403],
    ['wickr', 'GetNetwork', 'ServiceUnavailableException', 503],
  ])('%s %s answers %s with the status of the model (or of AWS\'s front end), in Wickr\'s format', async (service, operation, code, status) => {
    running.emulator.addFault({ service: service as 'wickr', operation, kind: 'error', code, count: 1 });
    const res = await wickr(running.url, 'GET', '/networks/12345678');
    expect([res.status, res.headers['x-amzn-errortype'], Object.keys(res.json)]).toEqual([status, code, ['message']]);
    expect(running.emulator.calls()[0]).toMatchObject({ operation, status, fault: 'error' });
  });

  test.each([
    ['ServiceUnavailableException', 503, 'ServiceUnavailable'],
    ['ThrottledClientException', 429, 'Throttled'],
    ['ExpiredTokenException', 403, 'ExpiredToken'],
    ['AccessDeniedException', 403, 'AccessDenied'],
  ])('Chime answers %s with HTTP %d and Code %s; the official client names it', async (code, status, chimeCode) => {
    running.emulator.addFault({ service: 'chime', operation: 'ListAppInstances', kind: 'error', code, count: 1 });
    const client = chime();
    const err = (await failure(client.send(new ListAppInstancesCommand({})))) as { name: string; $metadata: { httpStatusCode: number }; Code?: string };
    expect([err.name, err.$metadata.httpStatusCode, err.Code]).toEqual([code, status, chimeCode]);
    client.destroy();
  });

  test('Secrets Manager answers a named code in its format', async () => {
    running.emulator.addFault({ service: 'secretsmanager', operation: 'GetSecretValue', kind: 'error', code: 'ExpiredTokenException', count: 1 });
    const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: running.url, credentials: CREDENTIALS, maxAttempts: 1 });
    expect(await failure(sm.send(new GetSecretValueCommand({ SecretId: 'x' })))).toMatchObject({ name: 'ExpiredTokenException', $metadata: { httpStatusCode: 403 } });
    sm.destroy();
  });

  test('a code the service does not know, or a code on another kind, is refused when the fault is added', () => {
    expect(() => running.emulator.addFault({ operation: 'GetNetwork', kind: 'error', code: 'ResourceNotFoundError' })).toThrow(
      /error code ResourceNotFoundError is not one chime answers/,
    );
    expect(() => running.emulator.addFault({ service: 'wickr', operation: 'GetNetwork', kind: 'error', code: 'NoSuchThing' })).toThrow(/error code NoSuchThing is not one wickr answers/);
    expect(() => running.emulator.addFault({ service: 'wickr', operation: 'GetNetwork', kind: 'throttle', code: 'RateLimitError' })).toThrow(/code is for error faults only/);
    expect(running.emulator.listFaults()).toEqual([]);
  });
});

describe('expire-page-tokens', () => {
  test('a call with a page token is refused as expired, in the service\'s format; the first page and a fresh start are not', async () => {
    for (let i = 0; i < 3; i++) await createNetwork(`net-${i}`);
    running.emulator.addFault({ operation: 'ListNetworks', kind: 'expire-page-tokens', count: 1 });
    const first = await wickr(running.url, 'GET', '/networks', undefined, { query: { maxResults: '2' } });
    expect(first.status).toBe(200);
    const next = await wickr(running.url, 'GET', '/networks', undefined, { query: { maxResults: '2', nextToken: first.json.nextToken } });
    expect([next.status, next.headers['x-amzn-errortype'], next.json.message]).toEqual([400, 'BadRequestError', expect.stringMatching(/nextToken has expired/)]);
    // Started over, the list goes through (the fault fired once).
    const again = await wickr(running.url, 'GET', '/networks', undefined, { query: { maxResults: '2' } });
    expect((await wickr(running.url, 'GET', '/networks', undefined, { query: { maxResults: '2', nextToken: again.json.nextToken } })).status).toBe(200);
    expect(running.emulator.calls().map((c) => c.fault)).toEqual([undefined, undefined, undefined, undefined, 'expire-page-tokens', undefined, undefined]);
  });

  test('Chime: BadRequestException for an expired NextToken', async () => {
    const client = chime();
    const { AppInstanceArn } = await client.send(new CreateAppInstanceCommand({ Name: 'chat', ClientRequestToken: 'tok-chat-0002' }));
    for (const id of ['a', 'b', 'c']) await client.send(new CreateAppInstanceUserCommand({ AppInstanceArn, AppInstanceUserId: id, Name: id, ClientRequestToken: `tok-user-${id}-002` }));
    running.emulator.addFault({ operation: '*', kind: 'expire-page-tokens' });
    const page = await client.send(new ListAppInstanceUsersCommand({ AppInstanceArn, MaxResults: 2 }));
    expect(await failure(client.send(new ListAppInstanceUsersCommand({ AppInstanceArn, MaxResults: 2, NextToken: page.NextToken })))).toMatchObject({
      name: 'BadRequestException',
      $metadata: { httpStatusCode: 400 },
      message: expect.stringMatching(/NextToken has expired/),
    });
    client.destroy();
  });
});
