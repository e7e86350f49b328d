import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import facts from '../../models/iam-actions.json';
import { anyAppInstanceArn } from '../chime/arns';
import { anyNetworkArn } from '../wickr/arns';
import { USERS_FILE_ASSET_PREFIX } from '../../lambda/wickr/users.wire';

/**
 * cdk-nag findings on the library's own resources (the provider function, its role's
 * policy, the data retention bot's secret) that are design choices, each acknowledged with
 * its reason, so a user running `AwsSolutionsChecks` or `ServerlessChecks` need not.
 * aws-cdk-lib's `Validations.of(scope).acknowledge()` records them as construct metadata
 * (`aws:cdk:acknowledged-rules`), which cdk-nag 3 reads on a resource and its ancestors (and
 * copies into the template as `cdk_nag` metadata with `writeSuppressionsToCloudFormation`):
 * the library does not depend on cdk-nag.
 */

/**
 * Acknowledges a rule, or one finding of it (`Rule[finding]`), on `scope` and everything under
 * it, once per id, for both cdk-nag majors with the same reason: cdk-nag 3 reads
 * `Validations.acknowledge` on a resource and its ancestors; cdk-nag 2 reads the `cdk_nag`
 * metadata of each CloudFormation resource (`rules_to_suppress`, a finding as `applies_to`),
 * written here on the resources under `scope` that exist now.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  const done = scope.node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && Object.keys(m.data ?? {}).some((k) => k.replace(/^annotation::/i, '') === id));
  if (done) return;
  Validations.of(scope).acknowledge({ id, reason });
  const [, rule, finding] = /^([^[]+)(?:\[(.*)\])?$/.exec(id) ?? [id, id, undefined];
  for (const resource of scope.node.findAll().filter(CfnResource.isCfnResource)) suppressForNag2(resource, rule, finding, reason);
}

/** One entry of cdk-nag 2's `rules_to_suppress` on a resource; findings of one rule and reason share an entry. */
interface Nag2Suppression {
  readonly id: string;
  readonly reason: string;
  readonly applies_to?: string[];
}

function suppressForNag2(resource: CfnResource, rule: string, finding: string | undefined, reason: string): void {
  const rules: Nag2Suppression[] = [...((resource.getMetadata('cdk_nag') as { rules_to_suppress?: Nag2Suppression[] } | undefined)?.rules_to_suppress ?? [])];
  const same = rules.findIndex((r) => r.id === rule && r.reason === reason);
  if (same < 0) rules.push(finding === undefined ? { id: rule, reason } : { id: rule, reason, applies_to: [finding] });
  else if (finding !== undefined && rules[same].applies_to && !rules[same].applies_to!.includes(finding)) {
    rules[same] = { ...rules[same], applies_to: [...rules[same].applies_to!, finding] };
  }
  resource.addMetadata('cdk_nag', { rules_to_suppress: rules });
}

/** The actions that support no resource type (the IAM facts list none): IAM grants them on `*` only. */
const UNSCOPABLE_ACTIONS: ReadonlySet<string> = new Set(
  Object.values((facts as unknown as { services: Record<string, { operations: Record<string, { actions: string[]; resourceTypes: string[] }> }> }).services)
    .flatMap((service) => Object.values(service.operations))
    .filter((operation) => operation.resourceTypes.length === 0)
    .map((operation) => operation.actions[0]),
);

const REASONS = {
  anywhere:
    `The provider's only actions on "*" are those of ${[...UNSCOPABLE_ACTIONS].sort().join(', ')} that the stack's constructs call: ` +
    'the Service Authorization Reference lists no resource type for them, so IAM cannot scope them; every other action of the provider names its resources.',
  networks:
    'A Wickr network id is assigned by CreateNetwork, so the policy cannot name a network the stack makes; and CloudFormation updates this policy before the resources, ' +
    "while the cleanup Delete of a resource moved to another network and the rollback of a failed move call in the old network: network actions are granted on the account's networks in this region, not on one network.",
  appInstances:
    'Chime app instance ARNs (and the user, bot and admin ARNs under them) carry ids the service assigns at creation, and CloudFormation updates this policy before the resources: ' +
    "the cleanup Delete of a user or bot moved to another app instance calls in the old one, so Chime actions are granted on the account's app instances in this region, not on one.",
  stackClaims:
    "cloudformation:DescribeStackResources only, on the account's stacks in this region: the provider asks which stack claims a physical id (a lookup by PhysicalResourceId, " +
    'which names no stack), so that it never changes or deletes what another stack owns; it reads resource descriptions, nothing more.',
  usersFiles:
    `s3:GetObject only (no listing, no bucket action), on the CDK assets bucket's users files (keys starting with ${USERS_FILE_ASSET_PREFIX}, which only WickrUsers stages) ` +
    'rather than one key: an update of WickrUsers reads the previous users file as well as the new one, and CloudFormation updates this policy (to the new key) ' +
    'before it updates the resource; a rollback reads both again. Other objects of the bucket (other stacks\' assets) stay out of reach.',
};

/**
 * Acknowledges the IAM5 finding of each wildcard resource in a grant of the provider's
 * role, when the wildcard is one of the library's deliberate ones; any other wildcard stays
 * a finding. The finding's id is the resource as cdk-nag prints it (see `flatten`).
 */
export function acknowledgeWildcards(role: IConstruct, actions: readonly string[], resources: readonly string[]): void {
  const stack = Stack.of(role);
  const flat = (value: string) => flatten(stack.resolve(value));
  for (const resource of resources) {
    const finding = flat(resource);
    if (!finding.includes('*')) continue;
    let reason: string | undefined;
    if (finding === '*') reason = actions.every((a) => UNSCOPABLE_ACTIONS.has(a)) ? REASONS.anywhere : undefined;
    else if (finding === flat(anyNetworkArn(stack))) reason = actions.every((a) => a.startsWith('wickr:')) ? REASONS.networks : undefined;
    else if (finding === flat(stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: '*' }))) {
      reason = actions.length === 1 && actions[0] === 'cloudformation:DescribeStackResources' ? REASONS.stackClaims : undefined;
    } else if (finding === flat(anyAppInstanceArn(stack))) reason = actions.every((a) => a.startsWith('chime:')) ? REASONS.appInstances : undefined;
    else if (actions.length === 1 && actions[0] === 's3:GetObject' && finding.startsWith('arn:') && finding.includes(`/${USERS_FILE_ASSET_PREFIX}*`)) {
      reason = REASONS.usersFiles;
    }
    if (reason) acknowledge(role, `AwsSolutions-IAM5[Resource::${finding}]`, reason);
  }
}

/** Acknowledges the dead-letter queue finding on the drift monitor's schedule rule. */
export function acknowledgeDriftSchedule(rule: IConstruct): void {
  acknowledge(
    rule,
    'Serverless-EventBusDLQ',
    'The rule only starts a drift sweep on a schedule: a sweep that EventBridge could not deliver is not worth replaying from a queue, since the next ' +
      'scheduled sweep reads the whole stack again.',
  );
}

/** Acknowledges the findings on the drift monitor's sweeper function. */
export function acknowledgeSweeper(fn: IConstruct): void {
  acknowledge(fn, 'Serverless-LambdaDLQ', 'The function only reads, on a schedule: a sweep that failed is not worth replaying from a queue, since the next scheduled sweep reads the whole stack again.');
  acknowledge(
    fn,
    'Serverless-LambdaTracing',
    'The handler bundle carries no X-Ray SDK instrumentation, so active tracing would record only the invocation itself; every service call it makes is logged instead, as one structured JSON line.',
  );
}

/** Acknowledges the findings on the provider function that follow from its being a custom resource provider. */
export function acknowledgeProviderFunction(fn: IConstruct): void {
  acknowledge(
    fn,
    'Serverless-LambdaDLQ',
    'CloudFormation waits for the answer PUT to the ResponseURL, not for the invocation: an event that fails every Lambda retry fails its resource when the ServiceTimeout ' +
      '(11 minutes) ends, and replaying it later from a queue could not answer a request CloudFormation has given up on; the events also carry a pre-signed ResponseURL ' +
      'that should not be kept. A missed drift sweep is repeated by the next scheduled one.',
  );
  acknowledge(
    fn,
    'Serverless-LambdaTracing',
    'The handler bundle carries no X-Ray SDK instrumentation, so active tracing would record only the invocation itself; every service call the handler makes is logged instead, ' +
      'as one structured JSON line ("api call") with its service, operation, status, attempts and duration.',
  );
}

/**
 * A resolved CloudFormation value as cdk-nag prints it in a finding's id (cdk-nag's
 * `flattenCfnReference`): `Fn::Join` joined, `Ref` as `<Name>`, `Fn::GetAtt` as
 * `<Resource.Attribute>`, `${X}` in `Fn::Sub` as `<X>`.
 */
export function flatten(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\${/g, '<').replace(/}/g, '>');
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (node['Fn::Sub']) return flatten(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return flatten(node['Fn::ImportValue']);
  if (node.Ref) return `<${flatten(node.Ref)}>`;
  return JSON.stringify(value);
}
