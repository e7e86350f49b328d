import { createWickrService } from '../../../local/emulator/wickr';
import { ACCOUNT, harness, Harness, reasonFields, REGION } from './wickr-fixtures';

let h: Harness;
beforeEach(() => {
  h = harness();
});

describe('networks', () => {
  test('CreateNetwork makes a network with an 8-digit id, an ARN in the caller account and region, and a default group', () => {
    const created = h.call('CreateNetwork', { networkName: 'ops', accessLevel: 'PREMIUM' });
    expect(created).toEqual({ networkId: expect.stringMatching(/^[1-9][0-9]{7}$/), networkName: 'ops' });

    const network = h.call('GetNetwork', { networkId: created.networkId });
    expect(network).toEqual({
      networkId: created.networkId,
      networkName: 'ops',
      accessLevel: 'PREMIUM',
      awsAccountId: ACCOUNT,
      networkArn: `arn:aws:wickr:${REGION}:${ACCOUNT}:network/${created.networkId}`,
    });

    const groups = h.call('ListSecurityGroups', { networkId: created.networkId }).securityGroups;
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ name: 'Default', isDefault: true, activeMembers: 0, botMembers: 0, id: expect.stringMatching(/^sg[a-z0-9]{10}$/) });
    expect(groups[0].securityGroupSettings).toMatchObject({ federationMode: 0, shredder: { intensity: 0 }, lockoutThreshold: 10 });
  });

  test('duplicate names are allowed: CreateNetwork never deduplicates', () => {
    const a = h.call('CreateNetwork', { networkName: 'same', accessLevel: 'STANDARD' });
    const b = h.call('CreateNetwork', { networkName: 'same', accessLevel: 'STANDARD' });
    expect(a.networkId).not.toBe(b.networkId);
    const names = h.call('ListNetworks', {}).networks.map((n: any) => n.networkName);
    expect(names).toEqual(['same', 'same']);
  });

  test('free trial: freeTrialExpiration 90 days on for PREMIUM, ignored for STANDARD; the KMS key is kept', () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const premium = h.call('CreateNetwork', { networkName: 'p', accessLevel: 'PREMIUM', enablePremiumFreeTrial: true, encryptionKeyArn: key });
    expect(premium.encryptionKeyArn).toBe(key);
    const got = h.call('GetNetwork', { networkId: premium.networkId });
    expect(got.freeTrialExpiration).toBe(new Date(h.clock.ms + 90 * 86400_000).toISOString());
    expect(got.encryptionKeyArn).toBe(key);
    const standard = h.call('CreateNetwork', { networkName: 's', accessLevel: 'STANDARD', enablePremiumFreeTrial: true });
    expect(h.call('GetNetwork', { networkId: standard.networkId }).freeTrialExpiration).toBeUndefined();
  });

  test('network name is 1 to 20 characters (code points), on create and update', () => {
    expect(reasonFields(h.fail('CreateNetwork', { networkName: '', accessLevel: 'STANDARD' }))).toEqual(['networkName']);
    expect(reasonFields(h.fail('CreateNetwork', { networkName: 'x'.repeat(21), accessLevel: 'STANDARD' }))).toEqual(['networkName']);
    const ok = h.call('CreateNetwork', { networkName: '😀'.repeat(20), accessLevel: 'STANDARD' });
    const err = h.fail('UpdateNetwork', { networkId: ok.networkId, networkName: 'y'.repeat(21) });
    expect(err.fields.reasons).toEqual([{ field: 'networkName', reason: expect.stringContaining('1 to 20') }]);
    expect(err.message).toContain("Value at 'networkName'");
  });

  test('encryptionKeyArn must be a KMS key ARN', () => {
    expect(reasonFields(h.fail('CreateNetwork', { networkName: 'n', accessLevel: 'STANDARD', encryptionKeyArn: 'my-key' }))).toEqual(['encryptionKeyArn']);
  });

  test('UpdateNetwork changes name and key, not the access level', () => {
    const { networkId } = h.network('old');
    const key = 'arn:aws:kms:us-east-1:123456789012:key/k1';
    expect(h.call('UpdateNetwork', { networkId, networkName: 'new', encryptionKeyArn: key })).toEqual({ message: expect.any(String) });
    expect(h.call('GetNetwork', { networkId })).toMatchObject({ networkName: 'new', encryptionKeyArn: key, accessLevel: 'STANDARD' });
    // accessLevel is not even a member of UpdateNetworkRequest: the core drops it, the network keeps its level.
    h.call('UpdateNetwork', { networkId, networkName: 'new', accessLevel: 'PREMIUM' });
    expect(h.call('GetNetwork', { networkId }).accessLevel).toBe('STANDARD');
  });

  test('DeleteNetwork removes the network and everything in it: 404 afterwards, naming the id', () => {
    const { networkId, defaultGroupId } = h.network();
    h.call('DeleteNetwork', { networkId });
    for (const [op, input] of [
      ['GetNetwork', { networkId }],
      ['GetSecurityGroup', { networkId, groupId: defaultGroupId }],
      ['ListUsers', { networkId }],
      ['GetNetworkSettings', { networkId }],
      ['DeleteNetwork', { networkId }],
    ] as const) {
      const err = h.fail(op, input);
      expect(err.code).toBe('ResourceNotFoundError');
      expect(err.message).toContain(networkId);
    }
    expect(h.call('ListNetworks', {}).networks).toEqual([]);
  });

  test('networks are regional and belong to one account', () => {
    const { networkId } = h.network();
    expect(h.fail('GetNetwork', { networkId }, h.ctx({ region: 'eu-west-2' })).code).toBe('ResourceNotFoundError');
    expect(h.fail('GetNetwork', { networkId }, h.ctx({ accountId: '210987654321' })).code).toBe('ResourceNotFoundError');
    expect(h.call('ListNetworks', {}, h.ctx({ region: 'eu-west-2' })).networks).toEqual([]);
  });
});

describe('pagination and sorting', () => {
  test('ListNetworks pages through everything with opaque tokens; default sort networkId DESC', () => {
    const ids = Array.from({ length: 23 }, (_, i) => h.call('CreateNetwork', { networkName: `n${i}`, accessLevel: 'STANDARD' }).networkId as string);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = h.call('ListNetworks', { maxResults: 10, nextToken: token });
      seen.push(...page.networks.map((n: any) => n.networkId));
      token = page.nextToken;
      pages++;
      if (token) expect(token).not.toMatch(/^\d+$/);
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].sort().reverse());
    // default page size is 10
    expect(h.call('ListNetworks', {}).networks).toHaveLength(10);
  });

  test('sortFields and sortDirection: by name ascending', () => {
    for (const name of ['bravo', 'Alpha', 'charlie']) h.call('CreateNetwork', { networkName: name, accessLevel: 'STANDARD' });
    const names = h.call('ListNetworks', { sortFields: 'networkName', sortDirection: 'ASC' }).networks.map((n: any) => n.networkName);
    expect(names).toEqual(['Alpha', 'bravo', 'charlie']);
  });

  test('an invalid token, or a token reused with other parameters, is a 400 BadRequestError', () => {
    for (let i = 0; i < 3; i++) h.network(`n${i}`);
    const { nextToken } = h.call('ListNetworks', { maxResults: 1 });
    expect(h.call('ListNetworks', { maxResults: 1, nextToken }).networks).toHaveLength(1);
    expect(h.fail('ListNetworks', { nextToken: 'garbage' }).code).toBe('BadRequestError');
    expect(h.fail('ListNetworks', { nextToken: Buffer.from('{"o":1,"c":"x"}').toString('base64url') }).code).toBe('BadRequestError');
    expect(h.fail('ListNetworks', { maxResults: 1, nextToken, sortDirection: 'ASC' }).code).toBe('BadRequestError');
  });

  test('maxResults 1..100 and known sortFields only (422 naming the field)', () => {
    const { networkId } = h.network();
    expect(reasonFields(h.fail('ListNetworks', { maxResults: 0 }))).toEqual(['maxResults']);
    expect(reasonFields(h.fail('ListSecurityGroups', { networkId, maxResults: 101 }))).toEqual(['maxResults']);
    expect(reasonFields(h.fail('ListUsers', { networkId, sortFields: 'username+shoeSize' }))).toEqual(['sortFields']);
    expect(h.call('ListUsers', { networkId, sortFields: 'USERNAME+lastName', maxResults: 100 }).users).toEqual([]);
  });
});

describe('security groups', () => {
  test('CreateSecurityGroup stores defaults plus the federation subset; Get and List answer it', () => {
    const { networkId } = h.network();
    const { securityGroup } = h.call('CreateSecurityGroup', {
      networkId,
      name: 'analysts',
      securityGroupSettings: { federationMode: 2, permittedNetworks: ['12345678'], lockoutThreshold: 5 },
    });
    expect(securityGroup).toMatchObject({ name: 'analysts', isDefault: false, activeMembers: 0, botMembers: 0, modified: Math.floor(h.clock.ms / 1000) });
    expect(securityGroup.securityGroupSettings).toMatchObject({ federationMode: 2, permittedNetworks: ['12345678'], lockoutThreshold: 5, filesEnabled: true });
    expect(h.call('GetSecurityGroup', { networkId, groupId: securityGroup.id }).securityGroup).toEqual(securityGroup);
    const listed = h.call('ListSecurityGroups', { networkId, sortFields: 'name', sortDirection: 'ASC' }).securityGroups.map((g: any) => g.name);
    expect(listed).toEqual(['analysts', 'Default']);
  });

  test('UpdateSecurityGroup is a PATCH: top-level members replace, calling/shredder/passwordRequirements merge; name optional', () => {
    const { networkId, defaultGroupId } = h.network();
    h.clock.advanceDays(1);
    const { securityGroup } = h.call('UpdateSecurityGroup', {
      networkId,
      groupId: defaultGroupId,
      securityGroupSettings: { calling: { forceTcpCall: true }, shredder: { intensity: 60 }, passwordRequirements: { minLength: 12 }, quickResponses: ['ok'] },
    });
    expect(securityGroup.name).toBe('Default');
    expect(securityGroup.modified).toBe(Math.floor(h.clock.ms / 1000));
    expect(securityGroup.securityGroupSettings).toMatchObject({
      calling: { canStart11Call: true, canVideoCall: true, forceTcpCall: true },
      shredder: { canProcessManually: true, intensity: 60 },
      passwordRequirements: { minLength: 12, lowercase: 0 },
      quickResponses: ['ok'],
    });
    const renamed = h.call('UpdateSecurityGroup', { networkId, groupId: defaultGroupId, name: 'Everyone' }).securityGroup;
    expect(renamed.name).toBe('Everyone');
    expect(renamed.securityGroupSettings.shredder.intensity).toBe(60);
  });

  test('the default group cannot be deleted; a group with members cannot be deleted; an empty one can', () => {
    const { networkId, defaultGroupId } = h.network();
    const err = h.fail('DeleteSecurityGroup', { networkId, groupId: defaultGroupId });
    expect(err).toMatchObject({ code: 'BadRequestError', message: 'the default security group cannot be deleted' });

    const { securityGroup } = h.call('CreateSecurityGroup', { networkId, name: 'g', securityGroupSettings: {} });
    h.call('BatchCreateUser', { networkId, users: [{ username: 'a@x.com', securityGroupIds: [securityGroup.id] }] });
    h.call('CreateBot', { networkId, username: 'alertbot', groupId: securityGroup.id, challenge: 'pw' });
    expect(h.call('GetSecurityGroup', { networkId, groupId: securityGroup.id }).securityGroup).toMatchObject({ activeMembers: 1, botMembers: 1 });
    expect(h.fail('DeleteSecurityGroup', { networkId, groupId: securityGroup.id })).toMatchObject({
      code: 'BadRequestError',
      message: expect.stringContaining('1 user(s) and 1 bot(s)'),
    });

    const empty = h.call('CreateSecurityGroup', { networkId, name: 'empty', securityGroupSettings: {} }).securityGroup;
    expect(h.call('DeleteSecurityGroup', { networkId, groupId: empty.id })).toEqual({ groupId: empty.id, networkId, message: expect.any(String) });
    expect(h.fail('GetSecurityGroup', { networkId, groupId: empty.id })).toMatchObject({ code: 'ResourceNotFoundError', message: expect.stringContaining(empty.id) });
  });

  test('ListSecurityGroupUsers lists the group members, paginated; unknown group 404', () => {
    const { networkId, defaultGroupId } = h.network();
    const users = Array.from({ length: 12 }, (_, i) => ({ username: `u${String(i).padStart(2, '0')}@x.com`, securityGroupIds: [defaultGroupId] }));
    h.call('BatchCreateUser', { networkId, users });
    const first = h.call('ListSecurityGroupUsers', { networkId, groupId: defaultGroupId, sortFields: 'username', sortDirection: 'ASC' });
    expect(first.users).toHaveLength(10);
    const second = h.call('ListSecurityGroupUsers', { networkId, groupId: defaultGroupId, sortFields: 'username', sortDirection: 'ASC', nextToken: first.nextToken });
    expect([...first.users, ...second.users].map((u: any) => u.username)).toEqual(users.map((u) => u.username));
    expect(second.nextToken).toBeUndefined();
    expect(h.fail('ListSecurityGroupUsers', { networkId, groupId: 'sgnope' }).code).toBe('ResourceNotFoundError');
  });
});

describe('security group settings rules (422 ValidationError naming each field)', () => {
  let networkId: string;
  let groupId: string;
  beforeEach(() => {
    ({ networkId, defaultGroupId: groupId } = h.network());
  });
  const update = (settings: Record<string, unknown>) => h.fail('UpdateSecurityGroup', { networkId, groupId, securityGroupSettings: settings });
  const f = (member: string) => `securityGroupSettings.${member}`;

  test.each([
    [{ shredder: { intensity: 50 } }, 'shredder.intensity'],
    [{ maxAutoDownloadSize: 1000 }, 'maxAutoDownloadSize'],
    [{ enableFileDownload: false, maxAutoDownloadSize: 7340032 }, 'maxAutoDownloadSize'],
    [{ forceDeviceLockout: 10 }, 'forceDeviceLockout'], // default lockoutThreshold is 10
    [{ federationMode: 3 }, 'federationMode'],
    [{ permittedNetworks: ['12345678'] }, 'permittedNetworks'], // mode is 0
    [{ enableGuestFederation: true }, 'enableGuestFederation'],
    [{ enableRestrictedGlobalFederation: true }, 'enableRestrictedGlobalFederation'],
    [{ calling: { canStart11Call: false } }, 'calling.canVideoCall'], // merged: video stays on
    [{ locationEnabled: false }, 'locationAllowMaps'],
    [{ forceOpenAccess: true }, 'forceOpenAccess'],
    [{ maxNonSsoSessionMinutes: 30 }, 'maxNonSsoSessionMinutes'],
    [{ showMasterRecoveryKey: true }, 'showMasterRecoveryKey'],
    [{ ssoMaxIdleMinutes: 30 }, 'ssoMaxIdleMinutes'],
  ])('%j is refused on %s', (settings, member) => {
    expect(reasonFields(update(settings))).toEqual([f(member)]);
  });

  test('valid combinations pass, and every broken rule of one request is reported', () => {
    const ok = {
      shredder: { intensity: 100 },
      maxAutoDownloadSize: 7340032,
      forceDeviceLockout: 3,
      lockoutThreshold: 5,
      federationMode: 2,
      permittedNetworks: ['12345678'],
      globalFederation: true,
      enableGuestFederation: true,
      enableRestrictedGlobalFederation: true,
      calling: { canStart11Call: false, canVideoCall: false },
      locationEnabled: false,
      locationAllowMaps: false,
      enableOpenAccessOption: true,
      forceOpenAccess: true,
      maxNonSsoSessionMinutes: 60,
    };
    const { securityGroup } = h.call('UpdateSecurityGroup', { networkId, groupId, securityGroupSettings: ok });
    expect(securityGroup.securityGroupSettings).toMatchObject(ok);
    expect(h.call('UpdateSecurityGroup', { networkId, groupId, securityGroupSettings: { maxNonSsoSessionMinutes: 0 } })).toBeDefined();
    expect(h.call('UpdateSecurityGroup', { networkId, groupId, securityGroupSettings: { maxNonSsoSessionMinutes: 525600 } })).toBeDefined();

    const err = update({ shredder: { intensity: 1 }, federationMode: 9, forceOpenAccess: false, globalFederation: false });
    expect(reasonFields(err).sort()).toEqual([f('enableGuestFederation'), f('enableRestrictedGlobalFederation'), f('federationMode'), f('shredder.intensity')]);
  });

  test('cross-field rules use the merged settings: stored lockoutThreshold 5 refuses forceDeviceLockout 7', () => {
    h.call('UpdateSecurityGroup', { networkId, groupId, securityGroupSettings: { lockoutThreshold: 5 } });
    expect(reasonFields(update({ forceDeviceLockout: 7 }))).toEqual([f('forceDeviceLockout')]);
    h.call('UpdateSecurityGroup', { networkId, groupId, securityGroupSettings: { federationMode: 2 } });
    h.call('UpdateSecurityGroup', { networkId, groupId, securityGroupSettings: { permittedNetworks: ['87654321'] } });
    expect(reasonFields(update({ federationMode: 1 }))).toEqual([f('permittedNetworks')]);
    expect(h.call('UpdateSecurityGroup', { networkId, groupId, securityGroupSettings: { federationMode: 1, permittedNetworks: [] } })).toBeDefined();
  });

  test('turning file download off drops the stored auto-download size', () => {
    const { securityGroup } = h.call('UpdateSecurityGroup', { networkId, groupId, securityGroupSettings: { enableFileDownload: false } });
    expect(securityGroup.securityGroupSettings.enableFileDownload).toBe(false);
    expect(securityGroup.securityGroupSettings.maxAutoDownloadSize).toBeUndefined();
  });

  test('CreateSecurityGroup applies the federation rules to defaults + subset', () => {
    const err = h.fail('CreateSecurityGroup', { networkId, name: 'g', securityGroupSettings: { federationMode: 1, permittedNetworks: ['12345678'], enableGuestFederation: true } });
    expect(reasonFields(err)).toEqual([f('permittedNetworks'), f('enableGuestFederation')]);
    expect(reasonFields(h.fail('CreateSecurityGroup', { networkId, name: 'g', securityGroupSettings: { lockoutThreshold: 0 } }))).toEqual([f('forceDeviceLockout')]);
    expect(reasonFields(h.fail('CreateSecurityGroup', { networkId, name: ' ', securityGroupSettings: {} }))).toEqual(['name']);
  });

  test('SSO-only settings are accepted once the network has an OIDC configuration', () => {
    h.call('RegisterOidcConfig', { networkId, companyId: 'acme', issuer: 'https://idp.example.com', scopes: 'openid email', userId: 'client-1' });
    const { securityGroup } = h.call('UpdateSecurityGroup', { networkId, groupId, securityGroupSettings: { showMasterRecoveryKey: true, ssoMaxIdleMinutes: 30 } });
    expect(securityGroup.securityGroupSettings).toMatchObject({ showMasterRecoveryKey: true, ssoMaxIdleMinutes: 30 });
  });
});

describe('state', () => {
  test('exportState/importState round-trip everything as plain JSON; reset empties', () => {
    const { networkId, defaultGroupId } = h.network();
    h.call('BatchCreateUser', { networkId, users: [{ username: 'a@x.com', securityGroupIds: [defaultGroupId], firstName: 'Ann' }] });
    h.call('CreateBot', { networkId, username: 'opsbot', groupId: defaultGroupId, challenge: 'bot-secret-1' });
    h.call('CreateDataRetentionBot', { networkId });
    const { challenge } = h.call('CreateDataRetentionBotChallenge', { networkId });
    h.call('RegisterOidcConfig', { networkId, companyId: 'acme', issuer: 'https://idp.example.com', scopes: 'openid', secret: 'oidc-secret-1' });
    h.call('RegisterOpentdfConfig', { networkId, provider: 'virtru', domain: 'acme.virtru.com', clientId: 'c', clientSecret: 'tdf-secret-1' });
    h.call('UpdateNetworkSettings', { networkId, settings: { readReceiptConfig: { status: 'ENABLED' } } });

    const exported = h.svc.exportState();
    const text = JSON.stringify(exported);
    expect(JSON.parse(text)).toEqual(exported);
    // No secret is kept in clear: only digests.
    for (const secret of ['bot-secret-1', 'oidc-secret-1', 'tdf-secret-1', challenge]) expect(text).not.toContain(secret);

    const other = createWickrService();
    other.importState(JSON.parse(text));
    expect(other.exportState()).toEqual(exported);
    const ctx = h.ctx();
    expect(other.operations.ListUsers({ networkId }, ctx)).toEqual(h.call('ListUsers', { networkId }));
    expect(other.operations.GetNetworkSettings({ networkId }, ctx)).toEqual(h.call('GetNetworkSettings', { networkId }));
    expect(other.operations.GetDataRetentionBot({ networkId }, ctx)).toEqual(h.call('GetDataRetentionBot', { networkId }));

    // Ids keep increasing after an import: no collision with the imported accounts.
    const created = other.operations.BatchCreateUser({ networkId, users: [{ username: 'b@x.com', securityGroupIds: [defaultGroupId] }] }, ctx) as any;
    expect(Object.keys(exported.networks[networkId].users)).not.toContain(created.successful[0].userId);

    other.reset();
    expect(other.exportState()).toEqual({ version: 1, networks: {}, nextAccountId: 0, seq: 0 });
    other.importState(undefined);
    expect(other.exportState().networks).toEqual({});
    expect(() => other.importState({ version: 2 })).toThrow(/not a Wickr emulator state/);
  });

  test('a seed makes generated ids repeatable, also after reset', () => {
    const a = createWickrService({ seed: 7 });
    const b = createWickrService({ seed: 7 });
    const ctx = h.ctx();
    const idA = (a.operations.CreateNetwork({ networkName: 'n', accessLevel: 'STANDARD' }, ctx) as any).networkId;
    expect((b.operations.CreateNetwork({ networkName: 'n', accessLevel: 'STANDARD' }, ctx) as any).networkId).toBe(idA);
    a.reset();
    expect((a.operations.CreateNetwork({ networkName: 'n', accessLevel: 'STANDARD' }, ctx) as any).networkId).toBe(idA);
  });

  test('the service implements every operation of the model', () => {
    const ops = Object.keys(h.svc.model.operations).sort();
    expect(ops).toHaveLength(44);
    expect(Object.keys(h.svc.operations).sort()).toEqual(ops);
  });
});
