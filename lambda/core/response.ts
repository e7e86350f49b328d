import * as http from 'http';
import * as https from 'https';
import { CustomResourceResponse } from './event';

/** CloudFormation rejects a response body larger than this. */
export const MAX_RESPONSE_BYTES = 4096;
/** Physical ids stay under 1 KB. */
export const MAX_PHYSICAL_ID_LENGTH = 1024;
/** One PUT attempt gives up after this long (a hanging endpoint must not eat the invocation). */
export const PUT_ATTEMPT_TIMEOUT_MS = 3_000;

const TRUNCATED = ' ... (truncated, see the logs)';

/**
 * Fits a response into CloudFormation's 4096-byte limit, measured as the JSON body that
 * is sent (escaping included: a control character in a reason takes six bytes there).
 *
 * 1. The reason is shortened.
 * 2. A `Data` map that alone does not fit turns the response into a FAILED one, because a
 *    truncated `Data` would silently hand wrong attributes to the template.
 * 3. Identifiers CloudFormation sent that alone exceed the limit (impossible for a real
 *    event: logical ids have at most 255 characters) are shortened too, so the body is
 *    always within the limit; CloudFormation would not match such an answer anyway.
 */
export function fitResponse(response: CustomResourceResponse): CustomResourceResponse {
  if (byteLength(response) <= MAX_RESPONSE_BYTES) return response;
  const shortened = fitReason(response);
  if (byteLength(shortened) <= MAX_RESPONSE_BYTES) return shortened;
  const { Data: _data, NoEcho: _noEcho, ...rest } = response;
  const failed: CustomResourceResponse = fitReason({
    ...rest,
    Status: 'FAILED',
    Reason: response.Data
      ? `response Data is ${byteLength(response)} bytes, over CloudFormation's ${MAX_RESPONSE_BYTES}-byte limit`
      : (response.Reason ?? 'the response does not fit CloudFormation\'s limit'),
  });
  if (byteLength(failed) <= MAX_RESPONSE_BYTES) return failed;
  // Only oversized identifiers are left: share what remains among them.
  const budget = Math.floor((MAX_RESPONSE_BYTES - byteLength({ ...failed, Reason: '', PhysicalResourceId: '', StackId: '', RequestId: '', LogicalResourceId: '' })) / 5);
  return {
    ...failed,
    Reason: truncateJson(failed.Reason ?? '', budget),
    PhysicalResourceId: truncateJson(failed.PhysicalResourceId, budget),
    StackId: truncateJson(failed.StackId, budget),
    RequestId: truncateJson(failed.RequestId, budget),
    LogicalResourceId: truncateJson(failed.LogicalResourceId, budget),
  };
}

/** The response with its reason cut so the whole body fits, if the rest leaves room for a useful reason. */
function fitReason(response: CustomResourceResponse): CustomResourceResponse {
  if (!response.Reason || byteLength(response) <= MAX_RESPONSE_BYTES) return response;
  const room = MAX_RESPONSE_BYTES - byteLength({ ...response, Reason: '' });
  if (room < 100) return response;
  return { ...response, Reason: truncateJson(response.Reason, room - jsonLength(TRUNCATED)) + TRUNCATED };
}

function byteLength(response: CustomResourceResponse): number {
  return Buffer.byteLength(JSON.stringify(response));
}

/** Bytes a string takes inside a JSON body, quotes excluded. */
function jsonLength(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

/** The longest prefix of `text` whose JSON form fits in `maxBytes` (never splitting a character). */
export function truncateJson(text: string, maxBytes: number): string {
  if (jsonLength(text) <= maxBytes) return text;
  const chars = [...text];
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (jsonLength(chars.slice(0, mid).join('')) <= maxBytes) low = mid;
    else high = mid - 1;
  }
  return chars.slice(0, low).join('');
}

/**
 * PUTs the response to the presigned `ResponseURL` (S3 in AWS, the local runner's
 * endpoint in tests). Each attempt is bounded (`PUT_ATTEMPT_TIMEOUT_MS`); network errors,
 * timeouts and 5xx are retried with backoff until `deadline` (epoch ms). Throws the last
 * error when no attempt succeeded, so the invocation fails and Lambda delivers the event
 * again (the handlers are idempotent, so the redelivery converges on the same answer).
 */
export async function putResponse(url: string, response: CustomResourceResponse, deadline: number): Promise<void> {
  const body = JSON.stringify(response);
  let lastError: unknown = new Error('no time left to send the response');
  for (let attempt = 0; ; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      const status = await put(url, body, Math.min(PUT_ATTEMPT_TIMEOUT_MS, left));
      if (status >= 200 && status < 300) return;
      lastError = new Error(`response endpoint answered HTTP ${status}`);
      if (status < 500) break;
    } catch (err) {
      lastError = err;
    }
    const pause = Math.min(200 * 2 ** attempt, 2_000);
    if (deadline - Date.now() <= pause) break;
    await sleep(pause);
  }
  throw lastError;
}

function put(url: string, body: string, timeoutMs: number): Promise<number> {
  const target = new URL(url);
  const transport = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => req.destroy(new Error(`no answer from the response endpoint within ${timeoutMs} ms`)), timeoutMs);
    const req = transport.request(target, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
