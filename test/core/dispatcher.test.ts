import * as http from 'http';
import { AddressInfo } from 'net';
import { createDispatcher, CREATE_FAILED_PREFIX, HandlerTable } from '../../lambda/core/dispatcher';
import { CustomResourceEvent, CustomResourceResponse } from '../../lambda/core/event';
import { PropertyError } from '../../lambda/core/errors';
import { setLogSink } from '../../lambda/core/log';
import { ResourceHandler } from '../../lambda/core/resource';
import { bool, str, struct } from '../../lambda/core/schema';
import type { ServiceClients } from '../../lambda/core/clients';

interface ThingProps { Name: string; Flag: boolean }
const schema = struct<ThingProps>({ Name: str({ minLength: 1, maxLength: 5 }), Flag: bool() });

function thing(overrides: Partial<ResourceHandler<ThingProps>> = {}): ResourceHandler<ThingProps> {
  return {
    resourceType: 'Custom::Thing',
    schema,
    create: async (_ctx, props) => ({ physicalResourceId: `thing-${props.Name}`, data: { Name: props.Name } }),
    update: async (_ctx, id) => ({ physicalResourceId: id }),
    delete: async () => undefined,
    read: async () => ({ exists: true, properties: { Name: 'live' } }),
    ...overrides,
  };
}

const event = (over: Partial<CustomResourceEvent> = {}): CustomResourceEvent => ({
  RequestType: 'Create',
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:p',
  ResponseURL: 'https://example.invalid/response?X-Amz-Signature=secret',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
  RequestId: 'req-1',
  LogicalResourceId: 'Thing1',
  ResourceType: 'Custom::Thing',
  ResourceProperties: { ServiceToken: 'x', Name: 'a', Flag: 'false' },
  ...over,
});

const lambdaContext = (ms = 60_000) => ({ getRemainingTimeInMillis: () => ms });

function dispatcher(table: HandlerTable) {
  const responses: CustomResourceResponse[] = [];
  const handler = createDispatcher(table, {
    clients: () => ({}) as ServiceClients,
    stackId: null,
    respond: async (_url: string, response: CustomResourceResponse) => {
      responses.push(response);
    },
  });
  return { handler, responses };
}

let logLines: string[] = [];
beforeEach(() => {
  logLines = [];
  setLogSink((line) => logLines.push(line));
});
afterEach(() => setLogSink(undefined));

describe('dispatcher', () => {
  test('create answers SUCCESS with the physical id and Data, decoding string properties', async () => {
    const seen: ThingProps[] = [];
    const { handler, responses } = dispatcher({ 'Custom::Thing': thing({ create: async (_c, p) => (seen.push(p), { physicalResourceId: 'id-1', data: { A: '1' } }) }) });
    await handler(event(), lambdaContext());
    expect(seen).toEqual([{ Name: 'a', Flag: false }]);
    expect(responses).toEqual([
      { Status: 'SUCCESS', PhysicalResourceId: 'id-1', Data: { A: '1' }, StackId: event().StackId, RequestId: 'req-1', LogicalResourceId: 'Thing1' },
    ]);
  });

  test('a failed create answers FAILED once, naming type, logical id, operation and cause, with the marker id', async () => {
    const { handler, responses } = dispatcher({ 'Custom::Thing': thing({ create: async () => { throw Object.assign(new Error('name taken'), { name: 'BadRequestError', $service: 'Wickr', $metadata: { httpStatusCode: 400 } }); } }) });
    await handler(event(), lambdaContext());
    expect(responses).toHaveLength(1);
    expect(responses[0].Status).toBe('FAILED');
    expect(responses[0].Reason).toBe('Custom::Thing Thing1: create failed: Wickr BadRequestError (HTTP 400): name taken. Nothing was made');
    // the failed-create id names the request and what may have been made (nothing here)
    expect(responses[0].PhysicalResourceId).toBe(`${CREATE_FAILED_PREFIX}req-1:made=`);
  });

  test('the Delete that follows a failed create is answered without touching anything', async () => {
    const deleted: string[] = [];
    const { handler, responses } = dispatcher({ 'Custom::Thing': thing({ delete: async (_c, id) => { deleted.push(id); } }) });
    await handler(event({ RequestType: 'Delete', PhysicalResourceId: `${CREATE_FAILED_PREFIX}req-0` }), lambdaContext());
    expect(deleted).toEqual([]);
    expect(responses[0].Status).toBe('SUCCESS');
  });

  test('deleting something already gone succeeds', async () => {
    const { handler, responses } = dispatcher({ 'Custom::Thing': thing({ delete: async () => { throw Object.assign(new Error('gone'), { $metadata: { httpStatusCode: 404 } }); } }) });
    await handler(event({ RequestType: 'Delete', PhysicalResourceId: 'thing-a' }), lambdaContext());
    expect(responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'thing-a' });
  });

  test('update receives decoded new and old properties; a failed update keeps the physical id', async () => {
    const calls: unknown[] = [];
    const { handler, responses } = dispatcher({ 'Custom::Thing': thing({ update: async (_c, id, p, o) => { calls.push([id, p, o]); throw new Error('nope'); } }) });
    await handler(event({ RequestType: 'Update', PhysicalResourceId: 'thing-a', ResourceProperties: { Name: 'b', Flag: 'true' }, OldResourceProperties: { Name: 'a', Flag: 'false' } }), lambdaContext());
    expect(calls).toEqual([['thing-a', { Name: 'b', Flag: true }, { Name: 'a', Flag: false }]]);
    expect(responses[0]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'thing-a', Reason: 'Custom::Thing Thing1: update failed: Error: nope' });
  });

  test.each([
    [event({ ResourceType: 'Custom::Unknown' }), 'unknown resource type "Custom::Unknown"; this provider serves Custom::Thing'],
    [event({ ResourceProperties: { Name: 'a', Flag: 'maybe' } }), 'property Flag must be true or false (received "maybe")'],
    [event({ ResourceProperties: {} }), 'property Name is required'],
    [event({ RequestType: 'Update' }), 'Update request without a PhysicalResourceId'],
    [event({ RequestType: 'Bogus' as 'Create' }), 'unknown request type "Bogus"'],
    [event({ RequestType: undefined as unknown as 'Create' }), 'unknown request type nothing; expected Create, Update or Delete'],
    [event({ RequestType: null as unknown as 'Create' }), 'unknown request type null'],
    [event({ RequestType: 7 as unknown as 'Create' }), 'unknown request type 7'],
    [event({ ResourceType: '__proto__' }), 'unknown resource type "__proto__"'],
    [event({ ResourceType: 'toString' }), 'unknown resource type "toString"'],
    [event({ ResourceType: 'constructor' }), 'unknown resource type "constructor"'],
    [event({ ResourceProperties: 'Name=a' as unknown as Record<string, unknown> }), 'ResourceProperties must be an object'],
  ])('a malformed event gets a FAILED response with the reason (%#)', async (bad, reason) => {
    const { handler, responses } = dispatcher({ 'Custom::Thing': thing() });
    await handler(bad, lambdaContext());
    expect(responses).toHaveLength(1);
    expect(responses[0].Status).toBe('FAILED');
    expect(responses[0].Reason).toContain(reason);
  });

  test('a delete decodes leniently: a stored value that no longer passes today\'s rules does not fail it', async () => {
    const seen: ThingProps[] = [];
    const { handler, responses } = dispatcher({ 'Custom::Thing': thing({ delete: async (_c, _id, p) => { seen.push(p); } }) });
    await handler(event({ RequestType: 'Delete', PhysicalResourceId: 'thing-a', ResourceProperties: { Name: 'much-too-long', Flag: 'maybe' } }), lambdaContext());
    expect(responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'thing-a' });
    expect(seen).toEqual([{ Name: 'much-too-long' }]);
  });

  test('an update decodes its old properties leniently and its new ones strictly', async () => {
    const seen: unknown[] = [];
    const { handler, responses } = dispatcher({ 'Custom::Thing': thing({ update: async (_c, id, p, o) => (seen.push([p, o]), { physicalResourceId: id }) }) });
    await handler(event({ RequestType: 'Update', PhysicalResourceId: 'thing-a', ResourceProperties: { Name: 'b', Flag: 'true' }, OldResourceProperties: { Name: 'much-too-long', Flag: 'true' } }), lambdaContext());
    expect(responses[0].Status).toBe('SUCCESS');
    expect(seen).toEqual([[{ Name: 'b', Flag: true }, { Name: 'much-too-long', Flag: true }]]);
    await handler(event({ RequestType: 'Update', PhysicalResourceId: 'thing-a', ResourceProperties: { Name: 'much-too-long', Flag: 'true' }, OldResourceProperties: { Name: 'b', Flag: 'true' } }), lambdaContext());
    expect(responses[1]).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('property Name must be at most 5 character(s) long') });
  });

  test('an event without a ResponseURL fails the invocation instead of hanging', async () => {
    const { handler } = dispatcher({ 'Custom::Thing': thing() });
    await expect(handler({ ...event(), ResponseURL: undefined } as unknown as CustomResourceEvent, lambdaContext())).rejects.toThrow('no ResponseURL');
  });

  test('read requests return the live state synchronously', async () => {
    const { handler } = dispatcher({ 'Custom::Thing': thing() });
    const result = await handler({ RequestType: 'Read', ResourceType: 'Custom::Thing', LogicalResourceId: 'Thing1', PhysicalResourceId: 'thing-a', ResourceProperties: { Name: 'a', Flag: 'true' } }, lambdaContext());
    expect(result).toEqual({ Status: 'SUCCESS', Exists: true, Live: { Name: 'live' } });
  });

  test('logs are JSON lines and never contain the presigned response URL', async () => {
    const { handler } = dispatcher({ 'Custom::Thing': thing() });
    await handler(event(), lambdaContext());
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(() => JSON.parse(line)).not.toThrow();
    expect(logLines.join('\n')).not.toContain('X-Amz-Signature');
  });

  test('the response is PUT to the ResponseURL (single hop)', async () => {
    const received: Array<{ method?: string; body: string; contentType?: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => { received.push({ method: req.method, body, contentType: req.headers['content-type'] }); res.end(); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/resp`;
    try {
      const handler = createDispatcher({ 'Custom::Thing': thing() }, { clients: () => ({}) as ServiceClients, stackId: null });
      await handler(event({ ResponseURL: url }), lambdaContext());
    } finally {
      server.close();
    }
    expect(received).toHaveLength(1);
    expect(received[0].method).toBe('PUT');
    expect(received[0].contentType).toBe('');
    expect(JSON.parse(received[0].body)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'thing-a' });
  });

  test('PropertyError names the property path', () => {
    expect(new PropertyError('Settings.Shredder.Intensity', 'must be one of 0, 20, 60, 100', '30').message).toBe(
      'property Settings.Shredder.Intensity must be one of 0, 20, 60, 100 (received "30")',
    );
  });
});
