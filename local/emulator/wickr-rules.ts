import { EmulatedError, RequestContext } from './service';
import { Issue, validationMessage } from './shapes';
import { listIssues, SORT_FIELDS } from './wickr-paging';
import { defaultSecurityGroupSettings, mergeSettings, SecurityGroupSettings, WickrStore } from './wickr-state';

/**
 * The rules the Wickr API states only in prose (the model's own constraints were checked
 * by the core before these run). Every broken rule becomes one `{field, reason}` of a
 * single 422 ValidationError, fields named by their member path
 * (`securityGroupSettings.calling.canVideoCall`, `users`, `settings.consentPopup.header`).
 *
 * Rules that need state (the merged settings of `UpdateSecurityGroup`, whether the
 * network has SSO) read the store; when the network or group does not exist the rules
 * that need them are skipped and the operation itself answers 404.
 */

export const NETWORK_NAME_MAX = 20;
export const BATCH_MAX = 50;
export const SHREDDER_INTENSITIES = [0, 20, 60, 100] as const;
export const AUTO_DOWNLOAD_SIZES = [512000, 7340032] as const;
export const FEDERATION_MODES = [0, 1, 2] as const;
export const NON_SSO_SESSION_MIN = 60;
export const NON_SSO_SESSION_MAX = 525600;
export const CONSENT_HEADER_MAX = 100;
export const CONSENT_CONTENT_MAX = 5000;
export const CONSENT_CLOSE_LABEL_MAX = 20;
/** The OpenTDF providers the service supports today (compared without regard to case). */
export const OPENTDF_PROVIDERS = ['virtru'] as const;

const BATCH_LISTS: Readonly<Record<string, string>> = {
  BatchCreateUser: 'users',
  BatchDeleteUser: 'userIds',
  BatchReinviteUser: 'userIds',
  BatchToggleUserSuspendStatus: 'userIds',
  BatchLookupUserUname: 'unames',
  BatchResetDevicesForUser: 'appIds',
};

/** A hostname: dot-separated labels of letters, digits and inner hyphens, a last label that is not all digits. */
const HOSTNAME = /^(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
/** A KMS key (or alias) ARN in any partition. */
const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/;

function length(text: string): number {
  return [...text].length;
}

function blank(text: unknown): boolean {
  return typeof text === 'string' && text.trim() === '';
}

/** Throws one ValidationError listing every broken prose rule of the request. */
export function validateProse(store: WickrStore, operation: string, input: Record<string, any>, ctx: RequestContext): void {
  const issues = proseIssues(store, operation, input, ctx);
  if (issues.length > 0) throw new EmulatedError('ValidationError', validationMessage(issues), { reasons: issues.map(({ field, reason }) => ({ field, reason })) });
}

export function proseIssues(store: WickrStore, operation: string, input: Record<string, any>, ctx: RequestContext): Issue[] {
  const issues: Issue[] = [];
  const batchList = BATCH_LISTS[operation];
  if (batchList !== undefined && Array.isArray(input[batchList])) {
    const n = input[batchList].length;
    if (n === 0) issues.push({ field: batchList, reason: `${batchList} must contain at least 1 item` });
    if (n > BATCH_MAX) issues.push({ field: batchList, reason: `at most ${BATCH_MAX} items per batch call (got ${n})` });
  }
  if (operation in SORT_FIELDS) issues.push(...listIssues(operation, input));

  switch (operation) {
    case 'CreateNetwork':
    case 'UpdateNetwork':
      networkIssues(input, issues);
      break;
    case 'CreateSecurityGroup': {
      if (blank(input.name)) issues.push({ field: 'name', reason: 'name must not be empty' });
      const patch = (input.securityGroupSettings ?? {}) as SecurityGroupSettings;
      const network = store.findNetwork(ctx, input.networkId);
      settingsIssues(mergeSettings(defaultSecurityGroupSettings(), patch), patch, network?.oidc !== undefined, issues);
      break;
    }
    case 'UpdateSecurityGroup': {
      if (blank(input.name)) issues.push({ field: 'name', reason: 'name must not be empty' });
      const patch = input.securityGroupSettings as SecurityGroupSettings | undefined;
      if (patch) {
        const network = store.findNetwork(ctx, input.networkId);
        const stored = network?.groups[input.groupId]?.settings ?? defaultSecurityGroupSettings();
        settingsIssues(mergeSettings(stored, patch), patch, network?.oidc !== undefined, issues);
      }
      break;
    }
    case 'UpdateUser': {
      const details = input.userDetails ?? {};
      if (blank(details.username)) issues.push({ field: 'userDetails.username', reason: 'username must not be empty' });
      const groups = details.securityGroupIds;
      if (Array.isArray(groups) && groups.length !== 1) {
        issues.push({
          field: 'userDetails.securityGroupIds',
          reason: groups.length === 0 ? 'a user must belong to exactly one security group' : `a user can belong to only one security group (got ${groups.length})`,
        });
      }
      break;
    }
    case 'CreateBot':
      if (typeof input.username === 'string' && !/bot$/i.test(input.username)) {
        issues.push({ field: 'username', reason: "bot usernames must end in 'bot'" });
      }
      if (input.challenge === '') issues.push({ field: 'challenge', reason: 'challenge must not be empty' });
      break;
    case 'UpdateBot':
      if (input.challenge === '') issues.push({ field: 'challenge', reason: 'challenge must not be empty' });
      break;
    case 'UpdateNetworkSettings':
      consentIssues(input.settings?.consentPopup, issues);
      break;
    case 'RegisterOidcConfig':
    case 'RegisterOidcConfigTest':
      if (blank(input.issuer)) issues.push({ field: 'issuer', reason: 'issuer must not be empty' });
      if (blank(input.scopes)) issues.push({ field: 'scopes', reason: 'scopes must not be empty' });
      if (operation === 'RegisterOidcConfig' && blank(input.companyId)) issues.push({ field: 'companyId', reason: 'companyId must not be empty' });
      break;
    case 'RegisterOpentdfConfig':
      if (typeof input.provider === 'string' && !OPENTDF_PROVIDERS.includes(input.provider.toLowerCase() as (typeof OPENTDF_PROVIDERS)[number])) {
        issues.push({ field: 'provider', reason: `provider must be one of: ${OPENTDF_PROVIDERS.join(', ')}` });
      }
      if (typeof input.domain === 'string' && !HOSTNAME.test(input.domain)) {
        issues.push({ field: 'domain', reason: 'domain must be a hostname (for example tenant.virtru.com), without scheme or path' });
      }
      if (blank(input.clientId)) issues.push({ field: 'clientId', reason: 'clientId must not be empty' });
      if (blank(input.clientSecret)) issues.push({ field: 'clientSecret', reason: 'clientSecret must not be empty' });
      break;
    default:
      break;
  }
  return issues;
}

function networkIssues(input: Record<string, any>, issues: Issue[]): void {
  if (typeof input.networkName === 'string') {
    const n = length(input.networkName);
    if (n < 1 || n > NETWORK_NAME_MAX) issues.push({ field: 'networkName', reason: `networkName must be 1 to ${NETWORK_NAME_MAX} characters (got ${n})` });
  }
  if (typeof input.encryptionKeyArn === 'string' && !KMS_ARN.test(input.encryptionKeyArn)) {
    issues.push({ field: 'encryptionKeyArn', reason: 'encryptionKeyArn must be the ARN of a KMS key (arn:aws:kms:region:account:key/id)' });
  }
}

function consentIssues(popup: Record<string, any> | undefined, issues: Issue[]): void {
  if (!popup) return;
  const limits: Array<[string, number]> = [
    ['header', CONSENT_HEADER_MAX],
    ['content', CONSENT_CONTENT_MAX],
    ['closeButtonLabel', CONSENT_CLOSE_LABEL_MAX],
  ];
  for (const [member, max] of limits) {
    if (typeof popup[member] === 'string' && length(popup[member]) > max) {
      issues.push({ field: `settings.consentPopup.${member}`, reason: `${member} must be at most ${max} characters` });
    }
  }
}

/**
 * Security group settings. Value rules look at the merged settings (stored or default +
 * the request); cross-field rules too, so a request that only switches a prerequisite off
 * (e.g. `calling.canStart11Call: false` while video calls stay on) is refused as well.
 * The SSO-only members are refused when the request sets them on a network without a
 * saved OIDC configuration.
 */
export function settingsIssues(merged: SecurityGroupSettings, patch: SecurityGroupSettings, sso: boolean, issues: Issue[]): void {
  const f = (member: string) => `securityGroupSettings.${member}`;
  const intensity = merged.shredder?.intensity;
  if (intensity !== undefined && !(SHREDDER_INTENSITIES as readonly number[]).includes(intensity)) {
    issues.push({ field: f('shredder.intensity'), reason: `shredder.intensity must be one of ${SHREDDER_INTENSITIES.join(', ')}` });
  }
  if (merged.maxAutoDownloadSize !== undefined) {
    if (!(AUTO_DOWNLOAD_SIZES as readonly number[]).includes(merged.maxAutoDownloadSize)) {
      issues.push({ field: f('maxAutoDownloadSize'), reason: `maxAutoDownloadSize must be ${AUTO_DOWNLOAD_SIZES.join(' (low quality) or ')} (high quality)` });
    } else if (merged.enableFileDownload !== true) {
      issues.push({ field: f('maxAutoDownloadSize'), reason: 'maxAutoDownloadSize is only allowed when enableFileDownload is true' });
    }
  }
  if (merged.forceDeviceLockout !== undefined && merged.lockoutThreshold !== undefined && !(merged.forceDeviceLockout < merged.lockoutThreshold)) {
    issues.push({
      field: f('forceDeviceLockout'),
      reason: `forceDeviceLockout (${merged.forceDeviceLockout}) must be less than lockoutThreshold (${merged.lockoutThreshold})`,
    });
  }
  if (merged.federationMode !== undefined && !(FEDERATION_MODES as readonly number[]).includes(merged.federationMode)) {
    issues.push({ field: f('federationMode'), reason: 'federationMode must be 0 (none), 1 (federated) or 2 (restricted)' });
  } else if ((merged.permittedNetworks?.length ?? 0) > 0 && merged.federationMode !== 2) {
    issues.push({ field: f('permittedNetworks'), reason: 'permittedNetworks only apply with federationMode 2 (restricted)' });
  }
  if (merged.enableGuestFederation === true && merged.globalFederation !== true) {
    issues.push({ field: f('enableGuestFederation'), reason: 'enableGuestFederation is only allowed with globalFederation' });
  }
  if (merged.enableRestrictedGlobalFederation === true && merged.globalFederation !== true) {
    issues.push({ field: f('enableRestrictedGlobalFederation'), reason: 'enableRestrictedGlobalFederation requires globalFederation' });
  }
  if (merged.calling?.canVideoCall === true && merged.calling.canStart11Call !== true) {
    issues.push({ field: f('calling.canVideoCall'), reason: 'calling.canVideoCall is only allowed with calling.canStart11Call' });
  }
  if (merged.locationAllowMaps === true && merged.locationEnabled !== true) {
    issues.push({ field: f('locationAllowMaps'), reason: 'locationAllowMaps is only allowed with locationEnabled' });
  }
  if (merged.forceOpenAccess === true && merged.enableOpenAccessOption !== true) {
    issues.push({ field: f('forceOpenAccess'), reason: 'forceOpenAccess is only allowed with enableOpenAccessOption' });
  }
  const minutes = merged.maxNonSsoSessionMinutes;
  if (minutes !== undefined && minutes !== 0 && (minutes < NON_SSO_SESSION_MIN || minutes > NON_SSO_SESSION_MAX)) {
    issues.push({ field: f('maxNonSsoSessionMinutes'), reason: `maxNonSsoSessionMinutes must be 0 (off) or ${NON_SSO_SESSION_MIN} to ${NON_SSO_SESSION_MAX}` });
  }
  if (!sso) {
    for (const member of ['showMasterRecoveryKey', 'ssoMaxIdleMinutes'] as const) {
      if (patch[member] !== undefined) {
        issues.push({ field: f(member), reason: `${member} only applies to networks with SSO: register an OIDC configuration first` });
      }
    }
  }
  if (merged.ssoMaxIdleMinutes !== undefined && merged.ssoMaxIdleMinutes < 0) {
    issues.push({ field: f('ssoMaxIdleMinutes'), reason: 'ssoMaxIdleMinutes must not be negative' });
  }
}
