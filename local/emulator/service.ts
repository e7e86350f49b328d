import type { SecretValues } from './protocol';

/**
 * The contract between the emulator's protocol core (HTTP, SigV4, model-driven routing
 * and validation, client tokens, faults, call log) and the per-service implementations
 * (`wickr.ts`, `chime.ts`), which only see decoded, already-validated inputs.
 */

/** The structural facts of a service model (models/*.json). */
export interface ServiceModel {
  readonly metadata: {
    readonly signingName: string;
    readonly serviceId: string;
    readonly protocol: string;
    readonly apiVersion: string;
    readonly endpointPrefix: string;
  };
  readonly operations: Record<string, OperationModel>;
  readonly shapes: Record<string, ShapeModel>;
  readonly paginators?: Record<string, unknown>;
}

export interface OperationModel {
  readonly http: { readonly method: string; readonly requestUri: string; readonly responseCode?: number };
  readonly input?: string;
  readonly output?: string;
  readonly errors?: readonly string[];
}

export interface MemberModel {
  readonly shape: string;
  readonly location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  readonly locationName?: string;
  readonly idempotencyToken?: boolean;
}

export interface ShapeModel {
  readonly type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'timestamp' | 'blob' | 'double' | 'float';
  readonly members?: Record<string, MemberModel>;
  readonly member?: MemberModel;
  readonly required?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly sensitive?: boolean;
  readonly error?: { readonly httpStatusCode: number; readonly senderFault?: boolean };
  readonly exception?: boolean;
  readonly timestampFormat?: string;
}

/** Where a request came from, as the core established it. */
export interface RequestContext {
  /** The caller's account: a registered principal's (from its ARN), else the emulator's default account. */
  readonly accountId: string;
  readonly region: string;
  /**
   * True when the call is signed with the test credentials, which stand for the operator of
   * every account: their CloudFormation and Lambda calls reach the stacks of any account (the
   * drift command of a multi-account app). Their service calls act in the default account.
   */
  readonly operator?: boolean;
  /** The emulator's clock (tests may move it). */
  now(): Date;
}

/**
 * A service error. `code` is the error shape's name in the model (`ValidationError`,
 * `NotFoundException`, ...); the core derives status code and body format from the model.
 * `fields` are extra members of the error shape (Wickr's `reasons`).
 */
export class EmulatedError extends Error {
  constructor(readonly code: string, message: string, readonly fields: Record<string, unknown> = {}) {
    super(message);
    this.name = code;
  }
}

/**
 * An operation implementation: receives the input keyed by the model's member names
 * (labels, query and header members already decoded and typed), returns the output
 * keyed by member names (the core serializes it), or throws `EmulatedError`.
 */
export type OperationImpl = (input: Record<string, any>, ctx: RequestContext) => Record<string, any> | void;

export interface EmulatedService {
  readonly model: ServiceModel;
  readonly operations: Readonly<Record<string, OperationImpl>>;
  /**
   * Checks the rules the model only states in prose, after the model's own constraints
   * passed. Throws `EmulatedError` (Wickr: `ValidationError` with `reasons`).
   */
  validate?(operation: string, input: Record<string, any>, ctx: RequestContext): void;
  /** Time passes (asynchronous deletions complete). Called before every request. */
  tick?(ctx: RequestContext): void;
  reset(): void;
  /** `secrets` conceals the secret values the state holds (see `SecretValues`); a service that keeps none ignores it. */
  exportState(secrets?: SecretValues): unknown;
  importState(state: unknown, secrets?: SecretValues): void;
}
