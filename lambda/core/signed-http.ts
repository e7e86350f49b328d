import * as http from 'http';
import * as https from 'https';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * A minimal SigV4-signed HTTP exchange, shared by the Wickr REST client and the S3
 * object reader (the AWS SDK clients sign for themselves).
 */
export interface SignedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Signing name (`wickr`, `s3`). */
  readonly service: string;
  readonly region: string;
  /** Sign with `UNSIGNED-PAYLOAD` (S3). */
  readonly unsignedPayload?: boolean;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** A network failure. `sent` tells whether the request may have reached the service. */
export class NetworkError extends Error {
  constructor(message: string, readonly code: string | undefined, readonly sent: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 50 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 50 }),
};

/** Credentials: explicit, else the default Node.js provider chain (environment, profile, container, instance). */
export function credentialProvider(credentials?: Credentials): AwsCredentialIdentityProvider {
  if (!credentials) return defaultProvider();
  if (typeof credentials === 'function') return credentials;
  return async () => credentials;
}

export async function sendSigned(
  request: SignedRequest,
  credentials: AwsCredentialIdentityProvider,
  timeoutMs: number,
): Promise<HttpResult> {
  const signer = new SignatureV4({ service: request.service, region: request.region, credentials, sha256: Hash.bind(null, 'sha256'), uriEscapePath: request.service !== 's3', applyChecksum: !request.unsignedPayload });
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of request.url.searchParams) {
    const existing = query[k];
    query[k] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v];
  }
  const headers: Record<string, string> = {
    host: request.url.host,
    ...(request.headers ?? {}),
  };
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  if (request.unsignedPayload) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const signed = await signer.sign({
    method: request.method,
    protocol: request.url.protocol,
    hostname: request.url.hostname,
    port: request.url.port ? Number(request.url.port) : undefined,
    path: request.url.pathname,
    query,
    headers,
    body: request.body,
  });
  return exchange(request.url, request.method, signed.headers as Record<string, string>, request.body, timeoutMs);
}

function exchange(url: URL, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<HttpResult> {
  const isHttp = url.protocol === 'http:';
  const transport = isHttp ? http : https;
  return new Promise((resolve, reject) => {
    let sent = false;
    const req = transport.request(
      url,
      { method, headers, agent: isHttp ? agents.http : agents.https, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (err) => reject(new NetworkError(`response interrupted: ${err.message}`, (err as NodeJS.ErrnoException).code, true, { cause: err })));
        res.on('aborted', () => reject(new NetworkError('response aborted', 'ECONNRESET', true)));
      },
    );
    req.on('finish', () => {
      sent = true;
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const neverSent = err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN';
      reject(new NetworkError(`${method} ${url.host}: ${err.message}`, err.code, sent && !neverSent, { cause: err }));
    });
    req.end(body);
  });
}
