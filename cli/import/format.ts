/**
 * TypeScript source text for `import`: literals, identifiers and object literals laid out
 * as a person would write them (single quotes, short objects on one line), always the same
 * text for the same value.
 */

/** Source text placed as it is (an enum member, `Duration.days(365)`, a variable). */
export class Code {
  constructor(public readonly text: string) {}
}

/** A string literal in single quotes. */
export function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const WIDTH = 110;

/** A value as source text, at `indent` spaces. */
export function literal(value: unknown, indent = 0): string {
  if (value instanceof Code) return value.text;
  if (typeof value === 'string') return str(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined || value === null) return 'undefined';
  const pad = ' '.repeat(indent + 2);
  if (Array.isArray(value)) {
    const items = value.map((v) => literal(v, indent + 2));
    const flat = `[${items.join(', ')}]`;
    if (flat.length + indent <= WIDTH && !flat.includes('\n')) return flat;
    return `[\n${items.map((i) => `${pad}${i},`).join('\n')}\n${' '.repeat(indent)}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const members = entries.map(([k, v]) => `${IDENTIFIER.test(k) ? k : str(k)}: ${literal(v, indent + 2)}`);
  const flat = `{ ${members.join(', ')} }`;
  if (flat.length + indent <= WIDTH && !flat.includes('\n')) return flat;
  return `{\n${members.map((m) => `${pad}${m},`).join('\n')}\n${' '.repeat(indent)}}`;
}

/** `acme-org` → `AcmeOrg`: a construct id or class name from a resource's name; empty when it has no letter or digit. */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** `AcmeOrg` → `acmeOrg`. */
export function camel(id: string): string {
  return id[0].toLowerCase() + id.slice(1);
}

/** A `Duration` for a whole number of `unit`s, in the largest unit that keeps it whole. */
export function duration(amount: number, unit: 'seconds' | 'minutes' | 'days'): Code {
  const seconds = unit === 'seconds' ? amount : unit === 'minutes' ? amount * 60 : amount * 86_400;
  if (unit === 'days' || (seconds > 0 && seconds % 86_400 === 0)) return new Code(`Duration.days(${seconds / 86_400})`);
  if (seconds > 0 && seconds % 3_600 === 0) return new Code(`Duration.hours(${seconds / 3_600})`);
  if (seconds > 0 && seconds % 60 === 0) return new Code(`Duration.minutes(${seconds / 60})`);
  return new Code(`Duration.seconds(${seconds})`);
}

/** An enum member for a value (`FederationMode.RESTRICTED`), or the value cast to the enum when it names none. */
export function enumMember(enumName: string, members: Record<string, unknown>, value: unknown): Code {
  const name = Object.keys(members).find((k) => !/^\d+$/.test(k) && members[k] === value);
  return new Code(name ? `${enumName}.${name}` : `${literal(value)} as ${enumName}`);
}

/**
 * Ids that stay unique within one scope: the first resource to ask for `Analysts` gets it,
 * the next `Analysts2`. Resources ask in a fixed order (sorted), so the ids are stable.
 */
export class IdAllocator {
  private readonly used = new Set<string>();

  constructor(reserved: readonly string[] = []) {
    for (const r of reserved) this.used.add(r.toLowerCase());
  }

  /** A unique id from `name`, else from `fallback` (when `name` has no letter or digit, or starts with a digit). */
  allocate(name: string, fallback: string): string {
    let base = pascal(name);
    if (!base || /^\d/.test(base)) base = `${fallback}${base}`;
    let id = base;
    for (let n = 2; this.used.has(id.toLowerCase()); n++) id = `${base}${n}`;
    this.used.add(id.toLowerCase());
    return id;
  }
}
