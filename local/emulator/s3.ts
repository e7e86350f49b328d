import { createHash, randomUUID } from 'crypto';
import { decodeComponent, EmulatorRequest, EmulatorResponse, isRecord, ProtocolService, StandardErrorKind } from './protocol';

/**
 * The S3 object calls the handler makes (it reads assets such as users files), path-style
 * only: `PUT|GET|HEAD|DELETE /{bucket}/{key}`. Buckets come into being with their first
 * object. Errors are S3's XML documents. Anything else (listing, sub-resources such as
 * `?tagging`, chunked uploads) answers 501 NotImplemented.
 */

interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: number;
}

interface ObjectAddress {
  readonly bucket: string;
  readonly key: string;
}

const OPERATIONS: Readonly<Record<string, string>> = { PUT: 'PutObject', GET: 'GetObject', HEAD: 'HeadObject', DELETE: 'DeleteObject' };

/** Query parameters that do not select a sub-resource (`x-id` is what the v3 SDK adds to name the operation). */
const PLAIN_QUERY = new Set(['x-id']);

export class S3 implements ProtocolService {
  readonly name = 's3';
  private buckets = new Map<string, Map<string, StoredObject>>();

  constructor(private readonly now: () => Date) {}

  putObject(bucket: string, key: string, body: string | Buffer, contentType = 'application/octet-stream'): void {
    const data = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    let objects = this.buckets.get(bucket);
    if (!objects) this.buckets.set(bucket, (objects = new Map()));
    objects.set(key, { body: data, contentType, etag: `"${createHash('md5').update(data).digest('hex')}"`, lastModified: this.now().getTime() });
  }

  getObject(bucket: string, key: string): Buffer | undefined {
    return this.buckets.get(bucket)?.get(key)?.body;
  }

  operationOf(req: EmulatorRequest): string | undefined {
    if (!address(req) || Object.keys(req.query).some((k) => !PLAIN_QUERY.has(k))) return undefined;
    if ((req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-')) return undefined;
    return OPERATIONS[req.method.toUpperCase()];
  }

  invoke(operation: string, req: EmulatorRequest): EmulatorResponse {
    const { bucket, key } = address(req) as ObjectAddress;
    switch (operation) {
      case 'PutObject':
        this.putObject(bucket, key, req.body, req.headers['content-type']);
        return response(200, { etag: this.buckets.get(bucket)?.get(key)?.etag ?? '' });
      case 'DeleteObject':
        this.buckets.get(bucket)?.delete(key);
        return response(204);
      default: {
        const objects = this.buckets.get(bucket);
        const object = objects?.get(key);
        const head = operation === 'HeadObject';
        if (!objects) return xmlError(404, 'NoSuchBucket', 'The specified bucket does not exist.', head, { BucketName: bucket });
        if (!object) return xmlError(404, 'NoSuchKey', 'The specified key does not exist.', head, { Key: key });
        const headers = {
          'content-type': object.contentType,
          'content-length': String(object.body.length),
          etag: object.etag,
          'last-modified': new Date(object.lastModified).toUTCString(),
        };
        return response(200, headers, head ? '' : object.body);
      }
    }
  }

  standardError(kind: StandardErrorKind, message: string, fields: Readonly<Record<string, string>> = {}): EmulatorResponse {
    const [status, code] = (
      {
        throttle: [503, 'SlowDown'],
        error: [500, 'InternalError'],
        unrecognizedClient: [403, 'InvalidAccessKeyId'],
        invalidSignature: [403, 'SignatureDoesNotMatch'],
        signatureExpired: [403, 'RequestTimeTooSkewed'],
        accessDenied: [403, 'AccessDenied'],
      } as const
    )[kind];
    // S3 words a skewed request time its own way (the fields carry the times).
    const text = kind === 'signatureExpired' ? 'The difference between the request time and the current time is too large.' : message;
    return xmlError(status, code, text, false, fields);
  }

  unknownOperation(req: EmulatorRequest): EmulatorResponse {
    return xmlError(501, 'NotImplemented', `The emulator implements only path-style PutObject, GetObject, HeadObject and DeleteObject, not ${req.method} ${req.path}`, false);
  }

  loggedBody(): unknown {
    return undefined;
  }

  reset(): void {
    this.buckets.clear();
  }

  exportState(): unknown {
    return Object.fromEntries(
      [...this.buckets].map(([bucket, objects]) => [bucket, Object.fromEntries([...objects].map(([key, o]) => [key, { ...o, body: o.body.toString('base64') }]))]),
    );
  }

  importState(state: unknown): void {
    this.buckets = new Map(
      Object.entries(isRecord(state) ? state : {}).map(([bucket, objects]) => [
        bucket,
        new Map(Object.entries(isRecord(objects) ? objects : {}).map(([key, o]) => [key, { ...(o as StoredObject), body: Buffer.from((o as { body: string }).body, 'base64') }])),
      ]),
    );
  }
}

/** Bucket and key from `/{bucket}/{key...}`; each segment is percent-decoded on its own. */
function address(req: EmulatorRequest): ObjectAddress | undefined {
  const [bucket, ...keyParts] = req.path.split('/').slice(1);
  if (!bucket || keyParts.length === 0 || keyParts.join('') === '') return undefined;
  return { bucket: decodeComponent(bucket), key: keyParts.map(decodeComponent).join('/') };
}

function response(status: number, headers: Record<string, string> = {}, body: string | Buffer = ''): EmulatorResponse {
  return { status, headers: { 'x-amz-request-id': randomUUID(), ...headers }, body };
}

function xmlError(status: number, code: string, message: string, head: boolean, extra: Record<string, string> = {}): EmulatorResponse {
  if (head) return response(status); // HEAD answers carry no body
  const fields = Object.entries({ Code: code, Message: message, ...extra })
    .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
    .join('');
  return response(status, { 'content-type': 'application/xml' }, `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${fields}</Error>`);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}
