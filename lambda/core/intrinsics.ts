import { pseudo } from './parameters';
import { canonicalJson, stringifyLeaves } from './property-values';
import { EvaluationContext, intrinsicOf, isPlainObject, NO_VALUE, StackEnvironment, Template, TemplateError } from './template';

/**
 * Template evaluation: the `Conditions`, and every intrinsic function in a value (`Ref`,
 * `Fn::GetAtt`, `Fn::Sub`, the condition functions, ...) resolved against an
 * `EvaluationContext`.
 */

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
