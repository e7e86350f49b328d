/**
 * CloudFormation templates, shared by the local runner and the drift check: the types of a
 * template and of the context it is evaluated in, and the shape of an intrinsic function.
 * Evaluating one is in `parameters.ts` (parameters, pseudo parameters), `intrinsics.ts`
 * (conditions and the intrinsic functions our constructs, and CDK, emit), `references.ts`
 * (static reference analysis for the dependency graph) and `property-values.ts` (the
 * stringification CloudFormation applies to custom resource properties, canonical JSON).
 */

/** A value that is not there (`Ref: AWS::NoValue`): dropped from the enclosing object or list. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A template or evaluation error; CloudFormation would reject the template or fail the resource. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

export interface TemplateParameter {
  readonly Type?: string;
  readonly Default?: unknown;
  readonly NoEcho?: boolean | string;
}

export interface TemplateOutput {
  readonly Value: unknown;
  readonly Condition?: string;
  readonly Export?: { readonly Name: unknown };
  readonly Description?: string;
}

export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Parameters?: Record<string, TemplateParameter>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Outputs?: Record<string, TemplateOutput>;
  readonly Rules?: unknown;
}

/** What `Ref` and `Fn::GetAtt` see of a resource. */
export interface ResourceView {
  /** The `Ref` value (the physical id). */
  readonly ref: string;
  /** An attribute; throws `TemplateError` when the resource has no such attribute. */
  attribute(name: string): unknown;
}

export interface StackEnvironment {
  readonly stackName: string;
  readonly stackId: string;
  readonly account: string;
  readonly region: string;
}

export interface EvaluationContext extends StackEnvironment {
  /** Resolved parameter values (CloudFormation hands parameters around as strings, lists for list types). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Evaluated conditions. */
  readonly conditions: Readonly<Record<string, boolean>>;
  readonly mappings: Template['Mappings'];
  /** A resource of the stack, or undefined when it is not (yet) there. */
  resource(logicalId: string): ResourceView | undefined;
  /** `Fn::ImportValue`. */
  importValue(name: string): string | undefined;
}

/** `{ "Ref": ... }` or `{ "Fn::...": ... }`: an object with exactly one key that names an intrinsic function. */
export function intrinsicOf(value: unknown): { name: string; arg: unknown } | undefined {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const name = keys[0];
  if (name === 'Ref' || name.startsWith('Fn::')) return { name, arg: value[name] };
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
