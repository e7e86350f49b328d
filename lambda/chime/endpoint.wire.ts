/** Wire contract of `ChimeAppInstanceUserEndpoint`. */
export const USER_ENDPOINT_TYPE = 'Custom::ChimeAppInstanceUserEndpoint';
export const UserEndpointKeys = {
  AppInstanceUserArn: 'AppInstanceUserArn',
  Type: 'Type',
  ResourceArn: 'ResourceArn',
  /** `{SecretArn, JsonField?}` of the device token. */
  DeviceToken: 'DeviceToken',
  /** `{SecretArn, JsonField?}` of the VoIP device token. */
  VoipDeviceToken: 'VoipDeviceToken',
  /** Changing it registers the secrets' current values again (a new endpoint). */
  TokenVersion: 'TokenVersion',
  Name: 'Name',
  AllowMessages: 'AllowMessages',
} as const;
export const ENDPOINT_TYPES = ['APNS', 'APNS_SANDBOX', 'GCM'] as const;
export const ALLOW_MESSAGES = ['ALL', 'NONE'] as const;
export const ENDPOINT_NAME_MAX = 1600;
/** `ResourceArn`: an Amazon Pinpoint application. */
export const PINPOINT_APP_ARN_PATTERN = /^arn:[a-z0-9-]+:mobiletargeting:[a-z0-9-]+:\d{12}:apps\/[A-Za-z0-9]+$/;
/** Physical id: `<user ARN>/endpoints/<endpoint id>`. */
export const endpointPhysicalId = (userArn: string, endpointId: string) => `${userArn}/endpoints/${endpointId}`;
