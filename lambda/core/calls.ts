import { describeError, ProviderError } from './errors';
import { Logger } from './log';
import { CallInfo, CallObserver, CallOutcome } from './observer';

/**
 * What the service calls of one request may have changed. The dispatcher watches every
 * call (one observer per phase of an invocation) and, when a create fails, knows whether
 * anything may have been made and by which operations, so the failed-create cleanup only
 * looks for what can exist. That knowledge travels in the physical id of the FAILED answer
 * to the Delete CloudFormation sends later (`failedCreateId`).
 */

/** A call refused before it was sent: the request's time for new calls is over. */
export class CallRefusedError extends ProviderError {}

/** Operations that change nothing (reads, and validations that save nothing). */
const READ_ONLY = /^(Get|List|Describe|BatchLookup)|^RegisterOidcConfigTest$/;

export function isMutating(operation: string): boolean {
  return !READ_ONLY.test(operation);
}

/**
 * True when a failed call cannot have been applied: refused before sending, never sent,
 * or answered with a 4xx on its only attempt. A 5xx, a lost connection after sending, or
 * a 4xx after retries (the earlier attempt may have committed: a retried create then
 * meets itself) may hide a change.
 */
export function definitelyNotApplied(error: unknown, attempts: number | undefined): boolean {
  if (error instanceof CallRefusedError) return true;
  const e = (error ?? {}) as { sent?: boolean; $metadata?: { httpStatusCode?: number } };
  if (e.sent === false) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500 && (attempts ?? 1) <= 1;
}

/** What a failed request may have applied, per mutating operation. */
export interface MadeCalls {
  /** False when the record was lost (an answer from before this was tracked): assume anything. */
  readonly known: boolean;
  /** True when no mutating call may have been applied. */
  readonly none: boolean;
  /** True when a call of `operation` may have been applied (always, when not known). */
  mayHave(operation: string): boolean;
  /** How many calls of `operation` were sent, when one of them may have been applied; 0 otherwise or when not known. */
  sent(operation: string): number;
}

export function madeCalls(entries: ReadonlyMap<string, number> | undefined): MadeCalls {
  return {
    known: entries !== undefined,
    none: entries !== undefined && entries.size === 0,
    mayHave: (operation) => entries === undefined || entries.has(operation),
    sent: (operation) => entries?.get(operation) ?? 0,
  };
}

/** The shortest time a read's attempt is given (`CallTracker.attemptTimeoutMs`). */
const MIN_ATTEMPT_MS = 250;

/**
 * The observer of one phase: refuses calls once its time is up (`stopAt`), logs one line
 * per call, and counts mutating calls (sent, and those that may have been applied).
 */
export class CallTracker implements CallObserver {
  private readonly sentCount = new Map<string, number>();
  private readonly maybeApplied = new Map<string, number>();
  private inFlight = 0;

  constructor(
    private readonly log: Logger,
    private readonly options: {
      /** Refuse every call that changes something. @default false */
      readonly readOnly?: boolean;
      /**
       * When the phase stops making calls (epoch ms), and why (`outOfTime`, in the refusal);
       * until then a read's attempt may take a quarter of what is left. @default no limit
       */
      readonly stopAt?: number;
      readonly outOfTime?: string;
    } = {},
  ) {}

  private refusal(): string | undefined {
    const { stopAt, outOfTime } = this.options;
    return stopAt !== undefined && Date.now() >= stopAt ? (outOfTime ?? 'the time ran out') : undefined;
  }

  attemptTimeoutMs(): number | undefined {
    if (this.options.stopAt === undefined) return undefined;
    return Math.max(MIN_ATTEMPT_MS, Math.floor((this.options.stopAt - Date.now()) / 4));
  }

  before(call: CallInfo): void {
    const why = this.refusal() ?? (this.options.readOnly && isMutating(call.operation) ? 'a read request changes nothing' : undefined);
    if (why) throw new CallRefusedError(`not calling ${call.service} ${call.operation}: ${why}`);
    if (!isMutating(call.operation)) return;
    this.sentCount.set(call.operation, (this.sentCount.get(call.operation) ?? 0) + 1);
    this.maybeApplied.set(call.operation, (this.maybeApplied.get(call.operation) ?? 0) + 1);
    this.inFlight++;
  }

  after(outcome: CallOutcome): void {
    this.log.log(outcome.error ? 'warn' : 'info', 'api call', {
      service: outcome.service,
      operation: outcome.operation,
      status: outcome.status,
      attempts: outcome.attempts,
      ms: outcome.durationMs,
      error: outcome.error ? describeError(outcome.error) : undefined,
    });
    if (!isMutating(outcome.operation)) return;
    this.inFlight--;
    if (outcome.error !== undefined && definitelyNotApplied(outcome.error, outcome.attempts)) {
      this.maybeApplied.set(outcome.operation, (this.maybeApplied.get(outcome.operation) ?? 1) - 1);
    }
  }

  /** Mutating calls sent and not answered yet. */
  get pending(): number {
    return this.inFlight;
  }

  /** Operation → calls sent, for every operation with a call that may have been applied (or is still in flight). */
  made(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [operation, count] of this.maybeApplied) if (count > 0) out.set(operation, this.sentCount.get(operation) ?? count);
    return out;
  }
}

const MADE = ':made=';

/**
 * The physical id answered for a failed Create. CloudFormation follows it with a Delete of
 * this id, which then removes whatever the create may have left: the id names the request
 * (whose client tokens find what it made) and the operations that may have been applied.
 */
export function failedCreateId(prefix: string, requestId: string, made: ReadonlyMap<string, number>): string {
  return `${prefix}${requestId}${MADE}${[...made].map(([op, n]) => `${op}.${n}`).join(',')}`;
}

/** The request id and record of a failed-create id (an id without a record, from before it was kept: not known). */
export function parseFailedCreateId(prefix: string, physicalId: string): { requestId: string; made: MadeCalls } {
  const rest = physicalId.slice(prefix.length);
  const at = rest.indexOf(MADE);
  if (at < 0) return { requestId: rest, made: madeCalls(undefined) };
  const entries = new Map<string, number>();
  for (const item of rest.slice(at + MADE.length).split(',')) {
    const m = /^([A-Za-z]+)\.(\d+)$/.exec(item);
    if (m) entries.set(m[1], Number(m[2]));
  }
  return { requestId: rest.slice(0, at), made: madeCalls(entries) };
}

/** The error codes of throttling (CloudFormation answers `Throttling` with HTTP 400, S3 `SlowDown` with 503). */
const THROTTLING = /^(Throttling|ThrottlingException|ThrottledException|TooManyRequestsException|RequestLimitExceeded|RateLimitError|SlowDown)$/;

/** True when the service refused a call as too many: it succeeds when sent again later. */
export function isThrottling(error: unknown): boolean {
  if (error instanceof ProviderError) return false;
  const e = (error ?? {}) as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.$metadata?.httpStatusCode === 429 || THROTTLING.test(e.name ?? '');
}

/**
 * True when a failed call may succeed if sent again later: throttling, a 5xx, a lost or
 * timed-out connection. The handlers' own refusals (`ProviderError`, a refused call
 * included) are not: sending the same again gives the same answer.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof ProviderError) return false;
  const e = (error ?? {}) as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (isThrottling(error)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  return /NetworkError|TimeoutError|ECONNRESET|ETIMEDOUT|EPIPE|ECONNREFUSED|EAI_AGAIN|socket hang up/i.test(`${e.name} ${e.code} ${e.message}`);
}

/**
 * Runs `work` again after transient failures (with backoff, the clients' own retries having
 * given up) until `until` (epoch ms): for work whose failure cannot be undone by a rollback,
 * such as a delete in CloudFormation's cleanup phase (a failed one leaves the resource
 * behind for good) or the work after an answer. Work that is not idempotent must not use it.
 */
export async function persist<T>(work: () => Promise<T>, until: number, log: Logger): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const pause = Math.min(500 * 2 ** attempt, 10_000);
      if (!isTransient(err) || Date.now() + pause >= until) throw err;
      log.log('warn', 'transient failure; trying again', { attempt: attempt + 1, inMs: pause, reason: describeError(err) });
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
