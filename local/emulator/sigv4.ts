import { createHash, createHmac, timingSafeEqual } from 'crypto';
import { EmulatorRequest } from './protocol';

/**
 * Server-side AWS Signature Version 4 verification (`Authorization` header form), built
 * to agree byte for byte with `@smithy/signature-v4`, which the official clients and the
 * project's own signed client use.
 */

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The emulator's built-in credentials: accepted always, never restricted by a policy (see `principals.ts` for others). */
export const TEST_CREDENTIALS: Credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * The test credentials of one account: access key id `test-<account id>`, secret `test`. As
 * unrestricted as `test` (which acts in the emulator's default account), acting in that account.
 */
export function testCredentialsFor(accountId: string): Credentials {
  return { accessKeyId: `test-${accountId}`, secretAccessKey: TEST_CREDENTIALS.secretAccessKey };
}

/** The account a test access key id acts in (`test-111111111111` → `111111111111`); undefined for `test` and any other key. */
export function testAccountOf(accessKeyId: string): string | undefined {
  return /^test-(\d{12})$/.exec(accessKeyId)?.[1];
}

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** What the `Authorization` header claims. */
export interface Authorization {
  readonly accessKeyId: string;
  /** `YYYYMMDD` */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

export type Verdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly kind: 'unrecognizedClient' | 'invalidSignature' | 'signatureExpired';
      readonly message: string;
      /** For `signatureExpired`: what S3's `RequestTimeTooSkewed` error adds. */
      readonly fields?: Readonly<Record<string, string>>;
    };

/** How far `x-amz-date` may be from the server's clock, either way: 15 minutes, as AWS allows. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;_.-]+)\s*,\s*Signature=([0-9a-f]{64})$/;

/** Parses the header, or returns why it cannot be parsed. */
export function parseAuthorization(header: string | undefined): Authorization | { readonly error: string } {
  if (!header) return { error: 'Missing Authentication Token' };
  const m = AUTH_PATTERN.exec(header.trim());
  if (!m) return { error: `Authorization header is not a valid AWS4-HMAC-SHA256 signature: ${header.split(/\s/)[0]}` };
  return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4], signedHeaders: m[5].split(';'), signature: m[6] };
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.';

/**
 * Recomputes the signature. `uriEscapePath` is the signer's option of the same name:
 * true for every service but S3, whose canonical URI is the path as sent. A request whose
 * `x-amz-date` is more than 15 minutes off `now` (the emulator's clock) is refused before
 * the signature is computed, as AWS does.
 */
export function verifySignature(req: EmulatorRequest, auth: Authorization, uriEscapePath: boolean, credentials: Credentials = TEST_CREDENTIALS, now: Date = new Date()): Verdict {
  if (auth.accessKeyId !== credentials.accessKeyId) {
    return { ok: false, kind: 'unrecognizedClient', message: 'The security token included in the request is invalid.' };
  }
  const longDate = req.headers['x-amz-date'] ?? '';
  if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-amz-date')) {
    return { ok: false, kind: 'invalidSignature', message: 'The host and x-amz-date headers must be signed.' };
  }
  if (!AMZ_DATE.test(longDate)) {
    return { ok: false, kind: 'invalidSignature', message: `Date must be in ISO-8601 'basic format'. Got '${longDate}'. See http://en.wikipedia.org/wiki/ISO_8601` };
  }
  if (longDate.slice(0, 8) !== auth.date) {
    return { ok: false, kind: 'invalidSignature', message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${longDate.slice(0, 8)}'` };
  }
  const skew = checkRequestTime(longDate, now);
  if (skew) return skew;
  const bodyHash = sha256Hex(req.body);
  const declared = req.headers['x-amz-content-sha256'];
  // The signers put the payload hash in this header and sign *the header*, so a tampered
  // body would still carry a valid signature: check the header against the body.
  if (declared !== undefined && declared !== UNSIGNED_PAYLOAD && declared !== bodyHash) {
    return { ok: false, kind: 'invalidSignature', message: 'The provided x-amz-content-sha256 header does not match what was computed.' };
  }
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const canonical = canonicalRequest(req, auth.signedHeaders, declared ?? bodyHash, uriEscapePath);
  const stringToSign = ['AWS4-HMAC-SHA256', longDate, scope, sha256Hex(canonical)].join('\n');
  let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, auth.date);
  for (const part of [auth.region, auth.service, 'aws4_request']) key = hmac(key, part);
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const given = Buffer.from(auth.signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { ok: true } : { ok: false, kind: 'invalidSignature', message: SIGNATURE_MISMATCH };
}

const AMZ_DATE = /^\d{8}T\d{6}Z$/;

/**
 * AWS's check of the request time (`YYYYMMDDTHHMMSSZ`) against the server's clock: more
 * than 15 minutes in the past is "Signature expired", more than 15 minutes ahead "Signature
 * not yet current", each with AWS's message (the JSON services' `InvalidSignatureException`;
 * S3 answers `RequestTimeTooSkewed` with the `fields`).
 */
export function checkRequestTime(longDate: string, now: Date): Verdict | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(longDate);
  const time = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
  if (Number.isNaN(time)) return { ok: false, kind: 'invalidSignature', message: `Date must be in ISO-8601 'basic format'. Got '${longDate}'.` };
  const server = Math.floor(now.getTime() / 1000) * 1000;
  const fields = { RequestTime: longDate, ServerTime: new Date(server).toISOString().replace(/\.\d{3}Z$/, 'Z'), MaxAllowedSkewMilliseconds: String(MAX_CLOCK_SKEW_MS) };
  if (time < server - MAX_CLOCK_SKEW_MS) {
    const message = `Signature expired: ${longDate} is now earlier than ${amzDate(server - MAX_CLOCK_SKEW_MS)} (${amzDate(server)} - 15 min.)`;
    return { ok: false, kind: 'signatureExpired', message, fields };
  }
  if (time > server + MAX_CLOCK_SKEW_MS) {
    const message = `Signature not yet current: ${longDate} is still later than ${amzDate(server + MAX_CLOCK_SKEW_MS)} (${amzDate(server)} + 15 min.)`;
    return { ok: false, kind: 'signatureExpired', message, fields };
  }
  return undefined;
}

/** `YYYYMMDDTHHMMSSZ` of a time in milliseconds. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export function canonicalRequest(req: EmulatorRequest, signedHeaders: readonly string[], payloadHash: string, uriEscapePath: boolean): string {
  const headers = [...signedHeaders].sort().map((name) => `${name}:${canonicalHeaderValue(req.headers[name] ?? '')}`);
  return [req.method.toUpperCase(), canonicalPath(req.path, uriEscapePath), canonicalQuery(req.query), ...headers, '', [...signedHeaders].sort().join(';'), payloadHash].join('\n');
}

/**
 * The signer receives the path already percent-encoded (labels encoded once by the
 * client) and, with `uriEscapePath`, normalizes `.`/`..`/empty segments and encodes the
 * whole path again: `%2F` inside a Chime ARN label becomes `%252F`. S3 signs the path as sent.
 */
export function canonicalPath(path: string, uriEscapePath: boolean): string {
  if (!uriEscapePath) return path;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

/** Sorted by encoded key; repeated keys sorted by encoded `key=value` pair. */
export function canonicalQuery(query: EmulatorRequest['query']): string {
  return Object.keys(query)
    .map((key) => {
      const encodedKey = escapeUri(key);
      const values = ([] as string[]).concat(query[key]);
      return { encodedKey, pairs: values.map((v) => `${encodedKey}=${escapeUri(v)}`).sort().join('&') };
    })
    .sort((a, b) => (a.encodedKey < b.encodedKey ? -1 : a.encodedKey > b.encodedKey ? 1 : 0))
    .map((entry) => entry.pairs)
    .join('&');
}

function canonicalHeaderValue(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

/** RFC 3986 encoding of everything but unreserved characters (what the signers call `escapeUri`). */
export function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
