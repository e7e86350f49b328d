import { RECREATE_PROPERTY } from './recreate.wire';
import { ADOPT_PROPERTY } from '../core/ownership.wire';
import { evaluateConditions, resolveValue } from '../core/intrinsics';
import { partitionOf } from '../core/parameters';
import { EvaluationContext, isPlainObject, NO_VALUE, Template, TemplateError } from '../core/template';

/**
 * What a deployed stack declares for each of its resources: the template's properties
 * with the intrinsic functions our constructs emit resolved against the stack as it is
 * (`Ref` to a resource gives its physical id, parameters their deployed values, pseudo
 * parameters the stack's). A property that cannot be resolved from that (a `Fn::GetAtt`
 * of another service's resource, an import) is left out, and named, so that it is not
 * compared rather than compared wrongly.
 */

/** A deployed stack, as CloudFormation describes it. */
export interface DeployedStack {
  readonly stackName: string;
  readonly stackId: string;
  readonly region: string;
  readonly account: string;
  readonly template: Template;
  /** Parameter values as deployed. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly resources: ReadonlyArray<{ readonly logicalId: string; readonly type: string; readonly physicalId?: string; readonly status?: string }>;
  /** The account's exports by name, when read (`Fn::ImportValue`); unread, an import is not resolved. */
  readonly exports?: ReadonlyMap<string, string>;
}

export interface Declared {
  /** The resolved properties (`ServiceToken`, `ServiceTimeout`, `RecreateIfMissing` and `AdoptExisting` left out). */
  readonly properties: Record<string, unknown>;
  /** Properties that could not be resolved, with why. */
  readonly unresolved: Readonly<Record<string, string>>;
}

/** Attributes of other services' resources that follow from their physical id. */
const DERIVED_ATTRIBUTES: Readonly<Record<string, (stack: DeployedStack, physicalId: string) => string>> = {
  'AWS::KMS::Key.Arn': (s, id) => `arn:${partitionOf(s.region)}:kms:${s.region}:${s.account}:key/${id}`,
  'AWS::SecretsManager::Secret.Id': (_s, id) => id,
  'AWS::Lambda::Function.Arn': (s, id) => `arn:${partitionOf(s.region)}:lambda:${s.region}:${s.account}:function:${id}`,
};

export function declaredProperties(stack: DeployedStack, logicalId: string): Declared {
  const definition = stack.template.Resources?.[logicalId];
  if (!definition) throw new TemplateError(`the deployed template has no resource ${logicalId}`);
  const byId = new Map(stack.resources.map((r) => [r.logicalId, r]));
  const parameters = { ...stack.parameters };
  const env = { stackName: stack.stackName, stackId: stack.stackId, account: stack.account, region: stack.region };
  let conditions: Record<string, boolean> = {};
  try {
    conditions = evaluateConditions(stack.template, env, parameters);
  } catch {
    // conditions our constructs never emit; a property that needs one is reported unresolved below
  }
  const ctx: EvaluationContext = {
    ...env,
    parameters,
    conditions,
    mappings: stack.template.Mappings,
    importValue: (name) => stack.exports?.get(name),
    resource: (id) => {
      const r = byId.get(id);
      if (!r?.physicalId) return undefined;
      return {
        ref: r.physicalId,
        attribute: (name) => {
          const derive = DERIVED_ATTRIBUTES[`${r.type}.${name}`];
          if (!derive) throw new TemplateError(`Fn::GetAtt ${id}.${name} cannot be read back from the deployed stack`);
          return derive(stack, r.physicalId as string);
        },
      };
    },
  };
  const properties: Record<string, unknown> = {};
  const unresolved: Record<string, string> = {};
  for (const [key, value] of Object.entries(isPlainObject(definition.Properties) ? definition.Properties : {})) {
    if (key === 'ServiceToken' || key === 'ServiceTimeout' || key === RECREATE_PROPERTY || key === ADOPT_PROPERTY) continue;
    try {
      const resolved = resolveValue(value, ctx, key);
      if (resolved !== NO_VALUE) properties[key] = resolved;
    } catch (err) {
      unresolved[key] = err instanceof Error ? err.message : String(err);
    }
  }
  return { properties, unresolved };
}
