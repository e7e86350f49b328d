import { deepEqual } from '../../lambda/core/resource';
import { NETWORK_SETTINGS_DEFAULTS, SECURITY_GROUP_DEFAULTS } from '../../lambda/wickr/defaults';
import { AutoDownloadSize, FederationMode, ShredderIntensity } from '../../lib/wickr/security-group-settings';
import { ReadReceiptStatus } from '../../lib/wickr/network-settings';
import { duration, enumMember } from './format';

/**
 * Live settings as construct props: only the members that differ from the service's
 * defaults (`lambda/wickr/defaults.ts`), nested structures member by member, durations as
 * `Duration`s and numbers as the library's enums. `uses` collects the names the code needs
 * imported.
 */

/** Where the names the code needs are collected: the library's, and `aws-cdk-lib`'s (`Duration`). */
type Uses = { readonly library: Set<string>; readonly cdk: Set<string> };

/** The structures whose members are written one by one (the service merges them member by member). */
const NESTED = new Set(['calling', 'shredder', 'passwordRequirements']);

/** Members that differ from `defaults`, nested structures reduced to their differing members. */
function changedMembers(live: Record<string, unknown>, defaults: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(live).sort()) {
    const value = live[key];
    if (value === undefined || value === null || deepEqual(value, defaults[key])) continue;
    if (NESTED.has(key) && value && typeof value === 'object' && defaults[key] && typeof defaults[key] === 'object') {
      const inner = changedMembers(value as Record<string, unknown>, defaults[key] as Record<string, unknown>);
      if (Object.keys(inner).length > 0) out[key] = inner;
      continue;
    }
    out[key] = value;
  }
  return out;
}

/** A security group's settings as `SecurityGroupSettings` props, or undefined when every one is at its default. */
export function securityGroupSettingsProps(live: Record<string, unknown>, uses: Uses): Record<string, unknown> | undefined {
  const changed = changedMembers(live, SECURITY_GROUP_DEFAULTS as Record<string, unknown>);
  if (Object.keys(changed).length === 0) return undefined;
  const out: Record<string, unknown> = {};
  const time = (value: unknown, unit: 'seconds' | 'minutes') => {
    uses.cdk.add('Duration');
    return duration(Number(value), unit);
  };
  for (const [key, value] of Object.entries(changed)) {
    switch (key) {
      case 'maxBor':
      case 'maxTtl':
        out[key] = time(value, 'seconds');
        break;
      case 'maxNonSsoSessionMinutes':
        out.maxNonSsoSession = time(value, 'minutes');
        break;
      case 'ssoMaxIdleMinutes':
        out.ssoMaxIdle = time(value, 'minutes');
        break;
      case 'federationMode':
        uses.library.add('FederationMode');
        out[key] = enumMember('FederationMode', FederationMode, value);
        break;
      case 'maxAutoDownloadSize':
        uses.library.add('AutoDownloadSize');
        out[key] = enumMember('AutoDownloadSize', AutoDownloadSize, value);
        break;
      case 'shredder': {
        const s = { ...(value as Record<string, unknown>) };
        if (s.intensity !== undefined) {
          uses.library.add('ShredderIntensity');
          s.intensity = enumMember('ShredderIntensity', ShredderIntensity, s.intensity);
        }
        out[key] = s;
        break;
      }
      default:
        out[key] = value;
    }
  }
  return out;
}

/**
 * A network's settings as `NetworkSettings` props, or undefined when every one is at its
 * default. `dataRetention` is left out: the data retention bot's `enabled` is its one switch.
 */
export function networkSettingsProps(live: Record<string, unknown>, uses: Uses): Record<string, unknown> | undefined {
  const { dataRetention: _owned, ...rest } = live;
  const changed = changedMembers(rest, NETWORK_SETTINGS_DEFAULTS as Record<string, unknown>);
  if (Object.keys(changed).length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changed)) {
    if (key === 'readReceiptConfig' && value && typeof value === 'object') {
      const status = (value as { status?: string }).status;
      uses.library.add('ReadReceiptStatus');
      out[key] = status === undefined ? {} : { status: enumMember('ReadReceiptStatus', ReadReceiptStatus, status) };
    } else {
      out[key] = value;
    }
  }
  return out;
}
