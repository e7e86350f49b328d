/**
 * Chime SDK Identity limits the model and the documentation state. Shared by the
 * constructs (synth-time checks) and the handlers (decoding); no SDK code in here.
 */
export const NAME_MAX = 256;
export const METADATA_MAX = 1024;
export const RETENTION_DAYS_MIN = 1;
export const RETENTION_DAYS_MAX = 5475;
/** `ExpirationDays` of a user's expiration settings. */
export const EXPIRATION_DAYS_MIN = 1;
export const EXPIRATION_DAYS_MAX = 5475;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const TAGS_MAX = 50;
export const APP_INSTANCE_USER_ID_MAX = 64;
/** `AppInstanceUserId`, as the model's pattern states it. */
export const APP_INSTANCE_USER_ID_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9:\-_.@]{0,62}[A-Za-z0-9])?$/;
