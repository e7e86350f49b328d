/** Wire contract of `ChimeAppInstanceUser`. */
export const APP_INSTANCE_USER_TYPE = 'Custom::ChimeAppInstanceUser';
export const AppInstanceUserKeys = {
  AppInstanceArn: 'AppInstanceArn',
  AppInstanceUserId: 'AppInstanceUserId',
  Name: 'Name',
  Metadata: 'Metadata',
  ExpirationDays: 'ExpirationDays',
  Tags: 'Tags',
} as const;
export const USER_NAME_MAX = 100;
