/**
 * The CloudFormation custom resource protocol, as the provider function receives it.
 *
 * CloudFormation sends every leaf property value as a string; `ResourceProperties`
 * is therefore decoded by each resource's schema before use (see `schema.ts`).
 */
export type LifecycleRequestType = 'Create' | 'Update' | 'Delete';

export interface CustomResourceEvent {
  readonly RequestType: LifecycleRequestType;
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

/**
 * A read-only request, sent synchronously (RequestResponse) by the drift command.
 * It has no `ResponseURL`: the live state is the invocation's return value.
 */
export interface ReadRequest {
  readonly RequestType: 'Read';
  readonly ResourceType: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly StackId?: string;
}

export interface ReadResult {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  /** Live values, keyed by the same wire keys as `ResourceProperties`. `Exists: false` when the resource is gone. */
  readonly Live?: Record<string, unknown>;
  readonly Exists?: boolean;
}

export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, string>;
}

/** The subset of the Lambda context the handler uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
}

/** CloudFormation's logical ids have at most 255 characters. */
export const MAX_LOGICAL_ID_LENGTH = 255;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why a lifecycle event cannot be served, or undefined when it is well formed. `known`
 * tells whether a resource type is served (an own entry of the handler table: a type named
 * `toString` or `__proto__` is unknown, not Object's).
 */
export function eventProblem(event: Record<string, unknown>, known: (type: string) => boolean, served: readonly string[]): string | undefined {
  const type = event.RequestType;
  if (type !== 'Create' && type !== 'Update' && type !== 'Delete') return `malformed event: unknown request type ${preview(type)}; expected Create, Update or Delete`;
  for (const key of ['StackId', 'RequestId', 'LogicalResourceId'] as const) {
    if (typeof event[key] !== 'string' || event[key] === '') return `malformed event: ${key} must be a non-empty string (received ${preview(event[key])})`;
  }
  const logicalId = event.LogicalResourceId as string;
  if (logicalId.length > MAX_LOGICAL_ID_LENGTH) {
    return `malformed event: LogicalResourceId is ${logicalId.length} characters long; CloudFormation's logical ids have at most ${MAX_LOGICAL_ID_LENGTH}`;
  }
  if (typeof event.ResourceType !== 'string' || !known(event.ResourceType)) {
    return `unknown resource type ${preview(event.ResourceType)}; this provider serves ${served.join(', ')}`;
  }
  if ((type === 'Update' || type === 'Delete') && (typeof event.PhysicalResourceId !== 'string' || event.PhysicalResourceId === '')) {
    return `${type} request without a PhysicalResourceId`;
  }
  if (event.ResourceProperties !== undefined && !isRecord(event.ResourceProperties)) return 'malformed event: ResourceProperties must be an object';
  if (type === 'Update' && event.OldResourceProperties !== undefined && !isRecord(event.OldResourceProperties)) {
    return 'malformed event: OldResourceProperties must be an object';
  }
  return undefined;
}

/** A short, single-line rendering of a value for a reason (never longer than 80 characters, whatever the value). */
export function preview(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  } catch {
    // Nested too deep for JSON.stringify (or circular): no event property is either.
    text = Array.isArray(value) ? 'a list nested too deep to show' : 'an object nested too deep to show';
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
