import { layout } from '../../cli/table';
import { usersSummary } from './messages';

/** What happened to one resource in a run. */
export type Action = 'created' | 'adopted' | 'updated' | 'replaced' | 'deleted' | 'unchanged' | 'retained' | 'rolled back' | 'failed';

export interface ResourceRow {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  physicalId?: string;
  action: Action;
  /** Why it failed, or a note (a retained resource, a replaced one whose old copy was kept). */
  reason?: string;
}

/** Where in the run a request was made. */
export type Phase = 'deploy' | 'cleanup' | 'rollback' | 'destroy';

/** The response a provider PUT, as received. */
export interface ReceivedAnswer {
  readonly Status?: string;
  readonly Reason?: string;
  readonly PhysicalResourceId?: string;
  readonly StackId?: string;
  readonly RequestId?: string;
  readonly LogicalResourceId?: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** One custom resource request: the event (as delivered, possibly more than once) and every answer. */
export interface InvocationRecord {
  readonly stackName: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly requestId: string;
  readonly phase: Phase;
  /** Exactly what the provider received. */
  readonly event: Record<string, unknown>;
  /** How many times the event was delivered (duplicates and Lambda's retries after function errors). */
  deliveries: number;
  /** Every PUT received, first (the answer) first; parsed JSON, or `{ raw }` when not JSON. */
  readonly responses: ReceivedAnswer[];
  status: 'SUCCESS' | 'FAILED';
  physicalId?: string;
  reason?: string;
  timedOut: boolean;
  durationMs: number;
}

export interface LogRecord {
  readonly stackName: string;
  readonly logicalId: string;
  readonly requestType: string;
  readonly requestId: string;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

export type StackStatus =
  | 'CREATE_COMPLETE'
  | 'UPDATE_COMPLETE'
  | 'NO_CHANGES'
  | 'ROLLBACK_COMPLETE'
  | 'ROLLBACK_FAILED'
  | 'UPDATE_ROLLBACK_COMPLETE'
  | 'UPDATE_ROLLBACK_FAILED'
  | 'DELETE_COMPLETE'
  | 'DELETE_FAILED'
  | 'NOT_DEPLOYED'
  | 'FAILED';

export interface StackReport {
  readonly stackName: string;
  readonly stackId?: string;
  readonly status: StackStatus;
  readonly success: boolean;
  readonly reason?: string;
  /** One row per resource, in template (or state) order. */
  readonly rows: ResourceRow[];
  /** The stack's outputs after the run. */
  readonly outputs: Record<string, string>;
}

export interface DeployReport {
  readonly success: boolean;
  /** Why the run failed (the first failure, and any rollback failure). */
  readonly reason?: string;
  readonly stacks: StackReport[];
  /** Every stack's rows. */
  readonly rows: ResourceRow[];
  /** Every custom resource request, in the order they were made. */
  readonly invocations: InvocationRecord[];
  /** The provider functions' log lines (kept out of the console unless verbose). */
  readonly logs: LogRecord[];
  /** The progress lines and the final table, as printed. */
  readonly lines: string[];
  readonly warnings: string[];
  /** `s3://bucket/key` of each file asset uploaded in this run. */
  readonly publishedAssets: string[];
}

/** Where a run's console output goes (see `LocalRunOptions`). */
export interface RecorderOptions {
  /** Progress lines and tables. */
  readonly out?: (line: string) => void;
  /** The run's own failure. @default out */
  readonly err?: (line: string) => void;
  /** Also the provider's log lines. @default false */
  readonly verbose?: boolean;
  /** Tables with every cell whole, however wide. @default false */
  readonly wide?: boolean;
}

/** Collects what a run did and prints it as it happens. */
export class Recorder {
  readonly lines: string[] = [];
  readonly warnings: string[] = [];
  readonly invocations: InvocationRecord[] = [];
  readonly logs: LogRecord[] = [];
  readonly publishedAssets: string[] = [];

  /** Requests whose users summary was printed (a duplicate delivery logs it again). */
  private readonly summarized = new Set<string>();

  private readonly out: ((line: string) => void) | undefined;
  private readonly err: ((line: string) => void) | undefined;
  private readonly verbose: boolean;
  private readonly wide: boolean;

  constructor(options: RecorderOptions = {}) {
    this.out = options.out;
    this.err = options.err ?? options.out;
    this.verbose = options.verbose ?? false;
    this.wide = options.wide ?? false;
  }

  line(text: string): void {
    this.lines.push(text);
    this.out?.(text);
  }

  /** The run's own failure (not a stack's, which its events and table show): one message, to `err`. */
  failure(text: string): void {
    this.lines.push(text);
    this.err?.(text);
  }

  warn(text: string): void {
    this.warnings.push(text);
    this.line(`warning: ${text}`);
  }

  /** A provider log line: printed when verbose; a `WickrUsers` update's counts and usernames always. */
  log(record: LogRecord): void {
    this.logs.push(record);
    if (this.verbose) this.out?.(`      | ${record.logicalId} ${record.requestType}: ${record.line}`);
    const summary = usersSummary(record.line, record.logicalId);
    if (summary !== undefined && !this.summarized.has(record.requestId)) {
      this.summarized.add(record.requestId);
      this.line(`      ${summary}`);
    }
  }

  /** The table of a stack's resources (see `renderTable`). */
  table(rows: readonly ResourceRow[]): void {
    for (const line of renderTable(rows, this.wide)) this.line(line);
  }

  /** A resource event line, CloudFormation style: `  CREATE_COMPLETE  Custom::X  Logical  detail`. */
  event(status: string, type: string, logicalId: string, detail?: string): void {
    this.line(`  ${status.padEnd(18)}  ${type.padEnd(typeWidth)}  ${logicalId}${detail ? `  ${detail}` : ''}`);
  }
}

let typeWidth = 28;

/** Aligns event lines for the types of a stack. */
export function setTypeWidth(types: readonly string[]): void {
  typeWidth = Math.max(12, ...types.map((t) => t.length));
}

/**
 * The final table: logical id, type, physical id, action. Lines fit 120 columns: long
 * logical and physical ids are shortened in the middle (types never), a long reason is cut
 * at the end of the line (the run prints it whole above); `wide` keeps every cell whole.
 */
export function renderTable(rows: readonly ResourceRow[], wide = false): string[] {
  const header = ['Logical ID', 'Type', 'Physical ID', 'Action'];
  const cells = rows.map((r) => [r.logicalId, r.type, r.physicalId ?? '-', r.action + (r.reason ? ` (${r.reason})` : '')]);
  return layout([header, ...cells], { wide, underline: true, floors: [20, 40, 24], lastColumn: 'rolled back'.length });
}
