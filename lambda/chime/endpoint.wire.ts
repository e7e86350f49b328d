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
  /** Changing it registers the secrets' current values again (and removes the registration of the old ones). */
  TokenVersion: 'TokenVersion',
  Name: 'Name',
  AllowMessages: 'AllowMessages',
  /**
   * The version of the attributes the construct reads (`UserEndpointData`). A new value makes
   * CloudFormation send an Update, which answers them for an endpoint registered by an earlier
   * release (whose last answer had no `Data`). Changes nothing at the service.
   */
  AttributesVersion: 'AttributesVersion',
} as const;
/** `Data` keys of the answer to a create or an update (`Fn::GetAtt`). */
export const UserEndpointData = {
  /** The service's id of the registered endpoint (it changes when the device is registered again). */
  EndpointId: 'EndpointId',
} as const;
/** The value of `AttributesVersion` the construct sends. */
export const USER_ENDPOINT_ATTRIBUTES_VERSION = '1';
export const ENDPOINT_TYPES = ['APNS', 'APNS_SANDBOX', 'GCM'] as const;
export const ALLOW_MESSAGES = ['ALL', 'NONE'] as const;
export const ENDPOINT_NAME_MAX = 1600;
/** `ResourceArn`: an Amazon Pinpoint application. */
export const PINPOINT_APP_ARN_PATTERN = /^arn:[a-z0-9-]+:mobiletargeting:[a-z0-9-]+:\d{12}:apps\/[A-Za-z0-9]+$/;
/**
 * Physical id: `<user ARN>/endpoints/<endpoint id>` of the endpoint registered when the id was
 * first answered. It keeps naming the device when the device is registered again under it (a new
 * VoIP token, a rollback); the live endpoint id is `Data` `EndpointId`.
 */
export const endpointPhysicalId = (userArn: string, endpointId: string) => `${userArn}/endpoints/${endpointId}`;
