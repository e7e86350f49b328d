/** Wire contract of `WickrNetworkSettings`. */
export const NETWORK_SETTINGS_TYPE = 'Custom::WickrNetworkSettings';

export const NetworkSettingsKeys = {
  NetworkId: 'NetworkId',
  /** The API's `NetworkSettings`, member names unchanged. */
  Settings: 'Settings',
} as const;

export const CONSENT_POPUP_LIMITS = { header: 100, content: 5000, closeButtonLabel: 20 } as const;
export const READ_RECEIPT_STATUSES = ['DISABLED', 'ENABLED', 'FORCE_ENABLED'] as const;
