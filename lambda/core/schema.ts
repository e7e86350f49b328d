import { PropertyError } from './errors';

/**
 * Decoders for CloudFormation properties.
 *
 * CloudFormation delivers every leaf value of a custom resource's properties as a
 * string (`true` arrives as `"true"`, `5` as `"5"`, also inside lists and objects).
 * Each resource declares a schema from these decoders; decoding turns the strings
 * back into booleans, integers, lists and nested objects, and rejects what does not
 * fit with a `PropertyError` that names the property path.
 *
 * Decoders accept already-typed values too, so a decoded request can be decoded again.
 * Unknown keys are ignored: the wire format only gains keys over time, and an older
 * template's properties still arrive on delete and rollback.
 *
 * **Lenient decoding** describes what exists rather than what is asked for: the
 * properties of a Delete, the old properties of an Update, the declared properties of a
 * Read. It converts the strings the same way but enforces no rule (length, pattern,
 * allowed values, ranges, required keys): a value that cannot even be converted decodes
 * to `undefined`. A resource created under older, looser rules can therefore always be
 * deleted and rolled back; a handler that needs a value it did not get fails when it uses it.
 */
export type Decoder<T> = (value: unknown, path: string, lenient?: boolean) => T;

export interface StringRule {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** A human phrase for the pattern, used in the error. */
  readonly patternText?: string;
}

/** A leaf: `convert` gives the typed value or undefined; `check` enforces the rules (strict mode only). */
function leaf<T>(convert: (value: unknown) => T | undefined, what: string, check: (value: T, raw: unknown, path: string) => void = () => undefined): Decoder<T> {
  return (value, path, lenient) => {
    if (value === undefined || value === null) {
      if (lenient) return undefined as T;
      throw new PropertyError(path, 'is required');
    }
    const converted = convert(value);
    if (lenient) return converted as T;
    if (converted === undefined) throw new PropertyError(path, what, value);
    check(converted, value, path);
    return converted;
  };
}

export function str(rule: StringRule = {}): Decoder<string> {
  return leaf(
    (v) => (typeof v === 'string' ? v : undefined),
    'must be a string',
    (value, _raw, path) => {
      const length = [...value].length;
      if (rule.minLength !== undefined && length < rule.minLength) {
        throw new PropertyError(path, `must be at least ${rule.minLength} character(s) long`, value);
      }
      if (rule.maxLength !== undefined && length > rule.maxLength) {
        throw new PropertyError(path, `must be at most ${rule.maxLength} character(s) long`, value);
      }
      if (rule.pattern && !rule.pattern.test(value)) {
        throw new PropertyError(path, `must match ${rule.patternText ?? rule.pattern.source}`, value);
      }
    },
  );
}

export function oneOf<T extends string>(...allowed: T[]): Decoder<T> {
  return leaf(
    (v) => (typeof v === 'string' ? (v as T) : undefined),
    `must be one of ${allowed.join(', ')}`,
    (value, _raw, path) => {
      if (!(allowed as string[]).includes(value)) throw new PropertyError(path, `must be one of ${allowed.join(', ')}`, value);
    },
  );
}

export function bool(): Decoder<boolean> {
  return leaf((v) => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined), 'must be true or false');
}

export interface IntegerRule {
  readonly min?: number;
  readonly max?: number;
  readonly oneOf?: readonly number[];
}

function toInteger(value: unknown): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) n = Number(value.trim());
  else return undefined;
  return Number.isSafeInteger(n) ? n : undefined;
}

export function int(rule: IntegerRule = {}): Decoder<number> {
  return leaf(toInteger, 'must be an integer', (n, raw, path) => {
    if (rule.min !== undefined && n < rule.min) throw new PropertyError(path, `must be at least ${rule.min}`, raw);
    if (rule.max !== undefined && n > rule.max) throw new PropertyError(path, `must be at most ${rule.max}`, raw);
    if (rule.oneOf && !rule.oneOf.includes(n)) throw new PropertyError(path, `must be one of ${rule.oneOf.join(', ')}`, raw);
  });
}

/** Checks presence and container type; undefined in lenient mode when either fails. */
function container(value: unknown, path: string, lenient: boolean | undefined, kind: 'list' | 'object'): boolean {
  const ok = kind === 'list' ? Array.isArray(value) : typeof value === 'object' && value !== null && !Array.isArray(value);
  if (ok) return true;
  if (lenient) return false;
  if (value === undefined || value === null) throw new PropertyError(path, 'is required');
  throw new PropertyError(path, kind === 'list' ? 'must be a list' : 'must be an object', value);
}

export function list<T>(item: Decoder<T>, rule: { readonly maxItems?: number } = {}): Decoder<T[]> {
  return (value, path, lenient) => {
    if (!container(value, path, lenient, 'list')) return undefined as unknown as T[];
    const items = value as unknown[];
    if (!lenient && rule.maxItems !== undefined && items.length > rule.maxItems) {
      throw new PropertyError(path, `must have at most ${rule.maxItems} item(s)`, `${items.length} items`);
    }
    return items.map((v, i) => item(v, `${path}[${i}]`, lenient));
  };
}

export type Fields<T> = { readonly [K in keyof T]-?: Decoder<T[K]> };

/**
 * Sets an own property, whatever the key: `out['__proto__'] = v` would replace the
 * object's prototype instead (a template key is data, never a prototype).
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The value of an own property; undefined for inherited names such as `toString` or `__proto__`. */
export function getOwn<T>(source: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(source, key) ? source[key] : undefined;
}

export function struct<T>(fields: Fields<T>): Decoder<T> {
  return (value, path, lenient) => {
    if (!container(value, path, lenient, 'object')) return undefined as T;
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, decoder] of Object.entries(fields) as Array<[string, Decoder<unknown>]>) {
      const decoded = decoder(getOwn(input, key), path ? `${path}.${key}` : key, lenient);
      if (decoded !== undefined) out[key] = decoded;
    }
    return out as T;
  };
}

/** A `{ key: value }` map of strings, such as tags. */
export function stringMap(key: StringRule = {}, val: StringRule = {}): Decoder<Record<string, string>> {
  const k = str(key);
  const v = str(val);
  return (value, path, lenient) => {
    if (!container(value, path, lenient, 'object')) return undefined as unknown as Record<string, string>;
    const out: Record<string, string> = {};
    for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
      const decoded = v(item, `${path}.${name}`, lenient);
      if (decoded !== undefined) setOwn(out, k(name, `${path} key`, lenient), decoded);
    }
    return out;
  };
}

export function optional<T>(decoder: Decoder<T>): Decoder<T | undefined> {
  return (value, path, lenient) => (value === undefined || value === null ? undefined : decoder(value, path, lenient));
}

export function withDefault<T>(decoder: Decoder<T>, fallback: T): Decoder<T> {
  return (value, path, lenient) => {
    if (value === undefined || value === null) return fallback;
    const decoded = decoder(value, path, lenient);
    return decoded === undefined ? fallback : decoded;
  };
}

/** The deepest a property value may be nested (lists and objects); ours need a handful of levels. */
export const MAX_PROPERTY_DEPTH = 32;

/**
 * Decodes a resource's properties (the `ServiceToken` key is CloudFormation's, not ours).
 * Strict decoding first refuses a value nested more than `MAX_PROPERTY_DEPTH` levels deep,
 * under any key, naming where: no decoder, comparison or log line then walks a value deep
 * enough to exhaust the stack. Lenient decoding reads only what the schema names, level by
 * level, so a delete or a rollback never fails on such a value.
 */
export function decodeProperties<T>(decoder: Decoder<T>, properties: unknown, options: { readonly lenient?: boolean } = {}): T {
  const raw = typeof properties === 'object' && properties !== null && !Array.isArray(properties) ? (properties as Record<string, unknown>) : {};
  const { ServiceToken: _serviceToken, ...rest } = raw;
  if (!options.lenient) {
    const deep = tooDeep(rest, MAX_PROPERTY_DEPTH);
    if (deep !== undefined) throw new PropertyError(deep, `is nested more than ${MAX_PROPERTY_DEPTH} levels deep (lists and objects); properties are never that deep`);
  }
  return decoder(rest, '', options.lenient) ?? ({} as T);
}

interface Visit {
  readonly value: unknown;
  readonly step: string;
  readonly depth: number;
  readonly parent?: Visit;
}

/** The path of the first value below `limit` levels of lists and objects, or undefined; walks without recursion. */
function tooDeep(properties: Record<string, unknown>, limit: number): string | undefined {
  const pending: Visit[] = Object.entries(properties).map(([step, value]) => ({ value, step, depth: 0 }));
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, depth } = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= limit) {
      const steps: string[] = [];
      for (let at: Visit | undefined = next; at; at = at.parent) steps.unshift(at.step);
      return steps.join('');
    }
    if (Array.isArray(value)) value.forEach((child, i) => pending.push({ value: child, step: `[${i}]`, depth: depth + 1, parent: next }));
    else for (const [key, child] of Object.entries(value)) pending.push({ value: child, step: `.${key}`, depth: depth + 1, parent: next });
  }
  return undefined;
}
