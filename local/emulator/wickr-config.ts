import { randomBytes } from 'crypto';
import { OperationImpl } from './service';
import { listPage, matches } from './wickr-paging';
import {
  badRequest,
  epochSeconds,
  GuestRecord,
  NetworkRecord,
  NetworkSettingsRecord,
  notFound,
  OidcRecord,
  SECRET_MASK,
  secretDigest,
  sha256Hex,
  WickrStore,
} from './wickr-state';

/**
 * Network settings, the data retention bot, SSO (OIDC), OpenTDF and guest users.
 *
 * Data retention bot (one per network, named `compliance_<networkId>_bot`, not listed by
 * ListBots): CreateDataRetentionBot → CreateDataRetentionBotChallenge (a new random
 * challenge on every call; the emulator treats the bot as registered and signed in with
 * it at once) → UpdateDataRetention PUBKEY_MSG_ACK / ENABLE / DISABLE. ENABLE and
 * PUBKEY_MSG_ACK need a registered bot (400 otherwise); DISABLE always succeeds.
 * DeleteDataRetentionBot also disables the service. The network setting `dataRetention`
 * is the service state: setting it true through UpdateNetworkSettings needs a registered
 * bot too.
 *
 * OIDC: the emulator does not reach the network. "Discovery" of an issuer fails (400)
 * when it is not an https URL or its host ends in `.invalid` (the reserved TLD), and
 * otherwise answers endpoints derived from the issuer. The scopes must include `openid`.
 * Secrets are never answered: the optional `secret`/`clientSecret` members are omitted,
 * the required `clientSecret` of OpenTDF answers is masked (`********`).
 *
 * Guest users: each network starts with 3 to 5 guest users chosen from its id, with
 * billing periods spread over the current and the two previous months (of the emulator's
 * clock at network creation), so the guest calls have data.
 */

/** Wickr's redirect URL for SSO sign-in (what an IdP application must allow). */
export const OIDC_REDIRECT_URL = 'https://messaging-pro-prod.wickr.com/deeplink/oidc.php';

export function dataRetentionBotName(networkId: string): string {
  return `compliance_${networkId}_bot`;
}

function month(date: Date, back: number): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - back, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The guest users a new network starts with (deterministic from its id and creation month). */
export function seedGuests(networkId: string, now: Date): Record<string, GuestRecord> {
  const h = sha256Hex(`guests:${networkId}`);
  const count = 3 + (parseInt(h.slice(0, 2), 16) % 3);
  const guests: Record<string, GuestRecord> = {};
  for (let i = 0; i < count; i++) {
    const partner = 10 + (parseInt(h.slice(2 + i * 2, 4 + i * 2), 16) % 90);
    const username = `guest${i + 1}.${h.slice(12 + i * 4, 16 + i * 4)}@partner${partner}.example.com`;
    const usernameHash = sha256Hex(`guest:${username}`);
    guests[usernameHash] = { username, usernameHash, billingPeriod: month(now, i % 3) };
  }
  return guests;
}

/** `GetNetworkSettings`: one entry per setting, values as text (objects as JSON). */
export function settingsList(settings: NetworkSettingsRecord): Array<{ optionName: string; value: string; type: string }> {
  return [
    { optionName: 'enableClientMetrics', value: String(settings.enableClientMetrics), type: 'boolean' },
    { optionName: 'readReceiptConfig', value: JSON.stringify(settings.readReceiptConfig), type: 'object' },
    { optionName: 'dataRetention', value: String(settings.dataRetention), type: 'boolean' },
    { optionName: 'enableTrustedDataFormat', value: String(settings.enableTrustedDataFormat), type: 'boolean' },
    { optionName: 'consentPopup', value: JSON.stringify(settings.consentPopup), type: 'object' },
  ];
}

interface Discovery {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string;
  revocationEndpoint: string;
  endSessionEndpoint: string;
  logoutEndpoint: string;
  grantTypesSupported: string[];
  responseTypesSupported: string[];
  scopesSupported: string[];
  tokenEndpointAuthMethodsSupported: string[];
  microsoftMultiRefreshToken: boolean;
}

/** What fetching `<issuer>/.well-known/openid-configuration` would give, without leaving the machine. */
function discover(issuer: string, scopes: string): Discovery {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw badRequest(`OIDC issuer ${JSON.stringify(issuer)} is not a URL: give the identity provider's https issuer URL`);
  }
  if (url.protocol !== 'https:') throw badRequest(`OIDC issuer ${issuer} must be an https URL`);
  const host = url.hostname.toLowerCase();
  const base = issuer.replace(/\/+$/, '');
  if (host === 'invalid' || host.endsWith('.invalid')) {
    throw badRequest(`The identity provider could not be reached: fetching ${base}/.well-known/openid-configuration failed (getaddrinfo ENOTFOUND ${host})`);
  }
  if (!scopes.split(/[\s,]+/).includes('openid')) {
    throw badRequest(`The identity provider rejected the scopes "${scopes}": OpenID Connect requires the openid scope`);
  }
  return {
    issuer: base,
    authorizationEndpoint: `${base}/authorize`,
    tokenEndpoint: `${base}/token`,
    userinfoEndpoint: `${base}/userinfo`,
    revocationEndpoint: `${base}/revoke`,
    endSessionEndpoint: `${base}/logout`,
    logoutEndpoint: `${base}/logout`,
    grantTypesSupported: ['authorization_code', 'refresh_token'],
    responseTypesSupported: ['code'],
    scopesSupported: ['openid', 'profile', 'email', 'offline_access'],
    tokenEndpointAuthMethodsSupported: ['client_secret_basic', 'client_secret_post'],
    microsoftMultiRefreshToken: host === 'login.microsoftonline.com',
  };
}

function oidcOut(config: OidcRecord): Record<string, unknown> {
  return {
    applicationId: config.applicationId,
    applicationName: config.applicationName,
    clientId: config.userId,
    companyId: config.companyId,
    customUsername: config.customUsername,
    extraAuthParams: config.extraAuthParams,
    issuer: config.issuer,
    redirectUrl: config.redirectUrl,
    scopes: config.scopes,
    ssoTokenBufferMinutes: config.ssoTokenBufferMinutes,
    userId: config.userId,
    // secret / clientSecret: never answered.
  };
}

function opaqueToken(): string {
  return randomBytes(24).toString('base64url');
}

export function configOperations(store: WickrStore): Record<string, OperationImpl> {
  const requireRegisteredBot = (network: NetworkRecord, action: string) => {
    const bot = network.dataRetentionBot;
    if (!bot) throw badRequest(`Cannot ${action}: network ${network.networkId} has no data retention bot. Create it first (CreateDataRetentionBot)`);
    if (!bot.registered) throw badRequest(`Cannot ${action}: the data retention bot of network ${network.networkId} is not registered yet (CreateDataRetentionBotChallenge)`);
  };

  return {
    GetNetworkSettings(input, ctx) {
      return { settings: settingsList(store.network(ctx, input.networkId).settings) };
    },

    UpdateNetworkSettings(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const given: Partial<NetworkSettingsRecord> = input.settings ?? {};
      if (given.dataRetention === true && !network.settings.dataRetention) requireRegisteredBot(network, 'enable data retention');
      const settings = network.settings;
      if (given.enableClientMetrics !== undefined) settings.enableClientMetrics = given.enableClientMetrics;
      if (given.readReceiptConfig !== undefined) settings.readReceiptConfig = { status: given.readReceiptConfig.status ?? settings.readReceiptConfig.status };
      if (given.dataRetention !== undefined) settings.dataRetention = given.dataRetention;
      if (given.enableTrustedDataFormat !== undefined) settings.enableTrustedDataFormat = given.enableTrustedDataFormat;
      if (given.consentPopup !== undefined) settings.consentPopup = { ...given.consentPopup };
      return { settings: settingsList(settings) };
    },

    CreateDataRetentionBot(input, ctx) {
      const network = store.network(ctx, input.networkId);
      if (network.dataRetentionBot) throw badRequest(`A data retention bot already exists in network ${network.networkId}`);
      network.dataRetentionBot = { botName: dataRetentionBotName(network.networkId), registered: false, pubkeyAcked: false, created: epochSeconds(ctx) };
      return { message: 'Data retention bot created' };
    },

    CreateDataRetentionBotChallenge(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const bot = network.dataRetentionBot;
      if (!bot) throw notFound(`Data retention bot not found in network ${network.networkId}`);
      const challenge = store.newSecret();
      bot.challengeDigest = secretDigest(challenge);
      bot.registered = true;
      return { challenge };
    },

    GetDataRetentionBot(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const bot = network.dataRetentionBot;
      return {
        botExists: bot !== undefined,
        botName: bot?.botName,
        isBotActive: bot?.registered ?? false,
        isDataRetentionBotRegistered: bot?.registered ?? false,
        isDataRetentionServiceEnabled: network.settings.dataRetention,
        isPubkeyMsgAcked: bot?.pubkeyAcked ?? false,
      };
    },

    UpdateDataRetention(input, ctx) {
      const network = store.network(ctx, input.networkId);
      switch (input.actionType) {
        case 'ENABLE':
          requireRegisteredBot(network, 'enable data retention');
          network.settings.dataRetention = true;
          return { message: 'Data retention enabled' };
        case 'DISABLE':
          network.settings.dataRetention = false;
          return { message: 'Data retention disabled' };
        default: // PUBKEY_MSG_ACK (the model's enum allows nothing else)
          requireRegisteredBot(network, 'acknowledge the public key message');
          network.dataRetentionBot!.pubkeyAcked = true;
          return { message: 'Public key message acknowledged' };
      }
    },

    DeleteDataRetentionBot(input, ctx) {
      const network = store.network(ctx, input.networkId);
      if (!network.dataRetentionBot) throw notFound(`Data retention bot not found in network ${network.networkId}`);
      delete network.dataRetentionBot;
      network.settings.dataRetention = false;
      return { message: 'Data retention bot deleted' };
    },

    RegisterOidcConfigTest(input, ctx) {
      store.network(ctx, input.networkId);
      return { ...discover(input.issuer, input.scopes) };
    },

    RegisterOidcConfig(input, ctx) {
      const network = store.network(ctx, input.networkId);
      discover(input.issuer, input.scopes);
      const config: OidcRecord = {
        companyId: input.companyId,
        issuer: input.issuer,
        scopes: input.scopes,
        customUsername: input.customUsername,
        extraAuthParams: input.extraAuthParams,
        secretDigest: input.secret === undefined ? undefined : secretDigest(input.secret),
        ssoTokenBufferMinutes: input.ssoTokenBufferMinutes,
        userId: input.userId,
        applicationId: network.oidc?.applicationId ?? 1,
        applicationName: `wickr-${network.networkId}`,
        redirectUrl: OIDC_REDIRECT_URL,
      };
      network.oidc = config;
      return oidcOut(config);
    },

    GetOidcInfo(input, ctx) {
      const network = store.network(ctx, input.networkId);
      if (!network.oidc) throw notFound(`No OIDC configuration registered for network ${network.networkId}`);
      // With an authorization code the service also exchanges it at the IdP: the emulator answers opaque tokens.
      const tokenInfo =
        input.code !== undefined
          ? { accessToken: opaqueToken(), idToken: opaqueToken(), refreshToken: opaqueToken(), tokenType: 'Bearer', expiresIn: 3600, codeVerifier: input.codeVerifier }
          : undefined;
      return { openidConnectInfo: oidcOut(network.oidc), tokenInfo };
    },

    RegisterOpentdfConfig(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const domain = String(input.domain).toLowerCase();
      if (domain === 'invalid' || domain.endsWith('.invalid')) {
        throw badRequest(`The OpenTDF platform could not be reached at https://${input.domain} (getaddrinfo ENOTFOUND ${domain})`);
      }
      const answer = { provider: input.provider, domain: input.domain, clientId: input.clientId, clientSecret: SECRET_MASK };
      if (input.dryRun === true) return answer;
      network.opentdf = { provider: input.provider, domain: input.domain, clientId: input.clientId, clientSecretDigest: secretDigest(input.clientSecret) };
      return answer;
    },

    GetOpentdfConfig(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const config = network.opentdf;
      if (!config) throw notFound(`No OpenTDF configuration registered for network ${network.networkId}`);
      return { provider: config.provider, domain: config.domain, clientId: config.clientId, clientSecret: SECRET_MASK };
    },

    ListGuestUsers(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const items = Object.values(network.guests).filter(
        (g) => matches(g.username, input.username) && (input.billingPeriod === undefined || g.billingPeriod === input.billingPeriod),
      );
      const { page, nextToken } = listPage(
        'ListGuestUsers',
        items,
        { sortKeys: { username: (g) => g.username, billingPeriod: (g) => g.billingPeriod }, order: (g) => guestOrder(network, g) },
        input,
      );
      return { guestlist: page.map((g) => ({ username: g.username, usernameHash: g.usernameHash, billingPeriod: g.billingPeriod })), nextToken };
    },

    ListBlockedGuestUsers(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const items = Object.values(network.guests).filter(
        (g) => g.blocked !== undefined && matches(g.username, input.username) && (input.admin === undefined || g.blocked.admin === input.admin),
      );
      const { page, nextToken } = listPage(
        'ListBlockedGuestUsers',
        items,
        {
          sortKeys: { username: (g) => g.username, admin: (g) => g.blocked?.admin, modified: (g) => g.blocked?.modified },
          order: (g) => guestOrder(network, g),
        },
        input,
      );
      return {
        blocklist: page.map((g) => ({ username: g.username, usernameHash: g.usernameHash, admin: g.blocked!.admin, modified: g.blocked!.modified })),
        nextToken,
      };
    },

    UpdateGuestUser(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const guest = network.guests[input.usernameHash];
      if (!guest) throw notFound(`Guest user ${input.usernameHash} not found in network ${network.networkId}`);
      if (input.block) {
        // The blocking administrator: the emulator knows the caller only by account.
        guest.blocked ??= { admin: ctx.accountId, modified: ctx.now().toISOString() };
        return { message: 'Guest user blocked' };
      }
      delete guest.blocked;
      return { message: 'Guest user unblocked' };
    },

    GetGuestUserHistoryCount(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const now = ctx.now();
      // The last 90 days, month by month, oldest first; months without guests count "0".
      const months = [2, 1, 0].map((back) => month(now, back));
      const guests = Object.values(network.guests);
      return { history: months.map((m) => ({ month: m, count: String(guests.filter((g) => g.billingPeriod === m).length) })) };
    },
  };
}

/** Guests keep the order they joined the network in (the order of the record). */
function guestOrder(network: NetworkRecord, guest: GuestRecord): number {
  return Object.keys(network.guests).indexOf(guest.usernameHash);
}
