/** Wire contract of `ChimeAppInstanceUser`. */
export const APP_INSTANCE_USER_TYPE = 'Custom::ChimeAppInstanceUser';
/** The types whose physical ids name app instance users (ARNs): this library's and the native one. */
export const APP_INSTANCE_USER_CLAIM_TYPES = [APP_INSTANCE_USER_TYPE, 'AWS::Chime::AppInstanceUser'] as const;
export const AppInstanceUserKeys = {
  AppInstanceArn: 'AppInstanceArn',
  AppInstanceUserId: 'AppInstanceUserId',
  Name: 'Name',
  Metadata: 'Metadata',
  ExpirationDays: 'ExpirationDays',
  Tags: 'Tags',
} as const;
export const USER_NAME_MAX = 100;
