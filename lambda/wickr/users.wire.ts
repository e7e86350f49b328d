/**
 * Wire contract of `WickrUsers`, and the users file format shared by the construct
 * (which checks the file at synth time) and the handler (which reads it at deploy time).
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
} as const;

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

/** Where a user came from, for error messages: `line 7` (CSV) or `item 3` (JSON, inline). */
export type Where = (index: number) => string;

/**
 * Parses a users file and checks every user (see `checkUsers`).
 *
 * - CSV (RFC 4180): a header row naming some of `CSV_COLUMNS` in any order (`username`
 *   required), then one user per row; fields may be quoted (`"Smith, Jr"`, `""` for a quote);
 *   blank lines are skipped; fields are trimmed; an empty field means "not given";
 *   `suspended` is `true` or `false` (any case). A UTF-8 byte order mark is ignored.
 * - JSON: an array of objects with the same keys (`suspended` a boolean).
 *
 * Errors name the line (CSV, counting from 1 at the header) or the item (JSON, from 0).
 * With `groups`, every `group` must be one of them. With `check: false` (a file that
 * describes what exists: old properties, a delete) the users are parsed but not checked.
 */
export function parseUsersFile(text: string, format: UsersFileFormat, options: { readonly groups?: readonly string[]; readonly check?: boolean } = {}): UserRecord[] {
  let users: UserRecord[];
  let where: Where;
  if (format === 'json') {
    users = parseJson(text);
    where = (i) => `item ${i}`;
  } else {
    const csv = parseCsv(text);
    users = csv.users;
    where = (i) => `line ${csv.lines[i]}`;
  }
  if (options.check === false) return users;
  checkUsers(users, where);
  if (options.groups) checkGroups(users, where, options.groups);
  return users;
}

/** Every user's `group` is one of `groups` (the keys of the `Groups` map). */
export function checkGroups(users: readonly UserRecord[], where: Where, groups: readonly string[]): void {
  users.forEach((u, i) => {
    if (u.group !== undefined && !groups.includes(u.group)) {
      throw new UsersFileError(`${where(i)}, group: "${u.group}" is not a known group (known: ${groups.join(', ')}); name one of securityGroups, or leave it empty for the default group`, u.group);
    }
  });
}

function parseJson(text: string): UserRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsersFileError(`not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new UsersFileError('must be a JSON array of users, like [{"username": "ann@example.com"}]');
  return data.map((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw new UsersFileError(`item ${i}: must be an object with keys ${CSV_COLUMNS.join(', ')}`);
    const record = item as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!(CSV_COLUMNS as readonly string[]).includes(key)) throw new UsersFileError(`item ${i}, key ${key}: unknown key (keys: ${CSV_COLUMNS.join(', ')})`);
    }
    const text = (key: string) => {
      const v = record[key];
      if (v === undefined || v === null || v === '') return undefined;
      // Names are sensitive: say what type arrived, never the value.
      if (typeof v !== 'string') throw new UsersFileError(`item ${i}, key ${key}: must be a string (received a ${Array.isArray(v) ? 'list' : typeof v})`);
      return v;
    };
    const suspended = record.suspended;
    if (suspended !== undefined && suspended !== null && typeof suspended !== 'boolean') {
      throw new UsersFileError(`item ${i}, key suspended: must be true or false (received ${JSON.stringify(suspended)})`);
    }
    return clean({
      username: text('username') ?? '',
      firstName: text('firstName'),
      lastName: text('lastName'),
      group: text('group'),
      suspended: suspended ?? undefined,
    });
  });
}

function parseCsv(text: string): { users: UserRecord[]; lines: number[] } {
  const rows = csvRows(text.replace(/^\uFEFF/, ''));
  if (rows.length === 0) throw new UsersFileError(`line 1: the header row is missing (columns: ${CSV_COLUMNS.join(', ')})`);
  const [head, ...body] = rows;
  const header = head.fields.map((h) => h.trim());
  header.forEach((h, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(h)) {
      throw new UsersFileError(`line ${head.line}, column ${i + 1}: unknown column "${h}" (columns: ${CSV_COLUMNS.join(', ')}; names are case-sensitive)`);
    }
    if (header.indexOf(h) !== i) throw new UsersFileError(`line ${head.line}, column ${i + 1}: column "${h}" appears twice`);
  });
  if (!header.includes('username')) throw new UsersFileError(`line ${head.line}: the header must name a "username" column`);
  const users = body.map((row) => {
    if (row.fields.length !== header.length) {
      throw new UsersFileError(`line ${row.line}: ${row.fields.length} field(s), the header has ${header.length} (${header.join(',')}); quote fields that contain commas`);
    }
    const get = (column: string) => {
      const index = header.indexOf(column);
      const value = index < 0 ? undefined : row.fields[index].trim();
      return value === '' ? undefined : value;
    };
    const suspended = get('suspended');
    if (suspended !== undefined && !/^(true|false)$/i.test(suspended)) {
      throw new UsersFileError(`line ${row.line}, column suspended: must be true or false (received "${suspended}")`);
    }
    return clean({
      username: get('username') ?? '',
      firstName: get('firstName'),
      lastName: get('lastName'),
      group: get('group'),
      suspended: suspended === undefined ? undefined : suspended.toLowerCase() === 'true',
    });
  });
  return { users, lines: body.map((r) => r.line) };
}

/** RFC 4180 rows with the line each starts on; blank lines are skipped. */
function csvRows(text: string): Array<{ line: number; fields: string[] }> {
  const rows: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 1;
  const endRow = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0].trim() !== '') rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      quoteLine = line;
      field = '';
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      field += c;
    }
  }
  if (quoted) throw new UsersFileError(`line ${quoteLine}: a quoted field is not closed`);
  endRow();
  return rows;
}

function clean(user: UserRecord): UserRecord {
  return Object.fromEntries(Object.entries(user).filter(([, v]) => v !== undefined)) as unknown as UserRecord;
}

/**
 * The rules every user list meets, wherever it comes from (the service's own: a username
 * is required and unique in the network ignoring case; and ours: no surrounding
 * whitespace, which a CSV file could not carry). `skip(i)` skips users whose username is
 * only known at deploy time (a token).
 */
export function checkUsers(users: readonly UserRecord[], where: Where, skip: (index: number) => boolean = () => false): void {
  const seen = new Map<string, number>();
  users.forEach((u, i) => {
    if (skip(i)) return;
    if (typeof u.username !== 'string' || u.username.trim() === '') throw new UsersFileError(`${where(i)}, username: is required`, u.username ?? '');
    if (u.username.trim() !== u.username) {
      throw new UsersFileError(`${where(i)}, username: must not start or end with whitespace (received ${JSON.stringify(u.username)})`, u.username);
    }
    const key = u.username.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      throw new UsersFileError(`${where(i)}, username: "${u.username}" appears twice (also ${where(first)}); usernames are unique in a network, ignoring case`, u.username);
    }
    seen.set(key, i);
  });
}
