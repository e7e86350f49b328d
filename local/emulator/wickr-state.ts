import { createHash, randomBytes, randomInt } from 'crypto';
import { prng } from './faults';
import { isRecord } from './protocol';
import { EmulatedError, RequestContext } from './service';
import { NETWORK_SETTINGS_DEFAULTS, SECURITY_GROUP_DEFAULTS } from '../../lambda/wickr/defaults';

/**
 * The Wickr emulator's state (plain JSON, so `exportState`/`importState` round-trip it)
 * and the store that the operation modules share: lookups that answer 404 the way the
 * service does, id generation in the service's formats, and the security group defaults.
 *
 * Secrets are never kept: bot challenges, the data retention bot challenge and the OIDC
 * and OpenTDF client secrets are stored as salted SHA-256 digests (`sha256:<salt>:<hex>`,
 * a random salt per value, so equal secrets do not show as equal digests and no
 * precomputed table reverses them), the way a service keeps password hashes, so a saved
 * state file holds no secret either.
 */

export type AccessLevel = 'STANDARD' | 'PREMIUM';

/** `SecurityGroupSettings` of the model, every member optional (the model's own shape). */
export interface SecurityGroupSettings {
  alwaysReauthenticate?: boolean;
  atakPackageValues?: string[];
  calling?: { canStart11Call?: boolean; canVideoCall?: boolean; forceTcpCall?: boolean };
  checkForUpdates?: boolean;
  enableAtak?: boolean;
  enableCrashReports?: boolean;
  enableFileDownload?: boolean;
  enableGuestFederation?: boolean;
  enableNotificationPreview?: boolean;
  enableOpenAccessOption?: boolean;
  enableRestrictedGlobalFederation?: boolean;
  federationMode?: number;
  filesEnabled?: boolean;
  forceDeviceLockout?: number;
  forceOpenAccess?: boolean;
  forceReadReceipts?: boolean;
  globalFederation?: boolean;
  isAtoEnabled?: boolean;
  isLinkPreviewEnabled?: boolean;
  locationAllowMaps?: boolean;
  locationEnabled?: boolean;
  lockoutThreshold?: number;
  maxAutoDownloadSize?: number;
  maxBor?: number;
  maxNonSsoSessionMinutes?: number;
  maxTtl?: number;
  messageForwardingEnabled?: boolean;
  passwordRequirements?: { lowercase?: number; minLength?: number; numbers?: number; symbols?: number; uppercase?: number };
  permittedNetworks?: string[];
  permittedWickrAwsNetworks?: Array<{ networkId: string; region: string }>;
  permittedWickrEnterpriseNetworks?: Array<{ domain: string; networkId: string }>;
  presenceEnabled?: boolean;
  quickResponses?: string[];
  showMasterRecoveryKey?: boolean;
  shredder?: { canProcessManually?: boolean; intensity?: number };
  ssoMaxIdleMinutes?: number;
}

export interface GroupRecord {
  id: string;
  name: string;
  isDefault: boolean;
  /** Epoch seconds. */
  modified: number;
  /** Creation order (stable sort tie-breaker). */
  seq: number;
  settings: SecurityGroupSettings;
}

export interface DeviceRecord {
  appId: string;
  type: string;
  /** ISO-8601. */
  created: string;
  lastLogin: string;
  statusText: string;
}

export interface UserRecord {
  userId: string;
  username: string;
  uname: string;
  firstName?: string;
  lastName?: string;
  groupId: string;
  /** 1 pending (invited), 2 active. */
  status: number;
  suspended: boolean;
  codeValidation?: boolean;
  inviteCode?: string;
  inviteCodeTtl?: number;
  /** Epoch seconds. */
  inviteExpiration: number;
  created: number;
  modified: number;
  seq: number;
  devices: DeviceRecord[];
}

export interface BotRecord {
  botId: string;
  username: string;
  uname: string;
  displayName?: string;
  groupId: string;
  /** 1 pending, 2 active. */
  status: number;
  suspended: boolean;
  challengeDigest: string;
  created: number;
  modified: number;
  seq: number;
}

export interface DataRetentionBotRecord {
  botName: string;
  /** A challenge was issued (the emulator treats the bot as signed in with it at once). */
  registered: boolean;
  pubkeyAcked: boolean;
  challengeDigest?: string;
  created: number;
}

export interface NetworkSettingsRecord {
  enableClientMetrics: boolean;
  readReceiptConfig: { status: 'DISABLED' | 'ENABLED' | 'FORCE_ENABLED' };
  dataRetention: boolean;
  enableTrustedDataFormat: boolean;
  consentPopup: { enabled: boolean; header?: string; content?: string; closeButtonLabel?: string };
}

export interface OidcRecord {
  companyId: string;
  issuer: string;
  scopes: string;
  customUsername?: string;
  extraAuthParams?: string;
  secretDigest?: string;
  ssoTokenBufferMinutes?: number;
  userId?: string;
  applicationId: number;
  applicationName: string;
  redirectUrl: string;
}

export interface OpentdfRecord {
  provider: string;
  domain: string;
  clientId: string;
  clientSecretDigest: string;
}

export interface GuestRecord {
  username: string;
  usernameHash: string;
  billingPeriod: string;
  blocked?: { admin: string; modified: string };
}

export interface NetworkRecord {
  networkId: string;
  networkName: string;
  accessLevel: AccessLevel;
  awsAccountId: string;
  region: string;
  encryptionKeyArn?: string;
  freeTrialExpiration?: string;
  created: number;
  seq: number;
  groups: Record<string, GroupRecord>;
  users: Record<string, UserRecord>;
  bots: Record<string, BotRecord>;
  settings: NetworkSettingsRecord;
  dataRetentionBot?: DataRetentionBotRecord;
  oidc?: OidcRecord;
  opentdf?: OpentdfRecord;
  guests: Record<string, GuestRecord>;
}

export interface WickrState {
  version: 1;
  networks: Record<string, NetworkRecord>;
  /** Users and bots are accounts of one id space: the next id handed out. */
  nextAccountId: number;
  /** Creation counter across everything (stable ordering). */
  seq: number;
}

/** What the service never echoes: required secret members are answered with this mask. */
export const SECRET_MASK = '********';

/** Users on a premium free trial network (the emulator's figure for `GetUsersCount.remaining`). */
export const FREE_TRIAL_USER_LIMIT = 30;
export const FREE_TRIAL_DAYS = 90;
/** Days an invitation stays valid when `inviteCodeTtl` is not given. */
export const DEFAULT_INVITE_DAYS = 7;

/**
 * The settings of a new security group (and of each network's default group), from the one
 * table of defaults (`lambda/wickr/defaults.ts`) that `import` uses too. The SSO-only
 * members (`showMasterRecoveryKey`, `ssoMaxIdleMinutes`) are absent until set on an SSO
 * network. `forceDeviceLockout` 0 means off.
 */
export function defaultSecurityGroupSettings(): SecurityGroupSettings {
  return clone(SECURITY_GROUP_DEFAULTS) as SecurityGroupSettings;
}

/** A new network's settings: `NETWORK_SETTINGS_DEFAULTS`, the table `import` leaves out too. */
export function defaultNetworkSettings(): NetworkSettingsRecord {
  return clone(NETWORK_SETTINGS_DEFAULTS) as NetworkSettingsRecord;
}

/** The structures of the settings that merge member by member; every other member is replaced whole. */
const NESTED = ['calling', 'shredder', 'passwordRequirements'] as const;

/**
 * PATCH semantics of `UpdateSecurityGroup`: given top-level members replace the stored
 * ones, `calling`, `shredder` and `passwordRequirements` merge member-wise. Turning file
 * download off without a new `maxAutoDownloadSize` drops the stored size, which only
 * exists with file download on (the model has no way to send "unset").
 */
export function mergeSettings(stored: SecurityGroupSettings, patch: SecurityGroupSettings): SecurityGroupSettings {
  const merged: Record<string, unknown> = { ...clone(stored) };
  for (const [key, value] of Object.entries(clone(patch))) {
    if (value === undefined) continue;
    merged[key] = (NESTED as readonly string[]).includes(key) && isRecord(merged[key]) && isRecord(value) ? { ...merged[key], ...value } : value;
  }
  const result = merged as SecurityGroupSettings;
  if (patch.enableFileDownload === false && patch.maxAutoDownloadSize === undefined) delete result.maxAutoDownloadSize;
  return result;
}

export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** How secrets are kept: a salted digest, never the value. */
export function secretDigest(secret: string): string {
  const salt = randomBytes(16).toString('hex');
  return `sha256:${salt}:${sha256Hex(`${salt}:${secret}`)}`;
}

/** The username hash Wickr calls `uname`: 64 hex characters, a function of network and (case-folded) username. */
export function unameOf(networkId: string, username: string): string {
  return sha256Hex(`uname:${networkId}:${username.toLowerCase()}`);
}

export function epochSeconds(ctx: RequestContext): number {
  return Math.floor(ctx.now().getTime() / 1000);
}

export function notFound(message: string): EmulatedError {
  return new EmulatedError('ResourceNotFoundError', message);
}

export function badRequest(message: string): EmulatedError {
  return new EmulatedError('BadRequestError', message);
}

/** A fresh, empty state. */
export function emptyState(): WickrState {
  return { version: 1, networks: {}, nextAccountId: 0, seq: 0 };
}

export interface StoreOptions {
  /** Seeds generated ids (network, group, account ids, guests' order). @default random */
  readonly seed?: number;
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = `ABCDEFGHIJKLMNOPQRSTUVWXYZ${LOWER_ALNUM}`;

/** State plus the lookups and id generators every operation module uses. */
export class WickrStore {
  state: WickrState = emptyState();
  private random: () => number;

  constructor(private readonly options: StoreOptions = {}) {
    this.random = this.newRandom();
  }

  reset(): void {
    this.state = emptyState();
    this.random = this.newRandom();
  }

  exportState(): WickrState {
    return clone(this.state);
  }

  importState(state: unknown): void {
    if (state === undefined || state === null) {
      this.reset();
      return;
    }
    if (!isRecord(state) || state.version !== 1 || !isRecord(state.networks)) {
      throw new Error('not a Wickr emulator state (expected {version: 1, networks: {...}})');
    }
    this.state = clone(state) as unknown as WickrState;
  }

  // --- lookups: everything is scoped to the caller's account and region, as networks are regional

  network(ctx: RequestContext, networkId: string): NetworkRecord {
    const network = this.state.networks[networkId];
    if (!network || network.awsAccountId !== ctx.accountId || network.region !== ctx.region) {
      throw notFound(`Network ${networkId} not found`);
    }
    return network;
  }

  group(network: NetworkRecord, groupId: string): GroupRecord {
    const group = network.groups[groupId];
    if (!group) throw notFound(`Security group ${groupId} not found in network ${network.networkId}`);
    return group;
  }

  user(network: NetworkRecord, userId: string): UserRecord {
    const user = network.users[userId];
    if (!user) throw notFound(`User ${userId} not found in network ${network.networkId}`);
    return user;
  }

  bot(network: NetworkRecord, botId: string): BotRecord {
    const bot = network.bots[botId];
    if (!bot) throw notFound(`Bot ${botId} not found in network ${network.networkId}`);
    return bot;
  }

  /** The network when it exists for this caller, without throwing (for `validate`). */
  findNetwork(ctx: RequestContext, networkId: unknown): NetworkRecord | undefined {
    if (typeof networkId !== 'string') return undefined;
    const network = this.state.networks[networkId];
    return network && network.awsAccountId === ctx.accountId && network.region === ctx.region ? network : undefined;
  }

  /** Is the username taken by a user or a bot of the network (case-insensitive)? `except` skips one account id. */
  usernameTaken(network: NetworkRecord, username: string, except?: string): boolean {
    const wanted = username.toLowerCase();
    const taken = (id: string, name: string) => id !== except && name.toLowerCase() === wanted;
    return (
      Object.values(network.users).some((u) => taken(u.userId, u.username)) || Object.values(network.bots).some((b) => taken(b.botId, b.username))
    );
  }

  // --- ids

  nextSeq(): number {
    return ++this.state.seq;
  }

  /** 8 digits, never starting with 0, unique across every network the emulator holds. */
  newNetworkId(): string {
    for (;;) {
      const id = String(10_000_000 + Math.floor(this.random() * 90_000_000));
      if (!this.state.networks[id]) return id;
    }
  }

  /** `sg` and 10 lowercase letters or digits, unique across the emulator. */
  newGroupId(): string {
    for (;;) {
      let id = 'sg';
      for (let i = 0; i < 10; i++) id += LOWER_ALNUM[Math.floor(this.random() * LOWER_ALNUM.length)];
      if (!Object.values(this.state.networks).some((n) => n.groups[id])) return id;
    }
  }

  /**
   * User and bot ids: numeric strings increasing from a random 7-digit base (users and
   * bots are accounts of one id space, so a bot id never equals a user id).
   */
  newAccountId(): string {
    if (!this.state.nextAccountId) this.state.nextAccountId = 1_000_000 + Math.floor(this.random() * 8_000_000);
    return String(this.state.nextAccountId++);
  }

  /** A random secret the service hands out (data retention bot challenge): always from the crypto source, never seeded. */
  newSecret(length = 32): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
    return out;
  }

  private newRandom(): () => number {
    return prng(this.options.seed ?? randomInt(2 ** 31));
  }
}
