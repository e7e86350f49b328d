/** Wire contract of `WickrBot`. */
export const BOT_TYPE = 'Custom::WickrBot';

export const BotKeys = {
  NetworkId: 'NetworkId',
  Username: 'Username',
  DisplayName: 'DisplayName',
  GroupId: 'GroupId',
  /** `{SecretArn, JsonField?}`: where the challenge (the bot's password) is read from. */
  Challenge: 'Challenge',
  /** Changing it pushes the secret's current value to the bot again (rotation). */
  ChallengeVersion: 'ChallengeVersion',
  Suspended: 'Suspended',
} as const;

/** Bot usernames end in `bot` (Wickr's rule). */
export const BOT_USERNAME_PATTERN = /bot$/;
