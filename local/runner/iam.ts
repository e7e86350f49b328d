import { createHash, randomBytes } from 'crypto';
import { EmulatorApi } from './aws';
import { canonicalJson } from './intrinsics';
import { Recorder } from './report';
import { ResourceState, StateFile } from './state';

/**
 * The provider functions' IAM identities, as Lambda gives them: when the runner invokes a
 * function for a custom resource, the function gets credentials of its own (an access key
 * id derived from the function's ARN, a secret made for this run), and the emulator has
 * been told, before the invocation, that this key is the function's execution role
 * (`arn:aws:sts::<account>:assumed-role/<RoleName>/<FunctionName>`) with the role's
 * statements as currently deployed. The emulator then authorizes every call the handler
 * makes against them, as IAM would, and answers the service's access-denied error.
 *
 * The role's statements: the function's `Role` property (the template's
 * `Fn::GetAtt [Role, Arn]`, already resolved to the ARN) is matched against the deployed
 * `AWS::IAM::Role` resources' `Arn`; then every deployed `AWS::IAM::Policy` and
 * `AWS::IAM::ManagedPolicy` whose `Roles` names that role (by its name, the role's
 * physical id), the role's inline `Policies`, and the customer managed policies of this
 * app its `ManagedPolicyArns` names. AWS managed policies in `ManagedPolicyArns` (for a
 * provider, `AWSLambdaBasicExecutionRole`) are left out: they grant only CloudWatch Logs
 * actions, which the emulator does not serve.
 *
 * A function whose role the runner did not deploy (an imported role) keeps the emulator's
 * unrestricted test credentials, with a warning: its statements are unknown here.
 * Registration happens only when the statements changed since the last registration in
 * this run. The runner's own calls (native resources, asset publishing) keep the test
 * credentials.
 */

/** What the invocation's environment gets, or why the function cannot be invoked. */
export type FunctionIdentity = { readonly env: Readonly<Record<string, string>> } | { readonly error: string };

/** The test credentials: what a function gets when IAM cannot be enforced for it. */
const UNRESTRICTED = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } as const;

/** Deployed resources to look in: the current deployment's first (its working state), then the saved stacks'. */
export interface DeployedResources {
  readonly current: readonly ResourceState[];
  readonly currentStack: string;
  readonly saved: StateFile;
}

/** One run's provider function identities: what each was last registered with. */
export class FunctionIdentities {
  /** Per access key id: what was last registered (canonical JSON) and the registration in flight. */
  private readonly registered = new Map<string, { readonly spec: string; readonly done: Promise<void> }>();
  private readonly warned = new Set<string>();
  /** One secret per run for every function's key (the emulator checks signatures with it). */
  private readonly secret = randomBytes(30).toString('base64');

  constructor(
    private readonly api: EmulatorApi | undefined,
    private readonly recorder: Recorder,
  ) {}

  /** Credentials for an invocation of the function `serviceToken` names; its role's statements are registered first. */
  async prepare(serviceToken: unknown, deployed: DeployedResources): Promise<FunctionIdentity> {
    const entries = deployedEntries(deployed);
    const fn = entries.find((e) => e.function && (e.attributes.Arn === serviceToken || e.physicalId === serviceToken));
    if (!this.api || !fn) return { env: UNRESTRICTED }; // no emulator to tell, or no such function (invoking it fails anyway)
    const identity = functionPrincipal(fn, entries);
    if (!identity) {
      if (!this.warned.has(fn.physicalId)) {
        this.warned.add(fn.physicalId);
        this.recorder.warn(`${fn.physicalId}: its role ${String(fn.properties.Role)} was not deployed by the runner, so its statements are unknown: the function runs with the emulator's unrestricted test credentials`);
      }
      return { env: UNRESTRICTED };
    }
    const { accessKeyId, role, arn, statements } = identity;
    const principal = { secretAccessKey: this.secret, arn, statements };
    const spec = canonicalJson(principal);
    let entry = this.registered.get(accessKeyId);
    if (entry?.spec !== spec) {
      entry = { spec, done: this.api.registerPrincipal(accessKeyId, principal) };
      this.registered.set(accessKeyId, entry);
    }
    try {
      await entry.done;
    } catch (err) {
      this.registered.delete(accessKeyId);
      return { error: `could not give the emulator the IAM statements of ${fn.physicalId}'s role ${role.physicalId}: ${err instanceof Error ? err.message : String(err)}` };
    }
    return { env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: this.secret } };
  }
}

/** A function's execution-role principal, without a secret. */
export interface FunctionPrincipal {
  /** Derived from the function's ARN: the same in every run (see `functionAccessKeyId`). */
  readonly accessKeyId: string;
  /** `arn:aws:sts::<account>:assumed-role/<RoleName>/<FunctionName>` */
  readonly arn: string;
  readonly statements: unknown[];
  readonly role: ResourceState;
}

/** The access key id the runner gives a function: derived from its ARN, so the same in every run. */
export function functionAccessKeyId(fn: ResourceState): string {
  return `ASIA${createHash('sha256').update(String(fn.attributes.Arn ?? fn.physicalId)).digest('hex').slice(0, 16).toUpperCase()}`;
}

/**
 * The principal a function runs as: its role (the deployed `AWS::IAM::Role` its `Role`
 * property names, among `entries`) and that role's statements; undefined when the runner
 * did not deploy the role (the function then keeps the test credentials).
 */
export function functionPrincipal(fn: ResourceState, entries: readonly ResourceState[]): FunctionPrincipal | undefined {
  const roleArn = fn.properties.Role;
  const role = entries.find((e) => e.type === 'AWS::IAM::Role' && e.attributes.Arn === roleArn);
  if (!role || typeof roleArn !== 'string') return undefined;
  const partition = roleArn.split(':')[1] ?? 'aws';
  const account = roleArn.split(':')[4] ?? '';
  return { accessKeyId: functionAccessKeyId(fn), arn: `arn:${partition}:sts::${account}:assumed-role/${role.physicalId}/${fn.physicalId}`, statements: roleStatements(role, entries), role };
}

/** Every statement the role has, as deployed (see the module comment). */
export function roleStatements(role: ResourceState, entries: readonly ResourceState[]): unknown[] {
  const name = role.physicalId;
  const managedArns = list(role.properties.ManagedPolicyArns);
  const documents: unknown[] = list(role.properties.Policies).map((p) => (isObject(p) ? p.PolicyDocument : undefined));
  for (const entry of entries) {
    const attached = list(entry.properties.Roles).includes(name);
    if (entry.type === 'AWS::IAM::Policy' && attached) documents.push(entry.properties.PolicyDocument);
    if (entry.type === 'AWS::IAM::ManagedPolicy' && (attached || managedArns.includes(entry.physicalId))) documents.push(entry.properties.PolicyDocument);
  }
  return documents.flatMap((doc) => (isObject(doc) ? list(doc.Statement) : []));
}

/** The current deployment's resources, then the other stacks' saved ones; one entry per resource (the current one first). */
export function deployedEntries(deployed: DeployedResources): ResourceState[] {
  const all = [...deployed.current];
  for (const [name, stack] of Object.entries(deployed.saved.stacks)) {
    if (name !== deployed.currentStack || deployed.current.length === 0) all.push(...Object.values(stack.resources));
  }
  const seen = new Set<string>();
  return all.filter((e) => {
    const key = `${e.type} ${e.physicalId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function list(value: unknown): unknown[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
