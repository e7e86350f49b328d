/**
 * CloudFormation template evaluation, shared by the local runner and the drift check: parameters, conditions, the
 * intrinsic functions our constructs (and CDK) emit, static reference analysis for the
 * dependency graph, and the stringification CloudFormation applies to custom resource
 * properties.
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

export const PSEUDO_PARAMETERS = [
  'AWS::AccountId',
  'AWS::Region',
  'AWS::Partition',
  'AWS::StackName',
  'AWS::StackId',
  'AWS::URLSuffix',
  'AWS::NoValue',
  'AWS::NotificationARNs',
] as const;

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function urlSuffixOf(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

function pseudo(name: string, env: StackEnvironment): unknown {
  switch (name) {
    case 'AWS::AccountId':
      return env.account;
    case 'AWS::Region':
      return env.region;
    case 'AWS::Partition':
      return partitionOf(env.region);
    case 'AWS::StackName':
      return env.stackName;
    case 'AWS::StackId':
      return env.stackId;
    case 'AWS::URLSuffix':
      return urlSuffixOf(env.region);
    case 'AWS::NoValue':
      return NO_VALUE;
    case 'AWS::NotificationARNs':
      return [];
    default:
      return undefined;
  }
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

/**
 * Parameter values: an explicit value, else the default. CDK's `BootstrapVersion`
 * (an SSM parameter type) keeps its default, the parameter name: nothing reads SSM locally.
 */
export function resolveParameters(template: Template, given: Readonly<Record<string, string>> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    const raw = given[name] ?? (parameter.Default === undefined ? undefined : String(parameter.Default));
    if (raw === undefined) {
      missing.push(name);
      continue;
    }
    const type = parameter.Type ?? 'String';
    out[name] = type === 'CommaDelimitedList' || type.startsWith('List<') ? raw.split(',').map((s) => s.trim()) : raw;
  }
  if (missing.length > 0) throw new TemplateError(`Parameters: [${missing.join(', ')}] must have values`);
  return out;
}

/** Evaluates the template's `Conditions` (they may refer to parameters and to each other). */
export function evaluateConditions(template: Template, env: StackEnvironment, parameters: Readonly<Record<string, unknown>>): Record<string, boolean> {
  const definitions = template.Conditions ?? {};
  const values: Record<string, boolean> = {};
  const evaluating = new Set<string>();
  const ctx: EvaluationContext = {
    ...env,
    parameters,
    conditions: new Proxy(values, {
      get: (_target, name) => (typeof name === 'string' ? condition(name) : undefined),
    }),
    mappings: template.Mappings,
    resource: () => undefined,
    importValue: () => undefined,
  };

  function condition(name: string): boolean {
    if (name in values) return values[name];
    if (!(name in definitions)) throw new TemplateError(`Template format error: Unresolved condition dependency ${name}`);
    if (evaluating.has(name)) throw new TemplateError(`Circular dependency between conditions: [${[...evaluating, name].join(', ')}]`);
    evaluating.add(name);
    try {
      values[name] = conditionValue(definitions[name], ctx, `Conditions.${name}`);
    } finally {
      evaluating.delete(name);
    }
    return values[name];
  }

  for (const name of Object.keys(definitions)) condition(name);
  return values;
}

function conditionValue(value: unknown, ctx: EvaluationContext, path: string): boolean {
  if (isPlainObject(value) && Object.keys(value).length === 1 && typeof value.Condition === 'string') {
    return ctx.conditions[value.Condition];
  }
  const fn = intrinsicOf(value);
  if (!fn) {
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new TemplateError(`${path}: a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or {"Condition": name}`);
  }
  const list = (n: number | undefined) => {
    if (!Array.isArray(fn.arg) || (n !== undefined && fn.arg.length !== n)) throw new TemplateError(`${path}: ${fn.name} takes a list${n ? ` of ${n}` : ''}`);
    return fn.arg as unknown[];
  };
  switch (fn.name) {
    case 'Fn::Equals': {
      const [a, b] = list(2).map((v, i) => resolveValue(v, ctx, `${path}.Fn::Equals[${i}]`));
      return canonicalJson(stringifyLeaves(a)) === canonicalJson(stringifyLeaves(b));
    }
    case 'Fn::Not':
      return !conditionValue(list(1)[0], ctx, `${path}.Fn::Not[0]`);
    case 'Fn::And':
      return list(undefined).every((c, i) => conditionValue(c, ctx, `${path}.Fn::And[${i}]`));
    case 'Fn::Or':
      return list(undefined).some((c, i) => conditionValue(c, ctx, `${path}.Fn::Or[${i}]`));
    default: {
      const resolved = resolveValue(value, ctx, path);
      if (resolved === true || resolved === 'true') return true;
      if (resolved === false || resolved === 'false') return false;
      throw new TemplateError(`${path}: ${fn.name} does not give a condition`);
    }
  }
}

/**
 * Resolves every intrinsic function in `value`. `AWS::NoValue` removes the enclosing key
 * (or list item); at the top level it comes back as `NO_VALUE`.
 */
export function resolveValue(value: unknown, ctx: EvaluationContext, path = ''): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const resolved = resolveValue(item, ctx, `${path}[${i}]`);
      if (resolved !== NO_VALUE) out.push(resolved);
    });
    return out;
  }
  if (!isPlainObject(value)) return value;
  const fn = intrinsicOf(value);
  if (fn) return intrinsic(fn.name, fn.arg, ctx, path);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const resolved = resolveValue(item, ctx, path ? `${path}.${key}` : key);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function intrinsic(name: string, arg: unknown, ctx: EvaluationContext, path: string): unknown {
  const at = `${path ? `${path}: ` : ''}${name}`;
  const args = (n?: number): unknown[] => {
    if (!Array.isArray(arg) || (n !== undefined && arg.length !== n)) throw new TemplateError(`${at} takes a list${n ? ` of ${n} items` : ''}`);
    return arg;
  };
  const str = (v: unknown, what: string): string => {
    const resolved = resolveValue(v, ctx, path);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new TemplateError(`${at}: ${what} must be a string, not ${describe(resolved)}`);
  };
  const list = (v: unknown, what: string): unknown[] => {
    const resolved = resolveValue(v, ctx, path);
    if (!Array.isArray(resolved)) throw new TemplateError(`${at}: ${what} must be a list, not ${describe(resolved)}`);
    return resolved;
  };

  switch (name) {
    case 'Ref': {
      if (typeof arg !== 'string') throw new TemplateError(`${at} takes a name`);
      return ref(arg, ctx, at);
    }
    case 'Fn::GetAtt': {
      let logicalId: string;
      let attribute: unknown;
      if (typeof arg === 'string') {
        const dot = arg.indexOf('.');
        if (dot < 0) throw new TemplateError(`${at}: "${arg}" must be "LogicalId.Attribute"`);
        logicalId = arg.slice(0, dot);
        attribute = arg.slice(dot + 1);
      } else {
        const [id, attr] = args(2);
        if (typeof id !== 'string') throw new TemplateError(`${at}: the logical id must be a string`);
        logicalId = id;
        attribute = attr;
      }
      return getAtt(logicalId, str(attribute, 'the attribute name'), ctx, at);
    }
    case 'Fn::Join': {
      const [delimiter, items] = args(2);
      const sep = str(delimiter, 'the delimiter');
      return list(items, 'the list').map((item, i) => {
        if (typeof item === 'string') return item;
        if (typeof item === 'number' || typeof item === 'boolean') return String(item);
        throw new TemplateError(`${at}: item ${i} must be a string, not ${describe(item)}`);
      }).join(sep);
    }
    case 'Fn::Sub': {
      const [template, variables] = typeof arg === 'string' ? [arg, {}] : args(2);
      if (typeof template !== 'string') throw new TemplateError(`${at}: the template must be a string`);
      if (!isPlainObject(variables)) throw new TemplateError(`${at}: the variables must be an object`);
      const vars: Record<string, string> = {};
      for (const [key, v] of Object.entries(variables)) vars[key] = str(v, `variable ${key}`);
      return template.replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
        if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
        const nameInSub = inner.trim();
        if (nameInSub in vars) return vars[nameInSub];
        const value = nameInSub.includes('.') && !nameInSub.startsWith('AWS::')
          ? getAtt(nameInSub.slice(0, nameInSub.indexOf('.')), nameInSub.slice(nameInSub.indexOf('.') + 1), ctx, at)
          : ref(nameInSub, ctx, at);
        if (typeof value === 'string') return value;
        if (typeof value === 'number' || typeof value === 'boolean') return String(value);
        throw new TemplateError(`${at}: \${${nameInSub}} is ${describe(value)}, not a string`);
      });
    }
    case 'Fn::Select': {
      const [index, items] = args(2);
      const i = Number(str(index, 'the index'));
      const resolved = list(items, 'the list');
      if (!Number.isInteger(i) || i < 0 || i >= resolved.length) {
        throw new TemplateError(`${at}: index ${i} is out of bounds for a list of ${resolved.length}`);
      }
      return resolved[i];
    }
    case 'Fn::Split': {
      const [delimiter, source] = args(2);
      return str(source, 'the source').split(str(delimiter, 'the delimiter'));
    }
    case 'Fn::If': {
      const [conditionName, whenTrue, whenFalse] = args(3);
      if (typeof conditionName !== 'string') throw new TemplateError(`${at}: the condition name must be a string`);
      if (ctx.conditions[conditionName] === undefined) throw new TemplateError(`${at}: unknown condition ${conditionName}`);
      return resolveValue(ctx.conditions[conditionName] ? whenTrue : whenFalse, ctx, path);
    }
    case 'Fn::Equals':
    case 'Fn::Not':
    case 'Fn::And':
    case 'Fn::Or':
      return conditionValue({ [name]: arg }, ctx, path);
    case 'Fn::GetAZs': {
      const region = str(arg ?? '', 'the region') || ctx.region;
      return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
    }
    case 'Fn::Base64':
      return Buffer.from(str(arg, 'the value'), 'utf8').toString('base64');
    case 'Fn::FindInMap': {
      const [map, top, second] = args(3);
      const mapName = str(map, 'the map name');
      const topKey = str(top, 'the top-level key');
      const secondKey = str(second, 'the second-level key');
      const found = ctx.mappings?.[mapName]?.[topKey]?.[secondKey];
      if (found === undefined) throw new TemplateError(`${at}: the mapping ${mapName} has no ${topKey}.${secondKey}`);
      return resolveValue(found, ctx, path);
    }
    case 'Fn::ImportValue': {
      const exportName = str(arg, 'the export name');
      const value = ctx.importValue(exportName);
      if (value === undefined) throw new TemplateError(`No export named ${exportName} found`);
      return value;
    }
    case 'Fn::Length':
      return list(arg, 'the argument').length;
    case 'Fn::ToJsonString':
      return JSON.stringify(resolveValue(arg, ctx, path));
    default:
      throw new TemplateError(`${at}: the local runner does not implement this intrinsic function`);
  }
}

function ref(name: string, ctx: EvaluationContext, at: string): unknown {
  if (name.startsWith('AWS::')) {
    const value = pseudo(name, ctx);
    if (value === undefined) throw new TemplateError(`${at}: unknown pseudo parameter ${name}`);
    return value;
  }
  if (name in ctx.parameters) return ctx.parameters[name];
  const resource = ctx.resource(name);
  if (!resource) throw new TemplateError(`${at}: unresolved reference to ${name}`);
  return resource.ref;
}

function getAtt(logicalId: string, attribute: string, ctx: EvaluationContext, at: string): unknown {
  const resource = ctx.resource(logicalId);
  if (!resource) throw new TemplateError(`${at}: unresolved reference to ${logicalId}`);
  return resource.attribute(attribute);
}

function describe(value: unknown): string {
  if (value === NO_VALUE) return 'AWS::NoValue';
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

// ---------------------------------------------------------------------------------------
// Static analysis

/** A reference found in a template value: `Ref`, `Fn::GetAtt` or a `${...}` in `Fn::Sub`. */
export interface Reference {
  readonly target: string;
  /** Set for `Fn::GetAtt` (and `${X.Attr}`). */
  readonly attribute?: string;
}

/** Every reference in `value` to something that is not a pseudo parameter. */
export function collectReferences(value: unknown, out: Reference[] = []): Reference[] {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, out);
    return out;
  }
  if (!isPlainObject(value)) return out;
  const fn = intrinsicOf(value);
  if (!fn) {
    for (const item of Object.values(value)) collectReferences(item, out);
    return out;
  }
  switch (fn.name) {
    case 'Ref':
      if (typeof fn.arg === 'string' && !fn.arg.startsWith('AWS::')) out.push({ target: fn.arg });
      break;
    case 'Fn::GetAtt':
      if (typeof fn.arg === 'string' && fn.arg.includes('.')) {
        out.push({ target: fn.arg.slice(0, fn.arg.indexOf('.')), attribute: fn.arg.slice(fn.arg.indexOf('.') + 1) });
      } else if (Array.isArray(fn.arg) && typeof fn.arg[0] === 'string') {
        out.push({ target: fn.arg[0], attribute: typeof fn.arg[1] === 'string' ? fn.arg[1] : undefined });
        collectReferences(fn.arg[1], out);
      }
      break;
    case 'Fn::Sub': {
      const [template, variables] = typeof fn.arg === 'string' ? [fn.arg, {}] : Array.isArray(fn.arg) ? fn.arg : [undefined, {}];
      const local = isPlainObject(variables) ? new Set(Object.keys(variables)) : new Set<string>();
      if (typeof template === 'string') {
        for (const match of template.matchAll(/\$\{([^}]*)\}/g)) {
          const inner = match[1].trim();
          if (inner.startsWith('!') || local.has(inner) || inner.startsWith('AWS::')) continue;
          const dot = inner.indexOf('.');
          out.push(dot < 0 ? { target: inner } : { target: inner.slice(0, dot), attribute: inner.slice(dot + 1) });
        }
      }
      collectReferences(variables, out);
      break;
    }
    default:
      collectReferences(fn.arg, out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Values

/**
 * CloudFormation hands custom resource properties to the provider with every leaf value
 * as a string: numbers and booleans become strings, in nested lists and objects too.
 * `null` members of objects are left out.
 */
export function stringifyLeaves(value: unknown): unknown {
  if (value === null || value === undefined || value === NO_VALUE) return undefined;
  if (Array.isArray(value)) return value.map(stringifyLeaves);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const s = stringifyLeaves(item);
      if (s !== undefined) out[key] = s;
    }
    return out;
  }
  return String(value);
}

/** JSON with object keys sorted, for comparing resolved properties. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
}
