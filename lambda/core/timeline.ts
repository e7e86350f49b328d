import type { CallTracker } from './calls';
import type { Logger } from './log';
import { OperationContext, OperationResult } from './resource';

/** The moments of one invocation, in epoch milliseconds. */
export interface Timeline {
  /** The request's own work starts no call after this. */
  readonly stopAt: number;
  /** The answer goes out by then; cleanup starts no call after it. */
  readonly answerBy: number;
  readonly deadline: number;
}

/** How a request's work ended. */
export type Settled = { readonly ok: true; readonly result: OperationResult } | { readonly ok: false; readonly error: unknown };

/** The operation context of one phase of a request, whose calls `tracker` watches. */
export type ContextOf = (request: OperationContext['request'], log: Logger, tracker: CallTracker) => OperationContext;
