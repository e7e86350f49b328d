import { randomBytes } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';

/**
 * The local stand-in for the presigned S3 URL CloudFormation puts into `ResponseURL`:
 * an HTTP server on 127.0.0.1 (port 0) with one unique path per request. The provider
 * PUTs its response there itself, exactly as it would to S3. Every PUT is kept (a
 * duplicated delivery answers twice), and the first one is the answer, as for
 * CloudFormation.
 */
export interface ReceivedResponse {
  /** The body as sent. */
  readonly body: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  readonly json: unknown;
  readonly receivedAt: number;
}

interface Slot {
  readonly responses: ReceivedResponse[];
  waiters: Array<{ count: number; resolve: () => void }>;
  /** PUTs before this time (epoch ms) are refused. */
  readonly unreachableUntil: number;
  refused: number;
}

export class ResponseServer {
  static async start(): Promise<ResponseServer> {
    const server = new ResponseServer();
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(0, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  private readonly slots = new Map<string, Slot>();
  private readonly server: http.Server;

  private constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = (req.url ?? '/').split('?')[0];
        const slot = this.slots.get(path);
        if (slot && req.method === 'PUT' && Date.now() < slot.unreachableUntil) {
          // An outage of the response endpoint (S3), as tests ask for: the PUT is not stored.
          slot.refused++;
          res.writeHead(503, { 'content-type': 'application/xml' });
          res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>ServiceUnavailable</Code><Message>Please reduce your request rate.</Message></Error>');
          return;
        }
        if (req.method !== 'PUT' || !slot) {
          // What S3 answers for a URL that was never presigned.
          res.writeHead(403, { 'content-type': 'application/xml' });
          res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired or was never signed</Message></Error>');
          return;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        slot.responses.push({ body, json, receivedAt: Date.now() });
        res.writeHead(200, { etag: `"${randomBytes(16).toString('hex')}"`, 'content-length': '0' });
        res.end();
        const ready = slot.waiters.filter((w) => slot.responses.length >= w.count);
        slot.waiters = slot.waiters.filter((w) => slot.responses.length < w.count);
        for (const w of ready) w.resolve();
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * A fresh response URL (the query imitates a presigned URL, as handlers may log or parse
   * it). With `unreachableForMs`, PUTs to it are refused (503) for that long.
   */
  register(stackName: string, logicalId: string, requestId: string, unreachableForMs = 0): string {
    const path = `/cloudformation-custom-resource-response/${encodeURIComponent(stackName)}/${encodeURIComponent(logicalId)}/${requestId}`;
    this.slots.set(path, { responses: [], waiters: [], unreachableUntil: Date.now() + unreachableForMs, refused: 0 });
    return `${this.url}${path}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=7200&X-Amz-Signature=${randomBytes(32).toString('hex')}`;
  }

  /** How many PUTs to the URL an outage refused. */
  refused(url: string): number {
    return this.slots.get(new URL(url).pathname)?.refused ?? 0;
  }

  /** Every PUT received on the URL so far. */
  responses(url: string): readonly ReceivedResponse[] {
    return this.slots.get(new URL(url).pathname)?.responses ?? [];
  }

  /** Resolves once `count` PUTs arrived on the URL. */
  waitFor(url: string, count = 1): Promise<void> {
    const slot = this.slots.get(new URL(url).pathname);
    if (!slot) return Promise.reject(new Error(`not a registered response URL: ${url}`));
    if (slot.responses.length >= count) return Promise.resolve();
    return new Promise<void>((resolve) => slot.waiters.push({ count, resolve }));
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
