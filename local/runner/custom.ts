import { randomUUID } from 'crypto';
import { stringifyLeaves, StackEnvironment } from './intrinsics';
import { LocalFunction } from './lambda';
import { InvocationRecord, Phase, ReceivedAnswer, Recorder } from './report';
import { ResponseServer } from './response-server';

/**
 * The custom resource protocol, CloudFormation's side: build the event, invoke the
 * provider function asynchronously (its return value means nothing; Lambda retries a
 * function error twice), wait for the response it PUTs to `ResponseURL` for at most the
 * resource's `ServiceTimeout`, and check the response as CloudFormation does.
 */

export type RequestType = 'Create' | 'Update' | 'Delete';

/** Deliver requests twice (the same event, same `RequestId`), to prove a handler idempotent. */
export interface DuplicateDeliveryOptions {
  /**
   * `after-answer`: the second delivery starts once the first answered (a retry or a
   * replayed event). `concurrent`: both at once. @default 'after-answer'
   */
  readonly mode?: 'after-answer' | 'concurrent';
  /** Which request types. @default ['Create'] */
  readonly requestTypes?: readonly RequestType[];
  /** Only these logical ids. @default every resource */
  readonly logicalIds?: readonly string[];
}

/** The response endpoint (S3's presigned URL) refuses every PUT for a while after a request is sent. */
export interface ResponseOutageOptions {
  /** How long, from the moment the request is sent. */
  readonly ms: number;
  /** Only requests of these logical ids. @default every resource */
  readonly logicalIds?: readonly string[];
  /** Only these request types. @default every type */
  readonly requestTypes?: readonly RequestType[];
}

export interface CustomTimeouts {
  /** Overrides every resource's `ServiceTimeout` (how long the runner waits for the response). */
  readonly serviceTimeoutMs?: number;
  /** Overrides every function's `Timeout` (what `getRemainingTimeInMillis` counts down from). */
  readonly functionTimeoutMs?: number;
  /**
   * Once every delivery of a request has ended (the handler returned, threw after its
   * retries, or ran past its timeout) without a response, wait this long for a late PUT,
   * then fail the request. CloudFormation would wait the full ServiceTimeout; nothing can
   * answer any more. @default 2000
   */
  readonly noAnswerGraceMs?: number;
}

export interface CustomRuntime {
  readonly recorder: Recorder;
  readonly server: ResponseServer;
  /** Endpoint overrides and credentials for the emulator. */
  readonly extraEnv: Readonly<Record<string, string>>;
  readonly timeouts: CustomTimeouts;
  /** Retries of a delivery whose invocation failed (Lambda's asynchronous invocation retries twice). */
  readonly lambdaRetries: number;
  readonly retryDelayMs: number;
  readonly duplicateDeliveries?: DuplicateDeliveryOptions;
  readonly responseOutage?: ResponseOutageOptions;
  functionFor(serviceToken: string): LocalFunction | { readonly error: string };
}

export interface CustomRequest {
  readonly stack: StackEnvironment;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly requestType: RequestType;
  readonly physicalId?: string;
  /** Resolved properties (stringified for the event here). */
  readonly properties: Record<string, unknown>;
  readonly oldProperties?: Record<string, unknown>;
  readonly phase: Phase;
  /** Called with the first answer as soon as it arrives (CloudFormation records it then), before a duplicate delivery starts. */
  readonly answered?: (first: { readonly status: string; readonly physicalId?: string; readonly reason?: string }) => Promise<void>;
}

export interface CustomOutcome {
  readonly status: 'SUCCESS' | 'FAILED';
  /** The physical id the response carried (a FAILED Create's too: CloudFormation deletes it). */
  readonly physicalId?: string;
  readonly data: Record<string, string>;
  readonly reason?: string;
  readonly timedOut: boolean;
  readonly record?: InvocationRecord;
}

/** CloudFormation rejects a response larger than this. */
const MAX_RESPONSE_BYTES = 4096;
const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;

export async function sendCustomRequest(runtime: CustomRuntime, request: CustomRequest): Promise<CustomOutcome> {
  const serviceToken = request.properties.ServiceToken;
  if (typeof serviceToken !== 'string' || !serviceToken) {
    return { status: 'FAILED', data: {}, timedOut: false, reason: 'ServiceToken is required: a custom resource names the Lambda function that provides it' };
  }
  const fn = runtime.functionFor(serviceToken);
  if (!(fn instanceof LocalFunction)) return { status: 'FAILED', data: {}, timedOut: false, reason: fn.error };

  const requestId = randomUUID();
  const outage = runtime.responseOutage;
  const unreachable =
    outage && (!outage.logicalIds || outage.logicalIds.includes(request.logicalId)) && (!outage.requestTypes || outage.requestTypes.includes(request.requestType)) ? outage.ms : 0;
  const responseUrl = runtime.server.register(request.stack.stackName, request.logicalId, requestId, unreachable);
  const event: Record<string, unknown> = {
    RequestType: request.requestType,
    ServiceToken: serviceToken,
    ResponseURL: responseUrl,
    StackId: request.stack.stackId,
    RequestId: requestId,
    LogicalResourceId: request.logicalId,
    ResourceType: request.resourceType,
    ...(request.requestType === 'Create' ? {} : { PhysicalResourceId: request.physicalId }),
    ResourceProperties: stringifyLeaves(request.properties),
    ...(request.requestType === 'Update' ? { OldResourceProperties: stringifyLeaves(request.oldProperties ?? {}) } : {}),
  };

  const configured = Number(request.properties.ServiceTimeout);
  const serviceTimeoutMs = runtime.timeouts.serviceTimeoutMs ?? (Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_SERVICE_TIMEOUT_SECONDS) * 1000;
  const graceMs = runtime.timeouts.noAnswerGraceMs ?? 2000;
  const started = Date.now();
  const deadline = started + serviceTimeoutMs;

  const record: InvocationRecord = {
    stackName: request.stack.stackName,
    logicalId: request.logicalId,
    resourceType: request.resourceType,
    requestType: request.requestType,
    requestId,
    phase: request.phase,
    event,
    deliveries: 0,
    responses: [],
    status: 'FAILED',
    timedOut: false,
    durationMs: 0,
  };
  runtime.recorder.invocations.push(record);

  const answered = () => runtime.server.responses(responseUrl).length > 0;
  let stopWaiting!: () => void;
  const abandon = new Promise<void>((resolve) => (stopWaiting = resolve));
  const deliver = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      record.deliveries++;
      const outcome = await fn.invoke(event, {
        extraEnv: runtime.extraEnv,
        timeoutMs: runtime.timeouts.functionTimeoutMs,
        abandon,
        onLog: (line) => runtime.recorder.log({ stackName: request.stack.stackName, logicalId: request.logicalId, requestType: request.requestType, requestId, ...line }),
      });
      if (outcome.abandoned) return;
      // Lambda retries an asynchronous invocation that failed whether or not it answered first
      // (it cannot know): a handler whose work after the answer failed is delivered the event again.
      if (outcome.error === undefined || attempt >= runtime.lambdaRetries) {
        if (outcome.error !== undefined && !answered()) {
          runtime.recorder.log({
            stackName: request.stack.stackName,
            logicalId: request.logicalId,
            requestType: request.requestType,
            requestId,
            stream: 'stderr',
            line: `invocation failed (${describe(outcome.error)}); Lambda gives up after ${runtime.lambdaRetries} retries`,
          });
        }
        return;
      }
      runtime.recorder.log({
        stackName: request.stack.stackName,
        logicalId: request.logicalId,
        requestType: request.requestType,
        requestId,
        stream: 'stderr',
        line: `invocation failed (${describe(outcome.error)}); Lambda retries the asynchronous invocation`,
      });
      if (runtime.retryDelayMs > 0) await sleep(runtime.retryDelayMs);
    }
  };

  const duplicate = duplicates(runtime.duplicateDeliveries, request);
  const deliveries: Array<Promise<void>> = [deliver()];
  if (duplicate === 'concurrent') deliveries.push(deliver());

  const timers: NodeJS.Timeout[] = [];
  let finished = false;
  const timer = (ms: number) =>
    new Promise<'timeout'>((resolve) => {
      if (finished) resolve('timeout');
      else timers.push(setTimeout(() => resolve('timeout'), Math.max(0, ms)));
    });
  /** Waits for `count` responses, the deadline, or every delivery ending plus the grace period. */
  const waitFor = async (count: number): Promise<'answered' | 'timeout' | 'silent'> => {
    const ended = Promise.all([...deliveries]).then(async () => {
      await timer(Math.min(graceMs, Math.max(0, deadline - Date.now())));
      return 'silent' as const;
    });
    return Promise.race([runtime.server.waitFor(responseUrl, count).then(() => 'answered' as const), timer(deadline - Date.now()), ended]);
  };

  try {
    const first = await waitFor(1);
    if (first === 'answered' && request.answered) {
      const [answer] = runtime.server.responses(responseUrl);
      const checked = checkResponse(answer.body, answer.json, event);
      await request.answered({ status: checked.status, physicalId: checked.physicalId, reason: checked.reason });
    }
    if (first === 'answered' && duplicate !== undefined) {
      if (duplicate === 'after-answer') deliveries.push(deliver());
      // The duplicate's answer is recorded (to compare), but the first one counts.
      if ((await waitFor(2)) !== 'answered') runtime.recorder.warn(`${request.logicalId}: the duplicated ${request.requestType} (RequestId ${requestId}) sent no response`);
    }
    const received = runtime.server.responses(responseUrl);
    record.responses.push(...received.map((r) => (r.json && typeof r.json === 'object' ? (r.json as ReceivedAnswer) : { raw: r.body })));
    record.durationMs = Date.now() - started;
    if (first !== 'answered') {
      const seconds = Math.round(serviceTimeoutMs / 1000);
      const reason =
        first === 'timeout'
          ? `timed out: no response from the custom resource provider within the ServiceTimeout (${seconds} s); see the function's logs for RequestId ${requestId}`
          : `timed out: the provider function ended without sending a response (CloudFormation would wait the ServiceTimeout, ${seconds} s, and fail); see the function's logs for RequestId ${requestId}`;
      Object.assign(record, { status: 'FAILED', reason, timedOut: true });
      return { status: 'FAILED', data: {}, reason, timedOut: true, record };
    }
    // Lambda runs a handler until it returns, not until it answers: work after the answer
    // (removing a creation marker) completes before the next request, as it would in AWS.
    await Promise.all([...deliveries]);
    const outcome = checkResponse(received[0].body, received[0].json, event);
    Object.assign(record, { status: outcome.status, physicalId: outcome.physicalId, reason: outcome.reason });
    if (received.length > 1) {
      const second = checkResponse(received[1].body, received[1].json, event);
      if (second.status !== outcome.status || second.physicalId !== outcome.physicalId) {
        runtime.recorder.warn(
          `${request.logicalId}: the duplicated ${request.requestType} answered ${second.status} ${second.physicalId ?? ''} after ${outcome.status} ${outcome.physicalId ?? ''}: not idempotent`,
        );
      }
    }
    return { ...outcome, timedOut: false, record };
  } finally {
    finished = true;
    for (const t of timers) clearTimeout(t);
    stopWaiting();
  }
}

function duplicates(options: DuplicateDeliveryOptions | undefined, request: CustomRequest): 'after-answer' | 'concurrent' | undefined {
  if (!options) return undefined;
  if (!(options.requestTypes ?? ['Create']).includes(request.requestType)) return undefined;
  if (options.logicalIds && !options.logicalIds.includes(request.logicalId)) return undefined;
  return options.mode ?? 'after-answer';
}

/** What CloudFormation makes of a response body. */
export function checkResponse(body: string, json: unknown, event: Record<string, unknown>): Omit<CustomOutcome, 'timedOut' | 'record'> {
  const invalid = (why: string) => ({ status: 'FAILED' as const, data: {}, reason: `Invalid response from the custom resource provider: ${why}` });
  if (Buffer.byteLength(body) > MAX_RESPONSE_BYTES) return { status: 'FAILED', data: {}, reason: 'Response object is too long.' };
  if (!json || typeof json !== 'object' || Array.isArray(json)) return invalid('the body is not a JSON object');
  const r = json as ReceivedAnswer;
  if (r.Status !== 'SUCCESS' && r.Status !== 'FAILED') return invalid(`Status must be SUCCESS or FAILED, not ${JSON.stringify(r.Status)}`);
  for (const key of ['StackId', 'RequestId', 'LogicalResourceId'] as const) {
    if (r[key] !== event[key]) return invalid(`${key} ${JSON.stringify(r[key])} does not match the request's ${JSON.stringify(event[key])}`);
  }
  const physicalId = typeof r.PhysicalResourceId === 'string' && r.PhysicalResourceId ? r.PhysicalResourceId : undefined;
  if (r.Status === 'FAILED') {
    return {
      status: 'FAILED',
      physicalId,
      data: {},
      reason: `Received response status [FAILED] from custom resource. Message returned: ${r.Reason ?? '(no reason)'}`,
    };
  }
  if (!physicalId) return invalid('Invalid PhysicalResourceId');
  if (r.Data !== undefined && (typeof r.Data !== 'object' || r.Data === null || Array.isArray(r.Data))) return invalid('Data must be an object');
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(r.Data ?? {})) data[key] = typeof value === 'string' ? value : JSON.stringify(value);
  return { status: 'SUCCESS', physicalId, data };
}

function describe(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return `${(err as Error).name ?? 'Error'}: ${(err as Error).message}`;
  return String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
