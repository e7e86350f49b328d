import iamFacts from '../../models/iam-actions.json';
import { Decision, denialMessage, evaluate } from './iam';
import { Principal } from './principals';
import { decodeComponent, EmulatorRequest, isRecord, parseJsonBody, ProtocolService, queryValue } from './protocol';
import { queryParams } from './query';
import { RestJsonService } from './restjson';
import { ServiceModel } from './service';

/**
 * From a request to what IAM checks: the actions (from `models/iam-actions.json`, the
 * Service Authorization Reference, never from the operation's name: Wickr `UpdateNetwork`
 * is `wickr:UpdateNetworkDetails`) and the resource ARNs the request names, each pair
 * decided by `iam.ts`. Every pair must be allowed.
 *
 * Resources:
 * - Wickr: `arn:aws:wickr:<region>:<account>:network/<networkId>`. `CreateNetwork`: the
 *   facts list `network` as its (required) resource type although no id exists yet, so
 *   the request's resource is `network/*`, the ARN of "some network of this account", which
 *   a statement scoped to `network/*` (or `*`) grants and one scoped to a single network
 *   does not. `ListNetworks` lists no resource type: `*`.
 * - Chime SDK Identity: every ARN member the request carries (`AppInstanceArn`,
 *   `AppInstanceUserArn`, `AppInstanceBotArn`, `AppInstanceAdminArn`, `ResourceARN`; the
 *   Pinpoint `ResourceArn` of an endpoint is not a Chime resource). The admin operations
 *   name both the instance and the admin, and both must be allowed. The creates whose
 *   facts list no resource type (`CreateAppInstance`, `CreateAppInstanceUser`,
 *   `CreateAppInstanceBot`) are checked against `*` only. `ListAppInstances` has a
 *   resource type but the request names no instance: `app-instance/*`, as for
 *   `CreateNetwork`.
 * - Secrets Manager: the secret's full ARN (a name or partial ARN is resolved to the
 *   secret it names); for a secret that does not exist (and `CreateSecret`), the ARN it
 *   would get, with `??????` standing for the six random characters the service appends.
 *   `ListSecrets`: `*`.
 * - S3: `arn:aws:s3:::<bucket>/<key>`; `HeadObject` is authorized as `s3:GetObject`.
 * - CloudFormation (`cloudformation:<Operation>`): the stack's ARN
 *   (`arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>`) for a `StackName`
 *   that names a recorded stack (by name or id); for a name that does not, the ARN it
 *   would have (`stack/<name>/*`), as AWS names it in its denial; `*` for a call that
 *   names no stack (`DescribeStacks` of all stacks). `DescribeStackResources` by a physical
 *   id: the ARN of the stack that has it, else `stack/*` ("some stack of the account", as for
 *   `CreateNetwork`): the action's resource type is the stack, so a statement scoped to the
 *   account's stacks grants the lookup.
 * - Lambda (`lambda:InvokeFunction`): the function's ARN, with `:<qualifier>` when the call
 *   gives one (IAM treats a qualified ARN as a resource of its own).
 *
 * Extra actions. The facts list more than one action for some operations (Chime
 * `CreateAppInstance`/`CreateAppInstanceBot` also `chime:TagResource`,
 * `CreateAppInstanceUser` also `chime:PutAppInstanceUserExpirationSettings` and
 * `chime:TagResource`, Wickr `CreateNetwork` also `wickr:TagResource`, Secrets Manager
 * `CreateSecret` the dependent actions `secretsmanager:TagResource` and
 * `secretsmanager:ReplicateSecretToRegions`). The SAR does not say whether they are needed
 * on every call (the facts' `unconfirmed` list). The emulator requires each one only when
 * the request uses the feature it is named after (tags given, expiration settings given,
 * replica regions given), checked against the operation's own resources: that is how IAM
 * treats dependent actions elsewhere (tag-on-create needs the tagging permission only when
 * tags are sent), and requiring them always would refuse a policy that AWS accepts for an
 * untagged create. Wickr's `CreateNetwork` has no tags member in the model, so
 * `wickr:TagResource` is never required. An extra action the emulator does not know the
 * feature of is always required.
 */

interface OperationFacts {
  readonly actions: readonly string[];
  readonly resourceTypes: readonly string[];
  readonly dependentActions: readonly string[];
}

/** One action on one resource, as IAM decides it. */
export interface AccessCheck {
  readonly action: string;
  readonly resource: string;
}

/** A check that did not pass: the action, the resource, why, and AWS's message. */
export interface Denial extends AccessCheck {
  readonly decision: Exclude<Decision, 'allow'>;
  readonly message: string;
}

/** Where the request came from and how to find a secret's ARN. */
export interface AuthorizationContext {
  readonly region: string;
  readonly accountId: string;
  /** The full ARN of the secret a `SecretId` names (ARN, partial ARN or name), if it exists. */
  secretArn(id: string): string | undefined;
  /** The stack id of the recorded stack a `StackName` (name or stack id) names, if it exists. */
  stackArn?(nameOrId: string): string | undefined;
  /** The ARN of the stack that has a resource with this physical id. */
  stackOwning?(physicalId: string): string | undefined;
  /** The ARN of the function an `Invoke` request names (with its qualifier). */
  functionArn?(req: EmulatorRequest): string;
}

const FACTS = iamFacts as unknown as {
  readonly services: Readonly<Record<'wickr' | 'chime-sdk-identity', { readonly operations: Readonly<Record<string, OperationFacts>> }>>;
  readonly others: { readonly actions: Readonly<Record<string, { readonly resourceTypes: readonly string[]; readonly dependentActions: readonly string[] }>> };
};

/** The request member whose presence makes an extra action necessary. */
const FEATURE_MEMBER: Readonly<Record<string, string>> = {
  'chime:TagResource': 'Tags',
  'chime:PutAppInstanceUserExpirationSettings': 'ExpirationSettings',
  'wickr:TagResource': 'tags',
  'secretsmanager:TagResource': 'Tags',
  'secretsmanager:ReplicateSecretToRegions': 'AddReplicaRegions',
};

/**
 * Calls the emulator serves that the facts file (`models/iam-actions.json`) does not list,
 * with their resource types from the Service Authorization Reference: Secrets Manager and
 * S3 calls the handler does not make (the runner's native resources and tests do), and
 * the CloudFormation and Lambda calls of drift (the drift command's, and the provider's
 * scheduled sweep's `GetTemplate` and `DescribeStackResources`). Their actions have the
 * operation's name (Lambda's `Invoke` is `lambda:InvokeFunction`); `ListSecrets` has no
 * resource type.
 */
const SUPPLEMENT: Readonly<Record<string, readonly string[]>> = {
  'secretsmanager:DescribeSecret': ['Secret'],
  'secretsmanager:DeleteSecret': ['Secret'],
  'secretsmanager:ListSecrets': [],
  's3:PutObject': ['object'],
  's3:DeleteObject': ['object'],
  'cloudformation:DescribeStacks': ['stack'],
  'cloudformation:ListStackResources': ['stack'],
  'cloudformation:DescribeStackResources': ['stack'],
  'cloudformation:GetTemplate': ['stack'],
  'cloudformation:DescribeStackEvents': ['stack'],
  'lambda:InvokeFunction': ['function'],
};

const S3_ACTIONS: Readonly<Record<string, string>> = { GetObject: 's3:GetObject', HeadObject: 's3:GetObject', PutObject: 's3:PutObject', DeleteObject: 's3:DeleteObject' };

const CHIME_ARN_MEMBERS = ['AppInstanceArn', 'AppInstanceUserArn', 'AppInstanceBotArn', 'AppInstanceAdminArn', 'ResourceARN'];

/** The first check the principal's statements do not allow, or undefined when all pass. */
export function authorize(principal: Principal, checks: readonly AccessCheck[]): Denial | undefined {
  for (const check of checks) {
    const decision = evaluate(principal.statements, check.action, check.resource);
    if (decision !== 'allow') return { ...check, decision, message: denialMessage(principal.arn, check.action, check.resource, decision) };
  }
  return undefined;
}

/** The checks for one call to any of the emulated services. */
export function checksFor(endpoint: ProtocolService, operation: string, req: EmulatorRequest, ctx: AuthorizationContext): AccessCheck[] {
  if (endpoint instanceof RestJsonService) {
    const labels = endpoint.match(req)?.labels ?? {};
    return restJsonChecks(endpoint.name, operation, restJsonMembers(endpoint.model, operation, labels, req), ctx);
  }
  switch (endpoint.name) {
    case 'secretsmanager':
      return secretsChecks(operation, req, ctx);
    case 'cloudformation':
      return cloudFormationChecks(operation, queryParams(req), ctx);
    case 'lambda':
      return [{ action: supplemented('lambda:InvokeFunction'), resource: ctx.functionArn?.(req) ?? '*' }];
    default:
      return s3Checks(operation, req, ctx);
  }
}

/** The check for one CloudFormation call (awsQuery: the members are the form parameters). */
export function cloudFormationChecks(operation: string, params: Readonly<Record<string, string>>, ctx: AuthorizationContext): AccessCheck[] {
  const action = supplemented(`cloudformation:${operation}`);
  const name = params.StackName;
  const prefix = `arn:${partitionOf(ctx.region)}:cloudformation:${ctx.region}:${ctx.accountId}:stack/`;
  let resource = '*';
  if (name) resource = ctx.stackArn?.(name) ?? (name.startsWith('arn:') ? name : `${prefix}${name}/*`);
  // By a physical id: the stack that has it (the action's resource type is the stack), else "some stack" of the account.
  else if (operation === 'DescribeStackResources' && params.PhysicalResourceId) resource = ctx.stackOwning?.(params.PhysicalResourceId) ?? `${prefix}*`;
  return [{ action, resource }];
}

/** An action of the supplement table (a call the emulator serves must be in it). */
function supplemented(action: string): string {
  if (!SUPPLEMENT[action]) throw new Error(`authorize.ts has no IAM facts for ${action}`);
  return action;
}

/**
 * The checks for one rest-json call (Wickr, Chime). `members` are the request's members by
 * model name, as sent (see `restJsonMembers`).
 */
export function restJsonChecks(service: 'wickr' | 'chime', operation: string, members: Readonly<Record<string, unknown>>, ctx: AuthorizationContext): AccessCheck[] {
  const facts = FACTS.services[service === 'wickr' ? 'wickr' : 'chime-sdk-identity'].operations[operation];
  if (!facts) throw new Error(`models/iam-actions.json has no ${service} operation ${operation}`);
  const partition = partitionOf(ctx.region);
  let resources: string[];
  if (facts.resourceTypes.length === 0) resources = ['*'];
  else if (service === 'wickr') {
    const id = typeof members.networkId === 'string' && members.networkId !== '' ? members.networkId : '*';
    resources = [`arn:${partition}:wickr:${ctx.region}:${ctx.accountId}:network/${id}`];
  } else {
    const named = CHIME_ARN_MEMBERS.map((m) => members[m]).filter((v): v is string => typeof v === 'string' && v !== '');
    resources = named.length > 0 ? [...new Set(named)] : [`arn:${partition}:chime:${ctx.region}:${ctx.accountId}:app-instance/*`];
  }
  const [primary, ...rest] = facts.actions;
  return expand([primary, ...required([...rest, ...facts.dependentActions], members)], resources);
}

/** The checks for one Secrets Manager call (awsJson1.1: the members are the JSON body). */
export function secretsChecks(operation: string, req: EmulatorRequest, ctx: AuthorizationContext): AccessCheck[] {
  const action = `secretsmanager:${operation}`;
  const facts = FACTS.others.actions[action];
  const resourceTypes = facts?.resourceTypes ?? SUPPLEMENT[action] ?? ['Secret'];
  const body = parseJsonBody(req.body);
  const input = isRecord(body) ? body : {};
  let resource = '*';
  if (resourceTypes.length > 0) {
    const id = typeof input.SecretId === 'string' ? input.SecretId : typeof input.Name === 'string' ? input.Name : '';
    const prefix = `arn:${partitionOf(ctx.region)}:secretsmanager:${ctx.region}:${ctx.accountId}:secret:`;
    resource = ctx.secretArn(id) ?? (id.startsWith('arn:') ? id : `${prefix}${id}-??????`);
  }
  return expand([action, ...required(facts?.dependentActions ?? [], input)], [resource]);
}

/** The checks for one S3 object call (path-style: `/{bucket}/{key...}`). */
export function s3Checks(operation: string, req: EmulatorRequest, ctx: AuthorizationContext): AccessCheck[] {
  const [bucket = '', ...key] = req.path.split('/').slice(1);
  const resource = `arn:${partitionOf(ctx.region)}:s3:::${decodeComponent(bucket)}/${key.map(decodeComponent).join('/')}`;
  return [{ action: S3_ACTIONS[operation] ?? `s3:${operation}`, resource }];
}

/**
 * A rest-json request's members by model name, as sent (labels and query values as text,
 * body members as JSON): what authorization reads, before the request is validated.
 */
export function restJsonMembers(model: ServiceModel, operation: string, labels: Readonly<Record<string, string>>, req: EmulatorRequest): Record<string, unknown> {
  const input = model.operations[operation]?.input;
  const shape = input ? model.shapes[input] : undefined;
  const body = parseJsonBody(req.body);
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(shape?.members ?? {})) {
    const wire = member.locationName ?? name;
    if (member.location === 'uri') out[name] = labels[wire];
    else if (member.location === 'querystring') out[name] = queryValue(req.query, wire);
    else if (member.location === 'header') out[name] = req.headers[wire.toLowerCase()];
    else if (member.location === undefined && isRecord(body)) out[name] = body[wire];
  }
  return out;
}

/** The extra actions whose feature the request uses (see the module comment). */
function required(actions: readonly string[], members: Readonly<Record<string, unknown>>): string[] {
  return [...new Set(actions)].filter((action) => {
    const member = FEATURE_MEMBER[action];
    if (member === undefined) return true;
    const value = members[member];
    return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
  });
}

function expand(actions: readonly string[], resources: readonly string[]): AccessCheck[] {
  return [...new Set(actions)].flatMap((action) => resources.map((resource) => ({ action, resource })));
}

/** The ARN partition of a region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
