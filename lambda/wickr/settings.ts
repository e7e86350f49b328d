import { bool, Decoder, getOwn, int, list, oneOf, optional, setOwn, str } from '../core/schema';
import { PropertyError } from '../core/errors';
import { deepEqual } from '../core/resource';
import { SETTINGS_SHAPES } from './model.generated';

/**
 * Decodes a settings structure (`SecurityGroupSettings`, `NetworkSettings`) from
 * CloudFormation's strings, member by member, driven by the service model: the template
 * carries the API's own member names, so what `cdk diff` shows is what the API receives.
 * Every member is optional; unknown members are refused, naming the path.
 */
export function settingsDecoder<T>(shape: string): Decoder<T> {
  return structDecoder(shape) as Decoder<T>;
}

function kindDecoder(kind: string): Decoder<unknown> {
  if (kind === 'boolean') return bool();
  if (kind === 'integer') return int();
  if (kind === 'string') return str();
  if (kind.startsWith('enum:')) return oneOf(...kind.slice(5).split('|'));
  if (kind.startsWith('list:')) return list(kindDecoder(kind.slice(5)));
  if (kind.startsWith('struct:')) return structDecoder(kind.slice(7));
  throw new Error(`unsupported member kind ${kind}`);
}

function structDecoder(shape: string): Decoder<Record<string, unknown>> {
  const members = SETTINGS_SHAPES[shape];
  return (value, path, lenient) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      if (lenient) return undefined as unknown as Record<string, unknown>;
      if (value === undefined || value === null) throw new PropertyError(path, 'is required');
      throw new PropertyError(path, 'must be an object', value);
    }
    const out: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
      // Own members only: `toString` or `__proto__` in a template are unknown members, not Object's.
      const kind = getOwn(members, key);
      const at = path ? `${path}.${key}` : key;
      if (!kind) {
        if (lenient) continue;
        throw new PropertyError(at, `is not a member of ${shape} (members: ${Object.keys(members).join(', ')})`);
      }
      const decoded = optional(kindDecoder(kind))(raw, at, lenient);
      if (decoded !== undefined) setOwn(out, key, decoded);
    }
    return out;
  };
}

/**
 * The top-level members of `next` that differ from `previous` (nested structures are
 * sent whole). A member removed from the properties is not sent: the service keeps its
 * current value, which the construct documentation states.
 */
export function changedSettings<T extends object>(previous: T | undefined, next: T | undefined): Partial<T> {
  const out: Record<string, unknown> = {};
  const prev = (previous ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(next ?? {})) {
    if (!deepEqual(prev[key], value)) out[key] = value;
  }
  return out as Partial<T>;
}

export function isEmpty(value: object | undefined): boolean {
  return !value || Object.keys(value).length === 0;
}
