import { randomUUID } from 'crypto';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { CallObserver } from '../core/observer';
import { credentialProvider, Credentials, HttpResult, NetworkError, sendSigned } from '../core/signed-http';
import { WickrCommand } from './command';
import { RateLimitError, toWickrError, WickrServiceException } from './errors';
import * as model from './model.generated';

export { WickrCommand } from './command';
export * from './errors';
export * from './model.generated';

export interface WickrClientConfig {
  /** @default AWS_REGION, else `us-east-1` */
  readonly region?: string;
  /**
   * Base URL of the service.
   * @default AWS_ENDPOINT_URL_WICKR, else AWS_ENDPOINT_URL, else `https://admin.wickr.{region}.amazonaws.com`
   */
  readonly endpoint?: string;
  /** @default the default Node.js credential provider chain */
  readonly credentials?: Credentials;
  /** Attempts per operation, the first included. @default 3 */
  readonly maxAttempts?: number;
  /**
   * Attempts per operation while the service keeps answering 429: throttling says only
   * "later", so it gets a longer budget than other failures (bulk work under a storm).
   * @default 4 × maxAttempts
   */
  readonly maxThrottledAttempts?: number;
  /** Time allowed for one attempt. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Base of the jittered exponential backoff between attempts. @default 100 */
  readonly retryBaseDelayMs?: number;
  /** Called once per operation (not per attempt). @default none */
  readonly observer?: CallObserver;
}

/**
 * Operations that create something and take no client token: a second attempt after an
 * answer that may hide a committed change could create a second thing, so they are never
 * retried on 5xx or a connection lost after sending. Callers reconcile instead
 * (see `isAmbiguousFailure`).
 */
const NEVER_RETRY_AMBIGUOUS = new Set(['CreateNetwork', 'CreateBot', 'CreateDataRetentionBot']);
/**
 * POST operations without a token that are safe to repeat: they validate, overwrite the
 * one configuration, only read, or (a bot challenge) replace what the previous attempt made.
 */
const SAFE_POSTS = new Set(['RegisterOidcConfig', 'RegisterOidcConfigTest', 'RegisterOpentdfConfig', 'BatchLookupUserUname', 'CreateDataRetentionBotChallenge']);
const MAX_BACKOFF_MS = 5_000;

/**
 * A small SigV4-signed rest-json client for the AWS Wickr Admin API, generated from the
 * service model (`model.generated.ts`). It has the shape of an AWS SDK v3 client
 * (`send(new XxxCommand(input))`, typed errors with `$metadata`), so it can be swapped for
 * `@aws-sdk/client-wickr` where that package is available.
 *
 * Retries: throttling (429, with its own longer budget) and connections that fail before
 * the request was sent are always retried; 5xx answers and connections lost after sending are retried only for
 * operations that are safe to repeat (reads, deletes, updates, operations with a client
 * token, which is filled once per `send` so every attempt carries the same token).
 */
export class WickrClient {
  readonly region: string;
  private readonly endpoint: URL;
  private readonly credentials: AwsCredentialIdentityProvider;
  private readonly maxAttempts: number;
  private readonly maxThrottledAttempts: number;
  private readonly timeoutMs: number;
  private readonly baseDelayMs: number;

  constructor(private readonly config: WickrClientConfig = {}) {
    this.region = config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    this.endpoint = new URL(
      config.endpoint ?? process.env.AWS_ENDPOINT_URL_WICKR ?? process.env.AWS_ENDPOINT_URL ?? `https://admin.wickr.${this.region}.amazonaws.com`,
    );
    this.credentials = credentialProvider(config.credentials);
    this.maxAttempts = Math.max(1, config.maxAttempts ?? 3);
    this.maxThrottledAttempts = Math.max(this.maxAttempts, config.maxThrottledAttempts ?? 4 * this.maxAttempts);
    this.timeoutMs = config.requestTimeoutMs ?? 30_000;
    this.baseDelayMs = config.retryBaseDelayMs ?? 100;
  }

  async send<I extends object, O extends object>(command: WickrCommand<I, O>): Promise<O> {
    const binding = model.OPERATIONS[command.operation];
    if (!binding) throw new Error(`unknown Wickr operation ${command.operation}`);
    const input: Record<string, unknown> = { ...(command.input as Record<string, unknown>) };
    if (binding.token && input[binding.token] === undefined) input[binding.token] = randomUUID();
    const request = serialize(this.endpoint, binding, input, command.operation);
    const observer = this.config.observer;
    observer?.before?.({ service: 'Wickr', operation: command.operation });
    const started = Date.now();
    let attempts = 0;
    let status: number | undefined;
    try {
      for (;;) {
        attempts++;
        let result: HttpResult | undefined;
        let failure: unknown;
        try {
          result = await sendSigned({ ...request, service: 'wickr', region: this.region }, this.credentials, this.timeoutMs);
          status = result.status;
          if (result.status >= 200 && result.status < 300) {
            const output = parseBody(result.body) as O;
            observer?.after?.({ service: 'Wickr', operation: command.operation, status, attempts, durationMs: Date.now() - started });
            return output;
          }
          failure = toWickrError(result.status, header(result, 'x-amzn-errortype'), parseBody(result.body), {
            httpStatusCode: result.status,
            requestId: header(result, 'x-amzn-requestid'),
            attempts,
          });
        } catch (error) {
          failure = error;
        }
        const budget = failure instanceof RateLimitError ? this.maxThrottledAttempts : this.maxAttempts;
        if (attempts >= budget || !this.retryable(command.operation, binding.method, binding.token, failure)) throw failure;
        await sleep(this.backoff(attempts));
      }
    } catch (error) {
      observer?.after?.({ service: 'Wickr', operation: command.operation, status, attempts, durationMs: Date.now() - started, error });
      throw error;
    }
  }

  private retryable(operation: string, method: string, token: string | undefined, failure: unknown): boolean {
    if (failure instanceof RateLimitError) return true;
    if (failure instanceof NetworkError && !failure.sent) return true;
    const ambiguous = failure instanceof NetworkError || (failure instanceof WickrServiceException && failure.$fault === 'server');
    if (!ambiguous || NEVER_RETRY_AMBIGUOUS.has(operation)) return false;
    return method !== 'POST' || token !== undefined || SAFE_POSTS.has(operation);
  }

  /** Full jitter: a random delay up to base·2^(attempt-1), capped. */
  private backoff(attempt: number): number {
    return Math.random() * Math.min(MAX_BACKOFF_MS, this.baseDelayMs * 2 ** (attempt - 1));
  }
}

/**
 * True when a failed call may nevertheless have been applied: the connection was lost
 * after the request was sent, or the service answered 5xx. Callers of operations without
 * a client token must look before trying again.
 */
export function isAmbiguousFailure(error: unknown): boolean {
  if (error instanceof NetworkError) return error.sent;
  return error instanceof WickrServiceException && error.$fault === 'server';
}

function serialize(endpoint: URL, binding: model.OperationBinding, input: Record<string, unknown>, operation: string) {
  let path = binding.uri;
  const query: Array<[string, string]> = [];
  const headers: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  let hasBody = false;
  for (const [member, [location, wireName, kind]] of Object.entries(binding.members)) {
    const value = input[member];
    if (value === undefined || value === null) continue;
    switch (location) {
      case 'uri':
        path = path.replace(`{${wireName}}`, encodeURIComponent(scalar(value, kind)));
        break;
      case 'querystring':
        for (const v of Array.isArray(value) ? value : [value]) query.push([wireName, scalar(v, kind)]);
        break;
      case 'header':
        headers[wireName.toLowerCase()] = scalar(value, kind);
        break;
      default:
        body[wireName] = value;
        hasBody = true;
    }
  }
  const missing = /\{(\w+)\}/.exec(path);
  if (missing) throw new Error(`Wickr ${operation}: the path label ${missing[1]} is required`);
  const base = endpoint.pathname.replace(/\/$/, '');
  const url = new URL(`${endpoint.origin}${base}${path}`);
  // Not URLSearchParams: it sends a space as `+`, while SigV4 signs `%20` (RFC 3986, what
  // the official clients send), so the service would see another query than was signed.
  url.search = query.map(([k, v]) => `${escapeUri(k)}=${escapeUri(v)}`).join('&');
  if (hasBody) headers['content-type'] = 'application/json';
  return { method: binding.method, url, headers, body: hasBody ? JSON.stringify(body) : undefined };
}

/** RFC 3986 percent-encoding of everything but unreserved characters, as the SigV4 signer encodes query values. */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Query, header and label values: booleans as `true`/`false`, timestamps in epoch seconds. */
function scalar(value: unknown, kind: string): string {
  if (kind === 'timestamp') {
    const seconds = value instanceof Date ? value.getTime() / 1000 : Number(value);
    return String(Math.floor(seconds));
  }
  return String(value);
}

function parseBody(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (!text) return {};
  try {
    const parsed = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return { message: text.slice(0, 200) };
  }
}

function header(result: HttpResult, name: string): string | undefined {
  const v = result.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface WickrPaginationConfig {
  readonly client: WickrClient;
  /** `maxResults` per page (1 to 100). @default 100 */
  readonly pageSize?: number;
}

type Paginated<I, O> = (config: WickrPaginationConfig, input: I) => AsyncGenerator<O>;

function paginator<I extends { nextToken?: string; maxResults?: number }, O extends { nextToken?: string }>(
  make: (input: I) => WickrCommand<I, O>,
): Paginated<I, O> {
  return async function* paginate(config, input) {
    let nextToken = input.nextToken;
    do {
      const page: O = await config.client.send(make({ ...input, nextToken, maxResults: input.maxResults ?? config.pageSize ?? 100 }));
      yield page;
      nextToken = page.nextToken || undefined;
    } while (nextToken);
  };
}

export const paginateListNetworks = paginator((i: model.ListNetworksRequest) => new model.ListNetworksCommand(i));
export const paginateListSecurityGroups = paginator((i: model.ListSecurityGroupsRequest) => new model.ListSecurityGroupsCommand(i));
export const paginateListUsers = paginator((i: model.ListUsersRequest) => new model.ListUsersCommand(i));
export const paginateListBots = paginator((i: model.ListBotsRequest) => new model.ListBotsCommand(i));
export const paginateListSecurityGroupUsers = paginator((i: model.ListSecurityGroupUsersRequest) => new model.ListSecurityGroupUsersCommand(i));
export const paginateListDevicesForUser = paginator((i: model.ListDevicesForUserRequest) => new model.ListDevicesForUserCommand(i));
export const paginateListGuestUsers = paginator((i: model.ListGuestUsersRequest) => new model.ListGuestUsersCommand(i));
export const paginateListBlockedGuestUsers = paginator((i: model.ListBlockedGuestUsersRequest) => new model.ListBlockedGuestUsersCommand(i));
