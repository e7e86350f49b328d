/** Metadata every Wickr error carries, like the AWS SDK's `$metadata`. */
export interface WickrResponseMetadata {
  readonly httpStatusCode?: number;
  readonly requestId?: string;
  readonly attempts: number;
}

export interface WickrErrorOptions {
  readonly message: string;
  readonly $metadata: WickrResponseMetadata;
  readonly $fault: 'client' | 'server';
  /** The decoded error body, for fields beyond `message`. */
  readonly body?: Record<string, unknown>;
}

/** Base of every error the Wickr service answers with (the AWS SDK's `ServiceException`). */
export class WickrServiceException extends Error {
  readonly $service = 'Wickr';
  readonly $fault: 'client' | 'server';
  readonly $metadata: WickrResponseMetadata;
  constructor(name: string, options: WickrErrorOptions) {
    super(options.message);
    this.name = name;
    this.$fault = options.$fault;
    this.$metadata = options.$metadata;
  }
}

/** One field the service rejected. */
export interface ValidationReason {
  readonly field?: string;
  readonly reason?: string;
}

export class BadRequestError extends WickrServiceException {
  constructor(options: WickrErrorOptions) {
    super('BadRequestError', options);
  }
}
export class UnauthorizedError extends WickrServiceException {
  constructor(options: WickrErrorOptions) {
    super('UnauthorizedError', options);
  }
}
export class ForbiddenError extends WickrServiceException {
  constructor(options: WickrErrorOptions) {
    super('ForbiddenError', options);
  }
}
export class ResourceNotFoundError extends WickrServiceException {
  constructor(options: WickrErrorOptions) {
    super('ResourceNotFoundError', options);
  }
}
/** 422: the request broke a rule; `reasons` lists each field and why. */
export class ValidationError extends WickrServiceException {
  readonly reasons: ValidationReason[];
  constructor(options: WickrErrorOptions) {
    super('ValidationError', options);
    const reasons = options.body?.reasons;
    this.reasons = Array.isArray(reasons) ? reasons.map((r: Record<string, unknown>) => ({ field: str(r?.field), reason: str(r?.reason) })) : [];
  }
}
export class RateLimitError extends WickrServiceException {
  constructor(options: WickrErrorOptions) {
    super('RateLimitError', options);
  }
}
export class InternalServerError extends WickrServiceException {
  constructor(options: WickrErrorOptions) {
    super('InternalServerError', options);
  }
}

const BY_NAME: Record<string, new (options: WickrErrorOptions) => WickrServiceException> = {
  BadRequestError,
  UnauthorizedError,
  ForbiddenError,
  ResourceNotFoundError,
  ValidationError,
  RateLimitError,
  InternalServerError,
};

const BY_STATUS: Record<number, string> = {
  400: 'BadRequestError',
  401: 'UnauthorizedError',
  403: 'ForbiddenError',
  404: 'ResourceNotFoundError',
  422: 'ValidationError',
  429: 'RateLimitError',
  500: 'InternalServerError',
};

/**
 * The typed error for an error answer. The name comes from `x-amzn-ErrorType` (or the
 * body's `__type`/`code`), else from the status code, as the AWS SDK's rest-json
 * deserializers do.
 */
export function toWickrError(status: number, errorType: string | undefined, body: Record<string, unknown>, metadata: WickrResponseMetadata): WickrServiceException {
  const declared = sanitizeErrorCode(errorType ?? str(body.__type) ?? str(body.code));
  const name = declared ?? BY_STATUS[status] ?? (status >= 500 ? 'InternalServerError' : 'UnknownError');
  const message = str(body.message) ?? str(body.Message) ?? `HTTP ${status}`;
  const options: WickrErrorOptions = { message, $metadata: metadata, $fault: status >= 500 ? 'server' : 'client', body };
  const ctor = BY_NAME[name];
  return ctor ? new ctor(options) : new WickrServiceException(name, options);
}

/** `aws.protocols#Name:http://...` → `Name`, as the SDK does. */
function sanitizeErrorCode(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let code = raw.split(',')[0].trim();
  if (code.includes(':')) code = code.split(':')[0];
  if (code.includes('#')) code = code.split('#')[1];
  return code || undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
