import { Harness, startHarness } from '../harness/handler-harness';

/**
 * The Chime SDK Identity handlers (app instance, retention, user, admin, bot, user
 * endpoint) against the emulator, through CloudFormation-shaped events with stringified
 * properties.
 */
let h: Harness;
let instanceArn: string;
const LEX_ALIAS = 'arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/KLMNOPQRST';
const PINPOINT_APP = 'arn:aws:mobiletargeting:us-east-1:123456789012:apps/0123456789abcdef0123456789abcdef';
const DEVICE_TOKEN = 'apns-device-token-0f9e8d7c6b5a';
const VOIP_TOKEN = 'voip-token-112233445566';

const T = {
  instance: 'Custom::ChimeAppInstance',
  retention: 'Custom::ChimeAppInstanceRetention',
  user: 'Custom::ChimeAppInstanceUser',
  admin: 'Custom::ChimeAppInstanceAdmin',
  bot: 'Custom::ChimeAppInstanceBot',
  endpoint: 'Custom::ChimeAppInstanceUserEndpoint',
};

beforeAll(async () => {
  h = await startHarness({ seed: 21 });
  const res = await h.create({ type: T.instance, props: { Name: 'chat', Metadata: 'm' } });
  instanceArn = res.PhysicalResourceId!;
});
afterAll(() => h.close());
const allChimeCalls: Array<{ request: { headers: Readonly<Record<string, string>> } }> = [];
beforeEach(() => {
  h.emulator.clearFaults();
  h.clearCalls();
});
afterEach(() => allChimeCalls.push(...h.calls('chime')));

const chime = () => h.emulator.services.chime.store.state;
const instance = () => chime().instances[instanceArn];
const ops = () => h.calls('chime').map((c) => c.operation);
/** The calls that change something (a create also looks for what it would take over). */
const changes = () => ops().filter((o) => !/^(Describe|List|Get)/.test(o));
const bodies = (operation: string) => h.calls('chime').filter((c) => c.operation === operation).map((c) => c.request.body as Record<string, any>);
const ok = async (p: Promise<{ Status: string; Reason?: string; PhysicalResourceId?: string }>) => {
  const res = await p;
  if (res.Status !== 'SUCCESS') throw new Error(`expected SUCCESS, got ${res.Status}: ${res.Reason}`);
  return res.PhysicalResourceId!;
};

describe('ChimeAppInstance', () => {
  const props = () => ({ Name: 'support', Metadata: '', RetentionDays: 30, Tags: [{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'dev' }] });

  test('create puts retention ("30" decoded as a number); no-op 0 calls; in place by difference; delete twice', async () => {
    const arn = await ok(h.create({ type: T.instance, props: props() }));
    // tags go on the new ARN (on create they would need chime:TagResource on *)
    expect(changes()).toEqual(['CreateAppInstance', 'TagResource', 'PutAppInstanceRetentionSettings']);
    expect(bodies('PutAppInstanceRetentionSettings')[0]).toEqual({ AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 30 } } });
    h.clearCalls();
    await ok(h.update({ type: T.instance, props: props(), oldProps: props(), physicalId: arn }));
    expect(ops()).toEqual([]);
    const next = { ...props(), Metadata: 'v2', RetentionDays: 60, Tags: [{ Key: 'team', Value: 'b' }, { Key: 'owner', Value: 'x' }] };
    expect(await ok(h.update({ type: T.instance, props: next, oldProps: props(), physicalId: arn }))).toBe(arn);
    expect(ops()).toEqual(['UpdateAppInstance', 'PutAppInstanceRetentionSettings', 'UntagResource', 'TagResource']);
    expect(bodies('UntagResource')[0].TagKeys).toEqual(['env']);
    expect(chime().instances[arn]).toMatchObject({ metadata: 'v2', retention: { days: 60 } });
    expect(await h.read({ type: T.instance, props: next, physicalId: arn })).toMatchObject({ Exists: true, Live: { Metadata: 'v2', RetentionDays: 60 } });
    expect((await h.remove({ type: T.instance, props: next, physicalId: arn })).Status).toBe('SUCCESS');
    expect(chime().instances[arn].deletion).toBeDefined();
    expect((await h.remove({ type: T.instance, props: next, physicalId: arn })).Status).toBe('SUCCESS');
  });
});

describe('ChimeAppInstanceRetention', () => {
  test('puts, changes in place, clears on delete; another instance is a new resource', async () => {
    const props = { AppInstanceArn: instanceArn, RetentionDays: '90' };
    const id = await ok(h.create({ type: T.retention, props }));
    expect(id).toBe(`${instanceArn}/retention`);
    expect(instance().retention).toMatchObject({ days: 90 });
    h.clearCalls();
    await ok(h.update({ type: T.retention, props, oldProps: props, physicalId: id }));
    expect(ops()).toEqual([]);
    await ok(h.update({ type: T.retention, props: { ...props, RetentionDays: '7' }, oldProps: props, physicalId: id }));
    expect(instance().retention).toMatchObject({ days: 7 });
    expect(await h.read({ type: T.retention, props, physicalId: id })).toMatchObject({ Exists: true, Live: { RetentionDays: 7 } });
    await ok(h.remove({ type: T.retention, props, physicalId: id }));
    expect(instance().retention?.days).toBeUndefined();
    expect(await h.read({ type: T.retention, props, physicalId: id })).toMatchObject({ Exists: false });
  });

  test('a bad value fails with the rule', async () => {
    const res = await h.create({ type: T.retention, props: { AppInstanceArn: instanceArn, RetentionDays: '6000' } });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toMatch(/RetentionDays/);
  });
});

describe('ChimeAppInstanceUser', () => {
  const props = (over: Record<string, unknown> = {}) => ({ AppInstanceArn: instanceArn, AppInstanceUserId: 'ann', Name: 'Ann', Metadata: '', ExpirationDays: 365, Tags: [{ Key: 'k', Value: 'v' }], ...over });
  let arn: string;

  test('create with a ClientRequestToken, then the expiration ("365" decoded) and tags on the new ARN (on create they would need permissions on *)', async () => {
    arn = await ok(h.create({ type: T.user, props: props() }));
    expect(arn).toBe(`${instanceArn}/user/ann`);
    // The user of that id is looked for first: one that exists would be taken over only by its own stack, or by adoption.
    expect(ops()).toEqual(['DescribeAppInstanceUser', 'CreateAppInstanceUser', 'PutAppInstanceUserExpirationSettings', 'TagResource']);
    const [body] = bodies('CreateAppInstanceUser');
    expect(body).toEqual({ AppInstanceArn: instanceArn, AppInstanceUserId: 'ann', Name: 'Ann', Metadata: '', ClientRequestToken: expect.stringMatching(/^[-_a-zA-Z0-9]{2,64}$/) });
    expect(bodies('PutAppInstanceUserExpirationSettings')[0]).toMatchObject({ ExpirationSettings: { ExpirationDays: 365, ExpirationCriterion: 'CREATED_TIMESTAMP' } });
    expect(bodies('TagResource')[0]).toMatchObject({ ResourceARN: arn, Tags: [{ Key: 'k', Value: 'v' }] });
    const live = instance().users.ann;
    expect(live).toMatchObject({ expiration: { ExpirationDays: 365 }, tags: [{ Key: 'k', Value: 'v' }] });
  });

  test('no-op: 0 calls; name, metadata, expiration and tags in place', async () => {
    await ok(h.update({ type: T.user, props: props(), oldProps: props(), physicalId: arn }));
    expect(ops()).toEqual([]);
    const next = props({ Name: 'Ann B', Metadata: '{"a":1}', ExpirationDays: 30, Tags: [] });
    expect(await ok(h.update({ type: T.user, props: next, oldProps: props(), physicalId: arn }))).toBe(arn);
    expect(ops()).toEqual(['UpdateAppInstanceUser', 'PutAppInstanceUserExpirationSettings', 'UntagResource']);
    expect(instance().users.ann).toMatchObject({ name: 'Ann B', metadata: '{"a":1}', expiration: { ExpirationDays: 30 }, tags: [] });
    expect(await h.read({ type: T.user, props: next, physicalId: arn })).toMatchObject({ Exists: true, Live: { Name: 'Ann B', ExpirationDays: 30, Tags: [] } });
  });

  test('a new user id replaces: the new user is created, the old one deleted by the cleanup Delete', async () => {
    const old = props({ Name: 'Ann B', Metadata: '{"a":1}', ExpirationDays: 30, Tags: [] });
    const replaced = await ok(h.update({ type: T.user, props: { ...old, AppInstanceUserId: 'ann.b' }, oldProps: old, physicalId: arn }));
    expect(replaced).toBe(`${instanceArn}/user/ann.b`);
    expect(Object.keys(instance().users).sort()).toEqual(['ann', 'ann.b']);
    await ok(h.remove({ type: T.user, props: old, physicalId: arn }));
    expect(Object.keys(instance().users)).toEqual(['ann.b']);
    // The service's not-found reaches the dispatcher, which answers the read with Exists: false.
    expect(await h.read({ type: T.user, props: old, physicalId: arn })).toEqual({ Status: 'SUCCESS', Exists: false });
    await ok(h.remove({ type: T.user, props: old, physicalId: arn }));
    await ok(h.remove({ type: T.user, props: old, physicalId: replaced }));
    expect(instance().users).toEqual({});
  });

  test('service failure reaches the reason with the code; drop-after-commit then retry leaves one user', async () => {
    h.emulator.addFault({ operation: 'CreateAppInstanceUser', kind: 'error', count: 10 });
    const failed = await h.create({ type: T.user, props: props({ AppInstanceUserId: 'cy' }), logicalId: 'Cy' });
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(/Custom::ChimeAppInstanceUser Cy: create failed: .*ServiceFailureException/);
    h.emulator.clearFaults();
    h.emulator.addFault({ operation: 'CreateAppInstanceUser', kind: 'drop-after-commit', count: 1 });
    const requestId = 'req-dropped-user';
    const res = await h.create({ type: T.user, props: props({ AppInstanceUserId: 'dee' }), requestId });
    expect(res.Status).toBe('SUCCESS');
    // CloudFormation delivers the same request again: same token, same user.
    expect(await ok(h.create({ type: T.user, props: props({ AppInstanceUserId: 'dee' }), requestId }))).toBe(res.PhysicalResourceId);
    expect(Object.keys(instance().users)).toEqual(['dee']);
    const tokens = new Set(bodies('CreateAppInstanceUser').filter((b) => b.AppInstanceUserId === 'dee').map((b) => b.ClientRequestToken));
    expect(tokens.size).toBe(1);
    await ok(h.remove({ type: T.user, props: props(), physicalId: res.PhysicalResourceId! }));
  });

  test('an invalid user id or expiration in the event fails before any call', async () => {
    for (const bad of [props({ AppInstanceUserId: '-x' }), props({ ExpirationDays: '0' }), props({ ExpirationDays: 'soon' })]) {
      const res = await h.create({ type: T.user, props: bad });
      expect(res.Status).toBe('FAILED');
      expect(res.Reason).toMatch(/AppInstanceUserId|ExpirationDays/);
    }
    expect(ops()).toEqual([]);
  });
});

describe('ChimeAppInstanceAdmin', () => {
  let userArn: string;
  let otherArn: string;
  beforeAll(async () => {
    userArn = await ok(h.create({ type: T.user, props: { AppInstanceArn: instanceArn, AppInstanceUserId: 'boss', Name: 'Boss' } }));
    otherArn = await ok(h.create({ type: T.user, props: { AppInstanceArn: instanceArn, AppInstanceUserId: 'deputy', Name: 'Deputy' } }));
  });

  test('promotes; no-op 0 calls; another admin promotes the new one; delete demotes and never deletes the user', async () => {
    const props = { AppInstanceArn: instanceArn, AdminArn: userArn };
    const id = await ok(h.create({ type: T.admin, props }));
    expect(Object.keys(instance().admins)).toEqual([userArn]);
    h.clearCalls();
    await ok(h.update({ type: T.admin, props, oldProps: props, physicalId: id }));
    expect(ops()).toEqual([]);
    const next = { ...props, AdminArn: otherArn };
    const id2 = await ok(h.update({ type: T.admin, props: next, oldProps: props, physicalId: id }));
    expect(id2).not.toBe(id);
    await ok(h.remove({ type: T.admin, props, physicalId: id }));
    expect(Object.keys(instance().admins)).toEqual([otherArn]);
    expect(instance().users.boss).toBeDefined();
    expect(await h.read({ type: T.admin, props, physicalId: id })).toMatchObject({ Exists: false });
    expect(await h.read({ type: T.admin, props: next, physicalId: id2 })).toMatchObject({ Exists: true });
    await ok(h.remove({ type: T.admin, props: next, physicalId: id2 }));
    await ok(h.remove({ type: T.admin, props: next, physicalId: id2 }));
    expect(instance().admins).toEqual({});
    expect(instance().users.deputy).toBeDefined();
  });

  test('someone already an admin (a duplicate delivery, a lost answer) is confirmed, not refused', async () => {
    const props = { AppInstanceArn: instanceArn, AdminArn: userArn };
    const id = await ok(h.create({ type: T.admin, props, requestId: 'req-admin' }));
    expect(await ok(h.create({ type: T.admin, props, requestId: 'req-admin' }))).toBe(id);
    expect(changes()).toEqual(['CreateAppInstanceAdmin']);
    await ok(h.remove({ type: T.admin, props, physicalId: id }));
    expect(instance().admins).toEqual({});
  });

  test('a user of no instance fails with the service\'s code and message', async () => {
    const res = await h.create({ type: T.admin, props: { AppInstanceArn: instanceArn, AdminArn: `${instanceArn}/user/nobody` } });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toMatch(/create failed: Chime SDK Identity BadRequestException \(HTTP 400\): .*nobody not found/);
  });
});

describe('ChimeAppInstanceBot', () => {
  const lex = { LexBotAliasArn: LEX_ALIAS, LocaleId: 'en_US', InvokedBy: { StandardMessages: 'MENTIONS', TargetedMessages: 'ALL' } };
  const props = (over: Record<string, unknown> = {}) => ({ AppInstanceArn: instanceArn, Name: 'helper', Metadata: '', Lex: lex, Tags: [], ...over });
  let arn: string;

  test('create with the Lex configuration and a token; no-op 0 calls; Lex and name in place', async () => {
    arn = await ok(h.create({ type: T.bot, props: props() }));
    expect(bodies('CreateAppInstanceBot')[0]).toMatchObject({ Name: 'helper', Configuration: { Lex: lex }, ClientRequestToken: expect.any(String) });
    h.clearCalls();
    await ok(h.update({ type: T.bot, props: props(), oldProps: props(), physicalId: arn }));
    expect(ops()).toEqual([]);
    const next = props({ Name: 'helper2', Lex: { ...lex, WelcomeIntent: 'Greet_User', InvokedBy: { StandardMessages: 'ALL', TargetedMessages: 'NONE' } }, Tags: [{ Key: 'a', Value: 'b' }] });
    expect(await ok(h.update({ type: T.bot, props: next, oldProps: props(), physicalId: arn }))).toBe(arn);
    expect(ops()).toEqual(['UpdateAppInstanceBot', 'TagResource']);
    const bot = Object.values(instance().bots)[0];
    expect(bot).toMatchObject({ name: 'helper2', configuration: { Lex: { WelcomeIntent: 'Greet_User', InvokedBy: { StandardMessages: 'ALL' } } } });
    expect(await h.read({ type: T.bot, props: next, physicalId: arn })).toMatchObject({ Exists: true, Live: { Name: 'helper2' } });
  });

  test('a metadata change alone sends name and metadata but not the configuration', async () => {
    const old = props({ Name: 'helper2' });
    await ok(h.update({ type: T.bot, props: { ...old, Metadata: 'x' }, oldProps: old, physicalId: arn }));
    expect(bodies('UpdateAppInstanceBot')).toEqual([{ Name: 'helper2', Metadata: 'x' }]);
  });

  test('drop-after-commit then redelivery leaves one bot; delete twice', async () => {
    await ok(h.remove({ type: T.bot, props: props(), physicalId: arn }));
    expect(instance().bots).toEqual({});
    h.emulator.addFault({ operation: 'CreateAppInstanceBot', kind: 'drop-after-commit', count: 1 });
    const first = await ok(h.create({ type: T.bot, props: props(), requestId: 'req-bot' }));
    expect(await ok(h.create({ type: T.bot, props: props(), requestId: 'req-bot' }))).toBe(first);
    expect(Object.keys(instance().bots)).toHaveLength(1);
    await ok(h.remove({ type: T.bot, props: props(), physicalId: first }));
    await ok(h.remove({ type: T.bot, props: props(), physicalId: first }));
    expect(instance().bots).toEqual({});
  });

  test('a bad Lex alias ARN in the event fails with the rule before any call', async () => {
    const res = await h.create({ type: T.bot, props: props({ Lex: { ...lex, LexBotAliasArn: 'arn:aws:lex:us-east-1:1:bot/x' } }) });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toMatch(/LexBotAliasArn/);
    expect(ops()).toEqual([]);
  });
});

describe('ChimeAppInstanceUserEndpoint', () => {
  let userArn: string;
  let tokenArn: string;
  let voipArn: string;
  const props = (over: Record<string, unknown> = {}) => ({
    AppInstanceUserArn: userArn,
    Type: 'APNS',
    ResourceArn: PINPOINT_APP,
    DeviceToken: { SecretArn: tokenArn },
    VoipDeviceToken: { SecretArn: voipArn, JsonField: 'voip' },
    Name: 'phone',
    AllowMessages: 'ALL',
    ...over,
  });
  let id: string;

  beforeAll(async () => {
    userArn = await ok(h.create({ type: T.user, props: { AppInstanceArn: instanceArn, AppInstanceUserId: 'mobile', Name: 'Mobile' } }));
    tokenArn = h.emulator.secrets.createSecret({ name: 'device', secretString: DEVICE_TOKEN });
    voipArn = h.emulator.secrets.createSecret({ name: 'voip', secretString: JSON.stringify({ voip: VOIP_TOKEN }) });
  });
  const endpoints = () => instance().users.mobile.endpoints;

  test('registers with the tokens read from the secrets; the id is <user ARN>/endpoints/<endpoint id>, also answered as Data', async () => {
    const res = await h.create({ type: T.endpoint, props: props() });
    expect(res.Status).toBe('SUCCESS');
    id = res.PhysicalResourceId!;
    const [endpoint] = Object.values(endpoints());
    expect(id).toBe(`${userArn}/endpoints/${endpoint.endpointId}`);
    expect(res.Data).toEqual({ EndpointId: endpoint.endpointId });
    expect(endpoint).toMatchObject({ type: 'APNS', attributes: { DeviceToken: DEVICE_TOKEN, VoipDeviceToken: VOIP_TOKEN }, allowMessages: 'ALL', name: 'phone' });
  });

  test('no-op 0 calls; name and allow-messages in place; a new token version keeps an endpoint that already has the device; a new device registers anew', async () => {
    await ok(h.update({ type: T.endpoint, props: props(), oldProps: props(), physicalId: id }));
    expect(ops()).toEqual([]);
    const quiet = props({ AllowMessages: 'NONE', Name: 'old phone' });
    expect(await ok(h.update({ type: T.endpoint, props: quiet, oldProps: props(), physicalId: id }))).toBe(id);
    expect(ops()).toEqual(['DescribeAppInstanceUserEndpoint', 'UpdateAppInstanceUserEndpoint']);
    expect(Object.values(endpoints())[0]).toMatchObject({ allowMessages: 'NONE', name: 'old phone' });
    // A new token version whose secret holds the same device token: the endpoint already is the one asked for.
    h.clearCalls();
    expect(await ok(h.update({ type: T.endpoint, props: { ...quiet, TokenVersion: '2' }, oldProps: quiet, physicalId: id }))).toBe(id);
    expect(ops()).toEqual(['DescribeAppInstanceUserEndpoint']);
    // Another device: registered anew; the service allows one endpoint per device, so nothing conflicts.
    const otherArn = h.emulator.secrets.createSecret({ name: 'device-2', secretString: `${DEVICE_TOKEN}-2` });
    const moved = { ...quiet, DeviceToken: { SecretArn: otherArn }, TokenVersion: '3' };
    h.clearCalls();
    const again = await ok(h.update({ type: T.endpoint, props: moved, oldProps: { ...quiet, TokenVersion: '2' }, physicalId: id }));
    expect(again).not.toBe(id);
    expect(ops().filter((o) => !/^(List|Describe)/.test(o))).toEqual(['RegisterAppInstanceUserEndpoint']);
    await ok(h.remove({ type: T.endpoint, props: quiet, physicalId: id }));
    expect(Object.keys(endpoints())).toHaveLength(1);
    expect(await h.read({ type: T.endpoint, props: moved, physicalId: again })).toMatchObject({ Exists: true, Live: { AllowMessages: 'NONE', Type: 'APNS' } });
    await ok(h.remove({ type: T.endpoint, props: moved, physicalId: again }));
    await ok(h.remove({ type: T.endpoint, props: moved, physicalId: again }));
    expect(endpoints()).toEqual({});
  });

  test('the same device with a new VoIP token is registered again under the same id: the old registration is deregistered first', async () => {
    const first = await ok(h.create({ type: T.endpoint, props: props() }));
    const voip2 = h.emulator.secrets.createSecret({ name: 'voip-2', secretString: JSON.stringify({ voip: `${VOIP_TOKEN}-2` }) });
    h.clearCalls();
    const next = props({ VoipDeviceToken: { SecretArn: voip2, JsonField: 'voip' } });
    const second = await ok(h.update({ type: T.endpoint, props: next, oldProps: props(), physicalId: first }));
    expect(second).toBe(first);
    expect(ops()).toEqual([
      'DescribeAppInstanceUserEndpoint',
      'RegisterAppInstanceUserEndpoint',
      'DeregisterAppInstanceUserEndpoint',
      'RegisterAppInstanceUserEndpoint',
    ]);
    expect(Object.values(endpoints()).map((e) => e.attributes)).toEqual([{ DeviceToken: DEVICE_TOKEN, VoipDeviceToken: `${VOIP_TOKEN}-2` }]);
    await ok(h.remove({ type: T.endpoint, props: next, physicalId: second }));
    expect(endpoints()).toEqual({});
  });

  test('the rollback of a failed replacement keeps the old physical id', async () => {
    const first = await ok(h.create({ type: T.endpoint, props: props() }));
    const otherArn = h.emulator.secrets.createSecret({ name: 'device-3', secretString: `${DEVICE_TOKEN}-3` });
    const attempted = props({ DeviceToken: { SecretArn: otherArn }, Type: 'GCM' });
    h.emulator.addFault({ operation: 'RegisterAppInstanceUserEndpoint', kind: 'error', count: 10 });
    const failed = await h.update({ type: T.endpoint, props: attempted, oldProps: props(), physicalId: first });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: first });
    h.emulator.clearFaults();
    expect(await ok(h.update({ type: T.endpoint, props: props(), oldProps: attempted, physicalId: first }))).toBe(first);
    expect(Object.keys(endpoints())).toHaveLength(1);
    await ok(h.remove({ type: T.endpoint, props: props(), physicalId: first }));
    expect(endpoints()).toEqual({});
  });

  test('drop-after-commit then redelivery registers one endpoint', async () => {
    h.emulator.addFault({ operation: 'RegisterAppInstanceUserEndpoint', kind: 'drop-after-commit', count: 1 });
    const first = await ok(h.create({ type: T.endpoint, props: props(), requestId: 'req-ep' }));
    expect(await ok(h.create({ type: T.endpoint, props: props(), requestId: 'req-ep' }))).toBe(first);
    expect(Object.keys(endpoints())).toHaveLength(1);
    await ok(h.remove({ type: T.endpoint, props: props(), physicalId: first }));
  });

  test('a missing secret field fails naming the secret and field, never a token', async () => {
    const res = await h.create({ type: T.endpoint, props: props({ VoipDeviceToken: { SecretArn: voipArn, JsonField: 'nope' } }) });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toContain('field nope');
  });

  test('no device token in any response or log line', () => {
    const text = JSON.stringify(h.responses) + h.logs.join('\n');
    expect(text).not.toContain(DEVICE_TOKEN);
    expect(text).not.toContain(VOIP_TOKEN);
    expect(h.logs.length).toBeGreaterThan(0);
  });
});

// Last: describe blocks run in order, so this sees every test's calls.
describe('the call log', () => {
  test('every Chime call came from the official @aws-sdk/client-chime-sdk-identity client', () => {
    expect(allChimeCalls.length).toBeGreaterThan(20);
    for (const call of allChimeCalls) {
      expect(call.request.headers['user-agent']).toMatch(/aws-sdk-js\/3\.\d+/);
      expect(call.request.headers['user-agent']).toMatch(/api\/chime-sdk-identity#3\.\d+/);
    }
  });
});
