import {
  ChimeSDKIdentityClient,
  CreateAppInstanceCommand,
  DeleteAppInstanceCommand,
  ListAppInstancesCommand,
  ListTagsForResourceCommand,
  PutAppInstanceRetentionSettingsCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { Emulator } from '../../../local/emulator/emulator';
import { EmulatorRequest } from '../../../local/emulator/protocol';
import { RestJsonService, WICKR_ERRORS } from '../../../local/emulator/restjson';
import { RunningEmulator, serve } from '../../../local/emulator/server';
import { RequestContext, ServiceModel } from '../../../local/emulator/service';
import { javaPattern, ShapeCodec } from '../../../local/emulator/shapes';
import { CHIME_MODEL, fakeChime, fakeWickr, signedRequest, wickr } from './core-fakes';

type Fakes = { wickr: ReturnType<typeof fakeWickr>; chime: ReturnType<typeof fakeChime> };
let running: RunningEmulator<Fakes>;
let chime: ChimeSDKIdentityClient;

beforeAll(async () => {
  running = await serve(new Emulator({ wickr: fakeWickr(), chime: fakeChime() }, { seed: 7 }));
  chime = new ChimeSDKIdentityClient({ region: 'us-east-1', endpoint: running.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});
afterAll(() => running.close());
beforeEach(() => running.emulator.reset());

const services = () => running.emulator.services;

async function createNetwork(name = 'n1'): Promise<string> {
  const res = await wickr(running.url, 'POST', '/networks', { networkName: name, accessLevel: 'STANDARD' });
  expect(res.status).toBe(200);
  return res.json.networkId as string;
}

describe('routing', () => {
  test('a literal segment wins over a label: /users/count is GetUsersCount, /users/{id} is GetUser', async () => {
    const id = await createNetwork();
    expect((await wickr(running.url, 'GET', `/networks/${id}/users/count`)).json).toMatchObject({ total: 3 });
    expect((await wickr(running.url, 'GET', `/networks/${id}/users/42`)).json).toMatchObject({ userId: '42' });
    expect(running.emulator.calls().map((c) => c.operation)).toEqual(['CreateNetwork', 'GetUsersCount', 'GetUser']);
  });

  test('literal query parts in requestUri pick the operation (Chime tag-resource vs untag-resource), through the official client', async () => {
    const { AppInstanceArn } = await chime.send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }));
    await chime.send(new TagResourceCommand({ ResourceARN: AppInstanceArn, Tags: [{ Key: 'k1', Value: 'v1' }, { Key: 'k2', Value: 'v2' }] }));
    await chime.send(new UntagResourceCommand({ ResourceARN: AppInstanceArn, TagKeys: ['k1'] }));
    const tags = await chime.send(new ListTagsForResourceCommand({ ResourceARN: AppInstanceArn }));
    expect(tags.Tags).toEqual([{ Key: 'k2', Value: 'v2' }]);
    expect(running.emulator.calls().map((c) => [c.operation, c.status])).toEqual([
      ['CreateAppInstance', 201],
      ['TagResource', 204],
      ['UntagResource', 204],
      ['ListTagsForResource', 200],
    ]);
  });

  test('labels are URL-decoded: a Chime ARN arrives whole in the implementation', async () => {
    const { AppInstanceArn } = await chime.send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }));
    await chime.send(new DeleteAppInstanceCommand({ AppInstanceArn }));
    expect(services().chime.inputs.at(-1)).toEqual({ operation: 'DeleteAppInstance', input: { AppInstanceArn } });
    expect(running.emulator.calls().at(-1)?.request.path).toBe(`/app-instances/${encodeURIComponent(AppInstanceArn!)}`);
  });

  test('an unknown route: Wickr 404 ResourceNotFoundError, Chime 404 NotFoundException, logged as Unknown', async () => {
    const w = await wickr(running.url, 'GET', '/nowhere');
    expect(w.status).toBe(404);
    expect(w.headers['x-amzn-errortype']).toBe('ResourceNotFoundError');
    expect(w.json).toEqual({ message: 'No Wickr operation matches GET /nowhere' });
    const c = await signedRequest(running.url, { method: 'PATCH', path: '/app-instances', service: 'chime' });
    expect(c.status).toBe(404);
    expect(c.json).toEqual({ Code: 'NotFound', Message: 'No Chime SDK Identity operation matches PATCH /app-instances' });
    expect(running.emulator.calls().map((x) => [x.service, x.operation, x.status])).toEqual([
      ['wickr', 'Unknown', 404],
      ['chime', 'Unknown', 404],
    ]);
  });

  test('a greedy label takes the rest of the path', () => {
    const svc = new RestJsonService('wickr', tinyService(), WICKR_ERRORS);
    const res = svc.invoke('GetObject', request('GET', '/objects/a%2Fb/c%20d'), CTX);
    expect(JSON.parse(res.body.toString())).toEqual({ Key: 'a/b/c d' });
  });
});

describe('decoding', () => {
  test('query members are typed: boolean, integer, unixTimestamp; header members are read (X-Client-Token)', async () => {
    const id = await createNetwork();
    const toggled = await wickr(running.url, 'PATCH', `/networks/${id}/users/toggleSuspend`, { userIds: ['11'] }, { query: { suspend: 'true' }, headers: { 'x-client-token': 'tok:1' } });
    expect(toggled.json).toEqual({ successful: [{ userId: '11' }] }); // `suspend` is not a member of the output item: dropped
    expect(services().wickr.inputs.at(-1)?.input).toEqual({ networkId: id, suspend: true, userIds: ['11'], clientToken: 'tok:1' });

    await wickr(running.url, 'GET', `/networks/${id}/users/11`, undefined, { query: { startTime: '1700000000.5' } });
    expect(services().wickr.inputs.at(-1)?.input).toEqual({ networkId: id, userId: '11', startTime: new Date(1700000000500) });

    await wickr(running.url, 'GET', '/networks', undefined, { query: { maxResults: '1', sortDirection: 'ASC' } });
    expect(services().wickr.inputs.at(-1)?.input).toEqual({ maxResults: 1, sortDirection: 'ASC' });
  });

  test('unknown body members are ignored, as the real services do', async () => {
    await wickr(running.url, 'POST', '/networks', { networkName: 'n', accessLevel: 'PREMIUM', somethingNew: 1 });
    expect(services().wickr.inputs.at(-1)?.input).toEqual({ networkName: 'n', accessLevel: 'PREMIUM' });
  });

  test('a body that is not a JSON object: Wickr 400 BadRequestError', async () => {
    const res = await signedRequest(running.url, { method: 'POST', path: '/networks', service: 'wickr', body: '[1,2]' });
    expect(res.status).toBe(400);
    expect(res.headers['x-amzn-errortype']).toBe('BadRequestError');
  });
});

describe('validation', () => {
  test.each([
    ['required', { accessLevel: 'STANDARD' }, { field: 'networkName', reason: 'Member must not be null' }],
    ['enum', { networkName: 'n', accessLevel: 'GOLD' }, { field: 'accessLevel', reason: 'Member must satisfy enum value set: [STANDARD, PREMIUM]' }],
    ['type', { networkName: 5, accessLevel: 'STANDARD' }, { field: 'networkName', reason: 'Member must be a string' }],
    ['type (boolean)', { networkName: 'n', accessLevel: 'STANDARD', enablePremiumFreeTrial: 'yes' }, { field: 'enablePremiumFreeTrial', reason: 'Member must be a boolean' }],
  ])('Wickr %s: 422 ValidationError with reasons', async (_what, body, reason) => {
    const res = await wickr(running.url, 'POST', '/networks', body);
    expect(res.status).toBe(422);
    expect(res.headers['x-amzn-errortype']).toBe('ValidationError');
    expect(res.json).toEqual({ message: `1 validation error detected: Value at '${reason.field}' failed to satisfy constraint: ${reason.reason}`, reasons: [reason] });
    expect(services().wickr.runs.CreateNetwork).toBeUndefined();
  });

  test('Wickr pattern and length on a path label and a header, all reasons at once', async () => {
    const res = await wickr(running.url, 'POST', '/networks/12ab/security-groups', { name: 'g', securityGroupSettings: {} }, { headers: { 'x-client-token': 'bad token!' } });
    expect(res.status).toBe(422);
    expect(res.json.reasons).toEqual([
      { field: 'clientToken', reason: 'Member must satisfy regular expression pattern: [a-zA-Z0-9-_:]+' },
      { field: 'networkId', reason: 'Member must have length greater than or equal to 8' },
      { field: 'networkId', reason: 'Member must satisfy regular expression pattern: [0-9]{8}' },
    ]);
  });

  test('Wickr nested members and list items carry their path; query integers are typed', async () => {
    const id = await createNetwork();
    const res = await wickr(running.url, 'PATCH', `/networks/${id}/users/toggleSuspend`, { userIds: ['12', 7, 'u3'] }, { query: { suspend: 'maybe' } });
    expect(res.json.reasons).toEqual([
      { field: 'suspend', reason: 'Member must be a boolean' },
      { field: 'userIds[1]', reason: 'Member must be a string' },
      { field: 'userIds[2]', reason: 'Member must satisfy regular expression pattern: [0-9]+' },
    ]);
    const list = await wickr(running.url, 'GET', '/networks', undefined, { query: { maxResults: 'ten' } });
    expect(list.json.reasons).toEqual([{ field: 'maxResults', reason: 'Member must be an integer' }]);
  });

  test('the service prose rules run after the model constraints (Wickr ValidationError from validate)', async () => {
    const res = await wickr(running.url, 'POST', '/networks', { networkName: 'x'.repeat(21), accessLevel: 'STANDARD' });
    expect(res.status).toBe(422);
    expect(res.json).toEqual({ message: 'network name too long', reasons: [{ field: 'networkName', reason: 'must be 1 to 20 characters' }] });
  });

  test.each([
    ['required', new CreateAppInstanceCommand({ Name: undefined as unknown as string, ClientRequestToken: 'tok-1' }), "Value at 'Name' failed to satisfy constraint: Member must not be null"],
    ['length', new CreateAppInstanceCommand({ Name: 'n'.repeat(257), ClientRequestToken: 'tok-1' }), 'Member must have length less than or equal to 256'],
    ['pattern', new CreateAppInstanceCommand({ Name: 'n', ClientRequestToken: 'bad token' }), "Value at 'ClientRequestToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [-_a-zA-Z0-9]*"],
    ['number range', new ListAppInstancesCommand({ MaxResults: 51 }), "Value at 'MaxResults' failed to satisfy constraint: Member must have value less than or equal to 50"],
    ['enum (nested)', new CreateAppInstanceCommand({ Name: 'n', ClientRequestToken: 'tok-1', Tags: [] }), "Value at 'Tags' failed to satisfy constraint: Member must have length greater than or equal to 1"],
  ])('Chime %s: 400 BadRequestException through the official client', async (_what, command, message) => {
    const err = await chime.send(command as CreateAppInstanceCommand).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'BadRequestException', Code: 'BadRequest', $metadata: { httpStatusCode: 400 } });
    expect((err as Error).message).toContain(message);
  });

  test('Chime names may hold any character outside the control range, including beyond the BMP', async () => {
    const ok = await chime.send(new CreateAppInstanceCommand({ Name: 'caf\u00e9 \u{1F600}\n', ClientRequestToken: 'tok-1' }));
    expect(ok.AppInstanceArn).toBeDefined();
    const err = await chime.send(new CreateAppInstanceCommand({ Name: 'bell\u0007', ClientRequestToken: 'tok-2' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'BadRequestException' });
  });

  test('lengths count characters, not UTF-16 units', () => {
    const codec = new ShapeCodec(tinyService().model);
    const issues: Array<{ field: string; reason: string }> = [];
    codec.decode('Short', '\u{1F600}\u{1F600}', 'f', issues);
    expect(issues).toEqual([]);
    codec.decode('Short', '\u{1F600}\u{1F600}\u{1F600}', 'f', issues);
    expect(issues).toEqual([{ field: 'f', reason: 'Member must have length less than or equal to 2' }]);
  });
});

describe('Java patterns', () => {
  test.each([
    ['[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]*', ['abc', '\u{10348}x', ''], ['\u0001', 'a\u0007']],
    ['[A-Za-z0-9]([A-Za-z0-9\\:\\-\\_\\.\\@]{0,62}[A-Za-z0-9])?', ['a', 'a:b-c_d.e@f'], ['a!', '-a', 'a-']],
    ['[a-zA-Z0-9-_:]+', ['a-b_c:d'], ['a b', '']],
    ['arn:[a-z0-9-\\.]{1,63}:[a-z0-9-\\.]{0,63}:[a-z0-9-\\.]{0,63}:[a-z0-9-\\.]{0,63}:[^/].{0,1023}', ['arn:aws:chime:us-east-1:1:app-instance/x'], ['arn:aws:chime:us-east-1:1:/x', 'xarn:aws:a:b:c:d']],
    ['[0-9]{8}', ['12345678'], ['1234567', '123456789']],
    ['.*\\S.*', ['a', ' a '], ['   ', '']],
  ])('%s', (source, matching, failing) => {
    const re = javaPattern(source);
    for (const value of matching) expect(re.test(value)).toBe(true);
    for (const value of failing) expect(re.test(value)).toBe(false);
  });

  test('every pattern in both models compiles', () => {
    for (const model of [CHIME_MODEL, running.emulator.services.wickr.model]) {
      for (const shape of Object.values(model.shapes)) if (shape.pattern !== undefined) expect(() => javaPattern(shape.pattern!)).not.toThrow();
    }
  });
});

describe('responses', () => {
  test('status from the model (Chime create 201, delete 204 with an empty body) and timestamps as epoch seconds', async () => {
    const create = await signedRequest(running.url, {
      method: 'POST',
      path: '/app-instances',
      service: 'chime',
      body: JSON.stringify({ Name: 'a', ClientRequestToken: 'tok-1' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(create.status).toBe(201);
    const arn = create.json.AppInstanceArn as string;
    const path = `/app-instances/${encodeURIComponent(arn)}`;
    const described = await signedRequest(running.url, { method: 'GET', path, service: 'chime' });
    expect(described.json.AppInstance.LastUpdatedTimestamp).toBe(1700000000.5);
    expect(described.json.AppInstance).not.toHaveProperty('Metadata'); // undefined members are omitted
    const deleted = await signedRequest(running.url, { method: 'DELETE', path, service: 'chime' });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
  });

  test('only modeled output members are serialized', async () => {
    const res = await wickr(running.url, 'POST', '/networks', { networkName: 'n', accessLevel: 'STANDARD' });
    expect(res.json).toEqual({ networkId: expect.any(String), networkName: 'n' });
  });

  test('Date output members reach the official client as dates', async () => {
    running.emulator.clock.advance(86_400_000);
    // A client whose clock agrees with the emulator's (a day ahead): AWS refuses signatures 15 minutes off.
    const ahead = new ChimeSDKIdentityClient({
      region: 'us-east-1',
      endpoint: running.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      systemClockOffset: running.emulator.clock.offsetMs,
    });
    const { AppInstanceArn } = await ahead.send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }));
    const out = await ahead.send(new PutAppInstanceRetentionSettingsCommand({ AppInstanceArn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 3 } } }));
    expect(out.AppInstanceRetentionSettings).toEqual({ ChannelRetentionSettings: { RetentionDays: 3 } });
    expect(Math.abs(out.InitiateDeletionTimestamp!.getTime() - (Date.now() + 86_400_000))).toBeLessThan(5_000);
  });

  test('EmulatedError: status from the error shape, Wickr {message} and Chime {Code, Message}', async () => {
    const w = await wickr(running.url, 'GET', '/networks/99999999');
    expect(w.status).toBe(404);
    expect(w.headers['x-amzn-errortype']).toBe('ResourceNotFoundError');
    expect(w.json).toEqual({ message: 'network 99999999 not found' });
    const arn = 'arn:aws:chime:us-east-1:123456789012:app-instance/none';
    const c = await signedRequest(running.url, { method: 'GET', path: `/app-instances/${encodeURIComponent(arn)}`, service: 'chime' });
    expect(c.status).toBe(404);
    expect(c.headers['x-amzn-errortype']).toBe('NotFoundException');
    expect(c.json).toEqual({ Code: 'NotFound', Message: `${arn} not found` });
  });

  test('an unexpected exception or an error code outside the model: 500 InternalServerError, logged to stderr', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const id = await createNetwork();
      const thrown = await wickr(running.url, 'GET', `/networks/${id}/bots/55`);
      expect(thrown.status).toBe(500);
      expect(thrown.headers['x-amzn-errortype']).toBe('InternalServerError');
      const unknown = await wickr(running.url, 'DELETE', `/networks/${id}/bots/55`);
      expect(unknown.status).toBe(500);
      const unimplemented = await wickr(running.url, 'GET', `/networks/${id}/oidc`);
      expect(unimplemented.status).toBe(500);
      const logged = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(logged).toContain('boom: a bug in the implementation');
      expect(logged).toContain('NoSuchWickrError is not an error shape');
      expect(logged).toContain('wickr GetOidcInfo: the emulator does not implement this operation');
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('client tokens', () => {
  const body = { name: 'g1', securityGroupSettings: { lockoutThreshold: 3 } };

  test('Wickr: same token and input replays the first response without running the operation again', async () => {
    const id = await createNetwork();
    const first = await wickr(running.url, 'POST', `/networks/${id}/security-groups`, body, { headers: { 'x-client-token': 'tok-a' } });
    await createNetwork('other'); // changes what a second run would answer
    const second = await wickr(running.url, 'POST', `/networks/${id}/security-groups`, body, { headers: { 'x-client-token': 'tok-a' } });
    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
    expect(services().wickr.runs.CreateSecurityGroup).toBe(1);
    expect(running.emulator.calls().filter((c) => c.operation === 'CreateSecurityGroup').map((c) => c.replayed)).toEqual([undefined, true]);
  });

  test('Wickr: same token, different input: 422 ValidationError naming clientToken', async () => {
    const id = await createNetwork();
    await wickr(running.url, 'POST', `/networks/${id}/security-groups`, body, { headers: { 'x-client-token': 'tok-a' } });
    const res = await wickr(running.url, 'POST', `/networks/${id}/security-groups`, { ...body, name: 'g2' }, { headers: { 'x-client-token': 'tok-a' } });
    expect(res.status).toBe(422);
    expect(res.json.reasons).toEqual([{ field: 'clientToken', reason: 'clientToken reused with different parameters' }]);
    expect(services().wickr.runs.CreateSecurityGroup).toBe(1);
  });

  test('Wickr: without a token every call runs', async () => {
    const id = await createNetwork();
    await wickr(running.url, 'POST', `/networks/${id}/security-groups`, body);
    await wickr(running.url, 'POST', `/networks/${id}/security-groups`, body);
    expect(services().wickr.runs.CreateSecurityGroup).toBe(2);
  });

  test('Chime: replay of ClientRequestToken returns the same ARN; a different input is 409 ConflictException', async () => {
    const a = await chime.send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }));
    const again = await chime.send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }));
    expect(again.AppInstanceArn).toBe(a.AppInstanceArn);
    expect(Object.keys(services().chime.state)).toHaveLength(1);
    const err = await chime.send(new CreateAppInstanceCommand({ Name: 'b', ClientRequestToken: 'tok-1' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConflictException', Code: 'Conflict', $metadata: { httpStatusCode: 409 } });
  });

  test('a failed call is not remembered: the retry runs', async () => {
    const id = await createNetwork();
    running.emulator.addFault({ operation: 'CreateSecurityGroup', kind: 'error', count: 1 });
    expect((await wickr(running.url, 'POST', `/networks/${id}/security-groups`, body, { headers: { 'x-client-token': 'tok-a' } })).status).toBe(500);
    expect((await wickr(running.url, 'POST', `/networks/${id}/security-groups`, body, { headers: { 'x-client-token': 'tok-a' } })).status).toBe(200);
    expect(services().wickr.runs.CreateSecurityGroup).toBe(1);
  });

  test('tokens survive export and import of the state', async () => {
    const a = await chime.send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }));
    const state = running.emulator.exportState();
    running.emulator.reset();
    running.emulator.importState(state);
    const again = await chime.send(new CreateAppInstanceCommand({ Name: 'a', ClientRequestToken: 'tok-1' }));
    expect(again.AppInstanceArn).toBe(a.AppInstanceArn);
    expect(services().chime.runs.CreateAppInstance).toBeUndefined();
  });
});

const CTX: RequestContext = { accountId: '123456789012', region: 'us-east-1', now: () => new Date() };

function request(method: string, path: string): EmulatorRequest {
  return { method, path, query: {}, headers: {}, body: Buffer.alloc(0) };
}

/** A model with what the two real ones lack: a greedy label. */
function tinyService() {
  const model: ServiceModel = {
    metadata: { signingName: 'wickr', serviceId: 'Tiny', protocol: 'rest-json', apiVersion: '1', endpointPrefix: 'tiny' },
    operations: { GetObject: { http: { method: 'GET', requestUri: '/objects/{Key+}' }, input: 'GetObjectRequest', output: 'GetObjectResponse' } },
    shapes: {
      GetObjectRequest: { type: 'structure', members: { Key: { shape: 'String', location: 'uri', locationName: 'Key' } }, required: ['Key'] },
      GetObjectResponse: { type: 'structure', members: { Key: { shape: 'String' } } },
      Short: { type: 'string', max: 2 },
      String: { type: 'string' },
      InternalServerError: { type: 'structure', members: { message: { shape: 'String' } }, error: { httpStatusCode: 500 } },
    },
  };
  return { model, operations: { GetObject: (input: Record<string, unknown>) => ({ Key: input.Key }) }, reset() {}, exportState: () => ({}), importState() {} };
}
