import { CREATE_FAILED_PREFIX, createDispatcher } from '../../lambda/core/dispatcher';
import { CustomResourceEvent, CustomResourceResponse } from '../../lambda/core/event';
import { setLogSink } from '../../lambda/core/log';
import { CallObserver } from '../../lambda/core/observer';
import { CleanupContext, OperationContext, ResourceHandler } from '../../lambda/core/resource';
import { str, struct } from '../../lambda/core/schema';
import type { ServiceClients } from '../../lambda/core/clients';

/**
 * One mechanism in the dispatcher removes what a failed create made: on CloudFormation's
 * Delete of the failed create's id, which carries what may have been made (and only then:
 * a duplicate delivery may have answered SUCCESS for the same resource). A failed update's
 * replacement is removed right away, since no Delete comes for it.
 */

interface Props { Name: string }

/** A service of things, called through the observer the way the real clients call it. */
class FakeService {
  readonly things = new Map<string, string>();
  /** Tokens the service has seen: a create sent again with one answers as before and makes nothing. */
  readonly tokens = new Set<string>();
  readonly calls: string[] = [];
  failing = new Set<string>();
  constructor(private readonly observer: CallObserver) {}

  async call(operation: string, work: () => string | void = () => undefined, delayMs = 0): Promise<string | void> {
    this.observer.before?.({ service: 'Fake', operation });
    this.calls.push(operation);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    if (this.failing.has(operation)) {
      const error = Object.assign(new Error(`${operation} failed`), { $metadata: { httpStatusCode: 500 } });
      this.observer.after?.({ service: 'Fake', operation, durationMs: 0, status: 500, error });
      throw error;
    }
    const out = work();
    this.observer.after?.({ service: 'Fake', operation, durationMs: 0, status: 200 });
    return out;
  }
}

function setup(behaviour: {
  create: (svc: FakeService, ctx: OperationContext, props: Props) => Promise<{ physicalResourceId: string; finish?: (ctx: OperationContext) => Promise<void> }>;
  update?: (svc: FakeService, ctx: OperationContext, id: string, props: Props) => Promise<{ physicalResourceId: string }>;
  cleanup?: (svc: FakeService, ctx: CleanupContext, props: Props) => Promise<string | void>;
}, respond?: (response: CustomResourceResponse) => Promise<void>) {
  const things = new Map<string, string>();
  const calls: string[] = [];
  const failing = new Set<string>();
  const tokens = new Set<string>();
  const cleanups: Array<{ requestId: string; mayHave: boolean; sent: number }> = [];
  const services: FakeService[] = [];
  const svcOf = (ctx: OperationContext) => (ctx.clients as unknown as { fake: FakeService }).fake;
  const handler: ResourceHandler<Props> = {
    resourceType: 'Custom::Thing',
    schema: struct<Props>({ Name: str() }),
    create: (ctx, props) => behaviour.create(svcOf(ctx), ctx, props),
    update: async (ctx, id, props) => (behaviour.update ? behaviour.update(svcOf(ctx), ctx, id, props) : { physicalResourceId: id }),
    delete: async () => undefined,
    read: async () => ({ exists: false }),
    cleanupFailedCreate: async (ctx, props) => {
      cleanups.push({ requestId: ctx.request.RequestId, mayHave: ctx.made.mayHave('CreateThing'), sent: ctx.made.sent('CreateThing') });
      return behaviour.cleanup?.(svcOf(ctx), ctx, props);
    },
  };
  const responses: CustomResourceResponse[] = [];
  const dispatch = createDispatcher(
    { 'Custom::Thing': handler },
    {
      clients: (observer) => {
        const svc = new FakeService(observer);
        Object.assign(svc, { things, calls, failing, tokens });
        services.push(svc);
        return { fake: svc } as unknown as ServiceClients;
      },
      respond: async (_url, response) => {
        responses.push(response);
        await respond?.(response);
      },
      stackId: null,
    },
  );
  return { dispatch, responses, things, calls, failing, tokens, cleanups };
}

/** A handler of things whose behaviour the test sets. */
const bare = (over: Partial<ResourceHandler<Props>>): ResourceHandler<Props> => ({
  resourceType: 'Custom::Thing',
  schema: struct<Props>({ Name: str() }),
  create: async () => ({ physicalResourceId: 'x' }),
  update: async (_c, id) => ({ physicalResourceId: id }),
  delete: async () => undefined,
  read: async () => ({ exists: false }),
  ...over,
});

const event = (over: Partial<CustomResourceEvent> = {}): CustomResourceEvent => ({
  RequestType: 'Create',
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:p',
  ResponseURL: 'https://example.invalid/r',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
  RequestId: 'req-1',
  LogicalResourceId: 'Thing1',
  ResourceType: 'Custom::Thing',
  ResourceProperties: { Name: 'a' },
  ...over,
});
const ms = (remaining: number) => {
  const deadline = Date.now() + remaining;
  return { getRemainingTimeInMillis: () => deadline - Date.now() };
};

/** Creates a thing (by token: sent again, the service answers as before), then configures it; the cleanup finds it by the same token. */
const makeThenConfigure = {
  create: async (svc: FakeService, ctx: OperationContext, props: Props) => {
    const token = ctx.token('create-thing');
    await svc.call('CreateThing', () => {
      if (!svc.tokens.has(token)) svc.things.set(token, props.Name);
      svc.tokens.add(token);
    });
    await svc.call('ConfigureThing');
    return { physicalResourceId: token };
  },
  cleanup: async (svc: FakeService, ctx: CleanupContext) => {
    const token = ctx.token('create-thing');
    if (!ctx.made.mayHave('CreateThing') || !svc.things.has(token)) return;
    await svc.call('DeleteThing', () => void svc.things.delete(token));
    return `thing ${token.slice(0, 8)}`;
  },
};

beforeEach(() => setLogSink(() => undefined));
afterEach(() => setLogSink(undefined));

test('a create that fails after making something answers FAILED naming what may exist; CloudFormation\'s Delete of that id removes it with the create\'s tokens', async () => {
  const t = setup(makeThenConfigure);
  t.failing.add('ConfigureThing');
  await t.dispatch(event(), ms(60_000));
  expect(t.responses).toHaveLength(1);
  expect(t.responses[0].Status).toBe('FAILED');
  expect(t.responses[0].Reason).toBe(
    'Custom::Thing Thing1: create failed: Error: ConfigureThing failed. What it may have made (CreateThing, ConfigureThing) is removed by the Delete CloudFormation sends for this failed resource',
  );
  expect(t.responses[0].PhysicalResourceId).toBe(`${CREATE_FAILED_PREFIX}req-1:made=CreateThing.1,ConfigureThing.1`);
  // nothing is removed before CloudFormation took the failure
  expect(t.cleanups).toEqual([]);
  expect(t.things.size).toBe(1);
  t.failing.clear();
  await t.dispatch(event({ RequestType: 'Delete', RequestId: 'req-2', PhysicalResourceId: t.responses[0].PhysicalResourceId }), ms(60_000));
  expect(t.responses[1]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: t.responses[0].PhysicalResourceId });
  expect(t.things.size).toBe(0);
  // the Delete's cleanup derived the failed create's tokens (request req-1), not its own
  expect(t.cleanups).toEqual([{ requestId: 'req-1', mayHave: true, sent: 1 }]);
});

test('a duplicate delivery of a create that fails never removes what the other delivery answered SUCCESS for', async () => {
  let configures = 0;
  const t = setup({
    ...makeThenConfigure,
    create: async (svc, ctx, props) => {
      // the second delivery's ConfigureThing fails for good
      if (++configures === 2) svc.failing.add('ConfigureThing');
      return makeThenConfigure.create(svc, ctx, props);
    },
  });
  await t.dispatch(event(), ms(60_000));
  await t.dispatch(event(), ms(60_000));
  expect(t.responses.map((r) => r.Status)).toEqual(['SUCCESS', 'FAILED']);
  // CloudFormation keeps the first answer: the thing it was told about exists
  expect([...t.things.keys()]).toEqual([t.responses[0].PhysicalResourceId]);
  expect(t.calls).not.toContain('DeleteThing');
});

test('a redelivery after a FAILED answer that could not be delivered answers SUCCESS only for a resource that exists', async () => {
  let puts = 0;
  const t = setup(makeThenConfigure, async () => {
    if (++puts === 1) throw new Error('S3 unreachable');
  });
  t.failing.add('ConfigureThing');
  await expect(t.dispatch(event(), ms(60_000))).rejects.toThrow('S3 unreachable');
  // Lambda delivers the event again; this time the configuration goes through, and the create's token answers the same thing
  t.failing.clear();
  await t.dispatch(event(), ms(60_000));
  expect(t.responses.map((r) => r.Status)).toEqual(['FAILED', 'SUCCESS']);
  expect(t.things.has(t.responses[1].PhysicalResourceId)).toBe(true);
});

test('when the Delete\'s cleanup meets transient failures it outlasts them; a failure for good fails the Delete', async () => {
  const t = setup(makeThenConfigure);
  t.failing.add('ConfigureThing');
  await t.dispatch(event(), ms(60_000));
  const failedId = t.responses[0].PhysicalResourceId;
  t.failing.clear();
  let deletes = 0;
  const flaky = setup({
    ...makeThenConfigure,
    cleanup: async (svc, ctx) => {
      if (++deletes < 3) throw Object.assign(new Error('throttled'), { $metadata: { httpStatusCode: 429 } });
      return makeThenConfigure.cleanup(svc, ctx);
    },
  });
  for (const [k, v] of t.things) flaky.things.set(k, v);
  await flaky.dispatch(event({ RequestType: 'Delete', RequestId: 'req-2', PhysicalResourceId: failedId }), ms(60_000));
  expect(flaky.responses.map((r) => r.Status)).toEqual(['SUCCESS']);
  expect(flaky.things.size).toBe(0);
  expect(deletes).toBe(3);

  const denied = setup({ ...makeThenConfigure, cleanup: async () => { throw Object.assign(new Error('denied'), { $metadata: { httpStatusCode: 403 } }); } });
  await denied.dispatch(event({ RequestType: 'Delete', RequestId: 'req-3', PhysicalResourceId: failedId }), ms(60_000));
  expect(denied.responses[0]).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('denied') });
});

test('a create that failed before any change does not clean up', async () => {
  const t = setup({
    create: async (svc) => {
      await svc.call('GetThing');
      throw new Error('refused');
    },
  });
  await t.dispatch(event(), ms(60_000));
  expect(t.cleanups).toEqual([]);
  expect(t.responses[0].Reason).toBe('Custom::Thing Thing1: create failed: Error: refused. Nothing was made');
  expect(t.responses[0].PhysicalResourceId).toBe(`${CREATE_FAILED_PREFIX}req-1:made=`);
  await t.dispatch(event({ RequestType: 'Delete', RequestId: 'req-2', PhysicalResourceId: t.responses[0].PhysicalResourceId }), ms(60_000));
  expect(t.cleanups).toEqual([]);
});

/** An update that replaces the thing: creates a new one by its token, then configures it. */
const replacing = {
  ...makeThenConfigure,
  update: async (svc: FakeService, ctx: OperationContext, _id: string, props: Props) => makeThenConfigure.create(svc, ctx, props),
};
const replaceEvent = () => event({ RequestType: 'Update', RequestId: 'req-u', PhysicalResourceId: 'old', ResourceProperties: { Name: 'b' }, OldResourceProperties: { Name: 'a' } });

test('an update that fails while replacing removes the replacement before answering (no Delete comes for it), and says so', async () => {
  const t = setup(replacing);
  t.failing.add('ConfigureThing');
  await t.dispatch(replaceEvent(), ms(60_000));
  expect(t.things.size).toBe(0);
  expect(t.responses[0]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'old' });
  expect(t.responses[0].Reason).toMatch(/^Custom::Thing Thing1: update failed: Error: ConfigureThing failed\. Removed the replacement it had made: thing [0-9a-f]{8}$/);
});

test('the guard: the work may start no call near the timeout; a create\'s leftovers are named for the Delete, an update\'s replacement is removed within the margin', async () => {
  const slow = {
    create: async (svc: FakeService, ctx: OperationContext, props: Props) => {
      await makeThenConfigure.create(svc, ctx, props);
      await svc.call('SlowStep', () => undefined, 2_500); // still running when the guard fires (at 2.4 s)
      await svc.call('LastStep'); // refused: the request's time is over
      return { physicalResourceId: 'never' };
    },
    cleanup: makeThenConfigure.cleanup,
  };
  const t = setup(slow);
  await t.dispatch(event(), ms(3_000));
  expect(t.calls).toEqual(['CreateThing', 'ConfigureThing', 'SlowStep']);
  expect(t.things.size).toBe(1);
  expect(t.responses).toHaveLength(1);
  expect(t.responses[0].Reason).toMatch(/not calling Fake LastStep: the request's time ran out\. What it may have made \(CreateThing, ConfigureThing, SlowStep\) is removed by the Delete/);

  const u = setup({ ...slow, update: (svc, ctx, _id, props) => slow.create(svc, ctx, props) });
  await u.dispatch(replaceEvent(), ms(3_000));
  expect(u.calls).toEqual(['CreateThing', 'ConfigureThing', 'SlowStep', 'DeleteThing']);
  expect(u.things.size).toBe(0);
  expect(u.responses[0].Reason).toMatch(/the request's time ran out\. Removed the replacement it had made/);
});

test('work that does not settle before the answer is due is answered FAILED in time, naming what the Delete will remove', async () => {
  const t = setup({
    create: async (svc) => {
      await svc.call('CreateThing', () => void svc.things.set('x', 'a'), 5_000);
      return { physicalResourceId: 'late' };
    },
  });
  await t.dispatch(event(), ms(1_000));
  expect(t.responses).toHaveLength(1);
  expect(t.responses[0].Status).toBe('FAILED');
  expect(t.responses[0].Reason).toContain("did not finish before the provider function's timeout");
  // the call in flight may still commit: the id says CreateThing may have been applied
  expect(t.responses[0].PhysicalResourceId).toBe(`${CREATE_FAILED_PREFIX}req-1:made=CreateThing.1`);
}, 10_000);

test('an update answered FAILED for lateness removes the replacement that settles after the answer, within the time left', async () => {
  let answered: () => void = () => undefined;
  const answer = new Promise<void>((resolve) => (answered = resolve));
  const t = setup(
    {
      ...makeThenConfigure,
      update: async (svc, ctx) => {
        const token = ctx.token('create-thing');
        // the create commits only once the late answer went out
        await svc.call('CreateThing', () => void svc.things.set(token, 'b'));
        await answer;
        return { physicalResourceId: token };
      },
    },
    async () => answered(),
  );
  await t.dispatch(replaceEvent(), ms(6_000));
  expect(t.responses.map((r) => r.Status)).toEqual(['FAILED']);
  expect(t.responses[0].Reason).toContain('a replacement it may have made is removed once its calls settle');
  expect(t.calls).toEqual(['CreateThing', 'DeleteThing']);
  expect(t.things.size).toBe(0);
}, 15_000);

test('work after the answer (removing a creation marker) runs only once SUCCESS was delivered', async () => {
  const finished: string[] = [];
  const t = setup({
    create: async () => ({ physicalResourceId: 'p-1', finish: async () => void finished.push('renamed') }),
  });
  await t.dispatch(event(), ms(60_000));
  expect(t.responses.map((r) => r.Status)).toEqual(['SUCCESS']);
  expect(finished).toEqual(['renamed']);

  const undelivered = createDispatcher(
    { 'Custom::Thing': bare({ create: async () => ({ physicalResourceId: 'p-2', finish: async () => void finished.push('renamed again') }) }) },
    { clients: () => ({}) as ServiceClients, respond: async () => { throw new Error('S3 unreachable'); }, stackId: null },
  );
  await expect(undelivered(event(), ms(60_000))).rejects.toThrow('S3 unreachable');
  expect(finished).toEqual(['renamed']);
});

test('a read refuses any call that would change something', async () => {
  const t = setup(makeThenConfigure);
  const reading = createDispatcher(
    { 'Custom::Thing': bare({ read: async (ctx) => { await (ctx.clients as unknown as { fake: FakeService }).fake.call('DeleteThing'); return { exists: false }; } }) },
    { clients: (observer) => ({ fake: new FakeService(observer) }) as unknown as ServiceClients, stackId: null },
  );
  const result = await reading({ RequestType: 'Read', ResourceType: 'Custom::Thing', LogicalResourceId: 'Thing1', PhysicalResourceId: 'p', ResourceProperties: { Name: 'a' } }, ms(60_000));
  expect(result).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('not calling Fake DeleteThing: a read request changes nothing') });
  expect(t.calls).toEqual([]);
});

test('work after the answer outlasts transient failures; if it fails for good the invocation fails so that Lambda delivers again', async () => {
  let attempts = 0;
  const transient = Object.assign(new Error('busy'), { $metadata: { httpStatusCode: 503 } });
  const t = setup({ create: async () => ({ physicalResourceId: 'p-1', finish: async () => { if (++attempts < 3) throw transient; } }) });
  await t.dispatch(event(), ms(60_000));
  expect(attempts).toBe(3);
  expect(t.responses.map((r) => r.Status)).toEqual(['SUCCESS']);

  const forGood = setup({ create: async () => ({ physicalResourceId: 'p-2', finish: async () => { throw Object.assign(new Error('denied'), { $metadata: { httpStatusCode: 403 } }); } }) });
  await expect(forGood.dispatch(event(), ms(60_000))).rejects.toThrow('denied');
  expect(forGood.responses.map((r) => r.Status)).toEqual(['SUCCESS']);
});

test('a delete outlasts transient failures beyond the clients\' retries (a failed cleanup delete would leave the resource behind)', async () => {
  let attempts = 0;
  const d = createDispatcher(
    { 'Custom::Thing': bare({ delete: async () => { if (++attempts < 3) throw Object.assign(new Error('throttled'), { $metadata: { httpStatusCode: 429 } }); } }) },
    { clients: () => ({}) as ServiceClients, respond: async (_u, r) => void deleted.push(r), stackId: null },
  );
  const deleted: CustomResourceResponse[] = [];
  await d(event({ RequestType: 'Delete', PhysicalResourceId: 'p-1' }), ms(60_000));
  expect(attempts).toBe(3);
  expect(deleted.map((r) => r.Status)).toEqual(['SUCCESS']);
});
