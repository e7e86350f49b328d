import { randomUUID } from 'crypto';
import {
  COMMON_ERRORS,
  decodeComponent,
  EmulatorRequest,
  EmulatorResponse,
  isRecord,
  jsonResponse,
  parseJsonBody,
  ProtocolService,
  queryValue,
  SecretValues,
  StandardErrorKind,
} from './protocol';
import { redactBody, redactQuery } from './redact';
import { EmulatedError, EmulatedService, MemberModel, OperationModel, RequestContext, ServiceModel, ShapeModel } from './service';
import { Issue, ShapeCodec, validationMessage } from './shapes';
import { ClientTokens, fingerprint } from './tokens';

/**
 * The rest-json protocol (Wickr, Chime SDK Identity) around an `EmulatedService`: routes
 * by `http.method` + `requestUri`, decodes labels, query, headers and body by the model,
 * validates, honours client tokens, calls the implementation and serializes its output or
 * error in the service's own error format.
 */

/** How one service spells its errors. */
export interface ErrorStyle {
  body(code: string, message: string, fields: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /** Failed model constraints. */
  validation(issues: readonly Issue[]): EmulatedError;
  /** A body that is not a JSON object. */
  badRequest(message: string): EmulatedError;
  /** A client token reused with different parameters. */
  tokenMismatch(tokenField: string): EmulatedError;
  /** Error code for a request no operation matches. */
  readonly unknownRoute: string;
  readonly standard: Readonly<Record<StandardErrorKind, string>>;
}


/** A signature past its time is `InvalidSignatureException` too ("Signature expired: ..."). */
const AUTH_CODES = { unrecognizedClient: 'UnrecognizedClientException', invalidSignature: 'InvalidSignatureException', signatureExpired: 'InvalidSignatureException' } as const;

/** Wickr: `{"message": ..., ...fields}`; validation failures are 422 `ValidationError` with `reasons`. */
export const WICKR_ERRORS: ErrorStyle = {
  body: (_code, message, fields) => ({ message, ...fields }),
  validation: (issues) =>
    new EmulatedError('ValidationError', validationMessage(issues), { reasons: issues.map((i) => ({ field: i.field, reason: i.reason })) }),
  badRequest: (message) => new EmulatedError('BadRequestError', message),
  tokenMismatch: (field) =>
    new EmulatedError('ValidationError', `${field} reused with different parameters`, {
      reasons: [{ field, reason: 'clientToken reused with different parameters' }],
    }),
  unknownRoute: 'ResourceNotFoundError',
  standard: { throttle: 'RateLimitError', error: 'InternalServerError', accessDenied: 'ForbiddenError', ...AUTH_CODES },
};

/** The `Code` member of Chime's errors (the model's `ErrorCode` enum) for each error shape. */
const CHIME_CODES: Readonly<Record<string, string>> = {
  ThrottledClientException: 'Throttled',
  UnauthorizedClientException: 'Unauthorized',
  UnrecognizedClientException: 'Forbidden',
  InvalidSignatureException: 'Forbidden',
};

/** Chime SDK Identity: `{"Code": "BadRequest", "Message": ...}`; validation failures are 400 `BadRequestException`. */
export const CHIME_ERRORS: ErrorStyle = {
  body: (code, message) => ({ Code: CHIME_CODES[code] ?? code.replace(/Exception$/, ''), Message: message }),
  validation: (issues) => new EmulatedError('BadRequestException', validationMessage(issues)),
  badRequest: (message) => new EmulatedError('BadRequestException', message),
  tokenMismatch: (field) => new EmulatedError('ConflictException', `${field} was already used with different parameters`),
  unknownRoute: 'NotFoundException',
  standard: { throttle: 'ThrottledClientException', error: 'ServiceFailureException', accessDenied: 'ForbiddenException', ...AUTH_CODES },
};

type Segment = { readonly literal: string } | { readonly label: string; readonly greedy: boolean };

interface Route {
  readonly operation: string;
  readonly method: string;
  readonly segments: readonly Segment[];
  /** Literal query parts of the requestUri (`/tags?operation=tag-resource`): all must be present. */
  readonly query: ReadonlyArray<readonly [string, string]>;
}

/** The operation a request's method and path address, with its path labels by wire name. */
export interface RouteMatch {
  readonly operation: string;
  readonly labels: Readonly<Record<string, string>>;
}

export class RestJsonService implements ProtocolService {
  private readonly codec: ShapeCodec;
  private readonly routes: readonly Route[];
  private readonly tokens = new ClientTokens();

  constructor(
    readonly name: 'wickr' | 'chime',
    private readonly service: EmulatedService,
    private readonly style: ErrorStyle,
  ) {
    this.codec = new ShapeCodec(service.model);
    this.routes = Object.entries(service.model.operations)
      .map(([operation, op]) => parseRoute(operation, op))
      .sort(bySpecificity);
  }

  /** The service's model (authorization reads the request's members by it). */
  get model(): ServiceModel {
    return this.service.model;
  }

  operationOf(req: EmulatorRequest): string | undefined {
    return this.match(req)?.operation;
  }

  invoke(operation: string, req: EmulatorRequest, ctx: RequestContext): EmulatorResponse {
    const op = this.service.model.operations[operation];
    const impl = this.service.operations[operation];
    const match = this.match(req);
    if (!op || !impl || match?.operation !== operation) {
      return this.internalError(`${this.name} ${operation}: the emulator does not implement this operation`);
    }
    try {
      const input = this.readInput(op, match.labels, req);
      this.service.validate?.(operation, input, ctx);
      const tokenMember = this.tokenMember(op);
      const token = tokenMember === undefined ? undefined : input[tokenMember];
      if (tokenMember === undefined || typeof token !== 'string') return this.success(op, impl(input, ctx));

      const { [tokenMember]: _token, ...rest } = input;
      const print = fingerprint(rest);
      const seen = this.tokens.lookup(operation, token, print);
      if (seen.kind === 'mismatch') throw this.style.tokenMismatch(tokenMember);
      if (seen.kind === 'replay') return { ...bodyResponse(seen.response.status, seen.response.body), replayed: true };
      const response = this.success(op, impl(input, ctx));
      this.tokens.remember(operation, token, print, { status: response.status, body: response.body.toString() });
      return response;
    } catch (err) {
      if (!(err instanceof EmulatedError)) {
        return this.internalError(`${this.name} ${operation} failed unexpectedly: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      return this.error(err.code, err.message, err.fields);
    }
  }

  standardError(kind: StandardErrorKind, message: string): EmulatorResponse {
    return this.error(this.style.standard[kind], message);
  }

  unknownOperation(req: EmulatorRequest): EmulatorResponse {
    return this.error(this.style.unknownRoute, `No ${this.service.model.metadata.serviceId} operation matches ${req.method} ${req.path}`);
  }

  namedError(code: string, message: string): EmulatorResponse | undefined {
    return this.statusOf(code) === undefined ? undefined : this.error(code, message);
  }

  /** The page token is the input member named `nextToken` (`NextToken`), wherever it travels. */
  readonly pageTokens = {
    carries: (req: EmulatorRequest): boolean => {
      const operation = this.match(req)?.operation;
      const input = operation === undefined ? undefined : this.service.model.operations[operation]?.input;
      const [name, member] = Object.entries((input && this.codec.shape(input).members) ?? {}).find(([n]) => n.toLowerCase() === 'nexttoken') ?? [];
      if (name === undefined || member === undefined) return false;
      const wire = member.locationName ?? name;
      const body = parseJsonBody(req.body);
      const value = member.location === 'querystring' ? req.query[wire] : member.location === 'header' ? req.headers[wire.toLowerCase()] : isRecord(body) ? body[wire] : undefined;
      return typeof value === 'string' && value !== '';
    },
    expired: (): EmulatorResponse => {
      const err = this.style.badRequest(`The ${this.name === 'chime' ? 'NextToken' : 'nextToken'} has expired: list again from the first page`);
      return this.error(err.code, err.message, err.fields);
    },
  };

  loggedBody(req: EmulatorRequest): unknown {
    const body = parseJsonBody(req.body);
    const input = this.service.model.operations[this.operationOf(req) ?? '']?.input;
    return input ? redactBody(this.service.model, input, body) : body;
  }

  loggedQuery(req: EmulatorRequest): Record<string, string | string[]> {
    return redactQuery(this.service.model, this.operationOf(req), req.query);
  }

  tick(ctx: RequestContext): void {
    this.service.tick?.(ctx);
  }

  reset(): void {
    this.service.reset();
    this.tokens.reset();
  }

  exportState(secrets: SecretValues): unknown {
    return { service: this.service.exportState(secrets), tokens: this.tokens.exportState() };
  }

  importState(state: unknown, secrets: SecretValues): void {
    const s = isRecord(state) ? state : {};
    this.service.importState(s.service, secrets);
    this.tokens.importState(s.tokens);
  }

  /** The route a request matches: its operation and path labels. */
  match(req: EmulatorRequest): RouteMatch | undefined {
    const parts = req.path.split('/').slice(1);
    if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    for (const route of this.routes) {
      if (route.method !== req.method.toUpperCase()) continue;
      if (!route.query.every(([k, v]) => queryValue(req.query, k) === v)) continue;
      const labels = matchSegments(route.segments, parts);
      if (labels) return { operation: route.operation, labels };
    }
    return undefined;
  }

  private tokenMember(op: OperationModel): string | undefined {
    const members = op.input ? this.codec.shape(op.input).members ?? {} : {};
    return Object.keys(members).find((name) => members[name].idempotencyToken);
  }

  private readInput(op: OperationModel, labels: Readonly<Record<string, string>>, req: EmulatorRequest): Record<string, unknown> {
    if (!op.input) return {};
    const body = req.body.length === 0 ? {} : parseJsonBody(req.body);
    if (!isRecord(body)) throw this.style.badRequest('The request body must be a JSON object');
    const issues: Issue[] = [];
    const input = this.codec.decodeStructure(
      op.input,
      (name, member) => {
        const wireName = member.locationName ?? name;
        const shape = this.codec.shape(member.shape);
        switch (member.location) {
          case undefined:
            return body[wireName];
          case 'uri':
            return fromText(shape, labels[wireName], 'uri', this.codec);
          case 'querystring':
            return fromText(shape, req.query[wireName], 'querystring', this.codec);
          case 'header':
            return fromText(shape, req.headers[wireName.toLowerCase()], 'header', this.codec);
          default:
            return undefined; // `headers` (prefix maps), `statusCode`: no input of either model uses them
        }
      },
      '',
      issues,
    );
    if (issues.length > 0) throw this.style.validation(issues);
    return input;
  }

  /** Status from the model (`responseCode`, 200 by default); no output shape or 204 means no body. */
  private success(op: OperationModel, output: Record<string, unknown> | void): EmulatorResponse {
    const status = op.http.responseCode ?? 200;
    if (!op.output || status === 204) return bodyResponse(status, '');
    return jsonResponse(status, this.codec.serialize(op.output, output ?? {}));
  }

  /** An error response; the status comes from the error shape's `error.httpStatusCode`, else from AWS's front end. */
  private error(code: string, message: string, fields: Readonly<Record<string, unknown>> = {}): EmulatorResponse {
    const status = this.statusOf(code);
    if (status === undefined) return this.internalError(`${this.name}: EmulatedError code ${code} is not an error shape of the model`);
    return jsonResponse(status, this.style.body(code, message, fields), { 'x-amzn-errortype': code });
  }

  private statusOf(code: string): number | undefined {
    return this.service.model.shapes[code]?.error?.httpStatusCode ?? COMMON_ERRORS[code];
  }

  /** A bug in an implementation: logged (stderr), answered as the service's 500. */
  private internalError(detail: string): EmulatorResponse {
    process.stderr.write(`emulator: ${detail}\n`);
    return this.error(this.style.standard.error, 'An internal error occurred in the emulated service.');
  }
}

function bodyResponse(status: number, body: string): EmulatorResponse {
  const headers: Record<string, string> = { 'x-amzn-requestid': randomUUID() };
  if (body) headers['content-type'] = 'application/json';
  return { status, headers, body };
}

/**
 * Types a path label, query value or header by its shape. A value that does not parse is
 * passed through as text, so validation reports the type mismatch. Timestamps: the
 * shape's `timestampFormat`, else ISO-8601 (path, query) or HTTP date (header).
 */
function fromText(shape: ShapeModel, raw: string | string[] | undefined, location: MemberModel['location'], codec: ShapeCodec): unknown {
  if (raw === undefined) return undefined;
  if (shape.type === 'list') {
    const member = shape.member;
    return ([] as string[]).concat(raw).map((item) => (member ? fromText(codec.shape(member.shape), item, location, codec) : item));
  }
  const text = Array.isArray(raw) ? raw[0] : raw;
  switch (shape.type) {
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'integer':
    case 'long':
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case 'double':
    case 'float':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    case 'timestamp':
      return parseTimestamp(text, shape.timestampFormat ?? (location === 'header' ? 'rfc822' : 'iso8601')) ?? text;
    default:
      return text;
  }
}

function parseTimestamp(text: string, format: string): Date | undefined {
  let date: Date | undefined;
  if (format === 'unixTimestamp') date = /^-?\d+(\.\d+)?$/.test(text) ? new Date(Number(text) * 1000) : undefined;
  else if (format === 'iso8601') date = /^\d{4}-\d{2}-\d{2}T/.test(text) ? new Date(text) : undefined;
  else date = new Date(text);
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

function parseRoute(operation: string, op: OperationModel): Route {
  const [path, queryText = ''] = op.http.requestUri.split('?');
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s): Segment => {
      const label = /^\{([^}]+?)(\+?)\}$/.exec(s);
      return label ? { label: label[1], greedy: label[2] === '+' } : { literal: s };
    });
  const query = queryText
    .split('&')
    .filter((part) => part !== '')
    .map((part): [string, string] => {
      const [k, v = ''] = part.split('=');
      return [k, v];
    });
  return { operation, method: op.http.method.toUpperCase(), segments, query };
}

/** Labels by name when the path's segments fit the template. Labels are URL-decoded after splitting, so `%2F` stays inside a label. */
function matchSegments(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if ('literal' in segment) {
      if (i >= parts.length || decodeComponent(parts[i]) !== segment.literal) return undefined;
    } else if (segment.greedy) {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.some((p) => p === '')) return undefined;
      labels[segment.label] = rest.map(decodeComponent).join('/');
      return labels;
    } else {
      if (i >= parts.length || parts[i] === '') return undefined;
      labels[segment.label] = decodeComponent(parts[i]);
    }
  }
  return parts.length === segments.length ? labels : undefined;
}

/**
 * Most specific route first: literal query constraints, then position by position a
 * literal segment before a label before a greedy label (`/networks/{id}/users/count`
 * wins over `/networks/{id}/users/{userId}`).
 */
function bySpecificity(a: Route, b: Route): number {
  if (a.query.length !== b.query.length) return b.query.length - a.query.length;
  const rank = (s: Segment | undefined) => (s === undefined ? 3 : 'literal' in s ? 0 : s.greedy ? 2 : 1);
  for (let i = 0; i < Math.max(a.segments.length, b.segments.length); i++) {
    const diff = rank(a.segments[i]) - rank(b.segments[i]);
    if (diff !== 0) return diff;
  }
  return 0;
}
