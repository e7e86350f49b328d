import type { NetworkSettings, SecurityGroupSettings } from './model.generated';

/**
 * The values the Wickr service gives a new security group (and each network's default
 * group) and a new network's settings. The API reference states no defaults, so these are
 * the values the service answers for a group or network nobody changed: the emulator
 * starts from them, and `import` leaves out every setting still at its default, so the code
 * it writes declares what someone chose. The SSO-only members (`showMasterRecoveryKey`,
 * `ssoMaxIdleMinutes`) have no default: they are absent until set on an SSO network.
 * `forceDeviceLockout` 0 means off; `maxNonSsoSessionMinutes` 0 means no limit.
 */
export const SECURITY_GROUP_DEFAULTS: Readonly<SecurityGroupSettings> = Object.freeze({
  alwaysReauthenticate: false,
  atakPackageValues: [],
  calling: { canStart11Call: true, canVideoCall: true, forceTcpCall: false },
  checkForUpdates: true,
  enableAtak: false,
  enableCrashReports: true,
  enableFileDownload: true,
  enableGuestFederation: false,
  enableNotificationPreview: true,
  enableOpenAccessOption: false,
  enableRestrictedGlobalFederation: false,
  federationMode: 0,
  filesEnabled: true,
  forceDeviceLockout: 0,
  forceOpenAccess: false,
  forceReadReceipts: false,
  globalFederation: false,
  isAtoEnabled: false,
  isLinkPreviewEnabled: true,
  locationAllowMaps: true,
  locationEnabled: true,
  lockoutThreshold: 10,
  maxAutoDownloadSize: 512000,
  maxBor: 0,
  maxNonSsoSessionMinutes: 0,
  maxTtl: 31536000,
  messageForwardingEnabled: true,
  passwordRequirements: { lowercase: 0, minLength: 6, numbers: 0, symbols: 0, uppercase: 0 },
  permittedNetworks: [],
  permittedWickrAwsNetworks: [],
  permittedWickrEnterpriseNetworks: [],
  presenceEnabled: true,
  quickResponses: [],
  shredder: { canProcessManually: true, intensity: 0 },
});

/** A new network's settings (`GetNetworkSettings` of a network nobody changed). */
export const NETWORK_SETTINGS_DEFAULTS: Readonly<Required<Pick<NetworkSettings, 'enableClientMetrics' | 'readReceiptConfig' | 'dataRetention' | 'enableTrustedDataFormat' | 'consentPopup'>>> =
  Object.freeze({
    enableClientMetrics: true,
    readReceiptConfig: { status: 'DISABLED' as const },
    dataRetention: false,
    enableTrustedDataFormat: false,
    consentPopup: { enabled: false },
  });

/** The name the service gives each network's default security group. */
export const DEFAULT_SECURITY_GROUP_NAME = 'Default';
