import { harness, Harness, reasonFields } from './wickr-fixtures';

let h: Harness;
let networkId: string;
beforeEach(() => {
  h = harness();
  ({ networkId } = h.network());
});

const settingsMap = (settings: Array<{ optionName: string; value: string; type: string }>) =>
  Object.fromEntries(settings.map((s) => [s.optionName, { value: s.value, type: s.type }]));

describe('network settings', () => {
  test('defaults: client metrics on, read receipts DISABLED, data retention off, TDF off, consent popup off', () => {
    expect(settingsMap(h.call('GetNetworkSettings', { networkId }).settings)).toEqual({
      enableClientMetrics: { value: 'true', type: 'boolean' },
      readReceiptConfig: { value: '{"status":"DISABLED"}', type: 'object' },
      dataRetention: { value: 'false', type: 'boolean' },
      enableTrustedDataFormat: { value: 'false', type: 'boolean' },
      consentPopup: { value: '{"enabled":false}', type: 'object' },
    });
  });

  test('UpdateNetworkSettings merges the given settings and answers the full list', () => {
    const popup = { enabled: true, header: 'Terms', content: '**Be nice**', closeButtonLabel: 'I agree' };
    const out = h.call('UpdateNetworkSettings', { networkId, settings: { enableClientMetrics: false, consentPopup: popup } });
    expect(settingsMap(out.settings)).toMatchObject({
      enableClientMetrics: { value: 'false' },
      readReceiptConfig: { value: '{"status":"DISABLED"}' },
      consentPopup: { value: JSON.stringify(popup) },
    });
    h.call('UpdateNetworkSettings', { networkId, settings: { readReceiptConfig: { status: 'FORCE_ENABLED' }, enableTrustedDataFormat: true } });
    expect(settingsMap(h.call('GetNetworkSettings', { networkId }).settings)).toMatchObject({
      enableClientMetrics: { value: 'false' },
      readReceiptConfig: { value: '{"status":"FORCE_ENABLED"}' },
      enableTrustedDataFormat: { value: 'true' },
      consentPopup: { value: JSON.stringify(popup) },
    });
  });

  test('consent popup limits: header 100, content 5000, close button label 20 (one reason each)', () => {
    const err = h.fail('UpdateNetworkSettings', {
      networkId,
      settings: { consentPopup: { enabled: true, header: 'h'.repeat(101), content: 'c'.repeat(5001), closeButtonLabel: 'l'.repeat(21) } },
    });
    expect(reasonFields(err)).toEqual(['settings.consentPopup.header', 'settings.consentPopup.content', 'settings.consentPopup.closeButtonLabel']);
    h.call('UpdateNetworkSettings', { networkId, settings: { consentPopup: { enabled: true, header: 'h'.repeat(100), content: 'c'.repeat(5000), closeButtonLabel: 'l'.repeat(20) } } });
  });

  test('dataRetention through settings needs a registered data retention bot', () => {
    expect(h.fail('UpdateNetworkSettings', { networkId, settings: { dataRetention: true } }).code).toBe('BadRequestError');
    h.call('CreateDataRetentionBot', { networkId });
    h.call('CreateDataRetentionBotChallenge', { networkId });
    expect(settingsMap(h.call('UpdateNetworkSettings', { networkId, settings: { dataRetention: true } }).settings).dataRetention.value).toBe('true');
    expect(h.call('GetDataRetentionBot', { networkId }).isDataRetentionServiceEnabled).toBe(true);
  });
});

describe('data retention bot', () => {
  test('lifecycle: create, challenge, ack, enable, disable, delete', () => {
    expect(h.call('GetDataRetentionBot', { networkId })).toEqual({
      botExists: false,
      isBotActive: false,
      isDataRetentionBotRegistered: false,
      isDataRetentionServiceEnabled: false,
      isPubkeyMsgAcked: false,
    });
    expect(h.fail('CreateDataRetentionBotChallenge', { networkId }).code).toBe('ResourceNotFoundError');
    expect(h.fail('UpdateDataRetention', { networkId, actionType: 'ENABLE' }).code).toBe('BadRequestError');

    expect(h.call('CreateDataRetentionBot', { networkId })).toEqual({ message: expect.any(String) });
    expect(h.fail('CreateDataRetentionBot', { networkId })).toMatchObject({ code: 'BadRequestError', message: expect.stringContaining('already exists') });
    expect(h.call('GetDataRetentionBot', { networkId })).toMatchObject({ botExists: true, botName: `compliance_${networkId}_bot`, isDataRetentionBotRegistered: false });
    // Not registered yet: cannot enable or acknowledge.
    expect(h.fail('UpdateDataRetention', { networkId, actionType: 'ENABLE' }).message).toContain('not registered');
    expect(h.fail('UpdateDataRetention', { networkId, actionType: 'PUBKEY_MSG_ACK' }).code).toBe('BadRequestError');

    const first = h.call('CreateDataRetentionBotChallenge', { networkId }).challenge;
    const second = h.call('CreateDataRetentionBotChallenge', { networkId }).challenge;
    expect(first).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(second).not.toBe(first);
    expect(h.call('GetDataRetentionBot', { networkId })).toMatchObject({ isDataRetentionBotRegistered: true, isBotActive: true, isPubkeyMsgAcked: false });

    h.call('UpdateDataRetention', { networkId, actionType: 'PUBKEY_MSG_ACK' });
    h.call('UpdateDataRetention', { networkId, actionType: 'ENABLE' });
    expect(h.call('GetDataRetentionBot', { networkId })).toMatchObject({ isPubkeyMsgAcked: true, isDataRetentionServiceEnabled: true });
    expect(settingsMap(h.call('GetNetworkSettings', { networkId }).settings).dataRetention.value).toBe('true');

    h.call('UpdateDataRetention', { networkId, actionType: 'DISABLE' });
    expect(h.call('GetDataRetentionBot', { networkId }).isDataRetentionServiceEnabled).toBe(false);
    h.call('UpdateDataRetention', { networkId, actionType: 'ENABLE' });

    expect(h.call('DeleteDataRetentionBot', { networkId })).toEqual({ message: expect.any(String) });
    expect(h.call('GetDataRetentionBot', { networkId })).toMatchObject({ botExists: false, isDataRetentionServiceEnabled: false });
    expect(settingsMap(h.call('GetNetworkSettings', { networkId }).settings).dataRetention.value).toBe('false');
    expect(h.fail('DeleteDataRetentionBot', { networkId }).code).toBe('ResourceNotFoundError');
    // The data retention bot is not one of the network's bots.
    expect(h.call('ListBots', { networkId }).bots).toEqual([]);
  });
});

describe('OIDC', () => {
  test('RegisterOidcConfigTest answers endpoints derived from the issuer and saves nothing', () => {
    const out = h.call('RegisterOidcConfigTest', { networkId, issuer: 'https://idp.example.com/realms/acme/', scopes: 'openid profile email' });
    expect(out).toMatchObject({
      issuer: 'https://idp.example.com/realms/acme',
      authorizationEndpoint: 'https://idp.example.com/realms/acme/authorize',
      tokenEndpoint: 'https://idp.example.com/realms/acme/token',
      userinfoEndpoint: 'https://idp.example.com/realms/acme/userinfo',
      scopesSupported: expect.arrayContaining(['openid']),
      microsoftMultiRefreshToken: false,
    });
    expect(h.fail('GetOidcInfo', { networkId }).code).toBe('ResourceNotFoundError');
  });

  test.each([
    ['http://idp.example.com', 'https'],
    ['https://idp.example.invalid', 'could not be reached'],
    ['not a url', 'not a URL'],
  ])('issuer %s fails like the IdP would (400 BadRequestError: %s)', (issuer, message) => {
    const err = h.fail('RegisterOidcConfigTest', { networkId, issuer, scopes: 'openid' });
    expect(err).toMatchObject({ code: 'BadRequestError', message: expect.stringContaining(message) });
    expect(h.fail('RegisterOidcConfig', { networkId, companyId: 'acme', issuer, scopes: 'openid' }).code).toBe('BadRequestError');
  });

  test('the openid scope is required; empty issuer/scopes/companyId are 422', () => {
    expect(h.fail('RegisterOidcConfigTest', { networkId, issuer: 'https://idp.example.com', scopes: 'email' }).message).toContain('openid');
    expect(reasonFields(h.fail('RegisterOidcConfig', { networkId, companyId: '', issuer: ' ', scopes: '' }))).toEqual(['issuer', 'scopes', 'companyId']);
  });

  test('RegisterOidcConfig saves; the secret is never answered; GetOidcInfo answers the saved config', () => {
    const out = h.call('RegisterOidcConfig', {
      networkId,
      companyId: 'acme',
      issuer: 'https://login.example.com',
      scopes: 'openid email',
      userId: 'client-123',
      secret: 'top-secret',
      customUsername: 'upn',
      ssoTokenBufferMinutes: 5,
    });
    expect(out).toEqual({
      applicationId: 1,
      applicationName: `wickr-${networkId}`,
      clientId: 'client-123',
      userId: 'client-123',
      companyId: 'acme',
      issuer: 'https://login.example.com',
      scopes: 'openid email',
      customUsername: 'upn',
      ssoTokenBufferMinutes: 5,
      redirectUrl: expect.stringMatching(/^https:\/\//),
    });
    const info = h.call('GetOidcInfo', { networkId });
    expect(info).toEqual({ openidConnectInfo: out });
    expect(JSON.stringify(info)).not.toContain('top-secret');
    expect(h.call('GetOidcInfo', { networkId, code: 'auth-code', codeVerifier: 'v' }).tokenInfo).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
  });
});

describe('OpenTDF', () => {
  const config = { provider: 'Virtru', domain: 'acme.virtru.com', clientId: 'client', clientSecret: 'tdf-secret' };

  test('dry run validates without saving; a real run saves; the client secret comes back masked', () => {
    expect(h.call('RegisterOpentdfConfig', { networkId, ...config, dryRun: true })).toEqual({ ...config, clientSecret: '********' });
    expect(h.fail('GetOpentdfConfig', { networkId })).toMatchObject({ code: 'ResourceNotFoundError', message: expect.stringContaining(networkId) });
    expect(h.call('RegisterOpentdfConfig', { networkId, ...config, dryRun: false })).toEqual({ ...config, clientSecret: '********' });
    expect(h.call('GetOpentdfConfig', { networkId })).toEqual({ ...config, clientSecret: '********' });
    h.call('RegisterOpentdfConfig', { networkId, ...config, clientId: 'client-2' });
    expect(h.call('GetOpentdfConfig', { networkId }).clientId).toBe('client-2');
  });

  test('provider virtru only, domain a hostname, client id and secret not empty (422 naming each field)', () => {
    const err = h.fail('RegisterOpentdfConfig', { networkId, provider: 'acme', domain: 'https://acme.virtru.com/x', clientId: '', clientSecret: '' });
    expect(reasonFields(err)).toEqual(['provider', 'domain', 'clientId', 'clientSecret']);
    expect(h.fail('RegisterOpentdfConfig', { networkId, ...config, domain: 'kas.example.invalid', dryRun: true }).code).toBe('BadRequestError');
  });
});

describe('guest users', () => {
  test('each network starts with a few deterministic guests; list, filter, paginate', () => {
    const guests = h.call('ListGuestUsers', { networkId, maxResults: 100, sortFields: 'username', sortDirection: 'ASC' }).guestlist;
    expect(guests.length).toBeGreaterThanOrEqual(3);
    expect(guests.length).toBeLessThanOrEqual(5);
    expect(guests[0]).toEqual({ username: expect.stringContaining('@'), usernameHash: expect.stringMatching(/^[0-9a-f]{64}$/), billingPeriod: expect.stringMatching(/^\d{4}-\d{2}$/) });
    // Same network id → same guests (a second service with the same seed).
    const again = harness();
    const { networkId: sameId } = again.network();
    expect(sameId).toBe(networkId);
    expect(again.call('ListGuestUsers', { networkId, maxResults: 100, sortFields: 'username', sortDirection: 'ASC' }).guestlist).toEqual(guests);

    expect(h.call('ListGuestUsers', { networkId, billingPeriod: '2025-06' }).guestlist.every((g: any) => g.billingPeriod === '2025-06')).toBe(true);
    const page = h.call('ListGuestUsers', { networkId, maxResults: 2 });
    expect(page.guestlist).toHaveLength(2);
    expect(page.nextToken).toBeDefined();
  });

  test('block and unblock by usernameHash; history counts by month over the last 90 days', () => {
    const [guest] = h.call('ListGuestUsers', { networkId }).guestlist;
    expect(h.call('ListBlockedGuestUsers', { networkId }).blocklist).toEqual([]);
    expect(h.call('UpdateGuestUser', { networkId, usernameHash: guest.usernameHash, block: true })).toEqual({ message: expect.any(String) });
    expect(h.call('ListBlockedGuestUsers', { networkId }).blocklist).toEqual([
      { username: guest.username, usernameHash: guest.usernameHash, admin: '123456789012', modified: new Date(h.clock.ms).toISOString() },
    ]);
    h.call('UpdateGuestUser', { networkId, usernameHash: guest.usernameHash, block: false });
    expect(h.call('ListBlockedGuestUsers', { networkId }).blocklist).toEqual([]);
    expect(h.fail('UpdateGuestUser', { networkId, usernameHash: 'abc', block: true })).toMatchObject({ code: 'ResourceNotFoundError', message: expect.stringContaining('abc') });

    const { history } = h.call('GetGuestUserHistoryCount', { networkId });
    expect(history.map((m: any) => m.month)).toEqual(['2025-04', '2025-05', '2025-06']);
    const total = history.reduce((sum: number, m: any) => sum + Number(m.count), 0);
    expect(total).toBe(h.call('ListGuestUsers', { networkId, maxResults: 100 }).guestlist.length);
  });
});
