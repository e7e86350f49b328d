import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { isUnresolved, report, reportViolation, show } from './errors';

/**
 * Synth-time checks. A value that breaks a rule is reported (`reportViolation`): all the
 * violations of the app fail `cdk synth` together. Each is skipped when the value is undefined (not given) or an
 * unresolved token (known only at deploy time; the service then has the last word).
 */
export function checkLength(scope: IConstruct, prop: string, value: string | undefined, min: number, max: number): void {
  if (value === undefined || isUnresolved(value)) return;
  const length = [...value].length;
  if (length < min || length > max) {
    const rule = min === max ? `must be exactly ${min} characters long` : `must be ${min} to ${max} characters long`;
    reportViolation(scope, prop, value, `${rule}, got ${length}`);
  }
}

export function checkMaxBytes(scope: IConstruct, prop: string, value: string | undefined, max: number): void {
  if (value === undefined || isUnresolved(value)) return;
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > max) reportViolation(scope, prop, value, `must be at most ${max} bytes (UTF-8), got ${bytes}`);
}

export function checkPattern(scope: IConstruct, prop: string, value: string | undefined, pattern: RegExp, description: string): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!pattern.test(value)) reportViolation(scope, prop, value, `must be ${description}`);
}

/** `unit` names what is counted (`minutes`), for a number that was a `Duration`. */
export function checkRange(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number, unit?: string): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = `from ${min} to ${max}`;
    reportViolation(scope, prop, unit ? `${value} ${unit}` : value, unit ? `must be ${range} whole ${unit}` : `must be a whole number ${range}`);
  }
}

/** The units of time the services count in. */
export type DurationUnit = 'days' | 'minutes' | 'seconds';

const SECONDS_IN: Record<DurationUnit, number> = { days: 86_400, minutes: 60, seconds: 1 };

/**
 * A `Duration` in `unit`, for the template, never throwing: a fraction that
 * `wholeUnits` reported stays a fraction (the synth fails on the report).
 */
export function inUnits(duration: Duration | undefined, unit: DurationUnit): number | undefined {
  if (duration === undefined) return undefined;
  try {
    return unit === 'days' ? duration.toDays() : unit === 'minutes' ? duration.toMinutes() : duration.toSeconds();
  } catch {
    // A token in another unit (reported by `wholeUnits`) cannot be converted at all.
    return duration.isUnresolved() ? undefined : duration.toMilliseconds({ integral: false }) / (SECONDS_IN[unit] * 1000);
  }
}

/**
 * A `Duration` as a whole number of `unit`; a fraction (`Duration.seconds(90)` as minutes)
 * is a synth-time error. A token amount converts only within its own unit.
 */
export function wholeUnits(scope: IConstruct, prop: string, duration: Duration | undefined, unit: DurationUnit): number | undefined {
  if (duration === undefined) return undefined;
  const factory = `Duration.${unit}`;
  if (duration.isUnresolved()) {
    try {
      return unit === 'days' ? duration.toDays() : unit === 'minutes' ? duration.toMinutes() : duration.toSeconds();
    } catch {
      reportViolation(scope, prop, duration.toHumanString(), `a token duration must be given in ${unit} (${factory}(token))`);
      return undefined;
    }
  }
  const amount = duration.toMilliseconds({ integral: false }) / (SECONDS_IN[unit] * 1000);
  if (Number.isInteger(amount)) return amount;
  reportViolation(scope, prop, duration.toHumanString(), `must be a whole number of ${unit} (use ${factory}(n))`);
  return undefined;
}

/** An enum of the library, for messages: its name as a user writes it, and its members. */
export interface NamedEnum {
  readonly name: string;
  readonly members: Readonly<Record<string, string | number>>;
}

/**
 * A value as the user wrote it: `FederationMode.RESTRICTED (2)`, with the API's value in
 * parentheses where it differs from the member's name (`AccessLevel.PREMIUM` alone); a value
 * that is no member as itself (`3`, `"GOLD"`).
 */
export function enumText(value: unknown, type: NamedEnum): string {
  const member = Object.keys(type.members).find((k) => Number.isNaN(Number(k)) && type.members[k] === value);
  if (member === undefined) return show(value);
  return String(value) === member ? `${type.name}.${member}` : `${type.name}.${member} (${JSON.stringify(value)})`;
}

/** `value` is one of `allowed` (the API's values), each named as a member of `type`. */
export function checkOneOf<T>(scope: IConstruct, prop: string, value: T | undefined, allowed: readonly T[], type: NamedEnum): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!allowed.includes(value)) {
    report(scope, `${prop}: must be one of ${allowed.map((a) => enumText(a, type)).join(', ')} (received ${enumText(value, type)})`);
  }
}

/** A rule across properties: `ok` false fails with the rule text. */
export function checkRule(scope: IConstruct, prop: string, value: unknown, ok: boolean, rule: string): void {
  if (isUnresolved(value)) return;
  if (!ok) reportViolation(scope, prop, value, rule);
}
