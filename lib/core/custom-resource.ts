import { Annotations, CfnResource, CustomResource, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SERVICE_TIMEOUT, WickrChimeProvider } from './provider';
import { ADOPT_BY_DECLARATION, ADOPT_CONTEXT, ADOPT_PROPERTY } from '../../lambda/core/ownership.wire';
import { RECREATE_CONTEXT, RECREATE_PROPERTY } from '../../lambda/drift/recreate.wire';

/** IAM actions a construct's handler calls, and on which resources. */
export interface ProviderGrant {
  readonly actions: string[];
  readonly resources: string[];
}

/** What a construct of this library declares about its custom resource. */
export interface ProviderResourceOptions {
  /** `Custom::WickrNetwork` etc., from the resource's wire contract. */
  readonly resourceType: string;
  /** Wire keys to values. `undefined` values are left out of the template. */
  readonly properties: Record<string, unknown>;
  readonly removalPolicy: RemovalPolicy;
  /** Exactly the actions the handler calls for this resource. */
  readonly grants: ProviderGrant[];
}

/**
 * The custom resource behind one of our constructs: served by the stack's single
 * provider function, with `ServiceTimeout` set so a lost answer never leaves
 * CloudFormation waiting for the default hour.
 */
export function createProviderResource(scope: Construct, id: string, options: ProviderResourceOptions): CustomResource {
  const provider = WickrChimeProvider.of(scope);
  for (const grant of options.grants) provider.grant(grant.actions, grant.resources);
  let cfn: CfnResource | undefined;
  const recreate = Lazy.any({ produce: () => (cfn && namedBy(cfn, RECREATE_CONTEXT) !== undefined ? 'missing' : undefined) });
  const adopt = Lazy.any({ produce: () => (cfn ? namedBy(cfn, ADOPT_CONTEXT) : undefined) });
  const resource = new CustomResource(scope, id, {
    serviceToken: provider.serviceToken,
    resourceType: options.resourceType,
    properties: { ...withoutUndefined(options.properties), [RECREATE_PROPERTY]: recreate, [ADOPT_PROPERTY]: adopt },
    removalPolicy: options.removalPolicy,
    serviceTimeout: SERVICE_TIMEOUT,
  });
  cfn = resource.node.defaultChild as CfnResource;
  provider.bind(cfn);
  warnIfRetained(scope, options.removalPolicy);
  return resource;
}

/**
 * `RETAIN` keeps what a failed first create made: CloudFormation sends no Delete for it, and
 * the provider removes a failed create's leftovers only on that Delete (removing them
 * earlier could remove what a duplicate delivery of the same request answered SUCCESS
 * for). `RETAIN_ON_UPDATE_OR_DELETE` keeps the resource as `RETAIN` does otherwise.
 */
export function warnIfRetained(scope: Construct, policy: RemovalPolicy): void {
  if (policy !== RemovalPolicy.RETAIN) return;
  Annotations.of(scope).addWarningV2(
    'cdk-wickr-chime:retain-keeps-failed-create',
    `${scope.node.path}: removalPolicy RETAIN also keeps whatever a failed first create made (CloudFormation sends no Delete for it); RETAIN_ON_UPDATE_OR_DELETE keeps the resource on update and delete and removes what a failed create made`,
  );
}

/**
 * What a context of the form `NAME[=ID],...` says of this resource: undefined when no entry
 * names it, else the `ID` of the first entry that does (or `declared` when it gives none).
 * `NAME` is a logical id, the path of the resource's construct or of any construct above it,
 * or `*`.
 *
 * - `cdk-wickr-chime:recreate`: the resource carries `RecreateIfMissing`, CloudFormation sends
 *   it an Update, and what was deleted outside the stack is created again (see
 *   `lambda/drift/recreate.wire.ts`).
 * - `cdk-wickr-chime:adopt`: the resource carries `AdoptExisting`, and its create takes over
 *   the thing it declares when it exists (see `lambda/core/ownership.wire.ts`). Like
 *   `RecreateIfMissing`, the property leaves the template with the context: the next deploy
 *   without it sends an Update that changes nothing.
 */
function namedBy(cfn: CfnResource, context: string): string | undefined {
  const asked = cfn.node.tryGetContext(context);
  if (asked === undefined || asked === null || asked === '') return undefined;
  const logicalId = Stack.of(cfn).resolve(cfn.logicalId) as string;
  const paths = new Set(cfn.node.scopes.map((scope) => scope.node.path));
  for (const entry of String(asked).split(',').map((n) => n.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const [name, id] = eq > 0 ? [entry.slice(0, eq), entry.slice(eq + 1)] : [entry, ''];
    if (name === '*' || name === logicalId || paths.has(name)) return id || ADOPT_BY_DECLARATION;
  }
  return undefined;
}

function withoutUndefined(properties: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (value === undefined) continue;
    out[key] = value && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype
      ? withoutUndefined(value as Record<string, unknown>)
      : value;
  }
  return out;
}
