import { preview } from './event';

/**
 * Typed errors. Resource handlers throw these (or let service errors through);
 * the dispatcher wraps whatever arrives exactly once, in a `ResourceOperationError`
 * whose message is what the user reads in the CloudFormation console.
 */
export class ProviderError extends Error {
  /** The handler knows its request made nothing (its calls answered, and every item was refused): nothing to clean up. */
  readonly madeNothing: boolean;

  constructor(message: string, options?: { cause?: unknown; madeNothing?: boolean }) {
    super(message, options);
    this.name = new.target.name;
    this.madeNothing = options?.madeNothing ?? false;
  }
}

/** A property in the event does not fit the resource's schema. */
export class PropertyError extends ProviderError {
  constructor(readonly property: string, readonly rule: string, readonly received?: unknown) {
    super(`property ${property} ${rule}${received === undefined ? '' : ` (received ${preview(received)})`}`);
  }
}

/** The change asked for needs a replacement that the resource does not allow. */
export class ReplacementRefusedError extends ProviderError {}

/** A request the handler refuses for a reason other than a bad property. */
export class RequestRefusedError extends ProviderError {}

/** A batch call partly failed; `failures` lists each item and its reason. */
export class PartialFailureError extends ProviderError {
  constructor(
    readonly operation: string,
    readonly failures: ReadonlyArray<{ readonly item: string; readonly field?: string; readonly reason?: string }>,
    readonly total: number,
  ) {
    super(
      `${operation}: ${failures.length} of ${total} item(s) failed: ` +
        failures.map((f) => `${f.item}${f.field ? ` ${f.field}` : ''}: ${f.reason ?? 'failed'}`).join('; '),
    );
  }
}

/** The one wrapped error per failure: names resource type, logical id and operation, then the cause. */
export class ResourceOperationError extends ProviderError {
  constructor(
    readonly resourceType: string,
    readonly logicalId: string,
    readonly operation: string,
    cause: unknown,
  ) {
    super(`${resourceType} ${logicalId}: ${operation} failed: ${describeError(cause)}`, { cause });
  }
}

interface ServiceErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly $service?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly reasons?: ReadonlyArray<{ readonly field?: string; readonly reason?: string }>;
  readonly Code?: string;
}

/**
 * One sentence for any error: service errors become `<Service> <ErrorCode> (HTTP n): message [field: reason; ...]`.
 * Service clients tag their errors with `$service` (see the client factories).
 */
export function describeError(err: unknown): string {
  if (err instanceof ProviderError) return err.message;
  if (err && typeof err === 'object') {
    const e = err as ServiceErrorLike;
    const status = e.$metadata?.httpStatusCode;
    if (e.$service) {
      const reasons = e.reasons?.length
        ? ` [${e.reasons.map((r) => `${r.field ?? '?'}: ${r.reason ?? '?'}`).join('; ')}]`
        : '';
      return `${e.$service} ${e.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${e.message || 'no message'}${reasons}`;
    }
    if (e instanceof Error) return `${e.name}: ${e.message}`;
  }
  return String(err);
}

/** True when the service says the thing is not there (404 and the services' not-found codes). */
export function isNotFound(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as ServiceErrorLike;
  return (
    e.$metadata?.httpStatusCode === 404 ||
    e.name === 'ResourceNotFoundError' ||
    e.name === 'NotFoundException' ||
    e.name === 'ResourceNotFoundException' ||
    // Chime SDK Identity answers most lookups of a missing resource (and of an admin role
    // someone does not hold) with a 400.
    (e.name === 'BadRequestException' && /\bnot found\b|does not exist|is not an AppInstanceAdmin/i.test(e.message ?? ''))
  );
}

