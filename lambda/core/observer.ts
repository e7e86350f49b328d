/**
 * A hook every service client calls around each operation (once per operation, not
 * per retry attempt). The dispatcher uses it to log one line per call and to refuse
 * new calls once the guard timer has answered CloudFormation.
 */
export interface CallInfo {
  readonly service: string;
  readonly operation: string;
}

export interface CallOutcome extends CallInfo {
  readonly status?: number;
  readonly attempts?: number;
  readonly durationMs: number;
  readonly error?: unknown;
}

export interface CallObserver {
  /** Called before the first attempt; throwing refuses the call. */
  before?(call: CallInfo): void;
  after?(outcome: CallOutcome): void;
  /**
   * How long one attempt of a read may wait for its answer (undefined: the reader's own
   * limit): a read that hangs is abandoned and sent again while the request still has time.
   */
  attemptTimeoutMs?(): number | undefined;
}
