import * as w from '../../lambda/wickr/client';
import { Harness, startHarness } from '../harness/handler-harness';
import { driftOf, repairOf, roundTrip as sharedRoundTrip, writesOf } from './harness';

/**
 * Drift of every Wickr resource type: a declared value changed by hand is MODIFIED (with
 * path, expected and actual), a setting the template does not declare changed by hand is
 * not drift, the repair sends only what drifted and brings the resource back in sync, and a
 * resource deleted by hand is DELETED.
 */
let h: Harness;
let wickr: w.WickrClient;
let networkId: string;
let challengeArn: string;

beforeAll(async () => {
  h = await startHarness({ seed: 41 });
  wickr = new w.WickrClient({ region: 'us-east-1', retryBaseDelayMs: 1 });
  networkId = (await h.create({ type: 'Custom::WickrNetwork', props: { NetworkName: 'drift', AccessLevel: 'PREMIUM' } })).PhysicalResourceId!;
  challengeArn = h.emulator.secrets.createSecret({ name: 'bot', secretString: 'bot-challenge-1' });
});
afterAll(() => h.close());

/** The mutating service calls since the last `clearCalls` (reads excluded). */
const writes = () => writesOf(h, undefined);

/** Creates, drifts by hand, checks, repairs, checks again. */
const roundTrip = (type: string, props: Record<string, unknown>, byHand: (id: string) => Promise<unknown>, expected: { paths: string[]; repairCalls: string[] }) =>
  sharedRoundTrip(h, undefined, type, props, byHand, expected);

test('WickrNetwork: a name changed by hand', async () => {
  const props = { NetworkName: 'drift-a', AccessLevel: 'PREMIUM' };
  const id = await roundTrip('Custom::WickrNetwork', props, (id) => wickr.send(new w.UpdateNetworkCommand({ networkId: id, networkName: 'renamed' })), {
    paths: ['NetworkName'],
    repairCalls: ['UpdateNetwork'],
  });
  const drift = await driftOf(h, 'Custom::WickrNetwork', id, { ...props, NetworkName: 'other' });
  expect(drift.drifts).toEqual([{ path: 'NetworkName', expected: 'other', actual: 'drift-a' }]);
});

test('WickrNetworkSettings: a declared setting changed by hand drifts, an undeclared one does not', async () => {
  const props = { NetworkId: networkId, Settings: { readReceiptConfig: { status: 'ENABLED' } } };
  await roundTrip(
    'Custom::WickrNetworkSettings',
    props,
    () => wickr.send(new w.UpdateNetworkSettingsCommand({ networkId, settings: { readReceiptConfig: { status: 'FORCE_ENABLED' }, enableClientMetrics: true } })),
    { paths: ['Settings.readReceiptConfig.status'], repairCalls: ['UpdateNetworkSettings'] },
  );
});

test('WickrSecurityGroup: one setting changed by hand is repaired with one UpdateSecurityGroup', async () => {
  const props = { NetworkId: networkId, Name: 'analysts', Settings: { shredder: { intensity: '60' }, lockoutThreshold: '5' } };
  await roundTrip(
    'Custom::WickrSecurityGroup',
    props,
    (id) => wickr.send(new w.UpdateSecurityGroupCommand({ networkId, groupId: id, securityGroupSettings: { shredder: { intensity: 20 }, enableFileDownload: false } })),
    { paths: ['Settings.shredder.intensity'], repairCalls: ['UpdateSecurityGroup'] },
  );
  const body = h.calls().find((c) => c.operation === 'UpdateSecurityGroup')!.request.body;
  expect(body).toEqual({ securityGroupSettings: { shredder: { intensity: 60 } } });
});

test('WickrDefaultSecurityGroup: its name changed by hand', async () => {
  await roundTrip('Custom::WickrDefaultSecurityGroup', { NetworkId: networkId, Name: 'everyone' }, (id) => wickr.send(new w.UpdateSecurityGroupCommand({ networkId, groupId: id, name: 'renamed' })), {
    paths: ['Name'],
    repairCalls: ['UpdateSecurityGroup'],
  });
});

test('WickrBot: display name and suspension changed by hand', async () => {
  const group = (await wickr.send(new w.ListSecurityGroupsCommand({ networkId }))).securityGroups!.find((g) => g.isDefault)!.id;
  const props = { NetworkId: networkId, Username: 'driftbot', DisplayName: 'Drift', GroupId: group, Challenge: { SecretArn: challengeArn }, Suspended: 'false' };
  await roundTrip('Custom::WickrBot', props, (id) => wickr.send(new w.UpdateBotCommand({ networkId, botId: id, displayName: 'Other', suspend: true })), {
    paths: ['DisplayName', 'Suspended'],
    repairCalls: ['UpdateBot'],
  });
});

test('WickrDataRetentionBot: the service turned off by hand; deleted by hand is DELETED', async () => {
  const secret = h.emulator.secrets.createSecret({ name: 'drb', secretString: 'placeholder' });
  const props = { NetworkId: networkId, ChallengeSecretArn: secret, Enabled: 'true' };
  const id = await roundTrip('Custom::WickrDataRetentionBot', props, () => wickr.send(new w.UpdateDataRetentionCommand({ networkId, actionType: 'DISABLE' })), {
    paths: ['Enabled'],
    repairCalls: ['UpdateDataRetention'],
  });
  await wickr.send(new w.DeleteDataRetentionBotCommand({ networkId }));
  expect(await driftOf(h, 'Custom::WickrDataRetentionBot', id, props)).toMatchObject({ status: 'DELETED' });
  // a repair never re-creates: it needs a resource that exists
  const repair = await repairOf(h, 'Custom::WickrDataRetentionBot', id, props);
  expect(repair).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('a repair needs the live state a Read answered for a resource that exists') });
});

test('WickrOidcConfig: scopes changed by hand; the client secret is never compared or shown', async () => {
  const secret = h.emulator.secrets.createSecret({ name: 'oidc', secretString: 'oidc-s3cret-value' });
  const props = { NetworkId: networkId, Issuer: 'https://idp.example.com/realms/ops', CompanyId: 'ops', Scopes: 'openid email', ClientSecret: { SecretArn: secret } };
  await roundTrip(
    'Custom::WickrOidcConfig',
    props,
    () => wickr.send(new w.RegisterOidcConfigCommand({ networkId, issuer: props.Issuer, companyId: 'ops', scopes: 'openid', secret: 'oidc-s3cret-value' })),
    { paths: ['Scopes'], repairCalls: ['RegisterOidcConfigTest', 'RegisterOidcConfig'] },
  );
  expect(h.logs.join('\n')).not.toContain('oidc-s3cret-value');
});

test('WickrOpenTdfConfig: the domain changed by hand', async () => {
  const secret = h.emulator.secrets.createSecret({ name: 'tdf', secretString: 'tdf-s3cret' });
  const props = { NetworkId: networkId, ClientId: 'wickr', ClientSecret: { SecretArn: secret }, Domain: 'tdf.example.com', Provider: 'virtru' };
  await roundTrip(
    'Custom::WickrOpenTdfConfig',
    props,
    () => wickr.send(new w.RegisterOpentdfConfigCommand({ networkId, clientId: 'wickr', clientSecret: 'tdf-s3cret', domain: 'other.example.com', provider: 'virtru' })),
    { paths: ['Domain'], repairCalls: ['RegisterOpentdfConfig', 'RegisterOpentdfConfig'] },
  );
});

test('WickrUsers: 1,000 users, 3 changed by hand and 1 added by hand: MODIFIED with the 3, repaired with the fewest calls', async () => {
  const group = (await wickr.send(new w.ListSecurityGroupsCommand({ networkId }))).securityGroups!.find((g) => g.isDefault)!.id;
  const users = Array.from({ length: 1000 }, (_, i) => ({ username: `u${String(i).padStart(4, '0')}@example.com`, lastName: `L${i}` }));
  const props = { NetworkId: networkId, Groups: { staff: group }, DefaultGroup: 'staff', Users: users };
  const created = await h.create({ type: 'Custom::WickrUsers', props });
  const id = created.PhysicalResourceId!;
  const live = Object.values(h.emulator.services.wickr.store.state.networks[networkId].users);
  for (const name of ['u0003@example.com', 'u0500@example.com', 'u0999@example.com']) {
    const user = live.find((u) => u.username === name)!;
    await wickr.send(new w.UpdateUserCommand({ networkId, userId: user.userId, userDetails: { lastName: 'Edited' } }));
  }
  await wickr.send(new w.BatchCreateUserCommand({ networkId, users: [{ username: 'outsider@example.com', securityGroupIds: [group] }] }));
  const drift = await driftOf(h, 'Custom::WickrUsers', id, props);
  expect(drift.status).toBe('MODIFIED');
  expect(drift.summary).toBe('users: 3 changed (u0003@example.com, u0500@example.com, u0999@example.com)');
  expect(drift.drifts.map((d) => d.path)).toEqual(['Users[u0003@example.com].lastName', 'Users[u0500@example.com].lastName', 'Users[u0999@example.com].lastName']);
  expect(JSON.stringify(drift)).not.toContain('Edited');
  h.clearCalls();
  expect(await repairOf(h, 'Custom::WickrUsers', id, props)).toEqual({ Status: 'SUCCESS' });
  expect(writes()).toEqual(['UpdateUser', 'UpdateUser', 'UpdateUser']);
  expect(await driftOf(h, 'Custom::WickrUsers', id, props)).toMatchObject({ status: 'IN_SYNC' });
});
