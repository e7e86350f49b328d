import * as http from 'http';
import { AddressInfo } from 'net';
import { createDispatcher } from '../../lambda/core/dispatcher';
import { CustomResourceEvent } from '../../lambda/core/event';
import { setLogSink } from '../../lambda/core/log';
import { ResourceHandler } from '../../lambda/core/resource';
import { MAX_RESPONSE_BYTES } from '../../lambda/core/response';
import { str, struct } from '../../lambda/core/schema';
import type { ServiceClients } from '../../lambda/core/clients';

/**
 * The answer path with the real PUT: every event with a ResponseURL gets one answer that
 * fits CloudFormation's 4096 bytes; a PUT that cannot be delivered fails the invocation
 * (so Lambda delivers again) within the function's time, never later.
 */

interface Props { Name: string }
const handlerOf = (overrides: Partial<ResourceHandler<Props>> = {}): ResourceHandler<Props> => ({
  resourceType: 'Custom::Thing',
  schema: struct<Props>({ Name: str() }),
  create: async (_c, p) => ({ physicalResourceId: `thing-${p.Name}` }),
  update: async (_c, id) => ({ physicalResourceId: id }),
  delete: async () => undefined,
  read: async () => ({ exists: false }),
  ...overrides,
});

type Mode = 'ok' | 'error' | 'hang' | 'fail-once';
interface Endpoint { url: string; bodies: string[]; attempts: () => number; close(): Promise<void> }

async function endpoint(mode: Mode): Promise<Endpoint> {
  const bodies: string[] = [];
  let attempts = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      attempts++;
      if (mode === 'hang') return; // never answers
      if (mode === 'error' || (mode === 'fail-once' && attempts === 1)) {
        res.statusCode = 503;
        res.end();
        return;
      }
      bodies.push(body);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned`,
    bodies,
    attempts: () => attempts,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

const event = (url: string, over: Partial<CustomResourceEvent> = {}): CustomResourceEvent => ({
  RequestType: 'Create',
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:p',
  ResponseURL: url,
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
  RequestId: 'req-1',
  LogicalResourceId: 'Thing1',
  ResourceType: 'Custom::Thing',
  ResourceProperties: { Name: 'a' },
  ...over,
});

let ep: Endpoint | undefined;
beforeEach(() => setLogSink(() => undefined));
afterEach(async () => {
  setLogSink(undefined);
  await ep?.close();
  ep = undefined;
});

const dispatch = (h: ResourceHandler<Props>) => createDispatcher({ 'Custom::Thing': h }, { clients: () => ({}) as ServiceClients, stackId: null });
const withDeadline = (ms: number) => {
  const deadline = Date.now() + ms;
  return { deadline, context: { getRemainingTimeInMillis: () => deadline - Date.now() } };
};

test('a response PUT that keeps failing fails the invocation (Lambda delivers again) instead of being swallowed', async () => {
  ep = await endpoint('error');
  const { deadline, context } = withDeadline(2_000);
  await expect(dispatch(handlerOf())(event(ep.url), context)).rejects.toThrow('HTTP 503');
  expect(ep.attempts()).toBeGreaterThan(1);
  expect(Date.now()).toBeLessThan(deadline);
});

test('a ResponseURL that never answers: each attempt is bounded and the invocation fails before the function times out', async () => {
  ep = await endpoint('hang');
  const { deadline, context } = withDeadline(4_500);
  await expect(dispatch(handlerOf())(event(ep.url), context)).rejects.toThrow(/no answer from the response endpoint/);
  expect(ep.attempts()).toBeGreaterThan(1);
  expect(Date.now()).toBeLessThan(deadline);
}, 20_000);

test('a PUT that fails once is retried and the answer is delivered once', async () => {
  ep = await endpoint('fail-once');
  await dispatch(handlerOf())(event(ep.url), withDeadline(10_000).context);
  expect(ep.attempts()).toBe(2);
  expect(ep.bodies.map((b) => JSON.parse(b).Status)).toEqual(['SUCCESS']);
});

test('a reason full of control characters is fitted as JSON: the body sent is within 4096 bytes', async () => {
  ep = await endpoint('ok');
  const reason = 'bad\u0001'.repeat(2_000);
  await dispatch(handlerOf({ create: async () => { throw new Error(reason); } }))(event(ep.url), withDeadline(10_000).context);
  expect(ep.bodies).toHaveLength(1);
  expect(Buffer.byteLength(ep.bodies[0])).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  const answer = JSON.parse(ep.bodies[0]);
  expect(answer.Status).toBe('FAILED');
  expect(answer.Reason).toMatch(/^Custom::Thing Thing1: create failed: Error: (bad\u0001)+/);
  expect(answer.Reason).toContain('(truncated, see the logs)');
});

test('a 5,000-character logical id is refused with one FAILED answer that still fits 4096 bytes', async () => {
  ep = await endpoint('ok');
  await dispatch(handlerOf())(event(ep.url, { LogicalResourceId: 'L'.repeat(5_000) }), withDeadline(10_000).context);
  expect(ep.bodies).toHaveLength(1);
  expect(Buffer.byteLength(ep.bodies[0])).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  const answer = JSON.parse(ep.bodies[0]);
  expect(answer.Status).toBe('FAILED');
  expect(answer.Reason).toContain('LogicalResourceId is 5000 characters long');
});

test.each([
  ['missing', undefined],
  ['null', null],
  ['numeric', 3],
])('a %s RequestType gets one FAILED answer, not a TypeError', async (_what, requestType) => {
  ep = await endpoint('ok');
  await dispatch(handlerOf())(event(ep.url, { RequestType: requestType as unknown as 'Create' }), withDeadline(10_000).context);
  expect(ep.bodies).toHaveLength(1);
  expect(JSON.parse(ep.bodies[0])).toMatchObject({ Status: 'FAILED', RequestId: 'req-1', LogicalResourceId: 'Thing1', Reason: expect.stringContaining('unknown request type') });
});
