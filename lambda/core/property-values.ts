import { isPlainObject, NO_VALUE } from './template';

/** Resolved values: as CloudFormation hands them to a custom resource provider, and as they are compared. */

/**
 * CloudFormation hands custom resource properties to the provider with every leaf value
 * as a string: numbers and booleans become strings, in nested lists and objects too.
 * `null` members of objects are left out.
 */
export function stringifyLeaves(value: unknown): unknown {
  if (value === null || value === undefined || value === NO_VALUE) return undefined;
  if (Array.isArray(value)) return value.map(stringifyLeaves);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const s = stringifyLeaves(item);
      if (s !== undefined) out[key] = s;
    }
    return out;
  }
  return String(value);
}

/** JSON with object keys sorted, for comparing resolved properties. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
}
