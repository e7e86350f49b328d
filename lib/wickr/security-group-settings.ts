import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { isUnresolved, report } from '../core/errors';
import { A_DURATION, A_NUMBER, A_STRING_LIST, aListOf, aStructure, checkProps } from '../core/props';
import { checkOneOf, checkRange, checkRule, enumText, inUnits, NamedEnum, wholeUnits } from '../core/validate';
import { MAX_AUTO_DOWNLOAD_SIZES, MAX_NON_SSO_SESSION_MINUTES, SHREDDER_INTENSITIES } from '../../lambda/wickr/security-group.wire';

/** Who members of a group may talk to outside their network. */
export enum FederationMode {
  /** Only their own network. */
  NONE = 0,
  /** Federated: any network that federates too. */
  FEDERATED = 1,
  /** Restricted: only the networks in `permittedNetworks` and friends. */
  RESTRICTED = 2,
}

/** How thoroughly the secure shredder overwrites deleted data. */
export enum ShredderIntensity {
  OFF = 0,
  LOW = 20,
  MEDIUM = 60,
  HIGH = 100,
}

/** The largest file a client downloads on its own. */
export enum AutoDownloadSize {
  /** 500 KB. */
  SMALL = 512000,
  /** 7 MB. */
  LARGE = 7340032,
}

/** Calling permissions. */
export interface CallingSettings {
  /** Members can start 1:1 calls. @default - the service's default */
  readonly canStart11Call?: boolean;
  /** Members can make video calls (needs `canStart11Call`). @default - the service's default */
  readonly canVideoCall?: boolean;
  /** Calls always use TCP. @default - the service's default */
  readonly forceTcpCall?: boolean;
}

/** Password rules (minimum counts). */
export interface PasswordRequirements {
  /** @default - the service's default */
  readonly minLength?: number;
  /** @default - the service's default */
  readonly lowercase?: number;
  /** @default - the service's default */
  readonly uppercase?: number;
  /** @default - the service's default */
  readonly numbers?: number;
  /** @default - the service's default */
  readonly symbols?: number;
}

/** Secure shredder settings. */
export interface ShredderSettings {
  /** @default - the service's default */
  readonly intensity?: ShredderIntensity;
  /** Members can run the shredder themselves. @default - the service's default */
  readonly canProcessManually?: boolean;
}

/** Another AWS Wickr network members of a restricted group may talk to. */
export interface PermittedWickrAwsNetwork {
  /** The network's 8-digit id. */
  readonly networkId: string;
  /** The network's region. */
  readonly region: string;
}

/** A Wickr Enterprise network members of a restricted group may talk to. */
export interface PermittedWickrEnterpriseNetwork {
  /** The network's domain. */
  readonly domain: string;
  /** The network's 8-digit id. */
  readonly networkId: string;
}

/**
 * Every setting of a Wickr security group (`SecurityGroupSettings`). Names are the Wickr
 * API's, except that durations are `Duration`s named without their unit (`maxNonSsoSession`
 * is the API's `maxNonSsoSessionMinutes`); the template carries the API's names and units.
 * A setting left out keeps the service's current value; removing a setting from the props
 * does not reset it.
 */
export interface SecurityGroupSettings {
  /** @default - the service's default */
  readonly alwaysReauthenticate?: boolean;
  /** ATAK package values. @default - the service's default */
  readonly atakPackageValues?: string[];
  /** @default - the service's default */
  readonly calling?: CallingSettings;
  /** @default - the service's default */
  readonly checkForUpdates?: boolean;
  /** @default - the service's default */
  readonly enableAtak?: boolean;
  /** @default - the service's default */
  readonly enableCrashReports?: boolean;
  /** @default - the service's default */
  readonly enableFileDownload?: boolean;
  /** Guests from other networks (needs `globalFederation`). @default - the service's default */
  readonly enableGuestFederation?: boolean;
  /** @default - the service's default */
  readonly enableNotificationPreview?: boolean;
  /** @default - the service's default */
  readonly enableOpenAccessOption?: boolean;
  /** Needs `globalFederation`. @default - the service's default */
  readonly enableRestrictedGlobalFederation?: boolean;
  /** @default - the service's default */
  readonly federationMode?: FederationMode;
  /** @default - the service's default */
  readonly filesEnabled?: boolean;
  /** Failed attempts before the device is wiped; less than `lockoutThreshold`. @default - the service's default */
  readonly forceDeviceLockout?: number;
  /** Needs `enableOpenAccessOption`. @default - the service's default */
  readonly forceOpenAccess?: boolean;
  /** @default - the service's default */
  readonly forceReadReceipts?: boolean;
  /** @default - the service's default */
  readonly globalFederation?: boolean;
  /** @default - the service's default */
  readonly isAtoEnabled?: boolean;
  /** @default - the service's default */
  readonly isLinkPreviewEnabled?: boolean;
  /** Needs `locationEnabled`. @default - the service's default */
  readonly locationAllowMaps?: boolean;
  /** @default - the service's default */
  readonly locationEnabled?: boolean;
  /** Failed attempts before the account is locked. @default - the service's default */
  readonly lockoutThreshold?: number;
  /** Only with `enableFileDownload`. @default - the service's default */
  readonly maxAutoDownloadSize?: AutoDownloadSize;
  /**
   * Burn-on-read maximum, in whole seconds (the API's `maxBor`).
   * @default - the service's default
   */
  readonly maxBor?: Duration;
  /**
   * How long a session without SSO lasts: zero (no limit) or 60 to 525600 whole minutes (the
   * API's `maxNonSsoSessionMinutes`).
   * @default - the service's default
   */
  readonly maxNonSsoSession?: Duration;
  /**
   * Message expiration maximum, in whole seconds (the API's `maxTtl`).
   * @default - the service's default
   */
  readonly maxTtl?: Duration;
  /** @default - the service's default */
  readonly messageForwardingEnabled?: boolean;
  /** @default - the service's default */
  readonly passwordRequirements?: PasswordRequirements;
  /** Network ids allowed with `FederationMode.RESTRICTED`. @default - the service's default */
  readonly permittedNetworks?: string[];
  /** @default - the service's default */
  readonly permittedWickrAwsNetworks?: PermittedWickrAwsNetwork[];
  /** @default - the service's default */
  readonly permittedWickrEnterpriseNetworks?: PermittedWickrEnterpriseNetwork[];
  /** @default - the service's default */
  readonly presenceEnabled?: boolean;
  /** Canned replies. @default - the service's default */
  readonly quickResponses?: string[];
  /** SSO networks only. @default - the service's default */
  readonly showMasterRecoveryKey?: boolean;
  /** @default - the service's default */
  readonly shredder?: ShredderSettings;
  /**
   * SSO networks only: how long a session may stay idle, in whole minutes (the API's
   * `ssoMaxIdleMinutes`).
   * @default - the service's default
   */
  readonly ssoMaxIdle?: Duration;
}

const INT_MAX = 2_147_483_647;
const FEDERATION: NamedEnum = { name: 'FederationMode', members: FederationMode };
const SHREDDER: NamedEnum = { name: 'ShredderIntensity', members: ShredderIntensity };
const DOWNLOAD: NamedEnum = { name: 'AutoDownloadSize', members: AutoDownloadSize };
const FEDERATION_MODES = [FederationMode.NONE, FederationMode.FEDERATED, FederationMode.RESTRICTED];

/** The kinds of the settings (untyped JavaScript, or numbers where 0.1.0 took them), thrown at once. */
function checkSettingsShape(scope: IConstruct, s: SecurityGroupSettings): void {
  const networks = aListOf('network');
  checkProps(scope, s, {}, {
    maxBor: A_DURATION, maxTtl: A_DURATION, maxNonSsoSession: A_DURATION, ssoMaxIdle: A_DURATION,
    lockoutThreshold: A_NUMBER, forceDeviceLockout: A_NUMBER,
    calling: aStructure('the calling settings'), passwordRequirements: aStructure('the password requirements'), shredder: aStructure('the shredder settings'),
    permittedNetworks: A_STRING_LIST, atakPackageValues: A_STRING_LIST, quickResponses: A_STRING_LIST,
    permittedWickrAwsNetworks: networks, permittedWickrEnterpriseNetworks: networks,
  }, 'settings.');
}

/**
 * Checks the rules the Wickr documentation states in prose, at synth time, for the
 * values known then. A rule across two settings is checked when both are given.
 * @internal
 */
export function validateSecurityGroupSettings(scope: IConstruct, settings: SecurityGroupSettings | undefined): void {
  if (!settings) return;
  const s = settings;
  const at = (member: string) => `settings.${member}`;
  checkSettingsShape(scope, s);
  checkOneOf(scope, at('shredder.intensity'), s.shredder?.intensity, SHREDDER_INTENSITIES, SHREDDER);
  checkOneOf(scope, at('maxAutoDownloadSize'), s.maxAutoDownloadSize, MAX_AUTO_DOWNLOAD_SIZES, DOWNLOAD);
  if (s.maxAutoDownloadSize !== undefined && s.enableFileDownload === false && !isUnresolved(s.maxAutoDownloadSize)) {
    report(scope, `${at('maxAutoDownloadSize')}: applies only with enableFileDownload: true (received ${enumText(s.maxAutoDownloadSize, DOWNLOAD)})`);
  }
  checkOneOf(scope, at('federationMode'), s.federationMode, FEDERATION_MODES, FEDERATION);
  const restrictedOnly = `applies only with federationMode: ${enumText(FederationMode.RESTRICTED, FEDERATION)}` +
    (s.federationMode === undefined || isUnresolved(s.federationMode) ? ', which is not given' : `, not ${enumText(s.federationMode, FEDERATION)}`);
  for (const member of ['permittedNetworks', 'permittedWickrAwsNetworks', 'permittedWickrEnterpriseNetworks'] as const) {
    const list = s[member];
    checkRule(scope, at(member), list, !list?.length || isUnresolved(s.federationMode) || s.federationMode === FederationMode.RESTRICTED, restrictedOnly);
  }
  // A list known only at deploy time (a CommaDelimitedList parameter) has placeholder elements.
  for (const [i, id] of (Token.isUnresolved(s.permittedNetworks) ? [] : s.permittedNetworks ?? []).entries()) {
    checkRule(scope, at(`permittedNetworks[${i}]`), id, /^[0-9]{8}$/.test(id), 'must be an 8-digit network id');
  }
  for (const [i, n] of [...(s.permittedWickrAwsNetworks ?? []), ...(s.permittedWickrEnterpriseNetworks ?? [])].entries()) {
    checkRule(scope, at(`permitted networks[${i}].networkId`), n.networkId, /^[0-9]{8}$/.test(n.networkId), 'must be an 8-digit network id');
  }
  // A setting that needs another needs it declared: a new group starts with the service's defaults
  // (globalFederation and enableOpenAccessOption off), and an update is checked against the merged settings.
  requires(scope, s, 'enableGuestFederation', true, 'globalFederation', true);
  requires(scope, s, 'enableRestrictedGlobalFederation', true, 'globalFederation', true);
  requires(scope, s, 'forceOpenAccess', true, 'enableOpenAccessOption', true);
  checkRule(scope, at('calling.canVideoCall'), s.calling?.canVideoCall, s.calling?.canVideoCall !== true || s.calling?.canStart11Call !== false,
    'applies only with calling.canStart11Call: true');
  checkRule(scope, at('locationAllowMaps'), s.locationAllowMaps, s.locationAllowMaps !== true || s.locationEnabled !== false,
    'applies only with locationEnabled: true');
  // Switching a prerequisite off leaves what needs it on (video calls and maps are on by default): declare both.
  checkRule(scope, at('calling.canStart11Call'), s.calling?.canStart11Call, s.calling?.canStart11Call !== false || s.calling?.canVideoCall !== undefined,
    'false needs calling.canVideoCall: false too (video calls need 1:1 calls, and are on by default)');
  checkRule(scope, at('locationEnabled'), s.locationEnabled, s.locationEnabled !== false || s.locationAllowMaps !== undefined,
    'false needs locationAllowMaps: false too (maps need location, and are on by default)');
  if (s.forceDeviceLockout !== undefined && s.lockoutThreshold !== undefined && !isUnresolved(s.lockoutThreshold)) {
    checkRule(scope, at('forceDeviceLockout'), s.forceDeviceLockout, s.forceDeviceLockout < s.lockoutThreshold,
      `must be less than lockoutThreshold (${s.lockoutThreshold})`);
  }
  const session = wholeUnits(scope, at('maxNonSsoSession'), s.maxNonSsoSession, 'minutes');
  if (session !== undefined && session !== 0) {
    checkRange(scope, at('maxNonSsoSession'), session, MAX_NON_SSO_SESSION_MINUTES.min, MAX_NON_SSO_SESSION_MINUTES.max, 'minutes');
  }
  for (const member of ['lockoutThreshold', 'forceDeviceLockout'] as const) {
    checkRange(scope, at(member), s[member], 0, Number.MAX_SAFE_INTEGER);
  }
  // The API's integers are 32-bit.
  checkRange(scope, at('maxBor'), wholeUnits(scope, at('maxBor'), s.maxBor, 'seconds'), 0, INT_MAX, 'seconds');
  checkRange(scope, at('maxTtl'), wholeUnits(scope, at('maxTtl'), s.maxTtl, 'seconds'), 0, INT_MAX, 'seconds');
  checkRange(scope, at('ssoMaxIdle'), wholeUnits(scope, at('ssoMaxIdle'), s.ssoMaxIdle, 'minutes'), 0, INT_MAX, 'minutes');
  for (const [member, value] of Object.entries(s.passwordRequirements ?? {})) {
    checkRange(scope, at(`passwordRequirements.${member}`), value as number, 0, 1000);
  }
}


/**
 * The settings that apply only to networks with SSO, as the props name them.
 * @internal
 */
export function ssoOnlySettings(settings: SecurityGroupSettings | undefined): string[] {
  return (['showMasterRecoveryKey', 'ssoMaxIdle'] as const).filter((m) => settings?.[m] !== undefined);
}

/**
 * `member: value` needs `prerequisite: needed` declared in the same settings; the message
 * says why (the service's default is otherwise) and what to add.
 */
function requires(scope: IConstruct, s: SecurityGroupSettings, member: keyof SecurityGroupSettings, value: boolean, prerequisite: keyof SecurityGroupSettings, needed: boolean): void {
  if (s[member] !== value || isUnresolved(s[prerequisite])) return;
  if (s[prerequisite] === needed) return;
  const given = s[prerequisite] === undefined ? `${prerequisite} is not given (off by default)` : `${prerequisite} is ${s[prerequisite]}`;
  report(scope, `settings.${member}: ${value} needs ${prerequisite}: ${needed} in the same settings; ${given}: set ${prerequisite}: ${needed} (received ${value})`);
}

/**
 * The settings as the API names them (the template's `Settings`): durations in the API's
 * units, under the API's names. Call after `validateSecurityGroupSettings`.
 * @internal
 */
export function renderSecurityGroupSettings(settings: SecurityGroupSettings | undefined): Record<string, unknown> | undefined {
  if (!settings) return undefined;
  const { maxBor, maxNonSsoSession, maxTtl, ssoMaxIdle, ...rest } = settings;
  return {
    ...rest,
    maxBor: inUnits(maxBor, 'seconds'),
    maxNonSsoSessionMinutes: inUnits(maxNonSsoSession, 'minutes'),
    maxTtl: inUnits(maxTtl, 'seconds'),
    ssoMaxIdleMinutes: inUnits(ssoMaxIdle, 'minutes'),
  };
}
