import { CSV_COLUMNS, throwProblems, UserRecord, UsersFileError, UsersFileFormat, userProblems, Where } from './users.wire';

/**
 * The users file format (CSV or JSON), shared by the construct (which reads and checks the
 * file at synth time, every problem at once) and the handler (which reads it at deploy time).
 */

/** A users file parsed as far as it goes, with every problem found (see `readUsersFile`). */
export interface UsersFileReading {
  /** The users of the rows (items) without a problem. */
  readonly users: UserRecord[];
  /** Every problem, in file order: each names the line (item), the column (key), the value and the rule. */
  readonly problems: UsersFileError[];
}

/**
 * Reads a users file and checks every user (see `userProblems`), collecting every problem
 * rather than stopping at the first: a file with five bad rows reports five.
 *
 * - CSV (RFC 4180): a header row naming some of `CSV_COLUMNS` in any order (`username`
 *   required), then one user per row; fields may be quoted (`"Smith, Jr"`, `""` for a quote);
 *   blank lines are skipped; fields are trimmed; an empty field means "not given";
 *   `suspended` is `true` or `false` (any case). A UTF-8 byte order mark is ignored.
 * - JSON: an array of objects with the same keys (`suspended` a boolean).
 *
 * Problems name the line (CSV, counting from 1 at the header) or the item (JSON, from 0). A
 * problem with the whole file (no header, not JSON, an unclosed quote) is the only one. With
 * `groups`, every `group` must be one of them. With `check: false` (a file that describes what
 * exists: old properties, a delete) the users are parsed but not checked.
 */
export function readUsersFile(text: string, format: UsersFileFormat, options: { readonly groups?: readonly string[]; readonly check?: boolean } = {}): UsersFileReading {
  const problems: UsersFileError[] = [];
  let parsed: { users: UserRecord[]; where: Where };
  try {
    parsed = format === 'json' ? parseJson(text, problems) : parseCsv(text, problems);
  } catch (err) {
    if (err instanceof UsersFileError) return { users: [], problems: [err] };
    throw err;
  }
  if (options.check !== false) {
    problems.push(...userProblems(parsed.users, parsed.where));
    if (options.groups) problems.push(...groupProblems(parsed.users, parsed.where, options.groups));
  }
  const order = (e: UsersFileError) => Number(/^(?:line|item) (\d+)/.exec(e.message)?.[1] ?? 0);
  return { users: parsed.users, problems: problems.sort((a, b) => order(a) - order(b)) };
}

/** Parses a users file (see `readUsersFile`); its problems, if any, are thrown as one error (the first `SHOWN_PROBLEMS`). */
export function parseUsersFile(text: string, format: UsersFileFormat, options: { readonly groups?: readonly string[]; readonly check?: boolean } = {}): UserRecord[] {
  const { users, problems } = readUsersFile(text, format, options);
  throwProblems(problems);
  return users;
}

/** Every user whose `group` is none of `groups` (the keys of the `Groups` map). */
export function groupProblems(users: readonly UserRecord[], where: Where, groups: readonly string[]): UsersFileError[] {
  return users.flatMap((u, i) => u.group !== undefined && !groups.includes(u.group)
    ? [new UsersFileError(`${where(i)}, group: "${u.group}" is not a known group (known: ${groups.join(', ')}); name one of securityGroups, or leave it empty for the default group`, u.group)]
    : []);
}

function parseJson(text: string, problems: UsersFileError[]): { users: UserRecord[]; where: Where } {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new UsersFileError(`not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new UsersFileError('must be a JSON array of users, like [{"username": "ann@example.com"}]');
  const users: UserRecord[] = [];
  const items: number[] = [];
  data.forEach((item, i) => {
    const before = problems.length;
    const user = jsonUser(item, i, problems);
    if (user && problems.length === before) {
      users.push(user);
      items.push(i);
    }
  });
  return { users, where: (i) => `item ${items[i]}` };
}

function jsonUser(item: unknown, i: number, problems: UsersFileError[]): UserRecord | undefined {
  if (!item || typeof item !== 'object' || Array.isArray(item)) {
    problems.push(new UsersFileError(`item ${i}: must be an object with keys ${CSV_COLUMNS.join(', ')}`));
    return undefined;
  }
  const record = item as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(CSV_COLUMNS as readonly string[]).includes(key)) problems.push(new UsersFileError(`item ${i}, key ${key}: unknown key (keys: ${CSV_COLUMNS.join(', ')})`));
  }
  const text = (key: string) => {
    const v = record[key];
    if (v === undefined || v === null || v === '') return undefined;
    // Names are sensitive: say what type arrived, never the value.
    if (typeof v !== 'string') problems.push(new UsersFileError(`item ${i}, key ${key}: must be a string (received a ${Array.isArray(v) ? 'list' : typeof v})`));
    return typeof v === 'string' ? v : undefined;
  };
  const suspended = record.suspended;
  if (suspended !== undefined && suspended !== null && typeof suspended !== 'boolean') {
    problems.push(new UsersFileError(`item ${i}, key suspended: must be true or false (received ${JSON.stringify(suspended)})`));
  }
  return clean({
    username: text('username') ?? '',
    firstName: text('firstName'),
    lastName: text('lastName'),
    group: text('group'),
    suspended: typeof suspended === 'boolean' ? suspended : undefined,
  });
}

function parseCsv(text: string, problems: UsersFileError[]): { users: UserRecord[]; where: Where } {
  const rows = csvRows(text.replace(/^\uFEFF/, ''));
  if (rows.length === 0) throw new UsersFileError(`line 1: the header row is missing (columns: ${CSV_COLUMNS.join(', ')})`);
  const [head, ...body] = rows;
  const header = head.fields.map((h) => h.trim());
  const headerProblems = header.flatMap((h, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(h)) {
      return [new UsersFileError(`line ${head.line}, column ${i + 1}: unknown column "${h}" (columns: ${CSV_COLUMNS.join(', ')}; names are case-sensitive)`)];
    }
    return header.indexOf(h) !== i ? [new UsersFileError(`line ${head.line}, column ${i + 1}: column "${h}" appears twice`)] : [];
  });
  if (!header.includes('username')) headerProblems.push(new UsersFileError(`line ${head.line}: the header must name a "username" column`));
  // Without a usable header no row can be read.
  if (headerProblems.length > 0) {
    problems.push(...headerProblems);
    return { users: [], where: (i) => `line ${i}` };
  }
  const users: UserRecord[] = [];
  const lines: number[] = [];
  for (const row of body) {
    if (row.fields.length !== header.length) {
      problems.push(new UsersFileError(`line ${row.line}: ${row.fields.length} field(s), the header has ${header.length} (${header.join(',')}); quote fields that contain commas`));
      continue;
    }
    const get = (column: string) => {
      const index = header.indexOf(column);
      const value = index < 0 ? undefined : row.fields[index].trim();
      return value === '' ? undefined : value;
    };
    const suspended = get('suspended');
    if (suspended !== undefined && !/^(true|false)$/i.test(suspended)) {
      problems.push(new UsersFileError(`line ${row.line}, column suspended: must be true or false (received "${suspended}")`));
      continue;
    }
    users.push(clean({
      username: get('username') ?? '',
      firstName: get('firstName'),
      lastName: get('lastName'),
      group: get('group'),
      suspended: suspended === undefined ? undefined : suspended.toLowerCase() === 'true',
    }));
    lines.push(row.line);
  }
  return { users, where: (i) => `line ${lines[i]}` };
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

