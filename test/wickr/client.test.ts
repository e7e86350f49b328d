import * as model from '../../models/wickr-2024-02-01.json';
import {
  InternalServerError,
  isAmbiguousFailure,
  paginateListUsers,
  ResourceNotFoundError,
  ValidationError,
  WickrClient,
} from '../../lambda/wickr/client';
import * as w from '../../lambda/wickr/client';
import { CallOutcome } from '../../lambda/core/observer';
import { CallRecord, DefaultServices, RunningEmulator, startEmulator } from '../../local/emulator';

/**
 * Every operation of the Wickr client against the emulator: the request as it reached the
 * wire (method, path, query, headers, body) and the decoded response.
 */
let running: RunningEmulator<DefaultServices>;
let client: WickrClient;
const outcomes: CallOutcome[] = [];
const exercised = new Set<string>();

let networkId: string;
let defaultGroupId: string;
let groupId: string;
let userIds: string[];
let botId: string;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 7 });
  client = new WickrClient({
    endpoint: running.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    retryBaseDelayMs: 1,
    observer: { after: (o) => outcomes.push(o) },
  });
});
afterAll(() => running.close());

/** The last request the emulator received, for the operation just called. */
function wire(operation: string): CallRecord['request'] {
  exercised.add(operation);
  const calls = running.emulator.calls().filter((c) => c.service === 'wickr');
  const last = calls[calls.length - 1];
  expect(last.operation).toBe(operation);
  return last.request;
}

describe('networks', () => {
  test('CreateNetwork: JSON body, no client token header', async () => {
    const out = await client.send(new w.CreateNetworkCommand({ networkName: 'client-net', accessLevel: 'PREMIUM', enablePremiumFreeTrial: false }));
    const req = wire('CreateNetwork');
    expect(req).toMatchObject({ method: 'POST', path: '/networks', body: { networkName: 'client-net', accessLevel: 'PREMIUM', enablePremiumFreeTrial: false } });
    expect(req.headers['x-client-token']).toBeUndefined();
    expect(req.headers['content-type']).toBe('application/json');
    expect(out.networkId).toMatch(/^[0-9]{8}$/);
    expect(out.networkName).toBe('client-net');
    networkId = out.networkId!;
  });

  test('GetNetwork: label in the path, typed response', async () => {
    const out = await client.send(new w.GetNetworkCommand({ networkId }));
    expect(wire('GetNetwork')).toMatchObject({ method: 'GET', path: `/networks/${networkId}`, body: undefined });
    expect(out).toMatchObject({ networkId, networkName: 'client-net', accessLevel: 'PREMIUM' });
  });

  test('ListNetworks: query members', async () => {
    const out = await client.send(new w.ListNetworksCommand({ maxResults: 5, sortDirection: 'ASC' }));
    expect(wire('ListNetworks')).toMatchObject({ method: 'GET', path: '/networks', query: { maxResults: '5', sortDirection: 'ASC' } });
    expect(out.networks.map((n) => n.networkId)).toContain(networkId);
  });

  test('UpdateNetwork: X-Client-Token header filled when absent', async () => {
    await client.send(new w.UpdateNetworkCommand({ networkId, networkName: 'client-net2' }));
    const req = wire('UpdateNetwork');
    expect(req).toMatchObject({ method: 'PATCH', path: `/networks/${networkId}`, body: { networkName: 'client-net2' } });
    expect(req.headers['x-client-token']).toMatch(/^[0-9a-f-]{36}$/);
    expect(req.body).not.toHaveProperty('clientToken');
    expect(req.body).not.toHaveProperty('networkId');
  });

  test('GetNetworkSettings and UpdateNetworkSettings: nested structures; false stays false', async () => {
    const before = await client.send(new w.GetNetworkSettingsCommand({ networkId }));
    expect(wire('GetNetworkSettings')).toMatchObject({ method: 'GET', path: `/networks/${networkId}/settings` });
    expect(before.settings).toBeDefined();
    const out = await client.send(new w.UpdateNetworkSettingsCommand({ networkId, settings: { enableClientMetrics: false, readReceiptConfig: { status: 'ENABLED' } } }));
    expect(wire('UpdateNetworkSettings')).toMatchObject({
      method: 'PATCH',
      body: { settings: { enableClientMetrics: false, readReceiptConfig: { status: 'ENABLED' } } },
    });
    expect(out.settings.find((x) => x.optionName === 'enableClientMetrics')).toMatchObject({ value: 'false' });
  });
});

describe('security groups', () => {
  test('ListSecurityGroups finds the default group', async () => {
    const out = await client.send(new w.ListSecurityGroupsCommand({ networkId }));
    expect(wire('ListSecurityGroups')).toMatchObject({ method: 'GET', path: `/networks/${networkId}/security-groups` });
    const def = out.securityGroups?.find((g) => g.isDefault);
    expect(def).toBeDefined();
    defaultGroupId = def!.id!;
  });

  test('CreateSecurityGroup: token header, federation subset', async () => {
    const out = await client.send(
      new w.CreateSecurityGroupCommand({ networkId, name: 'Ops', clientToken: 'tok-1', securityGroupSettings: { federationMode: 0 } }),
    );
    const req = wire('CreateSecurityGroup');
    expect(req).toMatchObject({ method: 'POST', headers: { 'x-client-token': 'tok-1' }, body: { name: 'Ops', securityGroupSettings: { federationMode: 0 } } });
    expect(out.securityGroup.name).toBe('Ops');
    groupId = out.securityGroup.id!;
  });

  test('GetSecurityGroup', async () => {
    const out = await client.send(new w.GetSecurityGroupCommand({ networkId, groupId }));
    expect(wire('GetSecurityGroup')).toMatchObject({ path: `/networks/${networkId}/security-groups/${encodeURIComponent(groupId)}` });
    expect(out.securityGroup.id).toBe(groupId);
  });

  test('UpdateSecurityGroup: full settings', async () => {
    const out = await client.send(new w.UpdateSecurityGroupCommand({ networkId, groupId, securityGroupSettings: { lockoutThreshold: 5, shredder: { intensity: 60 } } }));
    expect(wire('UpdateSecurityGroup')).toMatchObject({ method: 'PATCH', body: { securityGroupSettings: { lockoutThreshold: 5, shredder: { intensity: 60 } } } });
    expect(out.securityGroup.securityGroupSettings?.lockoutThreshold).toBe(5);
  });
});

describe('users', () => {
  test('BatchCreateUser: list body, partial failures decoded', async () => {
    const users = ['ann', 'bob', 'cy'].map((n) => ({ username: `${n}@example.com`, firstName: n, lastName: 'X', securityGroupIds: [groupId], inviteCode: undefined }));
    const out = await client.send(new w.BatchCreateUserCommand({ networkId, clientToken: 'batch-1', users }));
    const req = wire('BatchCreateUser');
    expect(req).toMatchObject({ method: 'POST', path: `/networks/${networkId}/users`, headers: { 'x-client-token': 'batch-1' } });
    expect((req.body as { users: unknown[] }).users).toHaveLength(3);
    expect(out.successful).toHaveLength(3);
    userIds = out.successful!.map((u) => u.userId!);
  });

  test('ListUsers: query filter; paginateListUsers follows nextToken', async () => {
    const out = await client.send(new w.ListUsersCommand({ networkId, username: 'ann@example.com', maxResults: 10 }));
    expect(wire('ListUsers')).toMatchObject({ query: { username: 'ann@example.com', maxResults: '10' } });
    expect(out.users?.map((u) => u.username)).toContain('ann@example.com');
    const pages: number[] = [];
    for await (const page of paginateListUsers({ client, pageSize: 1 }, { networkId })) pages.push(page.users?.length ?? 0);
    expect(pages.length).toBe(3);
  });

  test('query values are percent-encoded exactly as signed: a space is %20, not + (what the official client sends)', async () => {
    const out = await client.send(new w.ListUsersCommand({ networkId, firstName: 'Ann Marie', lastName: "O'Brien+1", maxResults: 10 }));
    expect(out.users).toEqual([]);
    const calls = running.emulator.calls().filter((c) => c.service === 'wickr');
    const last = calls[calls.length - 1];
    expect(last).toMatchObject({ operation: 'ListUsers', status: 200 });
    expect(last.request.query).toMatchObject({ firstName: 'Ann Marie', lastName: "O'Brien+1" });
  });

  test('GetUser: timestamps in epoch seconds', async () => {
    const out = await client.send(new w.GetUserCommand({ networkId, userId: userIds[0], startTime: new Date(1_700_000_000_500) }));
    expect(wire('GetUser')).toMatchObject({ path: `/networks/${networkId}/users/${userIds[0]}`, query: { startTime: '1700000000' } });
    expect(out.userId).toBe(userIds[0]);
  });

  test('GetUsersCount', async () => {
    const out = await client.send(new w.GetUsersCountCommand({ networkId }));
    expect(wire('GetUsersCount')).toMatchObject({ path: `/networks/${networkId}/users/count` });
    expect(out.total).toBeGreaterThanOrEqual(3);
  });

  test('UpdateUser: userId in the body', async () => {
    const out = await client.send(new w.UpdateUserCommand({ networkId, userId: userIds[0], userDetails: { firstName: 'Anne' } }));
    expect(wire('UpdateUser')).toMatchObject({ method: 'PATCH', path: `/networks/${networkId}/users`, body: { userId: userIds[0], userDetails: { firstName: 'Anne' } } });
    expect(out.firstName).toBe('Anne');
  });

  test('BatchToggleUserSuspendStatus: boolean in the query', async () => {
    const out = await client.send(new w.BatchToggleUserSuspendStatusCommand({ networkId, suspend: false, userIds: [userIds[1]] }));
    expect(wire('BatchToggleUserSuspendStatus')).toMatchObject({ method: 'PATCH', query: { suspend: 'false' }, body: { userIds: [userIds[1]] } });
    expect(out.successful?.map((u) => u.userId)).toEqual([userIds[1]]);
  });

  test('BatchReinviteUser', async () => {
    const out = await client.send(new w.BatchReinviteUserCommand({ networkId, userIds: [userIds[2]] }));
    expect(wire('BatchReinviteUser')).toMatchObject({ method: 'PATCH', path: `/networks/${networkId}/users/re-invite` });
    expect((out.successful ?? []).length + (out.failed ?? []).length).toBe(1);
  });

  test('BatchLookupUserUname', async () => {
    const out = await client.send(new w.BatchLookupUserUnameCommand({ networkId, unames: ['nobody-uname'] }));
    expect(wire('BatchLookupUserUname')).toMatchObject({ method: 'POST', body: { unames: ['nobody-uname'] } });
    expect((out.successful ?? []).length + (out.failed ?? []).length).toBe(1);
  });

  test('ListDevicesForUser and BatchResetDevicesForUser', async () => {
    let withDevices: { userId: string; appIds: string[] } | undefined;
    for (const userId of userIds) {
      const out = await client.send(new w.ListDevicesForUserCommand({ networkId, userId }));
      expect(wire('ListDevicesForUser')).toMatchObject({ path: `/networks/${networkId}/users/${userId}/devices` });
      const appIds = (out.devices ?? []).map((d) => d.appId!).filter(Boolean);
      if (appIds.length > 0) withDevices ??= { userId, appIds };
    }
    const target = withDevices ?? { userId: userIds[0], appIds: ['no-such-app'] };
    const reset = await client.send(new w.BatchResetDevicesForUserCommand({ networkId, userId: target.userId, appIds: target.appIds }));
    expect(wire('BatchResetDevicesForUser')).toMatchObject({ method: 'PATCH', body: { appIds: target.appIds } });
    expect((reset.successful ?? []).length + (reset.failed ?? []).length).toBe(target.appIds.length);
  });

  test('ListSecurityGroupUsers', async () => {
    const out = await client.send(new w.ListSecurityGroupUsersCommand({ networkId, groupId }));
    expect(wire('ListSecurityGroupUsers')).toMatchObject({ path: `/networks/${networkId}/security-groups/${encodeURIComponent(groupId)}/users` });
    expect(out.users?.length).toBe(3);
  });
});

describe('bots and data retention', () => {
  test('CreateBot, GetBot, ListBots, GetBotsCount, UpdateBot', async () => {
    const created = await client.send(new w.CreateBotCommand({ networkId, username: 'alertsbot', displayName: 'Alerts', groupId, challenge: 'c-secret-1' }));
    expect(wire('CreateBot')).toMatchObject({ method: 'POST', body: { username: 'alertsbot', groupId } });
    botId = created.botId!;
    const got = await client.send(new w.GetBotCommand({ networkId, botId }));
    expect(wire('GetBot')).toMatchObject({ path: `/networks/${networkId}/bots/${botId}` });
    expect(got).toMatchObject({ botId, displayName: 'Alerts' });
    const list = await client.send(new w.ListBotsCommand({ networkId, username: 'alertsbot' }));
    expect(wire('ListBots')).toMatchObject({ query: { username: 'alertsbot' } });
    expect(list.bots?.map((b) => b.botId)).toContain(botId);
    const count = await client.send(new w.GetBotsCountCommand({ networkId }));
    expect(wire('GetBotsCount')).toMatchObject({ path: `/networks/${networkId}/bots/count` });
    expect(count.total).toBe(1);
    await client.send(new w.UpdateBotCommand({ networkId, botId, suspend: true }));
    expect(wire('UpdateBot')).toMatchObject({ method: 'PATCH', body: { suspend: true } });
    expect((await client.send(new w.GetBotCommand({ networkId, botId }))).suspended).toBe(true);
  });

  test('CreateDataRetentionBot, CreateDataRetentionBotChallenge, GetDataRetentionBot, UpdateDataRetention', async () => {
    await client.send(new w.CreateDataRetentionBotCommand({ networkId }));
    expect(wire('CreateDataRetentionBot')).toMatchObject({ method: 'POST', path: `/networks/${networkId}/data-retention-bots` });
    const challenge = await client.send(new w.CreateDataRetentionBotChallengeCommand({ networkId }));
    expect(wire('CreateDataRetentionBotChallenge')).toMatchObject({ path: `/networks/${networkId}/data-retention-bots/challenge` });
    expect(typeof challenge.challenge).toBe('string');
    await client.send(new w.UpdateDataRetentionCommand({ networkId, actionType: 'ENABLE' }));
    expect(wire('UpdateDataRetention')).toMatchObject({ method: 'PATCH', body: { actionType: 'ENABLE' } });
    const got = await client.send(new w.GetDataRetentionBotCommand({ networkId }));
    expect(wire('GetDataRetentionBot')).toMatchObject({ method: 'GET' });
    expect(got).toMatchObject({ botExists: true, isDataRetentionServiceEnabled: true });
  });

  test('DeleteBot and DeleteDataRetentionBot', async () => {
    await client.send(new w.DeleteBotCommand({ networkId, botId }));
    expect(wire('DeleteBot')).toMatchObject({ method: 'DELETE', path: `/networks/${networkId}/bots/${botId}` });
    await client.send(new w.DeleteDataRetentionBotCommand({ networkId }));
    expect(wire('DeleteDataRetentionBot')).toMatchObject({ method: 'DELETE' });
    await expect(client.send(new w.GetBotCommand({ networkId, botId }))).rejects.toBeInstanceOf(ResourceNotFoundError);
  });
});

describe('SSO and OpenTDF', () => {
  test('RegisterOidcConfigTest, RegisterOidcConfig, GetOidcInfo', async () => {
    const tested = await client.send(new w.RegisterOidcConfigTestCommand({ networkId, issuer: 'https://idp.example.com', scopes: 'openid email' }));
    expect(wire('RegisterOidcConfigTest')).toMatchObject({ method: 'POST', body: { issuer: 'https://idp.example.com', scopes: 'openid email' } });
    expect(tested.issuer).toBe('https://idp.example.com');
    const saved = await client.send(new w.RegisterOidcConfigCommand({ networkId, issuer: 'https://idp.example.com', scopes: 'openid email', companyId: 'acme', secret: 'oidc-s3cret' }));
    expect(wire('RegisterOidcConfig')).toMatchObject({ path: `/networks/${networkId}/oidc/save` });
    expect(saved.companyId).toBe('acme');
    const info = await client.send(new w.GetOidcInfoCommand({ networkId }));
    expect(wire('GetOidcInfo')).toMatchObject({ path: `/networks/${networkId}/oidc` });
    expect(info.openidConnectInfo?.issuer).toBe('https://idp.example.com');
  });

  test('a PEM certificate in the query (newlines, +, /, =, spaces) reaches the service intact', async () => {
    const certificate = '-----BEGIN CERTIFICATE-----\nMIIB+zCCAWSgAwIBAgIUe/x=\n-----END CERTIFICATE-----';
    await client.send(new w.GetOidcInfoCommand({ networkId, certificate }));
    const calls = running.emulator.calls().filter((c) => c.service === 'wickr');
    expect(calls[calls.length - 1]).toMatchObject({ operation: 'GetOidcInfo', request: { query: { certificate } } });
  });

  test('RegisterOpentdfConfig: dryRun in the query; GetOpentdfConfig', async () => {
    const out = await client.send(
      new w.RegisterOpentdfConfigCommand({ networkId, dryRun: true, clientId: 'tdf-client', clientSecret: 'tdf-s3cret', domain: 'tdf.example.com', provider: 'virtru' }),
    );
    expect(wire('RegisterOpentdfConfig')).toMatchObject({ method: 'POST', query: { dryRun: 'true' } });
    expect(out.clientId).toBe('tdf-client');
    await client.send(new w.RegisterOpentdfConfigCommand({ networkId, clientId: 'tdf-client', clientSecret: 'tdf-s3cret', domain: 'tdf.example.com', provider: 'virtru' }));
    const got = await client.send(new w.GetOpentdfConfigCommand({ networkId }));
    expect(wire('GetOpentdfConfig')).toMatchObject({ path: `/networks/${networkId}/tdf` });
    expect(got).toMatchObject({ clientId: 'tdf-client', domain: 'tdf.example.com' });
  });
});

describe('guests', () => {
  test('ListGuestUsers, ListBlockedGuestUsers, UpdateGuestUser, GetGuestUserHistoryCount', async () => {
    const guests = await client.send(new w.ListGuestUsersCommand({ networkId, maxResults: 100 }));
    expect(wire('ListGuestUsers')).toMatchObject({ path: `/networks/${networkId}/guest-users`, query: { maxResults: '100' } });
    const hash = guests.guestlist?.[0]?.usernameHash;
    expect(hash).toBeDefined();
    await client.send(new w.UpdateGuestUserCommand({ networkId, usernameHash: hash!, block: true }));
    expect(wire('UpdateGuestUser')).toMatchObject({ method: 'PATCH', path: `/networks/${networkId}/guest-users/${encodeURIComponent(hash!)}`, body: { block: true } });
    const blocked = await client.send(new w.ListBlockedGuestUsersCommand({ networkId }));
    expect(wire('ListBlockedGuestUsers')).toMatchObject({ path: `/networks/${networkId}/guest-users/blocklist` });
    expect(blocked.blocklist?.map((b) => b.usernameHash)).toContain(hash);
    const history = await client.send(new w.GetGuestUserHistoryCountCommand({ networkId }));
    expect(wire('GetGuestUserHistoryCount')).toMatchObject({ path: `/networks/${networkId}/guest-users/count` });
    expect(Array.isArray(history.history)).toBe(true);
  });
});

describe('deletes and errors', () => {
  test('BatchDeleteUser and DeleteSecurityGroup', async () => {
    const out = await client.send(new w.BatchDeleteUserCommand({ networkId, userIds, clientToken: 'del-1' }));
    expect(wire('BatchDeleteUser')).toMatchObject({ method: 'POST', path: `/networks/${networkId}/users/batch-delete`, headers: { 'x-client-token': 'del-1' } });
    expect(out.successful).toHaveLength(3);
    const deleted = await client.send(new w.DeleteSecurityGroupCommand({ networkId, groupId }));
    expect(wire('DeleteSecurityGroup')).toMatchObject({ method: 'DELETE' });
    expect(deleted.groupId).toBe(groupId);
  });

  test('a 422 becomes ValidationError with its field-level reasons', async () => {
    const err = await client.send(new w.CreateBotCommand({ networkId, username: 'not-a-b0t', groupId: defaultGroupId, challenge: 'x' })).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.$service).toBe('Wickr');
    expect(err.$metadata.httpStatusCode).toBe(422);
    expect(err.reasons.length).toBeGreaterThan(0);
    expect(err.reasons[0].field).toBeDefined();
  });

  test('429 is retried; an ambiguous 500 on CreateNetwork is not', async () => {
    running.emulator.addFault({ operation: 'GetNetwork', kind: 'throttle', count: 2 });
    outcomes.length = 0;
    await client.send(new w.GetNetworkCommand({ networkId }));
    expect(outcomes[0]).toMatchObject({ operation: 'GetNetwork', status: 200, attempts: 3 });

    running.emulator.addFault({ operation: 'CreateNetwork', kind: 'error', count: 1 });
    const err = await client.send(new w.CreateNetworkCommand({ networkName: 'never-twice', accessLevel: 'STANDARD' })).catch((e) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect(isAmbiguousFailure(err)).toBe(true);
    expect(running.emulator.calls().filter((c) => c.operation === 'CreateNetwork' && c.request.body && (c.request.body as { networkName?: string }).networkName === 'never-twice')).toHaveLength(1);
  });

  test('throttling has its own, longer attempt budget than other failures', async () => {
    const patient = new WickrClient({
      endpoint: running.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 2,
      maxThrottledAttempts: 6,
      retryBaseDelayMs: 1,
    });
    running.emulator.addFault({ operation: 'GetNetwork', kind: 'throttle', count: 5 });
    await expect(patient.send(new w.GetNetworkCommand({ networkId }))).resolves.toMatchObject({ networkId });
    running.emulator.clearFaults();
    running.emulator.addFault({ operation: 'GetNetwork', kind: 'throttle', count: 6 });
    const err = await patient.send(new w.GetNetworkCommand({ networkId })).catch((e) => e);
    expect(err.name).toBe('RateLimitError');
    expect(err.$metadata.attempts).toBe(6);
    running.emulator.clearFaults();
    running.emulator.addFault({ operation: 'GetNetwork', kind: 'error', count: 3 });
    expect((await patient.send(new w.GetNetworkCommand({ networkId })).catch((e) => e)).$metadata.attempts).toBe(2);
    running.emulator.clearFaults();
  });

  test('a dropped connection on an update is retried with the same client token', async () => {
    running.emulator.addFault({ operation: 'UpdateNetwork', kind: 'drop-after-commit', count: 1 });
    await client.send(new w.UpdateNetworkCommand({ networkId, networkName: 'client-net3' }));
    const updates = running.emulator.calls().filter((c) => c.operation === 'UpdateNetwork').slice(-2);
    expect(updates[0].dropped).toBe(true);
    expect(updates[1].request.headers['x-client-token']).toBe(updates[0].request.headers['x-client-token']);
  });

  test('DeleteNetwork; then GetNetwork answers ResourceNotFoundError', async () => {
    await client.send(new w.DeleteNetworkCommand({ networkId }));
    expect(wire('DeleteNetwork')).toMatchObject({ method: 'DELETE', path: `/networks/${networkId}` });
    const err = await client.send(new w.GetNetworkCommand({ networkId })).catch((e) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundError);
    expect(err.name).toBe('ResourceNotFoundError');
  });

  test('every operation of the model was exercised on the wire', () => {
    expect([...exercised].sort()).toEqual(Object.keys(model.operations).sort());
  });
});
