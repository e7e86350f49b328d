/** Wire contract of `ChimeAppInstance` (shared by the construct and the handler). */
export const APP_INSTANCE_TYPE = 'Custom::ChimeAppInstance';
/** The types whose physical ids name app instances (ARNs): this library's and the native one. */
export const APP_INSTANCE_CLAIM_TYPES = [APP_INSTANCE_TYPE, 'AWS::Chime::AppInstance'] as const;

export const AppInstanceKeys = {
  Name: 'Name',
  Metadata: 'Metadata',
  RetentionDays: 'RetentionDays',
  Tags: 'Tags',
} as const;
