import { randomUUID } from 'crypto';
import { RequestContext } from './service';

/**
 * The pieces every emulated endpoint shares: the request as it arrived on the wire, the
 * response to write, and the interface through which the emulator drives one service's
 * wire protocol (rest-json for Wickr, Chime and Lambda, awsJson1.1 for Secrets Manager,
 * S3's REST, awsQuery for CloudFormation).
 */

/**
 * The signing names the emulator answers to (the service in the SigV4 credential scope).
 * `cloudformation` and `lambda` serve the drift command's reads of what `deploy-local`
 * recorded (see `stacks.ts`).
 */
export type ServiceName = 'wickr' | 'chime' | 'secretsmanager' | 's3' | 'cloudformation' | 'lambda';

export const SERVICE_NAMES: readonly ServiceName[] = ['wickr', 'chime', 'secretsmanager', 's3', 'cloudformation', 'lambda'];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** One HTTP request, before any interpretation. */
export interface EmulatorRequest {
  readonly method: string;
  /** The path exactly as sent, still percent-encoded, without the query string. */
  readonly path: string;
  /** The query string, decoded; a repeated key becomes an array. */
  readonly query: Readonly<Record<string, string | string[]>>;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Empty for no body. */
  readonly body: string | Buffer;
  /** Set when a client token replayed a stored response (reported in the call log). */
  readonly replayed?: boolean;
}

/**
 * Errors the core raises on a service's behalf, each in that service's own format:
 * `throttle` and `error` are injected faults; `unrecognizedClient`, `invalidSignature` and
 * `signatureExpired` (the request time is more than 15 minutes off) are failed SigV4
 * checks; `accessDenied` is a call the principal's policy does not allow.
 */
export type StandardErrorKind = 'throttle' | 'error' | 'unrecognizedClient' | 'invalidSignature' | 'signatureExpired' | 'accessDenied';

/**
 * How an exported state carries secret values (Secrets Manager values, Chime device
 * tokens): `conceal` turns each value into what the export holds, `reveal` turns that
 * back on import. In process the values are kept (`PLAIN_SECRETS`); the state file seals
 * them (`state-file.ts`); the control endpoint shows `REDACTED`.
 */
export interface SecretValues {
  conceal(value: string): unknown;
  reveal(held: unknown): string;
}

/** What the control endpoint shows instead of a secret value. */
export const REDACTED = '<redacted>';

/** Values kept as they are; a redacted or sealed value cannot be imported this way. */
export const PLAIN_SECRETS: SecretValues = {
  conceal: (value) => value,
  reveal(held) {
    if (held === REDACTED) throw new Error(`secret values of this state are redacted (${REDACTED}): a state from GET /_emulator/state cannot bring them back`);
    if (typeof held !== 'string') throw new Error('this state holds sealed secret values: load it from its state file (loadState), whose key file opens them');
    return held;
  },
};

/** Secret values replaced by `REDACTED` (the control endpoint's view). */
export const REDACTED_SECRETS: SecretValues = { conceal: () => REDACTED, reveal: (held) => PLAIN_SECRETS.reveal(held) };

/** One emulated service as the emulator drives it. */
export interface ProtocolService {
  readonly name: ServiceName;
  /** The operation a request addresses, or undefined when nothing matches. */
  operationOf(req: EmulatorRequest): string | undefined;
  /**
   * Runs an operation; service errors come back as error responses, never as exceptions.
   * Lambda's `Invoke` answers when the function it runs settles, so the answer may be a promise.
   */
  invoke(operation: string, req: EmulatorRequest, ctx: RequestContext): EmulatorResponse | Promise<EmulatorResponse>;
  /** `fields`: extra members some errors carry (S3's `RequestTimeTooSkewed` has `RequestTime`, `ServerTime`, ...). */
  standardError(kind: StandardErrorKind, message: string, fields?: Readonly<Record<string, string>>): EmulatorResponse;
  /** The answer to a request `operationOf` could not place. */
  unknownOperation(req: EmulatorRequest): EmulatorResponse;
  /** The error `code` in this service's format with the status the service gives it, or undefined when it answers no such error. */
  namedError?(code: string, message: string): EmulatorResponse | undefined;
  /** Whether a request carries a page token, and the answer that refuses it as expired. */
  readonly pageTokens?: {
    carries(req: EmulatorRequest): boolean;
    expired(): EmulatorResponse;
  };
  /** The request body as the call log shows it (parsed JSON, secret values redacted). */
  loggedBody(req: EmulatorRequest): unknown;
  /** The query as the call log shows it (secret values redacted). @default the query as sent */
  loggedQuery?(req: EmulatorRequest): Record<string, string | string[]>;
  /** Time passes (called before every request the emulator handles). */
  tick?(ctx: RequestContext): void;
  reset(): void;
  exportState(secrets: SecretValues): unknown;
  importState(state: unknown, secrets: SecretValues): void;
}

/**
 * Errors AWS's front end answers for any service, outside the services' models, with their
 * HTTP status (a model's own error of the same name wins).
 */
export const COMMON_ERRORS: Readonly<Record<string, number>> = {
  AccessDeniedException: 403,
  ExpiredTokenException: 403,
  IncompleteSignatureException: 400,
  InternalFailure: 500,
  InvalidSignatureException: 403,
  MissingAuthenticationTokenException: 403,
  ServiceUnavailableException: 503,
  ThrottlingException: 400,
  UnrecognizedClientException: 403,
};

/** A JSON response with the `x-amzn-RequestId` header the AWS JSON protocols send. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json'): EmulatorResponse {
  return {
    status,
    headers: { 'content-type': contentType, 'x-amzn-requestid': randomUUID(), ...headers },
    body: JSON.stringify(body),
  };
}

/** Parses a raw query string (`a=1&b=x%20y&a=2`); `+` stays a plus sign, as the SigV4 signers encode spaces as `%20`. */
export function parseQuery(raw: string): Record<string, string | string[]> {
  // No prototype: a client's `__proto__=x` is just a parameter.
  const query: Record<string, string | string[]> = Object.create(null);
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(part.slice(eq + 1));
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

/** `decodeURIComponent` that leaves a malformed escape as it is instead of throwing. */
export function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The first value of a query parameter. */
export function queryValue(query: EmulatorRequest['query'], key: string): string | undefined {
  const value = query[key];
  return Array.isArray(value) ? value[0] : value;
}

/** The body as JSON, or undefined when it is empty or not JSON. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
