/**
 * Wire contract of `WickrUsers`, and the rules of a user list shared by the construct (which
 * checks them at synth time) and the handler (at deploy time); the users file format is in
 * `users-file.wire.ts`.
 * The wire format only ever gains keys: old properties keep arriving on delete and rollback.
 */
export const USERS_TYPE = 'Custom::WickrUsers';

export const UsersKeys = {
  NetworkId: 'NetworkId',
  /** Group alias → security group id. Users name their group by alias. */
  Groups: 'Groups',
  /** The alias of the group for users that name none. */
  DefaultGroup: 'DefaultGroup',
  /** Inline users (small lists). */
  Users: 'Users',
  /** `{Bucket, Key, Format, Sha256}` of a users file uploaded as an asset; the users never enter the template. */
  UsersFile: 'UsersFile',
} as const;

/** Keys of `UsersKeys.UsersFile`. */
export const UsersFileKeys = {
  Bucket: 'Bucket',
  Key: 'Key',
  Format: 'Format',
  /** SHA-256 (hex) of the file's bytes: the handler refuses a file that does not match. */
  Sha256: 'Sha256',
  /**
   * The file's name inside the object, when the object is a ZIP archive (the users file staged
   * as a directory asset, which CDK zips and StackSets accept). Absent (templates of 0.1.0): the
   * object is the file itself.
   */
  Archive: 'Archive',
} as const;

/**
 * How a users file's asset starts: its source hash (the object key's start, `wickr-users-<sha256>.zip`
 * under the synthesizer's prefix) and its staged directory (`asset.wickr-users-<sha256>`). The
 * provider may read only objects whose key has it.
 */
export const USERS_FILE_ASSET_PREFIX = 'wickr-users-';

/** One user as the template and the file carry it. */
export interface UserRecord {
  readonly username: string;
  readonly firstName?: string;
  readonly lastName?: string;
  /** A group alias of `Groups`; absent: `DefaultGroup`. */
  readonly group?: string;
  readonly suspended?: boolean;
}

export type UsersFileFormat = 'csv' | 'json';

/** Items per batch call (`BatchCreateUser`, `BatchDeleteUser`, `BatchToggleUserSuspendStatus`): the service's limit. */
export const USERS_BATCH_SIZE = 50;
/** The columns of a users CSV file (and the keys of a users JSON file). `username` is required. */
export const CSV_COLUMNS = ['username', 'firstName', 'lastName', 'group', 'suspended'] as const;

/** A users file or list that breaks a rule. The message names the place (line/item), the column, the value and the rule. */
export class UsersFileError extends Error {
  constructor(
    message: string,
    /** The offending value, when there is one to show (never a first or last name). */
    readonly received?: string,
  ) {
    super(message);
    this.name = 'UsersFileError';
  }
}

/** How many problems of a users file a message lists before "and N more". */
export const SHOWN_PROBLEMS = 20;

/** Throws the problems as one `UsersFileError`: the first `SHOWN_PROBLEMS`, then how many more. */
export function throwProblems(problems: readonly UsersFileError[]): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, SHOWN_PROBLEMS).map((p) => p.message);
  const more = problems.length - shown.length;
  throw new UsersFileError(`${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`, problems.length === 1 ? problems[0].received : undefined);
}

/** Where a user came from, for error messages: `line 7` (CSV) or `item 3` (JSON, inline). */
export type Where = (index: number) => string;

/**
 * The rules every user list meets, wherever it comes from (the service's own: a username
 * is required and unique in the network ignoring case; and ours: no surrounding
 * whitespace, which a CSV file could not carry): every user that breaks one. `skip(i)` skips
 * users whose username is only known at deploy time (a token).
 */
export function userProblems(users: readonly UserRecord[], where: Where, skip: (index: number) => boolean = () => false): UsersFileError[] {
  const seen = new Map<string, number>();
  const problems: UsersFileError[] = [];
  users.forEach((u, i) => {
    if (skip(i)) return;
    if (typeof u.username !== 'string' || u.username.trim() === '') return void problems.push(new UsersFileError(`${where(i)}, username: is required`, u.username ?? ''));
    if (u.username.trim() !== u.username) {
      return void problems.push(new UsersFileError(`${where(i)}, username: must not start or end with whitespace (received ${JSON.stringify(u.username)})`, u.username));
    }
    const key = u.username.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      return void problems.push(new UsersFileError(`${where(i)}, username: "${u.username}" appears twice (also ${where(first)}); usernames are unique in a network, ignoring case`, u.username));
    }
    seen.set(key, i);
  });
  return problems;
}

/** Throws the problems of `userProblems`, if any, as one error. */
export function checkUsers(users: readonly UserRecord[], where: Where, skip?: (index: number) => boolean): void {
  throwProblems(userProblems(users, where, skip));
}
