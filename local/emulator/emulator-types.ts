import { EmulatorResponse, jsonResponse } from './protocol';

/** The emulator's options, state and clock (`emulator.ts` re-exports them). */

/** How an emulator is made. */
export interface EmulatorOptions {
  /** @default '123456789012' */
  readonly accountId?: string;
  /** Region of secrets made with `secrets.createSecret` (requests use their signing region). @default 'us-east-1' */
  readonly region?: string;
  /** Seeds fault probabilities and generated ids. @default random */
  readonly seed?: number;
  /** Added before every service call. @default 0 */
  readonly latencyMs?: number;
  /** Where `saveState()`/`loadState()` write and read by default. */
  readonly stateFile?: string;
}

/** What `Emulator.handle` answers: a response, or a connection to drop. */
export interface HandledResponse extends EmulatorResponse {
  /** Close the connection instead of answering (`drop-after-commit`). */
  readonly drop: boolean;
}

/**
 * Everything `exportState` captures: each service's state (with its client tokens),
 * secrets, objects, and the stacks `deploy-local` recorded (under `cloudformation`;
 * absent from states written before the emulator kept stacks, which load with none).
 */
export interface EmulatorState {
  readonly version: 1;
  readonly wickr: unknown;
  readonly chime: unknown;
  readonly secretsmanager: unknown;
  readonly s3: unknown;
  readonly cloudformation?: unknown;
}

/** The emulator's time: real time plus an offset tests may move. */
export class Clock {
  offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** Errors of AWS's front end, before any service is known: not in the call log. */
export function frontEndError(status: number, code: string, message: string): HandledResponse {
  return { ...jsonResponse(status, { message }, { 'x-amzn-errortype': code }), drop: false };
}
