import { isRecord } from './protocol';

/**
 * Evaluation of identity-based policies, the part of IAM the emulator needs to authorize
 * a call made with a registered principal's credentials (see `principals.ts`,
 * `authorize.ts`):
 *
 * - A statement applies to a request (one action on one resource) when its `Action`
 *   matches the action (or its `NotAction` does not) and its `Resource` matches the
 *   resource (or its `NotResource` does not). Values are a string or a list of strings.
 * - Actions match case-insensitively, with `*` (any run of characters) and `?` (one
 *   character). Resources match case-sensitively, segment by segment: the six
 *   colon-separated parts of an ARN each match on their own (the sixth is the rest, colons
 *   included), as IAM compares ARNs; the pattern `*` alone matches every resource. A
 *   request whose resource is `*` (an action with no resource type, such as
 *   `wickr:ListNetworks`) is therefore granted only by a pattern that matches the string
 *   `*` (`*` itself), never by an ARN pattern such as `arn:aws:chime:...:app-instance/*`.
 * - An explicit Deny wins; otherwise an Allow is needed; otherwise the request is denied
 *   implicitly.
 * - What the emulator cannot evaluate: a `Condition` block, or a policy variable
 *   (`${aws:username}`) in a resource pattern. An Allow statement with one grants nothing
 *   (it is ignored): the emulator never allows what IAM might deny. A Deny statement with
 *   one is applied as if its condition held (and a variable in its `Resource` matched
 *   anything, in its `NotResource` nothing): conservative again, so a deployment that
 *   passes the emulator cannot be denied by that statement in AWS. (The price: a Deny
 *   whose condition would not hold in AWS still denies here. Write such policies so the
 *   emulator can read them, or leave the Deny out locally.)
 */

/** One statement of an identity-based policy, as IAM's policy grammar spells it. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, unknown>>;
}

/** The outcome for one action on one resource. */
export type Decision = 'allow' | 'implicit-deny' | 'explicit-deny';

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

/** Decides one action on one resource against a principal's statements. */
export function evaluate(statements: readonly PolicyStatement[], action: string, resource: string): Decision {
  let allowed = false;
  for (const statement of statements) {
    if (!applies(statement, action, resource)) continue;
    const unreadable = statement.Condition !== undefined || hasPolicyVariable(statement);
    if (statement.Effect === 'Deny') return 'explicit-deny'; // a Deny with a condition is applied: see above
    if (!unreadable) allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

/**
 * AWS's message for a denied call, e.g. `User: arn:aws:sts::123456789012:assumed-role/R/F
 * is not authorized to perform: wickr:GetNetwork on resource: arn:aws:wickr:...:network/1
 * because no identity-based policy allows the wickr:GetNetwork action`.
 */
export function denialMessage(principalArn: string, action: string, resource: string, decision: Exclude<Decision, 'allow'>): string {
  const because = decision === 'explicit-deny' ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`;
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${because}`;
}

/**
 * What is wrong with a list of statements (IAM's `MalformedPolicyDocument` rules that
 * matter here), or undefined when it is well formed. Identity-based policies name no
 * principal, so `Principal` and `NotPrincipal` are refused.
 */
export function checkStatements(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'statements must be a list of policy statements';
  for (const [index, statement] of value.entries()) {
    const where = `statement ${index}`;
    if (!isRecord(statement)) return `${where} must be an object`;
    const unknown = Object.keys(statement).filter((key) => !STATEMENT_KEYS.has(key));
    if (unknown.length > 0) return `${where} has the field ${unknown[0]}, which an identity-based policy statement cannot have (allowed: ${[...STATEMENT_KEYS].join(', ')})`;
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') return `${where}: Effect must be Allow or Deny, not ${JSON.stringify(statement.Effect)}`;
    for (const [a, b] of [
      ['Action', 'NotAction'],
      ['Resource', 'NotResource'],
    ]) {
      if ((statement[a] === undefined) === (statement[b] === undefined)) return `${where} must have exactly one of ${a} and ${b}`;
      const list = statement[a] ?? statement[b];
      const items: unknown[] = Array.isArray(list) ? list : [list];
      if (items.length === 0 || items.some((v) => typeof v !== 'string' || v === '')) return `${where}: ${statement[a] === undefined ? b : a} must be a non-empty string or a non-empty list of them`;
    }
    for (const action of values((statement.Action ?? statement.NotAction) as string | string[])) {
      if (action !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(action)) return `${where}: ${JSON.stringify(action)} is not an action (service:Action, or *)`;
    }
    if (statement.Condition !== undefined && !isRecord(statement.Condition)) return `${where}: Condition must be an object`;
    if (statement.Sid !== undefined && typeof statement.Sid !== 'string') return `${where}: Sid must be a string`;
  }
  return undefined;
}

/** `*` and `?` wildcards over the whole text. */
export function wildcardMatch(pattern: string, text: string, ignoreCase: boolean): boolean {
  return globRegExp(pattern, ignoreCase).test(text);
}

/** An ARN pattern against a resource, segment by segment (see the module comment). */
export function resourceMatch(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  const p = arnSegments(unescapeVariables(pattern));
  const r = arnSegments(resource);
  return p.length === r.length && p.every((segment, i) => wildcardMatch(segment, r[i], false));
}

function applies(statement: PolicyStatement, action: string, resource: string): boolean {
  const deny = statement.Effect === 'Deny';
  const actionHit = (patterns: string | readonly string[] | undefined) => values(patterns).some((p) => p === '*' || wildcardMatch(p, action, true));
  // A policy variable can take any value: in a Deny's Resource it matches anything, in its NotResource nothing (conservative).
  const resourceHit = (patterns: string | readonly string[] | undefined, variable: boolean) =>
    values(patterns).some((p) => (VARIABLE.test(p) ? variable : resourceMatch(p, resource)));
  const actionOk = statement.Action !== undefined ? actionHit(statement.Action) : !actionHit(statement.NotAction);
  const resourceOk = statement.Resource !== undefined ? resourceHit(statement.Resource, deny) : !resourceHit(statement.NotResource, false);
  return actionOk && resourceOk;
}

function values(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

/** `${aws:username}` and the like; `${*}`, `${?}` and `${$}` are escapes for the literal characters, not variables. */
const VARIABLE = /\$\{(?![*?$]\})[^}]*\}/;

function hasPolicyVariable(statement: PolicyStatement): boolean {
  return values(statement.Resource ?? statement.NotResource).some((p) => VARIABLE.test(p));
}

/** The escapes `${*}`, `${?}`, `${$}` stand for the literal characters; kept as private-use characters so they are not wildcards. */
function unescapeVariables(pattern: string): string {
  return pattern.replace(/\$\{\*\}/g, '\uE000').replace(/\$\{\?\}/g, '\uE001').replace(/\$\{\$\}/g, '$');
}

/** Up to six parts: `arn`, partition, service, region, account, and the rest (which may hold colons). */
function arnSegments(text: string): string[] {
  const parts = text.split(':');
  return parts.length <= 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

const cache = new Map<string, RegExp>();

function globRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = cache.get(key);
  if (!re) {
    const body = [...pattern]
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c === '\uE000' ? '\\*' : c === '\uE001' ? '\\?' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    if (cache.size > 5000) cache.clear();
    cache.set(key, re);
  }
  return re;
}
