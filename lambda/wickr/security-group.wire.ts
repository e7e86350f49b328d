/** Wire contracts of `WickrSecurityGroup` and `WickrDefaultSecurityGroup`. */
export const SECURITY_GROUP_TYPE = 'Custom::WickrSecurityGroup';
export const DEFAULT_SECURITY_GROUP_TYPE = 'Custom::WickrDefaultSecurityGroup';

export const SecurityGroupKeys = {
  NetworkId: 'NetworkId',
  Name: 'Name',
  /** The API's `SecurityGroupSettings`, member names unchanged. */
  Settings: 'Settings',
} as const;

/** The members `CreateSecurityGroup` accepts (`SecurityGroupSettingsRequest`). */
export const CREATE_SETTINGS_MEMBERS = [
  'enableGuestFederation',
  'enableRestrictedGlobalFederation',
  'federationMode',
  'globalFederation',
  'lockoutThreshold',
  'permittedNetworks',
  'permittedWickrAwsNetworks',
  'permittedWickrEnterpriseNetworks',
] as const;

export const SECURITY_GROUP_NAME_MAX = 64;
export const SHREDDER_INTENSITIES = [0, 20, 60, 100] as const;
export const MAX_AUTO_DOWNLOAD_SIZES = [512000, 7340032] as const;
export const MAX_NON_SSO_SESSION_MINUTES = { min: 60, max: 525600 } as const;
