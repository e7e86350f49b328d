import * as http from 'http';
import * as https from 'https';
import { CustomResourceResponse } from './event';

/** CloudFormation rejects a response body larger than this. */
export const MAX_RESPONSE_BYTES = 4096;
/** Physical ids stay under 1 KB. */
export const MAX_PHYSICAL_ID_LENGTH = 1024;

/**
 * Fits a response into CloudFormation's 4096-byte limit. The reason is shortened first;
 * a `Data` map that alone does not fit turns the response into a FAILED one, because a
 * truncated `Data` would silently hand wrong attributes to the template.
 */
export function fitResponse(response: CustomResourceResponse): CustomResourceResponse {
  if (byteLength(response) <= MAX_RESPONSE_BYTES) return response;
  if (response.Reason) {
    const overflow = byteLength(response) - MAX_RESPONSE_BYTES;
    const reasonBytes = Buffer.byteLength(response.Reason);
    if (reasonBytes - overflow > 100) {
      const reason = truncateUtf8(response.Reason, reasonBytes - overflow - 40) + ' ... (truncated, see the logs)';
      const shortened = { ...response, Reason: reason };
      if (byteLength(shortened) <= MAX_RESPONSE_BYTES) return shortened;
    }
  }
  const { Data: _data, ...rest } = response;
  return {
    ...rest,
    Status: 'FAILED',
    Reason: `response Data is ${byteLength(response)} bytes, over CloudFormation's ${MAX_RESPONSE_BYTES}-byte limit`,
  };
}

function byteLength(response: CustomResourceResponse): number {
  return Buffer.byteLength(JSON.stringify(response));
}

function truncateUtf8(text: string, maxBytes: number): string {
  let out = text;
  while (Buffer.byteLength(out) > maxBytes) out = out.slice(0, Math.max(0, out.length - Math.ceil((Buffer.byteLength(out) - maxBytes) / 4) - 1));
  return out;
}

/**
 * PUTs the response to the presigned `ResponseURL` (S3 in AWS, the local runner's
 * endpoint in tests). Retries a few times on network errors and 5xx.
 */
export async function putResponse(url: string, response: CustomResourceResponse, attempts = 4): Promise<void> {
  const body = JSON.stringify(response);
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(200 * 2 ** attempt);
    try {
      const status = await put(url, body);
      if (status >= 200 && status < 300) return;
      lastError = new Error(`response endpoint answered HTTP ${status}`);
      if (status < 500) break;
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

function put(url: string, body: string): Promise<number> {
  const target = new URL(url);
  const transport = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, timeout: 30_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out sending the response')));
    req.on('error', reject);
    req.end(body);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
