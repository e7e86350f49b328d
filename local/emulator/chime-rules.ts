import { MAX_RESULTS_MAX, MAX_RESULTS_MIN } from './chime-paging';
import { badRequest, parseArn } from './chime-state';
import { Issue, validationMessage } from './shapes';

/**
 * The rules of Chime SDK Identity that the API reference states in prose, checked after the
 * model's own constraints (so most of them repeat a model constraint: they also hold when
 * an operation is called directly, and they are where the prose is written down). All broken
 * rules of a request become one BadRequestException, in the wording of the model checks.
 * No rule here reads state: the operations answer for what does not exist.
 *
 * - Metadata at most 1024 characters (the model's `max`; the prose says "1 KB").
 * - Names 1 to 256 characters: app instances and bots (the model lets a bot name be
 *   empty; the prose does not). User names keep the model's stricter 1 to 100.
 * - AppInstanceUserId 1 to 64 characters of the model's pattern.
 * - RetentionDays and ExpirationDays 1 to 5475.
 * - Tags: 1 to 50 per request, keys 1 to 128 and values 1 to 256 characters, keys unique
 *   within a request, and no key starting with `aws:` (reserved by AWS, as everywhere).
 * - MaxResults 1 to 50.
 * - Bots: a Lex configuration has exactly one of `RespondsTo` (deprecated) and `InvokedBy`
 *   (the reference is silent; with neither the bot would never be invoked, and with both
 *   it would be ambiguous).
 * - Endpoints: `VoipDeviceToken` only for APNS and APNS_SANDBOX (the reference: "The VOIP
 *   device token for the APNS and APNS_SANDBOX endpoint types").
 * - Admins: `AppInstanceAdminArn` is the ARN of a user or bot inside the app instance the
 *   path names.
 */

export const NAME_MAX = 256;
export const USER_NAME_MAX = 100;
export const METADATA_MAX = 1024;
export const USER_ID_MAX = 64;
export const USER_ID_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9:\-_.@]{0,62}[A-Za-z0-9])?$/;
export const DAYS_MIN = 1;
export const DAYS_MAX = 5475;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const TAGS_MAX = 50;
export const RESERVED_TAG_PREFIX = 'aws:';

function chars(text: string): number {
  return [...text].length;
}

type Check = (issues: Issue[], input: Record<string, any>) => void;

function text(field: string, min: number, max: number): Check {
  return (issues, input) => {
    const value = input[field];
    if (typeof value !== 'string') return;
    const n = chars(value);
    if (n < min || n > max) issues.push({ field, reason: `Member must be ${min} to ${max} characters long` });
  };
}

const name = text('Name', 1, NAME_MAX);
const userName = text('Name', 1, USER_NAME_MAX);
const metadata = text('Metadata', 0, METADATA_MAX);

function days(issues: Issue[], field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < DAYS_MIN || value > DAYS_MAX) {
    issues.push({ field, reason: `Member must be a whole number of days from ${DAYS_MIN} to ${DAYS_MAX}` });
  }
}

const userId: Check = (issues, input) => {
  const id = input.AppInstanceUserId;
  if (typeof id !== 'string') return;
  if (chars(id) < 1 || chars(id) > USER_ID_MAX || !USER_ID_PATTERN.test(id)) {
    issues.push({ field: 'AppInstanceUserId', reason: `Member must be 1 to ${USER_ID_MAX} of [A-Za-z0-9:-_.@], starting and ending with a letter or digit` });
  }
};

function tagKeys(issues: Issue[], field: string, keys: readonly unknown[]): void {
  if (keys.length < 1 || keys.length > TAGS_MAX) issues.push({ field, reason: `Member must have 1 to ${TAGS_MAX} items` });
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    if (typeof key !== 'string') return;
    const at = `${field}[${i}]`;
    if (chars(key) < 1 || chars(key) > TAG_KEY_MAX) issues.push({ field: at, reason: `Tag keys must be 1 to ${TAG_KEY_MAX} characters long` });
    if (key.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) issues.push({ field: at, reason: `Tag keys must not start with the reserved prefix '${RESERVED_TAG_PREFIX}'` });
    if (seen.has(key)) issues.push({ field: at, reason: `Duplicate tag key '${key}'` });
    seen.add(key);
  });
}

const tags: Check = (issues, input) => {
  const list = input.Tags;
  if (!Array.isArray(list)) return;
  tagKeys(
    issues,
    'Tags',
    list.map((t: { Key?: unknown }) => t?.Key),
  );
  list.forEach((t: { Value?: unknown }, i) => {
    if (typeof t?.Value === 'string' && (chars(t.Value) < 1 || chars(t.Value) > TAG_VALUE_MAX)) {
      issues.push({ field: `Tags[${i}].Value`, reason: `Tag values must be 1 to ${TAG_VALUE_MAX} characters long` });
    }
  });
};

const untagKeys: Check = (issues, input) => {
  if (Array.isArray(input.TagKeys)) tagKeys(issues, 'TagKeys', input.TagKeys);
};

const maxResults: Check = (issues, input) => {
  const n = input.MaxResults;
  if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < MAX_RESULTS_MIN || n > MAX_RESULTS_MAX)) {
    issues.push({ field: 'MaxResults', reason: `Member must be from ${MAX_RESULTS_MIN} to ${MAX_RESULTS_MAX}` });
  }
};

const expiration: Check = (issues, input) => {
  days(issues, 'ExpirationSettings.ExpirationDays', input.ExpirationSettings?.ExpirationDays);
};

const retention: Check = (issues, input) => {
  days(issues, 'AppInstanceRetentionSettings.ChannelRetentionSettings.RetentionDays', input.AppInstanceRetentionSettings?.ChannelRetentionSettings?.RetentionDays);
};

const lex: Check = (issues, input) => {
  const config = input.Configuration?.Lex;
  if (config === undefined || config === null) return;
  const respondsTo = config.RespondsTo !== undefined;
  const invokedBy = config.InvokedBy !== undefined;
  if (respondsTo === invokedBy) {
    issues.push({
      field: 'Configuration.Lex',
      reason: respondsTo ? 'Give InvokedBy or RespondsTo, not both (RespondsTo is deprecated)' : 'Give InvokedBy (or the deprecated RespondsTo)',
    });
  }
};

const voip: Check = (issues, input) => {
  if (input.Type === 'GCM' && input.EndpointAttributes?.VoipDeviceToken !== undefined) {
    issues.push({ field: 'EndpointAttributes.VoipDeviceToken', reason: 'A VOIP device token applies to the APNS and APNS_SANDBOX endpoint types only' });
  }
};

const adminInInstance: Check = (issues, input) => {
  const admin = input.AppInstanceAdminArn;
  const instance = input.AppInstanceArn;
  if (typeof admin !== 'string' || typeof instance !== 'string') return;
  const parsed = parseArn(admin);
  if (!parsed || parsed.kind === 'app-instance') {
    issues.push({ field: 'AppInstanceAdminArn', reason: 'Member must be the ARN of an AppInstanceUser or AppInstanceBot' });
  } else if (parsed.instanceArn !== instance) {
    issues.push({ field: 'AppInstanceAdminArn', reason: 'Member must be an AppInstanceUser or AppInstanceBot of the AppInstance in AppInstanceArn' });
  }
};

const RULES: Readonly<Record<string, readonly Check[]>> = {
  CreateAppInstance: [name, metadata, tags],
  UpdateAppInstance: [name, metadata],
  ListAppInstances: [maxResults],
  PutAppInstanceRetentionSettings: [retention],
  CreateAppInstanceUser: [userId, userName, metadata, tags, expiration],
  UpdateAppInstanceUser: [userName, metadata],
  ListAppInstanceUsers: [maxResults],
  PutAppInstanceUserExpirationSettings: [expiration],
  CreateAppInstanceBot: [name, metadata, tags, lex],
  UpdateAppInstanceBot: [name, metadata, lex],
  ListAppInstanceBots: [maxResults],
  CreateAppInstanceAdmin: [adminInInstance],
  DescribeAppInstanceAdmin: [adminInInstance],
  DeleteAppInstanceAdmin: [adminInInstance],
  ListAppInstanceAdmins: [maxResults],
  RegisterAppInstanceUserEndpoint: [voip],
  ListAppInstanceUserEndpoints: [maxResults],
  TagResource: [tags],
  UntagResource: [untagKeys],
};

/** Throws one BadRequestException naming every broken prose rule of the request. */
export function validateProse(operation: string, input: Record<string, any>): void {
  const issues: Issue[] = [];
  for (const check of RULES[operation] ?? []) check(issues, input);
  if (issues.length > 0) throw badRequest(validationMessage(issues));
}
