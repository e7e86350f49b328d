import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { isUnresolved, PropertyValidationError, show } from './errors';

/**
 * The shape of a construct's props, checked first thing in its constructor. TypeScript
 * checks it at compile time; untyped JavaScript (and a wrong cast) does not, and would
 * otherwise fail with a TypeError in the library, or at deploy time with the name of a
 * wire key. All the missing and mistyped props of a construct are thrown together, each
 * with what is expected.
 */
export interface Expected {
  /** What the prop must be, as the error says it: `a string`, `a Secrets Manager secret (ISecret)`. */
  readonly description: string;
  readonly ok: (value: unknown) => boolean;
  /**
   * The prop holds a secret: a wrong value is described by its kind, never shown.
   * @default false
   */
  readonly secret?: boolean;
}

export const A_STRING: Expected = { description: 'a string', ok: (v) => typeof v === 'string' };
export const A_DURATION: Expected = { description: 'a Duration (Duration.days(n))', ok: (v) => v instanceof Duration };

/** A reference to a resource: an object with `attribute` (the interface's identifying attribute). */
export function aReference(type: string, attribute: string, example: string): Expected {
  return { description: `${type} (${example})`, ok: (v) => typeof v === 'object' && v !== null && attribute in v };
}

/** A member of an enum (which member is a rule the construct checks and reports with the others). */
export function anEnum(name: string, values: Record<string, string | number>): Expected {
  const members = Object.keys(values).filter((k) => Number.isNaN(Number(k)));
  return { description: `one of ${members.map((k) => `${name}.${k}`).join(', ')}`, ok: (v) => typeof v === 'string' || typeof v === 'number' };
}

export const A_SECRET: Expected = {
  ...aReference('a Secrets Manager secret', 'secretArn', 'secretsmanager.ISecret, such as Secret.fromSecretNameV2(...); never the secret value itself'),
  secret: true,
};
export const A_NETWORK = aReference('a Wickr network', 'networkId', 'a WickrNetwork, or WickrNetwork.fromNetworkId(...)');
export const A_SECURITY_GROUP = aReference('a Wickr security group', 'securityGroupId', 'a WickrSecurityGroup, or WickrSecurityGroup.fromSecurityGroupId(...)');
export const AN_APP_INSTANCE = aReference('a Chime app instance', 'appInstanceArn', 'a ChimeAppInstance, or ChimeAppInstance.fromAppInstanceArn(...)');
export const AN_APP_INSTANCE_USER = aReference('a Chime app instance user', 'appInstanceUserArn', 'a ChimeAppInstanceUser, or ChimeAppInstanceUser.fromAppInstanceUserArn(...)');

/**
 * Throws, naming the construct, every `required` prop that is missing and every given prop
 * (required or `optional`) that is not what it must be. Values known only at deploy time
 * (tokens) pass.
 */
export function checkProps(scope: IConstruct, props: unknown, required: Record<string, Expected>, optional: Record<string, Expected> = {}): void {
  const given = (typeof props === 'object' && props !== null ? props : {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(required)) {
    const value = given[name];
    if (value === undefined || value === null) problems.push(`${name}: required, ${expected.description}`);
    else if (!isUnresolved(value) && !expected.ok(value)) problems.push(wrong(name, expected, value));
  }
  for (const [name, expected] of Object.entries(optional)) {
    const value = given[name];
    if (value !== undefined && !isUnresolved(value) && !expected.ok(value)) problems.push(wrong(name, expected, value));
  }
  if (problems.length) throw new PropertyValidationError(scope, problems.join('; '));
}

function wrong(name: string, expected: Expected, value: unknown): string {
  return `${name}: must be ${expected.description} (received ${expected.secret ? `a ${typeof value}, not shown` : show(value)})`;
}
