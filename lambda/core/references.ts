import { intrinsicOf, isPlainObject } from './template';

/** Static analysis of a template: the references in its values, for the dependency graph (nothing is evaluated). */

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
