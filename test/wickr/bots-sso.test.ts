import { Harness, startHarness } from '../harness/handler-harness';

/** WickrBot, WickrDataRetentionBot, WickrOidcConfig and WickrOpenTdfConfig handlers against the emulator. */
let h: Harness;
let networkId: string;
let otherNetworkId: string;
let groupId: string;
let challengeArn: string;
let jsonSecretArn: string;
const SECRETS = ['bot-challenge-value-1', 'rotated-challenge-2', 'oidc-client-s3cret', 'tdf-client-s3cret'];

beforeAll(async () => {
  h = await startHarness({ seed: 9 });
  networkId = (await h.create({ type: 'Custom::WickrNetwork', props: { NetworkName: 'bots', AccessLevel: 'PREMIUM' } })).PhysicalResourceId!;
  otherNetworkId = (await h.create({ type: 'Custom::WickrNetwork', props: { NetworkName: 'bots2', AccessLevel: 'PREMIUM' } })).PhysicalResourceId!;
  groupId = (await h.create({ type: 'Custom::WickrDefaultSecurityGroup', props: { NetworkId: networkId } })).PhysicalResourceId!;
  challengeArn = h.emulator.secrets.createSecret({ name: 'bot-challenge', secretString: SECRETS[0] });
  jsonSecretArn = h.emulator.secrets.createSecret({ name: 'sso', secretString: JSON.stringify({ oidc: SECRETS[2], tdf: SECRETS[3] }) });
});
afterAll(() => h.close());
beforeEach(() => h.emulator.clearFaults());

const network = () => h.emulator.services.wickr.store.state.networks[networkId];
const bodies = (operation: string) => h.calls().filter((c) => c.operation === operation).map((c) => c.request.body as Record<string, any>);

describe('WickrBot', () => {
  const BOT = 'Custom::WickrBot';
  const props = () => ({ NetworkId: networkId, Username: 'alertsbot', DisplayName: 'Alerts', GroupId: groupId, Challenge: { SecretArn: challengeArn }, Suspended: true });
  let botId: string;

  test('create reads the challenge from the secret, creates under a marker display name, suspends ("true" decoded), answers, then names the bot', async () => {
    h.clearCalls();
    const res = await h.create({ type: BOT, props: props() });
    expect(res.Status).toBe('SUCCESS');
    botId = res.PhysicalResourceId!;
    // A bot of that username is looked for (one nobody owns is refused), then the create looks for its own marker.
    expect(h.calls().map((c) => c.operation)).toEqual(['ListBots', 'ListBots', 'CreateBot', 'UpdateBot', 'UpdateBot']);
    expect(bodies('CreateBot')[0].displayName).toMatch(/^pending-[0-9a-f]{12}$/);
    expect(bodies('UpdateBot')).toEqual([{ suspend: true }, { displayName: 'Alerts' }]);
    expect(network().bots[botId]).toMatchObject({ username: 'alertsbot', displayName: 'Alerts', suspended: true });
  });

  test('no-op update: 0 calls; display name and suspension in place; a new challenge version sends the rotated value', async () => {
    h.clearCalls();
    await h.update({ type: BOT, props: props(), oldProps: props(), physicalId: botId });
    expect(h.calls()).toHaveLength(0);
    const next = { ...props(), DisplayName: 'Alerts EU', Suspended: false };
    expect((await h.update({ type: BOT, props: next, oldProps: props(), physicalId: botId })).PhysicalResourceId).toBe(botId);
    expect(bodies('UpdateBot')).toEqual([{ displayName: 'Alerts EU', suspend: false }]);
    h.emulator.secrets.deleteSecret(challengeArn);
    challengeArn = h.emulator.secrets.createSecret({ name: 'bot-challenge', secretString: SECRETS[1] });
    h.clearCalls();
    await h.update({ type: BOT, props: { ...next, Challenge: { SecretArn: challengeArn }, ChallengeVersion: '2' }, oldProps: next, physicalId: botId });
    expect(bodies('UpdateBot')).toHaveLength(1);
    expect(bodies('UpdateBot')[0]).toHaveProperty('challenge');
  });

  test('a new username replaces the bot; delete, and delete again, succeed', async () => {
    const old = { ...props(), Challenge: { SecretArn: challengeArn } };
    const res = await h.update({ type: BOT, props: { ...old, Username: 'pagerbot' }, oldProps: old, physicalId: botId });
    expect(res.PhysicalResourceId).not.toBe(botId);
    expect((await h.remove({ type: BOT, props: old, physicalId: botId })).Status).toBe('SUCCESS');
    expect(network().bots[botId]).toBeUndefined();
    expect((await h.remove({ type: BOT, props: old, physicalId: botId })).Status).toBe('SUCCESS');
    const live = await h.read({ type: BOT, props: { ...old, Username: 'pagerbot' }, physicalId: res.PhysicalResourceId! });
    expect(live).toMatchObject({ Exists: true, Live: { Username: 'pagerbot', Suspended: true } });
  });

  test('a username already taken is refused, not taken over', async () => {
    const res = await h.create({ type: BOT, props: { ...props(), Username: 'pagerbot', Challenge: { SecretArn: challengeArn } } });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toMatch(/the bot \d+ \("pagerbot"\) of Wickr network \d{8} already exists, and no stack owns it/);
    expect(res.Reason).toContain('-c cdk-wickr-chime:adopt=Resource');
  });

  test('a second delivery of one create, after the answer (the bot already named), answers SUCCESS with that bot', async () => {
    const p = { ...props(), Username: 'twicebot', Suspended: false, Challenge: { SecretArn: challengeArn } };
    const first = await h.create({ type: BOT, props: p, requestId: 'req-twice' });
    expect(first.Status).toBe('SUCCESS');
    expect(network().bots[first.PhysicalResourceId!].displayName).toBe('Alerts');
    h.clearCalls();
    const again = await h.create({ type: BOT, props: p, requestId: 'req-twice' });
    expect([again.Status, again.PhysicalResourceId, again.Reason]).toEqual(['SUCCESS', first.PhysicalResourceId, undefined]);
    expect(h.calls().filter((c) => !/^(Get|List)/.test(c.operation))).toEqual([]);
    expect(Object.values(network().bots).filter((b: any) => b.username === 'twicebot')).toHaveLength(1);
  });

  test('CreateBot committed but its answer lost: the handler finds the bot it made; one bot', async () => {
    h.emulator.addFault({ operation: 'CreateBot', kind: 'drop-after-commit', count: 1 });
    const res = await h.create({ type: BOT, props: { ...props(), Username: 'droppedbot', Suspended: false, Challenge: { SecretArn: challengeArn } } });
    expect(res.Status).toBe('SUCCESS');
    expect(Object.values(network().bots).filter((b: any) => b.username === 'droppedbot')).toHaveLength(1);
    expect(h.calls().filter((c) => c.operation === 'CreateBot' && c.request.body && (c.request.body as any).username === 'droppedbot')).toHaveLength(1);
  });

  test('a missing secret field fails with the secret ARN and field, never a value', async () => {
    const res = await h.create({ type: BOT, props: { ...props(), Username: 'fieldbot', Challenge: { SecretArn: jsonSecretArn, JsonField: 'nope' } } });
    expect(res.Reason).toMatch(/has no non-empty string field nope/);
  });
});

describe('WickrDataRetentionBot', () => {
  const DRB = 'Custom::WickrDataRetentionBot';
  let secretArn: string;
  beforeAll(() => {
    secretArn = h.emulator.secrets.createSecret({ name: 'drb-challenge', secretString: 'placeholder' });
  });
  const props = () => ({ NetworkId: networkId, ChallengeSecretArn: secretArn, Enabled: false, AcknowledgePublicKeyMessage: false });

  test('create makes the bot and its challenge, and writes the challenge into the secret only', async () => {
    const res = await h.create({ type: DRB, props: props() });
    expect(res).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `${networkId}/data-retention-bot` });
    const challenge = h.emulator.secrets.getSecretString(secretArn)!;
    expect(challenge).not.toBe('placeholder');
    expect(challenge.length).toBeGreaterThan(10);
    expect(JSON.stringify(h.responses)).not.toContain(challenge);
    expect(h.logs.join('\n')).not.toContain(challenge);
  });

  test('enable and acknowledge in place ("true" decoded); no-op: 0 calls; a new challenge version rewrites the secret', async () => {
    h.clearCalls();
    await h.update({ type: DRB, props: props(), oldProps: props(), physicalId: `${networkId}/data-retention-bot` });
    expect(h.calls()).toHaveLength(0);
    const on = { ...props(), Enabled: true, AcknowledgePublicKeyMessage: true };
    await h.update({ type: DRB, props: on, oldProps: props(), physicalId: `${networkId}/data-retention-bot` });
    expect(bodies('UpdateDataRetention').map((b) => b.actionType)).toEqual(['PUBKEY_MSG_ACK', 'ENABLE']);
    expect(network().settings.dataRetention).toBe(true);
    const before = h.emulator.secrets.getSecretString(secretArn);
    await h.update({ type: DRB, props: { ...on, ChallengeVersion: '2' }, oldProps: on, physicalId: `${networkId}/data-retention-bot` });
    expect(h.emulator.secrets.getSecretString(secretArn)).not.toBe(before);
    const live = await h.read({ type: DRB, props: on, physicalId: `${networkId}/data-retention-bot` });
    expect(live).toMatchObject({ Exists: true, Live: { Enabled: true, AcknowledgePublicKeyMessage: true } });
  });

  test('delete, and delete again, succeed', async () => {
    expect((await h.remove({ type: DRB, props: props(), physicalId: `${networkId}/data-retention-bot` })).Status).toBe('SUCCESS');
    expect(network().dataRetentionBot).toBeUndefined();
    expect((await h.remove({ type: DRB, props: props(), physicalId: `${networkId}/data-retention-bot` })).Status).toBe('SUCCESS');
  });

  test('a move to another network that is rolled back: deleting the new bot makes the old network\'s challenge current again', async () => {
    const secret = h.emulator.secrets.createSecret({ name: 'drb-moves', secretString: 'placeholder' });
    const here = { ...props(), ChallengeSecretArn: secret };
    const there = { ...here, NetworkId: otherNetworkId };
    const first = await h.create({ type: DRB, props: here });
    const oldChallenge = h.emulator.secrets.getSecretString(secret);
    const moved = await h.update({ type: DRB, props: there, oldProps: here, physicalId: first.PhysicalResourceId! });
    expect(moved.PhysicalResourceId).toBe(`${otherNetworkId}/data-retention-bot`);
    expect(h.emulator.secrets.getSecretString(secret)).not.toBe(oldChallenge);
    // the rollback deletes what the replacement made: the secret holds the remaining bot's challenge again
    expect((await h.remove({ type: DRB, props: there, physicalId: moved.PhysicalResourceId! })).Status).toBe('SUCCESS');
    expect(h.emulator.secrets.getSecretString(secret)).toBe(oldChallenge);
    // a successful move instead: the cleanup deletes the old bot and the new challenge stays current
    const again = await h.update({ type: DRB, props: there, oldProps: here, physicalId: first.PhysicalResourceId!, requestId: 'move-2' });
    const newChallenge = h.emulator.secrets.getSecretString(secret);
    expect((await h.remove({ type: DRB, props: here, physicalId: first.PhysicalResourceId! })).Status).toBe('SUCCESS');
    expect(h.emulator.secrets.getSecretString(secret)).toBe(newChallenge);
    await h.remove({ type: DRB, props: there, physicalId: again.PhysicalResourceId! });
  });

  test.each(['CreateDataRetentionBot', 'CreateDataRetentionBotChallenge'])('%s committed but dropped: one bot, and the deploy succeeds', async (operation) => {
    h.emulator.addFault({ operation, kind: 'drop-after-commit', count: 1 });
    const p = { ...props(), NetworkId: otherNetworkId };
    const res = await h.create({ type: DRB, props: p });
    expect(res.Status).toBe('SUCCESS');
    expect(h.emulator.services.wickr.store.state.networks[otherNetworkId].dataRetentionBot).toBeDefined();
    await h.remove({ type: DRB, props: p, physicalId: res.PhysicalResourceId! });
  });
});

describe('WickrOidcConfig', () => {
  const OIDC = 'Custom::WickrOidcConfig';
  const props = () => ({
    NetworkId: networkId,
    Issuer: 'https://idp.example.com/realms/acme',
    CompanyId: 'acme',
    Scopes: 'openid email',
    ClientSecret: { SecretArn: jsonSecretArn, JsonField: 'oidc' },
    SsoTokenBufferMinutes: 10,
  });

  test('tests the issuer, then saves; the client secret never leaves the handler', async () => {
    h.clearCalls();
    const res = await h.create({ type: OIDC, props: props() });
    expect(res).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `${networkId}/oidc` });
    // A configuration already registered would be taken over only by its network's stack, or by adoption.
    expect(h.calls().map((c) => c.operation)).toEqual(['GetOidcInfo', 'RegisterOidcConfigTest', 'RegisterOidcConfig']);
    expect(bodies('RegisterOidcConfig')[0].ssoTokenBufferMinutes).toBe(10);
    expect(network().oidc).toMatchObject({ companyId: 'acme', ssoTokenBufferMinutes: 10 });
    expect(JSON.stringify(h.responses) + h.logs.join('\n')).not.toContain(SECRETS[2]);
  });

  test('an issuer the provider test rejects fails the deploy with its complaint, and nothing is saved', async () => {
    h.clearCalls();
    const res = await h.create({ type: OIDC, props: { ...props(), NetworkId: otherNetworkId, Issuer: 'https://idp.example.invalid' } });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toMatch(/RegisterOidcConfigTest|BadRequestError/);
    expect(h.calls().map((c) => c.operation)).toEqual(['GetOidcInfo', 'RegisterOidcConfigTest']);
    expect(h.emulator.services.wickr.store.state.networks[otherNetworkId].oidc).toBeUndefined();
  });

  test('no-op update: 0 calls; a change registers again; delete leaves it and makes no call', async () => {
    h.clearCalls();
    await h.update({ type: OIDC, props: props(), oldProps: props(), physicalId: `${networkId}/oidc` });
    expect(h.calls()).toHaveLength(0);
    await h.update({ type: OIDC, props: { ...props(), CompanyId: 'acme-eu' }, oldProps: props(), physicalId: `${networkId}/oidc` });
    expect(network().oidc?.companyId).toBe('acme-eu');
    h.clearCalls();
    expect((await h.remove({ type: OIDC, props: props(), physicalId: `${networkId}/oidc` })).Status).toBe('SUCCESS');
    expect(h.calls()).toHaveLength(0);
  });
});

describe('WickrOpenTdfConfig', () => {
  const TDF = 'Custom::WickrOpenTdfConfig';
  const props = () => ({ NetworkId: networkId, ClientId: 'tdf-client', ClientSecret: { SecretArn: jsonSecretArn, JsonField: 'tdf' }, Domain: 'tdf.example.com', Provider: 'virtru' });

  test('dry run first, then for real; the secret never leaves the handler', async () => {
    h.clearCalls();
    const res = await h.create({ type: TDF, props: props() });
    expect(res.Status).toBe('SUCCESS');
    expect(h.calls().map((c) => [c.operation, c.request.query.dryRun])).toEqual([
      ['GetOpentdfConfig', undefined],
      ['RegisterOpentdfConfig', 'true'],
      ['RegisterOpentdfConfig', undefined],
    ]);
    expect(network().opentdf).toMatchObject({ clientId: 'tdf-client', domain: 'tdf.example.com' });
    expect(JSON.stringify(h.responses) + h.logs.join('\n')).not.toContain(SECRETS[3]);
  });

  test('an unreachable platform fails at the dry run; nothing saved', async () => {
    const res = await h.create({ type: TDF, props: { ...props(), NetworkId: otherNetworkId, Domain: 'tdf.example.invalid' } });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toMatch(/could not be reached/);
    expect(h.emulator.services.wickr.store.state.networks[otherNetworkId].opentdf).toBeUndefined();
  });

  test('an unknown provider is refused before any call', async () => {
    h.clearCalls();
    const res = await h.create({ type: TDF, props: { ...props(), Provider: 'acme' } });
    expect(res.Reason).toMatch(/Provider must be one of virtru/);
    expect(h.calls()).toHaveLength(0);
  });
});

test('no secret value used here appears in any response or log line', () => {
  const everything = JSON.stringify(h.responses) + h.logs.join('\n');
  for (const secret of SECRETS) expect(everything).not.toContain(secret);
});
