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
 */
export type Decoder<T> = (value: unknown, path: string) => T;

export interface StringRule {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** A human phrase for the pattern, used in the error. */
  readonly patternText?: string;
}

export function str(rule: StringRule = {}): Decoder<string> {
  return (value, path) => {
    if (value === undefined || value === null) throw new PropertyError(path, 'is required');
    if (typeof value !== 'string') throw new PropertyError(path, 'must be a string', value);
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
    return value;
  };
}

export function oneOf<T extends string>(...allowed: T[]): Decoder<T> {
  return (value, path) => {
    if (value === undefined || value === null) throw new PropertyError(path, 'is required');
    if (typeof value !== 'string' || !(allowed as string[]).includes(value)) {
      throw new PropertyError(path, `must be one of ${allowed.join(', ')}`, value);
    }
    return value as T;
  };
}

export function bool(): Decoder<boolean> {
  return (value, path) => {
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    if (value === undefined || value === null) throw new PropertyError(path, 'is required');
    throw new PropertyError(path, 'must be true or false', value);
  };
}

export interface IntegerRule {
  readonly min?: number;
  readonly max?: number;
  readonly oneOf?: readonly number[];
}

export function int(rule: IntegerRule = {}): Decoder<number> {
  return (value, path) => {
    if (value === undefined || value === null) throw new PropertyError(path, 'is required');
    let n: number;
    if (typeof value === 'number') n = value;
    else if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) n = Number(value.trim());
    else throw new PropertyError(path, 'must be an integer', value);
    if (!Number.isSafeInteger(n)) throw new PropertyError(path, 'must be an integer', value);
    if (rule.min !== undefined && n < rule.min) throw new PropertyError(path, `must be at least ${rule.min}`, value);
    if (rule.max !== undefined && n > rule.max) throw new PropertyError(path, `must be at most ${rule.max}`, value);
    if (rule.oneOf && !rule.oneOf.includes(n)) {
      throw new PropertyError(path, `must be one of ${rule.oneOf.join(', ')}`, value);
    }
    return n;
  };
}

export function list<T>(item: Decoder<T>, rule: { readonly maxItems?: number } = {}): Decoder<T[]> {
  return (value, path) => {
    if (value === undefined || value === null) throw new PropertyError(path, 'is required');
    if (!Array.isArray(value)) throw new PropertyError(path, 'must be a list', value);
    if (rule.maxItems !== undefined && value.length > rule.maxItems) {
      throw new PropertyError(path, `must have at most ${rule.maxItems} item(s)`, `${value.length} items`);
    }
    return value.map((v, i) => item(v, `${path}[${i}]`));
  };
}

export type Fields<T> = { readonly [K in keyof T]-?: Decoder<T[K]> };

export function struct<T>(fields: Fields<T>): Decoder<T> {
  return (value, path) => {
    if (value === undefined || value === null) throw new PropertyError(path, 'is required');
    if (typeof value !== 'object' || Array.isArray(value)) throw new PropertyError(path, 'must be an object', value);
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, decoder] of Object.entries(fields) as Array<[string, Decoder<unknown>]>) {
      const decoded = decoder(input[key], path ? `${path}.${key}` : key);
      if (decoded !== undefined) out[key] = decoded;
    }
    return out as T;
  };
}

/** A `{ key: value }` map of strings, such as tags. */
export function stringMap(key: StringRule = {}, val: StringRule = {}): Decoder<Record<string, string>> {
  const k = str(key);
  const v = str(val);
  return (value, path) => {
    if (value === undefined || value === null) throw new PropertyError(path, 'is required');
    if (typeof value !== 'object' || Array.isArray(value)) throw new PropertyError(path, 'must be an object', value);
    const out: Record<string, string> = {};
    for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
      out[k(name, `${path} key`)] = v(item, `${path}.${name}`);
    }
    return out;
  };
}

export function optional<T>(decoder: Decoder<T>): Decoder<T | undefined> {
  return (value, path) => (value === undefined || value === null ? undefined : decoder(value, path));
}

export function withDefault<T>(decoder: Decoder<T>, fallback: T): Decoder<T> {
  return (value, path) => (value === undefined || value === null ? fallback : decoder(value, path));
}

/** Decodes a resource's properties (the `ServiceToken` key is CloudFormation's, not ours). */
export function decodeProperties<T>(decoder: Decoder<T>, properties: object | undefined): T {
  const { ServiceToken: _serviceToken, ...rest } = (properties ?? {}) as Record<string, unknown>;
  return decoder(rest, '');
}
