import { IConstruct } from 'constructs';
import { PropertyValidationError, show } from './errors';

/**
 * The shape of a construct's props, checked first thing in its constructor. TypeScript
 * checks it at compile time; untyped JavaScript (and a wrong cast, or code written for an
 * earlier release) does not, and would otherwise fail with a TypeError in the library, or
 * at deploy time with the name of a wire key. All the missing and mistyped props of a
 * construct are thrown together, each with what is expected. A token passes where its kind
 * does (a string token is a string); a `SecretValue` is never a secret reference.
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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const A_STRING: Expected = { description: 'a string', ok: (v) => typeof v === 'string' };
export const A_NUMBER: Expected = { description: 'a number', ok: (v) => typeof v === 'number' };
export const A_BOOLEAN: Expected = { description: 'true or false', ok: (v) => typeof v === 'boolean' };
export const A_STRING_LIST: Expected = { description: 'a list of strings', ok: (v) => Array.isArray(v) && v.every((e) => typeof e === 'string') };
export const A_LIST: Expected = { description: 'a list', ok: Array.isArray };
/**
 * A `Duration` (checked by its methods, not `instanceof`: an app may load a second copy of
 * aws-cdk-lib).
 */
export const A_DURATION: Expected = {
  description: 'a Duration (Duration.days(n), Duration.minutes(n), ...; not a number)',
  ok: (v) => isObject(v) && typeof v.toSeconds === 'function' && typeof v.toHumanString === 'function',
};

/** A structure of the props (`settings`, `lex`): an object with its own members. */
export function aStructure(type: string): Expected {
  return { description: `${type}, an object`, ok: isObject };
}

/** A list of structures (`{ networkId, region }`). */
export function aListOf(item: string): Expected {
  return { description: `a list of ${item} objects`, ok: (v) => Array.isArray(v) && v.every(isObject) };
}

/** A reference to a resource: an object with `attribute` (the interface's identifying attribute). */
export function aReference(type: string, attribute: string, example: string): Expected {
  return { description: `${type} (${example})`, ok: (v) => isObject(v) && typeof v[attribute] === 'string' };
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
export const A_KEY = aReference('a KMS key', 'keyArn', 'kms.IKey, such as a kms.Key or kms.Key.fromKeyArn(...)');
export const A_NETWORK = aReference('a Wickr network', 'networkId', 'a WickrNetwork, or WickrNetwork.fromNetworkId(...)');
export const A_SECURITY_GROUP = aReference('a Wickr security group', 'securityGroupId', 'a WickrSecurityGroup, or WickrSecurityGroup.fromSecurityGroupId(...) for a group id');
export const AN_APP_INSTANCE = aReference('a Chime app instance', 'appInstanceArn', 'a ChimeAppInstance, or ChimeAppInstance.fromAppInstanceArn(...)');
export const AN_APP_INSTANCE_USER = aReference('a Chime app instance user', 'appInstanceUserArn', 'a ChimeAppInstanceUser, or ChimeAppInstanceUser.fromAppInstanceUserArn(...)');

/**
 * Throws, naming the construct, every `required` prop that is missing and every given prop
 * (required or `optional`) that is not what it must be. `prefix` names a structure within
 * the props (`lex.`, `settings.`, `users[2].`).
 */
export function checkProps(scope: IConstruct, props: unknown, required: Record<string, Expected>, optional: Record<string, Expected> = {}, prefix = ''): void {
  const given = isObject(props) ? props : {};
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(required)) {
    const value = given[name];
    if (value === undefined || value === null) problems.push(`${prefix}${name}: required, ${expected.description}`);
    else if (!expected.ok(value)) problems.push(wrong(`${prefix}${name}`, expected, value));
  }
  for (const [name, expected] of Object.entries(optional)) {
    const value = given[name];
    if (value !== undefined && !expected.ok(value)) problems.push(wrong(`${prefix}${name}`, expected, value));
  }
  if (problems.length) throw new PropertyValidationError(scope, problems.join('; '));
}

function wrong(name: string, expected: Expected, value: unknown): string {
  return `${name}: must be ${expected.description} (received ${expected.secret ? `${kindOf(value)}, not shown` : show(value)})`;
}

/** `a string`, `an object`, `a SecretValue` (a class instance by its class). */
function kindOf(value: unknown): string {
  const kind = isObject(value) && value.constructor && value.constructor !== Object ? value.constructor.name : Array.isArray(value) ? 'list' : typeof value;
  return `${/^[aeiou]/i.test(kind) ? 'an' : 'a'} ${kind}`;
}
