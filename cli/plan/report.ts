import { layout } from '../table';
import { PlanEntry } from './resource';

/** The plan of one stack. */
export interface StackPlan {
  readonly stackName: string;
  /** The deployed stack's id (absent: the deploy creates the stack). */
  readonly stackId?: string;
  readonly account: string;
  readonly region: string;
  /** The resources of this library, in the deploy's order. */
  readonly entries: readonly PlanEntry[];
  /** The stack's other resources (CloudFormation's own: the provider function, its role, ...), which `cdk diff` shows. */
  readonly others: number;
}

/** `plan --json`. */
export interface PlanDocument {
  readonly stacks: readonly StackPlan[];
  /** Reads the plan sent to the live services. */
  readonly reads: number;
  readonly exitCode: number;
}

/** The first changes shown on a resource's line (the JSON has them all). */
const SHOWN_CHANGES = 3;

/** 2 when a resource is BLOCKED (the deploy would fail), else 1 when any call would change something (or a create or replacement could not be counted), else 0. */
export function exitCodeOf(plans: readonly StackPlan[]): number {
  const entries = plans.flatMap((p) => p.entries);
  if (entries.some((e) => e.action === 'BLOCKED')) return 2;
  return entries.some((e) => (e.calls === undefined ? e.action !== 'NO CHANGE' && e.action !== 'RETAIN' : e.calls.length > 0)) ? 1 : 0;
}

/** What a line says after its calls: the changes live -> declared, the users' summary, or why. */
function details(entry: PlanEntry): string {
  const changes = entry.changes.slice(0, SHOWN_CHANGES).map((c) => `${c.path}: ${show(c.actual)} -> ${show(c.expected)}`);
  const more = entry.changes.length > SHOWN_CHANGES ? [`and ${entry.changes.length - SHOWN_CHANGES} more`] : [];
  const parts = [entry.summary, ...changes, ...more, entry.reason].filter((p): p is string => Boolean(p));
  if (entry.action === 'ADOPT' && entry.changes.length === 0 && !entry.summary) parts.unshift('matches the declaration');
  return parts.join('; ');
}

function show(value: unknown): string {
  return value === undefined ? '(unset)' : typeof value === 'string' ? value : JSON.stringify(value);
}

/** The plan as tables, one per stack, with the totals. */
export function renderPlan(plans: readonly StackPlan[], wide: boolean): string[] {
  const lines: string[] = [];
  for (const plan of plans) {
    lines.push(`${plan.stackName} (${plan.stackId ? 'deployed' : 'new stack'}; account ${plan.account}, ${plan.region})`);
    const rows = [['action', 'type', 'logical id', 'calls', 'details'], ...plan.entries.map((e) => [e.action, e.type, e.logicalId, e.calls === undefined ? '?' : String(e.calls.length), details(e)])];
    lines.push(...layout(rows, { wide, lastColumn: 40, underline: true }), '');
    if (plan.others > 0) lines.push(`${plan.others} other resource(s) of the stack are CloudFormation's own (the provider function, its role, ...): cdk diff shows those.`, '');
  }
  const entries = plans.flatMap((p) => p.entries);
  const count = (action: string) => entries.filter((e) => e.action === action).length;
  const calls = entries.reduce((sum, e) => sum + (e.calls?.length ?? 0), 0);
  const uncounted = entries.filter((e) => e.calls === undefined && e.action !== 'NO CHANGE' && e.action !== 'RETAIN').length;
  const totals = ['CREATE', 'ADOPT', 'UPDATE', 'REPLACE', 'DELETE', 'RETAIN', 'NO CHANGE', 'BLOCKED'].map((a) => `${count(a)} ${a.toLowerCase()}`).join(', ');
  lines.push(`${totals}; ${calls} call(s) that change something${uncounted > 0 ? ` (and ${uncounted} resource(s) not counted)` : ''}`);
  return lines;
}
