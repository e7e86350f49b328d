import { COMMON_ERRORS, isServiceName, ProtocolService, SERVICE_NAMES, ServiceName } from './protocol';
import { STALE_SERVICES } from './staleness';

/**
 * Injected faults. A fault matches calls by service and operation (`*` for any); it fires
 * on the next `count` matching calls, or with probability `rate` on each matching call
 * (both: with probability `rate`, at most `count` times; neither: on every matching call).
 * Probabilities come from a seeded PRNG, so a test with a seed sees the same sequence.
 *
 * - `throttle`, `error`: the call fails with the service's throttling or internal error,
 *   or with the error `code` names (any the service answers: its model's, or AWS's front
 *   end's such as `ExpiredTokenException`), with the status the service gives it.
 * - `latency`: the call waits `ms` first.
 * - `drop-after-commit`: the call runs, then the connection is closed without an answer.
 * - `stale`: eventual consistency (see `staleness.ts`). On a read (`Get...`, `List...`,
 *   `Describe...`) the answer does not show what changed in the last `ms`; on a change, lists
 *   and gets do not show it for `ms` after it is made.
 * - `expire-page-tokens`: a call that carries a page token (`nextToken`) is refused as the
 *   service refuses an expired one; calls without one neither fire it nor use its count.
 */

export type FaultKind = 'throttle' | 'error' | 'latency' | 'drop-after-commit' | 'stale' | 'expire-page-tokens';

const KINDS: readonly FaultKind[] = ['throttle', 'error', 'latency', 'drop-after-commit', 'stale', 'expire-page-tokens'];

export interface FaultSpec {
  /** Operation name (`CreateNetwork`, `GetSecretValue`) or `*`. */
  readonly operation: string;
  readonly kind: FaultKind;
  /** Without it the fault applies to Wickr and Chime only: Secrets Manager, S3, CloudFormation and Lambda faults are asked for by name. */
  readonly service?: ServiceName;
  /** Fire on the next `count` matching calls. */
  readonly count?: number;
  /** Let this many matching calls through before the fault starts. @default 0 */
  readonly after?: number;
  /** Probability (0..1) of firing on each matching call. */
  readonly rate?: number;
  /** Delay for `latency`, how stale a `stale` read or change is, in milliseconds. */
  readonly ms?: number;
  /** The error an `error` fault answers (`ExpiredTokenException`, `ResourceNotFoundError`, ...). @default the service's internal error */
  readonly code?: string;
  /** Seeds this fault's own PRNG (else the emulator's, seeded by its `seed` option). */
  readonly seed?: number;
}

/** What the faults decided for one call. */
export interface FaultPlan {
  readonly latencyMs: number;
  /** Answer with the service's throttling or internal error (or the error `code`) instead of running the operation. */
  readonly failure?: 'throttle' | 'error';
  /** The named error of an `error` failure. */
  readonly code?: string;
  /** Refuse the call's page token as expired. */
  readonly expirePageToken?: true;
  /** How stale the call is (a read's lag, or how long a change stays hidden), in milliseconds; 0 when no stale fault fired. */
  readonly staleMs: number;
  /** Run the operation, then close the connection without answering. */
  readonly drop: boolean;
}

/** What the emulator knows of a call when faults decide it. */
export interface CallFacts {
  /** It carries a page token (only then can `expire-page-tokens` fire). */
  readonly pageToken: boolean;
}

interface ActiveFault {
  readonly spec: FaultSpec;
  remaining: number | undefined;
  skip: number;
  readonly random: () => number;
}

export class Faults {
  private active: ActiveFault[] = [];
  private random: () => number;

  constructor(private readonly seed: number) {
    this.random = prng(seed);
  }

  /** Checks and adds a fault (`check`: what else is wrong with it); throws an `Error` that says what is wrong with the spec. */
  add(spec: FaultSpec, check: (spec: FaultSpec) => string | undefined = () => undefined): void {
    const problem = checkSpec(spec) ?? check(spec);
    if (problem) throw new Error(`invalid fault: ${problem}`);
    this.active.push({ spec, remaining: spec.count, skip: spec.after ?? 0, random: spec.seed === undefined ? this.random : prng(spec.seed) });
  }

  /** The faults still in force, with their remaining counts. */
  list(): FaultSpec[] {
    return this.active.map((f) => ({ ...f.spec, ...(f.remaining === undefined ? {} : { count: f.remaining }), ...(f.skip > 0 ? { after: f.skip } : {}) }));
  }

  /** Clears all faults and restarts the PRNG from the seed. */
  clear(): void {
    this.active = [];
    this.random = prng(this.seed);
  }

  /** The largest `ms` of the `stale` faults in force for a service (0: none). */
  staleLag(service: ServiceName): number {
    return Math.max(0, ...this.active.filter((f) => f.spec.kind === 'stale' && servicesOf(f.spec).includes(service)).map((f) => f.spec.ms ?? 0));
  }

  /**
   * Decides one call. Latency faults add up; then the first throttle or error fault that
   * fires fails the call, else an expired page token does; only if none did, stale and drop
   * faults may fire. A fault that does not get to fire keeps its count.
   */
  plan(service: ServiceName, operation: string, facts: CallFacts = { pageToken: false }): FaultPlan {
    const matching = this.active.filter((f) => {
      if (!matches(f.spec, service, operation) || (f.spec.kind === 'expire-page-tokens' && !facts.pageToken)) return false;
      if (f.skip === 0) return true;
      f.skip--;
      return false;
    });
    const firing = (kind: FaultKind) => matching.filter((f) => f.spec.kind === kind && this.fire(f));
    const latencyMs = firing('latency').reduce((sum, f) => sum + (f.spec.ms ?? 0), 0);
    const failure = matching.find((f) => (f.spec.kind === 'throttle' || f.spec.kind === 'error') && this.fire(f));
    const expired = !failure && matching.some((f) => f.spec.kind === 'expire-page-tokens' && this.fire(f));
    const ran = !failure && !expired;
    const staleMs = ran ? Math.max(0, ...firing('stale').map((f) => f.spec.ms ?? 0)) : 0;
    const drop = ran && matching.some((f) => f.spec.kind === 'drop-after-commit' && this.fire(f));
    this.active = this.active.filter((f) => f.remaining !== 0);
    return {
      latencyMs,
      failure: failure?.spec.kind as FaultPlan['failure'],
      ...(failure?.spec.code ? { code: failure.spec.code } : {}),
      ...(expired ? { expirePageToken: true as const } : {}),
      staleMs,
      drop,
    };
  }

  private fire(fault: ActiveFault): boolean {
    if (fault.remaining === 0) return false;
    if (fault.spec.rate !== undefined && fault.random() >= fault.spec.rate) return false;
    if (fault.remaining !== undefined) fault.remaining--;
    return true;
  }
}

/** The services a fault applies to. */
export function servicesOf(spec: FaultSpec): ServiceName[] {
  return spec.service === undefined ? ['wickr', 'chime'] : [spec.service];
}

function matches(spec: FaultSpec, service: ServiceName, operation: string): boolean {
  return servicesOf(spec).includes(service) && (spec.operation === '*' || spec.operation === operation);
}

/**
 * What is wrong with a fault for the services it applies to, or undefined: a `code` each of
 * them must answer (`namedError`), `stale` only where reads can lag (`STALE_SERVICES`).
 */
export function serviceProblem(spec: FaultSpec, endpoint: (service: ServiceName) => ProtocolService): string | undefined {
  for (const service of servicesOf(spec)) {
    if (spec.code !== undefined && !endpoint(service).namedError?.(spec.code, '')) {
      return `error code ${spec.code} is not one ${service} answers (its model's errors, or AWS's front end's: ${Object.keys(COMMON_ERRORS).join(', ')})${spec.service ? '' : '; name the service of a code only one of wickr and chime has'}`;
    }
    if (spec.kind === 'stale' && !STALE_SERVICES.includes(service)) return `stale is for ${STALE_SERVICES.join(', ')} only, not ${service}`;
  }
  return undefined;
}

/** The longest injected delay: 15 minutes (a fault that outlasts any client timeout is a typo, not a test). */
export const MAX_FAULT_MS = 15 * 60_000;
/** The largest `count` and `after`. */
export const MAX_FAULT_COUNT = 1_000_000;

const SPEC_KEYS: readonly string[] = ['operation', 'kind', 'service', 'count', 'after', 'rate', 'ms', 'code', 'seed'];

/** What is wrong with a spec (the parameter, its value and the rule), or undefined. */
function checkSpec(spec: FaultSpec): string | undefined {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return 'expected an object';
  const unknown = Object.keys(spec).filter((key) => !SPEC_KEYS.includes(key));
  if (unknown.length > 0) return `unknown parameter ${unknown.map((k) => JSON.stringify(k)).join(', ')}: a fault has only ${SPEC_KEYS.join(', ')}`;
  const got = (value: unknown) => `, got ${typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value)}`;
  if (typeof spec.operation !== 'string' || spec.operation === '') return `operation must be an operation name or *${got(spec.operation)}`;
  if (!KINDS.includes(spec.kind)) return `kind must be one of ${KINDS.join(', ')}${got(spec.kind)}`;
  if (spec.service !== undefined && !isServiceName(spec.service)) return `service must be one of ${SERVICE_NAMES.join(', ')}${got(spec.service)}`;
  if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0 && spec.count <= MAX_FAULT_COUNT)) {
    return `count must be a positive integer (1 to ${MAX_FAULT_COUNT})${got(spec.count)}`;
  }
  if (spec.after !== undefined && !(Number.isInteger(spec.after) && spec.after >= 0 && spec.after <= MAX_FAULT_COUNT)) {
    return `after must be a non-negative integer (0 to ${MAX_FAULT_COUNT})${got(spec.after)}`;
  }
  if (spec.rate !== undefined && !(typeof spec.rate === 'number' && spec.rate >= 0 && spec.rate <= 1)) return `rate must be between 0 and 1${got(spec.rate)}`;
  const msOk = typeof spec.ms === 'number' && Number.isFinite(spec.ms) && spec.ms >= 0 && spec.ms <= MAX_FAULT_MS;
  if ((spec.kind === 'latency' || spec.kind === 'stale') && !msOk) return `a ${spec.kind} fault needs ms >= 0 (a finite number of milliseconds up to ${MAX_FAULT_MS}, 15 minutes)${got(spec.ms)}`;
  if (spec.ms !== undefined && !msOk) return `ms must be a finite number of milliseconds from 0 to ${MAX_FAULT_MS} (15 minutes)${got(spec.ms)}`;
  if (spec.seed !== undefined && !Number.isSafeInteger(spec.seed)) return `seed must be an integer${got(spec.seed)}`;
  if (spec.code !== undefined && spec.kind !== 'error') return `code is for error faults only${got(spec.code)}`;
  if (spec.code !== undefined && !(typeof spec.code === 'string' && /^[A-Za-z][A-Za-z0-9]{0,127}$/.test(spec.code))) return `code must be an error code such as ExpiredTokenException${got(spec.code)}`;
  return undefined;
}

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
