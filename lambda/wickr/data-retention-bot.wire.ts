/** Wire contract of `WickrDataRetentionBot`. */
export const DATA_RETENTION_BOT_TYPE = 'Custom::WickrDataRetentionBot';

export const DataRetentionBotKeys = {
  NetworkId: 'NetworkId',
  /** The secret the generated challenge is written to (a new version per challenge). */
  ChallengeSecretArn: 'ChallengeSecretArn',
  /** Changing it asks the service for a new challenge. */
  ChallengeVersion: 'ChallengeVersion',
  Enabled: 'Enabled',
  AcknowledgePublicKeyMessage: 'AcknowledgePublicKeyMessage',
} as const;
