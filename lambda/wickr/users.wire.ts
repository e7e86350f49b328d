/**
 * Wire contract of `WickrUsers`, and the users file format shared by the construct
 * (which checks the file at synth time) and the handler (which reads it at deploy time).
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
  /** `{Bucket, Key, Format, Sha256}` of a users file uploaded as an asset. */
  UsersFile: 'UsersFile',
} as const;

/** One user as the template and the file carry it. */
export interface UserRecord {
  readonly username: string;
  readonly firstName?: string;
  readonly lastName?: string;
  /** A group alias of `Groups`. */
  readonly group?: string;
  readonly suspended?: boolean;
}

export const USERS_BATCH_SIZE = 50;
export const USERNAME_MAX = 256;
export const NAME_MAX = 256;
export const CSV_COLUMNS = ['username', 'firstName', 'lastName', 'group', 'suspended'] as const;

export class UsersFileError extends Error {}

/**
 * Parses a users file: CSV with a header row naming some of `CSV_COLUMNS` (`username`
 * required; RFC 4180 quoting), or JSON (an array of objects with those keys). Errors
 * name the line (CSV) or index (JSON), the column, the value and the rule.
 */
export function parseUsersFile(text: string, format: 'csv' | 'json'): UserRecord[] {
  const users = format === 'json' ? parseJson(text) : parseCsv(text);
  checkUsers(users, (i) => (format === 'json' ? `item ${i}` : `line ${i + 2}`));
  return users;
}

function parseJson(text: string): UserRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsersFileError(`not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new UsersFileError('must be a JSON array of users');
  return data.map((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw new UsersFileError(`item ${i}: must be an object`);
    const record = item as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!(CSV_COLUMNS as readonly string[]).includes(key)) throw new UsersFileError(`item ${i}: unknown key "${key}" (keys: ${CSV_COLUMNS.join(', ')})`);
    }
    const text = (key: string) => {
      const v = record[key];
      if (v === undefined || v === null || v === '') return undefined;
      if (typeof v !== 'string') throw new UsersFileError(`item ${i}: ${key} must be a string (received ${JSON.stringify(v)})`);
      return v;
    };
    const suspended = record.suspended;
    if (suspended !== undefined && typeof suspended !== 'boolean') {
      throw new UsersFileError(`item ${i}: suspended must be true or false (received ${JSON.stringify(suspended)})`);
    }
    return clean({ username: text('username') ?? '', firstName: text('firstName'), lastName: text('lastName'), group: text('group'), suspended });
  });
}

function parseCsv(text: string): UserRecord[] {
  const rows = csvRows(text.replace(/^\uFEFF/, ''));
  if (rows.length === 0) throw new UsersFileError('line 1: the header row is missing');
  const header = rows[0].map((h) => h.trim());
  for (const h of header) {
    if (!(CSV_COLUMNS as readonly string[]).includes(h)) throw new UsersFileError(`line 1: unknown column "${h}" (columns: ${CSV_COLUMNS.join(', ')})`);
  }
  if (!header.includes('username')) throw new UsersFileError('line 1: the header must name a "username" column');
  return rows.slice(1).map((row, i) => {
    if (row.length !== header.length) throw new UsersFileError(`line ${i + 2}: ${row.length} field(s), the header has ${header.length}`);
    const get = (column: string) => {
      const index = header.indexOf(column);
      const value = index < 0 ? undefined : row[index].trim();
      return value === '' ? undefined : value;
    };
    const suspended = get('suspended');
    if (suspended !== undefined && !/^(true|false)$/i.test(suspended)) {
      throw new UsersFileError(`line ${i + 2}: column suspended must be true or false (received "${suspended}")`);
    }
    return clean({
      username: get('username') ?? '',
      firstName: get('firstName'),
      lastName: get('lastName'),
      group: get('group'),
      suspended: suspended === undefined ? undefined : suspended.toLowerCase() === 'true',
    });
  });
}

/** RFC 4180 rows; blank lines are skipped. */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new UsersFileError('a quoted field is not closed');
  row.push(field);
  if (row.length > 1 || row[0] !== '') rows.push(row);
  return rows;
}

function clean(user: UserRecord): UserRecord {
  return Object.fromEntries(Object.entries(user).filter(([, v]) => v !== undefined)) as unknown as UserRecord;
}

/** The rules every user list meets, wherever it comes from. `where(i)` names item i. */
export function checkUsers(users: readonly UserRecord[], where: (i: number) => string): void {
  const seen = new Map<string, number>();
  users.forEach((u, i) => {
    if (!u.username) throw new UsersFileError(`${where(i)}: username is required`);
    if ([...u.username].length > USERNAME_MAX) throw new UsersFileError(`${where(i)}: username must be at most ${USERNAME_MAX} characters (received "${u.username.slice(0, 40)}...")`);
    if (/\s/.test(u.username)) throw new UsersFileError(`${where(i)}: username must not contain spaces (received "${u.username}")`);
    for (const key of ['firstName', 'lastName'] as const) {
      const v = u[key];
      if (v !== undefined && [...v].length > NAME_MAX) throw new UsersFileError(`${where(i)}: ${key} must be at most ${NAME_MAX} characters`);
    }
    const key = u.username.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) throw new UsersFileError(`${where(i)}: username "${u.username}" appears twice (also ${where(first)}); usernames are unique ignoring case`);
    seen.set(key, i);
  });
}
