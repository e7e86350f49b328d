import { FaultKind } from './faults';
import { ServiceName } from './protocol';

/** The emulator's call log: one record per request that reached a service (see `Emulator.calls`). */

/** A request as the call log shows it. */
export interface RecordedRequest {
  readonly method: string;
  /** As sent (percent-encoded). */
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  /** Lower-case names; `authorization` left out. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON, or undefined (empty or not JSON, S3 objects); secret values redacted. */
  readonly body: unknown;
}

/** A call a registered principal made (see `registerPrincipal`). */
export interface CallAuthorization {
  /** The principal's ARN. */
  readonly principal: string;
  /** Set when IAM denied the call: AWS's access-denied message (the call did not run). */
  readonly denied?: string;
}

/** One call in the log: what was asked, what it answered, and what shaped it. */
export interface CallRecord {
  readonly service: ServiceName;
  /** The model's operation name, `Unknown` when the request matched none. */
  readonly operation: string;
  /** The status sent, or for a dropped connection the status the operation would have answered. */
  readonly status: number;
  readonly request: RecordedRequest;
  /** The injected fault that shaped this call. */
  readonly fault?: FaultKind;
  /** The operation ran but the connection was closed without an answer. */
  readonly dropped?: true;
  /** A client token replayed an earlier response; the operation did not run again. */
  readonly replayed?: true;
  /** Present when the call was signed by a registered principal (not the test credentials). */
  readonly authorization?: CallAuthorization;
}
