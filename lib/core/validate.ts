import { IConstruct } from 'constructs';
import { isUnresolved, PropertyValidationError } from './errors';

/**
 * Synth-time checks. Each is skipped when the value is undefined (not given) or an
 * unresolved token (known only at deploy time; the service then has the last word).
 */
export function checkLength(scope: IConstruct, prop: string, value: string | undefined, min: number, max: number): void {
  if (value === undefined || isUnresolved(value)) return;
  const length = [...value].length;
  if (length < min || length > max) {
    const rule = min === max ? `must be exactly ${min} characters long` : `must be ${min} to ${max} characters long`;
    throw new PropertyValidationError(scope, prop, value, `${rule}, got ${length}`);
  }
}

export function checkMaxBytes(scope: IConstruct, prop: string, value: string | undefined, max: number): void {
  if (value === undefined || isUnresolved(value)) return;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > max) throw new PropertyValidationError(scope, prop, value, `must be at most ${max} bytes (UTF-8), got ${bytes}`);
}

export function checkPattern(scope: IConstruct, prop: string, value: string | undefined, pattern: RegExp, description: string): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!pattern.test(value)) throw new PropertyValidationError(scope, prop, value, `must be ${description}`);
}

export function checkRange(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PropertyValidationError(scope, prop, value, `must be a whole number from ${min} to ${max}`);
  }
}

export function checkOneOf<T>(scope: IConstruct, prop: string, value: T | undefined, allowed: readonly T[]): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!allowed.includes(value)) {
    throw new PropertyValidationError(scope, prop, value, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  }
}

/** A rule across properties: `ok` false fails with the rule text. */
export function checkRule(scope: IConstruct, prop: string, value: unknown, ok: boolean, rule: string): void {
  if (isUnresolved(value)) return;
  if (!ok) throw new PropertyValidationError(scope, prop, value, rule);
}
