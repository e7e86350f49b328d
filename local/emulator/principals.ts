import { checkStatements, PolicyStatement } from './iam';
import { isRecord } from './protocol';
import { Credentials, TEST_CREDENTIALS, testAccountOf } from './sigv4';

/**
 * The IAM principals the emulator knows besides its built-in test credentials: access key
 * id → secret, the principal's ARN (what AWS names in an access-denied message, e.g.
 * `arn:aws:sts::123456789012:assumed-role/RoleName/FunctionName`) and its identity-based
 * policy statements. Calls signed with a registered key are verified with its secret and
 * authorized against its statements; calls signed with the test credentials stay
 * unrestricted; any other key is `UnrecognizedClientException`.
 */

/** A principal as registered. */
export interface Principal {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly arn: string;
  readonly statements: readonly PolicyStatement[];
}

/** A principal as the control endpoint lists it: everything but the secret. */
export type PrincipalView = Omit<Principal, 'secretAccessKey'>;

/** What a registration gives (the access key id comes separately, from the path). */
export interface PrincipalSpec {
  readonly secretAccessKey: string;
  readonly arn: string;
  readonly statements: readonly PolicyStatement[];
}

/** AWS access key ids are 16 to 128 word characters. */
const ACCESS_KEY_ID = /^\w{16,128}$/;
/** The account of a principal ARN (`arn:aws:sts::111111111111:assumed-role/...` → `111111111111`). */
export function accountOfPrincipal(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
}

const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/-]+$/;

/** The registry of principals, by access key id. */
export class Principals {
  private readonly byKey = new Map<string, Principal>();

  /** Adds or replaces a principal; throws an `Error` that says what is wrong with it. */
  register(accessKeyId: string, spec: PrincipalSpec): PrincipalView {
    const problem = checkPrincipal(accessKeyId, spec);
    if (problem) throw new Error(`invalid principal: ${problem}`);
    const principal: Principal = {
      accessKeyId,
      secretAccessKey: spec.secretAccessKey,
      arn: spec.arn,
      statements: JSON.parse(JSON.stringify(spec.statements)) as PolicyStatement[],
    };
    this.byKey.set(accessKeyId, principal);
    return view(principal);
  }

  /** False when there was none. */
  remove(accessKeyId: string): boolean {
    return this.byKey.delete(accessKeyId);
  }

  clear(): void {
    this.byKey.clear();
  }

  get(accessKeyId: string): Principal | undefined {
    return this.byKey.get(accessKeyId);
  }

  /** The registered principals, without their secrets. */
  list(): PrincipalView[] {
    return [...this.byKey.values()].map(view);
  }

  /** The credentials a signature with this key id is checked against (the test credentials for any unknown key). */
  credentialsFor(accessKeyId: string): Credentials {
    const principal = this.byKey.get(accessKeyId);
    if (principal) return { accessKeyId, secretAccessKey: principal.secretAccessKey };
    return testAccountOf(accessKeyId) ? { accessKeyId, secretAccessKey: TEST_CREDENTIALS.secretAccessKey } : TEST_CREDENTIALS;
  }
}

function view({ secretAccessKey: _secret, ...rest }: Principal): PrincipalView {
  return rest;
}

function checkPrincipal(accessKeyId: string, spec: unknown): string | undefined {
  if (accessKeyId === TEST_CREDENTIALS.accessKeyId) return `the access key id ${accessKeyId} is the emulator's unrestricted test credentials and cannot be given a policy`;
  if (!ACCESS_KEY_ID.test(accessKeyId)) return `access key id ${JSON.stringify(accessKeyId)} must be 16 to 128 letters, digits or underscores`;
  if (!isRecord(spec)) return 'expected {secretAccessKey, arn, statements}';
  const unknown = Object.keys(spec).filter((k) => !['secretAccessKey', 'arn', 'statements'].includes(k));
  if (unknown.length > 0) return `unknown field ${unknown[0]} (expected secretAccessKey, arn, statements)`;
  if (typeof spec.secretAccessKey !== 'string' || spec.secretAccessKey.length < 1 || spec.secretAccessKey.length > 128) return 'secretAccessKey must be a string of 1 to 128 characters';
  if (typeof spec.arn !== 'string' || !PRINCIPAL_ARN.test(spec.arn)) {
    return `arn ${JSON.stringify(spec.arn)} must be an IAM or STS principal ARN (arn:aws:sts::123456789012:assumed-role/Role/Session, arn:aws:iam::123456789012:user/Name)`;
  }
  return checkStatements(spec.statements);
}
