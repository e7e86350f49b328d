import * as fs from 'fs';
import { findCycle } from '../../cli/graph';
import { collectReferences, evaluateConditions, resolveParameters, StackEnvironment, TemplateError } from './intrinsics';
import { isCustomResourceType, nativeType } from './native';
import { StackState } from './state';
import { StackArtifact } from '../../cli/synth';

/**
 * Planning a deployment: the template validated as CloudFormation does before it changes
 * anything, with the resources it includes (by their conditions), their dependencies in
 * order, and the parameter and condition values.
 */

export interface Plan {
  readonly desired: string[];
  readonly deps: Map<string, string[]>;
  readonly attributeRefs: Map<string, Set<string>>;
  readonly parameters: Record<string, unknown>;
  readonly conditions: Record<string, boolean>;
}

/** CloudFormation's largest template body, from S3 (`cdk deploy` uploads any template over 50 KB there): 1 MB. */
export const MAX_TEMPLATE_BYTES = 1_048_576;
/** CloudFormation's most resources in one template. */
export const MAX_RESOURCES = 500;

/** Template validation, as CloudFormation does before it changes anything. */
export function planDeployment(stack: StackArtifact, env: StackEnvironment, prev: StackState | undefined, given: Readonly<Record<string, string>>): Plan {
  const template = stack.template;
  const resources = template.Resources ?? {};
  checkLimits(stack);
  const parameters = resolveParameters(template, parametersFor(given, stack.stackName));
  const conditions = evaluateConditions(template, env, parameters);
  const included = (condition: string | undefined, where: string) => {
    if (condition === undefined) return true;
    if (!(condition in conditions)) throw new TemplateError(`Template format error: ${where} refers to the unknown condition ${condition}`);
    return conditions[condition];
  };
  const desired = Object.keys(resources).filter((id) => included(resources[id].Condition, `resource ${id}`));
  const desiredSet = new Set(desired);
  const deps = new Map<string, string[]>();
  const attributeRefs = new Map<string, Set<string>>();
  const unresolved = new Set<string>();
  const noteRefs = (value: unknown, owner?: string) => {
    for (const reference of collectReferences(value)) {
      if (reference.target in parameters) continue;
      if (!(reference.target in resources)) {
        unresolved.add(reference.target);
        continue;
      }
      if (!desiredSet.has(reference.target)) continue; // only in a branch of Fn::If that is not taken
      if (owner) deps.get(owner)?.push(reference.target);
      if (reference.attribute) {
        const set = attributeRefs.get(reference.target) ?? new Set<string>();
        set.add(reference.attribute);
        attributeRefs.set(reference.target, set);
      }
    }
  };
  for (const id of desired) {
    deps.set(id, []);
    const def = resources[id];
    noteRefs(def.Properties, id);
    for (const target of def.DependsOn === undefined ? [] : ([] as string[]).concat(def.DependsOn)) {
      if (!(target in resources)) unresolved.add(target);
      else if (!desiredSet.has(target)) throw new TemplateError(`Template format error: ${id} DependsOn ${target}, which its condition leaves out`);
      else deps.get(id)?.push(target);
    }
    deps.set(id, [...new Set(deps.get(id))].filter((d) => d !== id));
  }
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    if (included(output.Condition, `output ${name}`)) noteRefs([output.Value, output.Export?.Name]);
  }
  if (unresolved.size > 0) throw new TemplateError(`Template format error: Unresolved resource dependencies [${[...unresolved].join(', ')}] in the Resources block of the template`);
  const changedType = desired.filter((id) => prev?.resources[id] && prev.resources[id].type !== resources[id].Type);
  if (changedType.length > 0) {
    throw new TemplateError(`Update of resource type is not permitted. The new template modifies resource type of the following resources: [${changedType.join(', ')}]`);
  }
  for (const [target, attributes] of attributeRefs) {
    const type = resources[target].Type;
    if (isCustomResourceType(type)) continue;
    const known = nativeType(type).attributes;
    const bad = known ? [...attributes].filter((a) => !known.includes(a)) : [];
    if (bad.length > 0) throw new TemplateError(`Template error: resource ${target} does not support attribute type ${bad[0]} in Fn::GetAtt`);
  }
  const cycle = findCycle(desired, (id) => deps.get(id) ?? []);
  if (cycle) throw new TemplateError(`Circular dependency between resources: [${cycle.join(', ')}]`);
  return { desired, deps, attributeRefs, parameters, conditions };
}

/** The template quotas CloudFormation refuses a template over, with the stack's name and the figure. */
function checkLimits(stack: StackArtifact): void {
  const bytes = fs.existsSync(stack.templateFile) ? fs.statSync(stack.templateFile).size : Buffer.byteLength(JSON.stringify(stack.template));
  if (bytes > MAX_TEMPLATE_BYTES) {
    throw new TemplateError(
      `Template may not exceed ${MAX_TEMPLATE_BYTES} bytes in size: the template of stack ${stack.stackName} is ${bytes.toLocaleString('en-US')} bytes ` +
        `(CloudFormation's limit for a template from S3 is 1 MB, ${MAX_TEMPLATE_BYTES.toLocaleString('en-US')} bytes); split the stack, or move large values into assets`,
    );
  }
  const count = Object.keys(stack.template.Resources ?? {}).length;
  if (count > MAX_RESOURCES) {
    throw new TemplateError(`Template format error: Number of resources, ${count}, is greater than maximum allowed, ${MAX_RESOURCES} (stack ${stack.stackName}); split the stack`);
  }
}

function parametersFor(given: Readonly<Record<string, string>>, stackName: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(given)) {
    const colon = key.indexOf(':');
    if (colon < 0) out[key] = value;
    else if (key.slice(0, colon) === stackName) out[key.slice(colon + 1)] = value;
  }
  return out;
}
