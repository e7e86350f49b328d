import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A construct that cannot be built: a required property is missing or of the wrong kind,
 * or a file it reads is unusable. The message names the construct path, the property, the
 * value received and what was expected. Rule violations of values that were given are not
 * thrown but reported together at synth (`reportViolation`).
 */
export class PropertyValidationError extends Error {
  /** `property` and `rule` with `received`; or, without them, `property` is the whole message. */
  constructor(scope: IConstruct, property: string, received?: unknown, rule?: string) {
    super(`[${scope.node.path}] ${rule === undefined ? property : violation(property, received, rule)}`);
    this.name = 'PropertyValidationError';
  }
}

const VIOLATIONS = new WeakMap<IConstruct, string[]>();

/**
 * Records that a property breaks a rule. Every violation of every construct of the app is
 * reported together when the app synthesizes (`node.addValidation`), each as
 * `[<construct path>] <property>: <rule> (received <value>)`, so one `cdk synth` shows all
 * there is to fix.
 */
export function reportViolation(scope: IConstruct, property: string, received: unknown, rule: string): void {
  report(scope, violation(property, received, rule));
}

/** Records a violation whose message says the property, the rule and the value already. */
export function report(scope: IConstruct, message: string): void {
  let found = VIOLATIONS.get(scope);
  if (!found) {
    const list: string[] = [];
    VIOLATIONS.set(scope, list);
    scope.node.addValidation({ validate: () => [...list] });
    found = list;
  }
  found.push(message);
}

function violation(property: string, received: unknown, rule: string): string {
  return `${property}: ${rule} (received ${show(received)})`;
}

/** A value as an error shows it: shortened; a construct or other object that is not data by its kind. */
export function show(value: unknown): string {
  // A token (a Lazy value, a parameter, a SecretValue) is shown as one, never by what it encodes.
  if (isUnresolved(value)) return 'a value known only at deploy time (a token)';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null && 'node' in value) return `the construct ${(value as IConstruct).node.path}`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = `a ${(value as object).constructor?.name ?? typeof value}`;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** True when a value is only known at deploy time: synth-time rules then do not apply. */
export function isUnresolved(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string' || typeof value === 'number') return Token.isUnresolved(value);
  if (Array.isArray(value)) return Token.isUnresolved(value) || value.some(isUnresolved);
  return Token.isUnresolved(value);
}
