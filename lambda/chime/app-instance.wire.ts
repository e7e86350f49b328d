/** Wire contract of `ChimeAppInstance` (shared by the construct and the handler). */
export const APP_INSTANCE_TYPE = 'Custom::ChimeAppInstance';

export const AppInstanceKeys = {
  Name: 'Name',
  Metadata: 'Metadata',
  RetentionDays: 'RetentionDays',
  Tags: 'Tags',
} as const;
