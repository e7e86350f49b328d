import {
  ChimeSDKIdentityClient,
  CreateAppInstanceAdminCommand,
  CreateAppInstanceCommand,
  DescribeAppInstanceCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import fc from 'fast-check';
import { Emulator } from '../../../local/emulator/emulator';
import { EmulatorRequest, parseQuery } from '../../../local/emulator/protocol';
import { RunningEmulator, serve } from '../../../local/emulator/server';
import { canonicalPath, parseAuthorization, verifySignature } from '../../../local/emulator/sigv4';
import { fakeChime, fakeWickr, send, sign, signedRequest, wickr } from './core-fakes';

let running: RunningEmulator<{ wickr: ReturnType<typeof fakeWickr>; chime: ReturnType<typeof fakeChime> }>;

beforeAll(async () => {
  running = await serve(new Emulator({ wickr: fakeWickr(), chime: fakeChime() }, { seed: 1 }));
});
afterAll(() => running.close());
beforeEach(() => running.emulator.reset());

function chimeClient(credentials = { accessKeyId: 'test', secretAccessKey: 'test' }) {
  return new ChimeSDKIdentityClient({ region: 'eu-west-1', endpoint: running.url, credentials, maxAttempts: 1 });
}

describe('signature acceptance', () => {
  test('the official Chime SDK client works unchanged through an endpoint override', async () => {
    const chime = chimeClient();
    const created = await chime.send(new CreateAppInstanceCommand({ Name: 'demo', ClientRequestToken: 'token-1', Metadata: '{"a":1}' }));
    expect(created.AppInstanceArn).toMatch(/^arn:aws:chime:eu-west-1:123456789012:app-instance\//);
    // ARN labels travel percent-encoded (':' and '/') and are signed double-encoded.
    const described = await chime.send(new DescribeAppInstanceCommand({ AppInstanceArn: created.AppInstanceArn }));
    expect(described.AppInstance?.Name).toBe('demo');
    expect(described.AppInstance?.LastUpdatedTimestamp).toEqual(new Date(1700000000500));
    const admin = await chime.send(
      new CreateAppInstanceAdminCommand({ AppInstanceArn: created.AppInstanceArn, AppInstanceAdminArn: `${created.AppInstanceArn}/user/admin-1` }),
    );
    expect(admin.AppInstanceAdmin?.Arn).toBe(`${created.AppInstanceArn}/user/admin-1`);
    expect(running.emulator.calls().map((c) => [c.operation, c.status])).toEqual([
      ['CreateAppInstance', 201],
      ['DescribeAppInstance', 200],
      ['CreateAppInstanceAdmin', 201],
    ]);
  });

  test('a request signed by @smithy/signature-v4 for Wickr is accepted', async () => {
    const res = await wickr(running.url, 'POST', '/networks', { networkName: 'n1', accessLevel: 'STANDARD' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ networkId: '10000000', networkName: 'n1' });
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('signed paths, queries and bodies of any shape verify, and any change to them does not (property)', async () => {
    const segment = fc.string({ minLength: 1, maxLength: 8 }).map(encodeURIComponent);
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
        fc.string({ maxLength: 30 }),
        async (segments, query, body) => {
          const path = `/${segments.join('/')}`;
          const headers = await sign('http://127.0.0.1:9', { method: 'POST', path, query, body, service: 'wickr' });
          const rawQuery = Object.entries(query)
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
            .join('&');
          const req: EmulatorRequest = { method: 'POST', path, query: parseQuery(rawQuery), headers: lower(headers), body: Buffer.from(body) };
          const auth = parseAuthorization(req.headers.authorization);
          if ('error' in auth) throw new Error(auth.error);
          expect(verifySignature(req, auth, true)).toEqual({ ok: true });
          expect(verifySignature({ ...req, body: Buffer.from(`${body}x`) }, auth, true).ok).toBe(false);
          expect(verifySignature({ ...req, path: `${path}x` }, auth, true).ok).toBe(false);
          expect(verifySignature({ ...req, query: { ...req.query, 'tampered-key': '1' } }, auth, true).ok).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('the canonical URI double-encodes every segment except for S3', () => {
    expect(canonicalPath('/app-instances/arn%3Aaws%3Achime%3Aus-east-1%3A1%3Aapp-instance%2Fabc', true)).toBe(
      '/app-instances/arn%253Aaws%253Achime%253Aus-east-1%253A1%253Aapp-instance%252Fabc',
    );
    expect(canonicalPath('/a/./b/../c//d/', true)).toBe('/a/c/d/');
    expect(canonicalPath('/bucket/a%20b/c', false)).toBe('/bucket/a%20b/c');
  });
});

describe('signature rejection', () => {
  test('another access key: 403 UnrecognizedClientException, in Wickr format', async () => {
    const res = await wickr(running.url, 'POST', '/networks', { networkName: 'n1', accessLevel: 'STANDARD' }, { accessKeyId: 'AKIAOTHER' });
    expect(res.status).toBe(403);
    expect(res.headers['x-amzn-errortype']).toBe('UnrecognizedClientException');
    expect(res.json).toEqual({ message: 'The security token included in the request is invalid.' });
    expect(running.emulator.services.wickr.runs.CreateNetwork).toBeUndefined();
    expect(running.emulator.calls()).toMatchObject([{ service: 'wickr', operation: 'CreateNetwork', status: 403 }]);
  });

  test('another access key through the official Chime client: UnrecognizedClientException in Chime format', async () => {
    const err = await chimeClient({ accessKeyId: 'AKIAOTHER', secretAccessKey: 'test' })
      .send(new CreateAppInstanceCommand({ Name: 'x', ClientRequestToken: 'token-1' }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
    expect(running.emulator.calls()[0].status).toBe(403);
  });

  test('a wrong secret key: 403 InvalidSignatureException (official Chime client)', async () => {
    const err = await chimeClient({ accessKeyId: 'test', secretAccessKey: 'not-the-secret' })
      .send(new CreateAppInstanceCommand({ Name: 'x', ClientRequestToken: 'token-1' }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InvalidSignatureException', Code: 'Forbidden', $metadata: { httpStatusCode: 403 } });
    expect(running.emulator.services.chime.runs.CreateAppInstance).toBeUndefined();
  });

  test.each([
    ['body', (h: Record<string, string>) => ({ headers: h, body: '{"networkName":"n2","accessLevel":"STANDARD"}' })],
    ['signed header', (h: Record<string, string>) => ({ headers: { ...h, 'content-type': 'text/plain' }, body: ORIGINAL })],
    ['signature', (h: Record<string, string>) => ({ headers: { ...h, authorization: h.authorization.replace(/Signature=(.)/, (_m, c: string) => `Signature=${c === '0' ? '1' : '0'}`) }, body: ORIGINAL })],
  ])('a tampered %s: 403 InvalidSignatureException, nothing runs', async (_what, tamper) => {
    const headers = await sign(running.url, { method: 'POST', path: '/networks', service: 'wickr', body: ORIGINAL, headers: { 'content-type': 'application/json' } });
    const changed = tamper(headers);
    const res = await send(running.url, 'POST', '/networks', { ...changed.headers, 'content-length': String(Buffer.byteLength(changed.body)) }, changed.body);
    expect(res.status).toBe(403);
    expect(res.headers['x-amzn-errortype']).toBe('InvalidSignatureException');
    expect(res.json.message).toEqual(expect.any(String));
    expect(running.emulator.services.wickr.runs.CreateNetwork).toBeUndefined();
  });

  test('the untampered request of the same kind is accepted (control for the tampering cases)', async () => {
    const headers = await sign(running.url, { method: 'POST', path: '/networks', service: 'wickr', body: ORIGINAL, headers: { 'content-type': 'application/json' } });
    const res = await send(running.url, 'POST', '/networks', headers, ORIGINAL);
    expect(res.status).toBe(200);
  });

  test('an unsigned request: 403 MissingAuthenticationTokenException, not logged', async () => {
    const res = await send(running.url, 'GET', '/networks', {});
    expect(res.status).toBe(403);
    expect(res.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    expect(running.emulator.calls()).toEqual([]);
  });

  test('a malformed Authorization header: 400 IncompleteSignatureException', async () => {
    const res = await send(running.url, 'GET', '/networks', { authorization: 'AWS4-HMAC-SHA256 Credential=garbage' });
    expect(res.status).toBe(400);
    expect(res.headers['x-amzn-errortype']).toBe('IncompleteSignatureException');
  });

  test('a service the emulator does not serve: 403 InvalidSignatureException', async () => {
    const res = await signedRequest(running.url, { method: 'GET', path: '/', service: 'sts' });
    expect(res.status).toBe(403);
    expect(res.json.message).toMatch(/scoped to a service the emulator serves/);
  });

  test('the body must match x-amz-content-sha256 even though the header itself is signed', async () => {
    const headers = await sign(running.url, { method: 'POST', path: '/networks', service: 'wickr', body: ORIGINAL });
    const tampered = ORIGINAL.replace('n1', 'n9');
    const res = await send(running.url, 'POST', '/networks', headers, tampered);
    expect(res.status).toBe(403);
    expect(res.json.message).toMatch(/x-amz-content-sha256/);
  });
});

const ORIGINAL = '{"networkName":"n1","accessLevel":"STANDARD"}';

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
