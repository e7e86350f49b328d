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
