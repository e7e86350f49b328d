import { ResourceDrift } from '../../lambda/drift/compare';
import { shellWord } from '../command';
import { RECREATE_CONTEXT } from '../../lambda/drift/recreate.wire';
import { layout } from '../table';

/**
 * What the drift command prints: a progress line per resource as it is checked, then one
 * table (at most 120 columns on a terminal; `--wide`, or output that is not a terminal, is
 * not shortened) with a row per drifted property, or, with `--json`, one document for
 * pipelines. Values are the template's and the services' own; secrets are never read back,
 * and names of users are never shown.
 */

export interface StackReport {
  readonly stackName: string;
  readonly stackId?: string;
  readonly resources: readonly ResourceDrift[];
  /** Logical ids `--fix` repaired (and then found in sync). */
  readonly fixed?: readonly string[];
  /** Why a stack could not be checked at all. */
  readonly error?: string;
}

const SHOWN_DRIFTS = 10;
/** The columns the details keep on a 120-column line. */
const DETAILS_ROOM = 40;

export function progressLine(stackName: string, r: ResourceDrift): string {
  return `${stackName}  ${r.status.padEnd(11)}  ${r.logicalId}  ${r.type}${r.reason ? `  (${r.reason})` : ''}`;
}

/** The table of one run; `wide` keeps every value whole. */
export function renderTable(reports: readonly StackReport[], wide = false): string[] {
  const rows: string[][] = [];
  for (const report of reports) {
    if (report.error) rows.push([report.stackName, '', 'ERROR', report.error]);
    for (const r of report.resources) {
      const fixed = report.fixed?.includes(r.logicalId) ? ' (fixed)' : '';
      const first = [report.stackName, r.logicalId, r.type, `${r.status}${fixed}`];
      const details = detailsOf(r);
      rows.push([...first, details[0] ?? '']);
      for (const more of details.slice(1)) rows.push(['', '', '', '', more]);
    }
  }
  const header = ['stack', 'logical id', 'type', 'status', 'drift (path: expected -> actual)'];
  // The first four columns take at most 110 of the 120 columns (gaps included), and give up
  // room down to 12 each so that the details keep 40: a WickrUsers row's counts come first there.
  return layout([header, ...rows], { wide, caps: [16, 28, 36, 22], lastColumn: DETAILS_ROOM });
}

export function detailsOf(r: ResourceDrift): string[] {
  if (r.status === 'NOT_CHECKED') return [r.reason ?? ''];
  if (r.status === 'DELETED') return ['the resource is gone (see below: a deploy creates it again)'];
  const lines = r.summary ? [r.summary] : [];
  for (const d of r.drifts.slice(0, SHOWN_DRIFTS)) lines.push(`${d.path}: ${show(d.expected)} -> ${show(d.actual)}`);
  if (r.drifts.length > SHOWN_DRIFTS) lines.push(`... and ${r.drifts.length - SHOWN_DRIFTS} more (--json lists all)`);
  return lines;
}

function show(value: unknown): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}

/** Where the checked stacks live: an account (neither), or what deploy-local deployed into (`drift --endpoint` / `--state`). */
export interface StackPlace {
  readonly endpoint?: string;
  readonly state?: string;
}

/**
 * The way back for deleted resources: CloudFormation sends no request for a resource whose
 * template did not change, so the deploy names them in the `cdk-wickr-chime:recreate`
 * context (see `lambda/drift/recreate.wire.ts`), with the command that deployed the stack:
 * `cdk deploy` for an account, `deploy-local` (with the same emulator or state file) for a
 * stack deploy-local deployed. One line per stack, or nothing; a command is never shortened.
 */
export function recreateHints(reports: readonly StackReport[], place: StackPlace = {}): string[] {
  return reports
    .map((report) => ({ stack: report.stackName, ids: report.resources.filter((r) => r.status === 'DELETED').map((r) => r.logicalId) }))
    .filter((x) => x.ids.length > 0)
    .map((x) => `${x.stack}: deleted outside the stack; to create again: ${deployCommand(x.stack, `${RECREATE_CONTEXT}=${x.ids.join(',')}`, place)}`);
}

function deployCommand(stack: string, context: string, place: StackPlace): string {
  const [name, value] = [shellWord(stack), shellWord(context)];
  if (!place.endpoint && !place.state) return `cdk deploy ${name} -c ${value}`;
  const target = place.endpoint ? `--endpoint ${shellWord(place.endpoint)}` : `--state ${shellWord(place.state as string)}`;
  return `cdk-wickr-chime deploy-local ${target} --stack ${name} --context ${value}`;
}

export interface DriftDocument {
  readonly stacks: readonly StackReport[];
  readonly totals: Readonly<Record<'IN_SYNC' | 'MODIFIED' | 'DELETED' | 'NOT_CHECKED', number>>;
  readonly exitCode: number;
}

export function totalsOf(reports: readonly StackReport[]): DriftDocument['totals'] {
  const totals = { IN_SYNC: 0, MODIFIED: 0, DELETED: 0, NOT_CHECKED: 0 };
  for (const r of reports.flatMap((s) => s.resources)) totals[r.status]++;
  return totals;
}

/** 1 when anything drifted; else 2 when anything could not be checked; else 0. */
export function exitCodeOf(reports: readonly StackReport[]): number {
  const totals = totalsOf(reports);
  if (totals.MODIFIED > 0 || totals.DELETED > 0) return 1;
  if (totals.NOT_CHECKED > 0 || reports.some((r) => r.error)) return 2;
  return 0;
}
