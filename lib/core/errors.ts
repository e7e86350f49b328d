import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A property that breaks a rule known at synth time. The message names the construct
 * path, the property, the value received and the rule, so `cdk synth` says what to fix.
 */
export class PropertyValidationError extends Error {
  constructor(scope: IConstruct, property: string, received: unknown, rule: string) {
    super(`[${scope.node.path}] ${property}: ${rule} (received ${show(received)})`);
    this.name = 'PropertyValidationError';
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** True when a value is only known at deploy time: synth-time rules then do not apply. */
export function isUnresolved(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string' || typeof value === 'number') return Token.isUnresolved(value);
  if (Array.isArray(value)) return Token.isUnresolved(value) || value.some(isUnresolved);
  return Token.isUnresolved(value);
}
