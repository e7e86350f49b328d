import { createServiceClients } from '../../lambda/core/clients';
import { createDispatcher } from '../../lambda/core/dispatcher';
import { CustomResourceEvent, CustomResourceResponse, ReadResult } from '../../lambda/core/event';
import { HANDLERS } from '../../lambda/index';
import { Harness, startHarness, STACK_ID } from '../harness/handler-harness';

/**
 * Every event is answered, however deep or large its properties: a value nested 12,000
 * levels deep (past what `JSON.stringify` and any recursive walk can take) is refused on a
 * create or update with a reason that names the property, and ignored where properties
 * decode leniently (a delete, the old properties of an update), so a stack can always be
 * deleted and rolled back.
 */

let h: Harness;
let network: string;
beforeAll(async () => {
  h = await startHarness({ seed: 14 });
  network = (await h.create({ type: 'Custom::WickrNetwork', props: { NetworkName: 'deep-net', AccessLevel: 'PREMIUM' } })).PhysicalResourceId!;
});
afterAll(() => h.close());

/** `{"a": {"a": ... "x" ...}}`, `levels` deep, built without recursion. */
function nested(levels: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

const responses: CustomResourceResponse[] = [];
const handler = createDispatcher(HANDLERS, { clients: createServiceClients, respond: async (_u, r) => void responses.push(r) });
const context = { getRemainingTimeInMillis: () => 60_000 };

/** Sends one event as CloudFormation would; returns the answers it got. */
async function send(event: Partial<CustomResourceEvent> & Pick<CustomResourceEvent, 'RequestType' | 'ResourceProperties'>): Promise<CustomResourceResponse[]> {
  const before = responses.length;
  const full: CustomResourceEvent = {
    ServiceToken: 'x',
    ResponseURL: 'https://example.invalid/r',
    StackId: STACK_ID,
    RequestId: `req-${before}`,
    LogicalResourceId: 'Group',
    ResourceType: 'Custom::WickrSecurityGroup',
    ...event,
  };
  // CloudFormation runs the event (the provider acts only on those), unless it is no event CloudFormation could send.
  const wellFormed = typeof full.RequestType === 'string';
  if (wellFormed) h.cloudformation.before(full);
  await handler(full, context);
  const answers = responses.slice(before);
  if (wellFormed && answers.length === 1) h.cloudformation.after(full, answers[0]);
  return answers;
}

describe('a property nested 12,000 levels deep', () => {
  test('create: one FAILED answer naming the property', async () => {
    const answers = await send({ RequestType: 'Create', ResourceProperties: { NetworkId: network, Name: 'deep', Settings: nested(12_000) } });
    expect(answers).toHaveLength(1);
    expect(answers[0].Status).toBe('FAILED');
    expect(answers[0].Reason).toMatch(/Settings(\.a)+ is nested more than 32 levels deep/);
    expect(Object.values(h.emulator.services.wickr.store.state.networks[network].groups).map((g) => g.name)).not.toContain('deep');
  });

  test('create: under a key no resource knows, too', async () => {
    const answers = await send({ RequestType: 'Create', ResourceProperties: { NetworkId: network, Name: 'deep', Extra: [nested(12_000)] } });
    expect(answers.map((a) => a.Status)).toEqual(['FAILED']);
    expect(answers[0].Reason).toMatch(/Extra\[0\](\.a)+ is nested more than 32 levels deep/);
  });

  test('update: new properties refused with the reason, the resource unchanged', async () => {
    const props = { NetworkId: network, Name: 'shallow' };
    const id = (await h.create({ type: 'Custom::WickrSecurityGroup', logicalId: 'Group', props })).PhysicalResourceId!;
    const answers = await send({ RequestType: 'Update', PhysicalResourceId: id, ResourceProperties: { ...props, Settings: nested(12_000) }, OldResourceProperties: props });
    expect(answers.map((a) => [a.Status, a.PhysicalResourceId])).toEqual([['FAILED', id]]);
    expect(answers[0].Reason).toContain('Settings.a.a');
  });

  test('old properties and deletes decode leniently: the rollback and the delete succeed', async () => {
    const props = { NetworkId: network, Name: 'rolled' };
    const id = (await h.create({ type: 'Custom::WickrSecurityGroup', logicalId: 'Group', props })).PhysicalResourceId!;
    const rollback = await send({ RequestType: 'Update', PhysicalResourceId: id, ResourceProperties: props, OldResourceProperties: { ...props, Settings: nested(12_000) } });
    expect(rollback.map((a) => [a.Status, a.PhysicalResourceId])).toEqual([['SUCCESS', id]]);
    const deleted = await send({ RequestType: 'Delete', PhysicalResourceId: id, ResourceProperties: { ...props, Settings: nested(12_000) } });
    expect(deleted.map((a) => a.Status)).toEqual(['SUCCESS']);
    expect(h.emulator.services.wickr.store.state.networks[network].groups[id]).toBeUndefined();
  });

  test('a read (drift) answers too', async () => {
    const read = (await handler(
      { RequestType: 'Read', ResourceType: 'Custom::WickrNetwork', LogicalResourceId: 'Net', PhysicalResourceId: network, ResourceProperties: { NetworkName: 'deep-net', AccessLevel: 'PREMIUM', Extra: nested(12_000) } },
      context,
    )) as ReadResult;
    expect(read).toMatchObject({ Status: 'SUCCESS', Exists: true });
  });

  test('the log lines stay bounded and parse', () => {
    for (const line of h.logs) expect(() => JSON.parse(line)).not.toThrow();
    expect(Math.max(...h.logs.map((l) => l.length))).toBeLessThan(20_000);
  });
});

test('a large property (a 4 MB name, a list of 200,000 items): one answer each, the reason short', async () => {
  const long = await send({ RequestType: 'Create', ResourceProperties: { NetworkId: network, Name: 'n'.repeat(4 * 1024 * 1024) } });
  expect(long.map((a) => a.Status)).toEqual(['FAILED']);
  const many = await send({ RequestType: 'Create', ResourceProperties: { NetworkId: network, Name: 'many', Extra: Array.from({ length: 200_000 }, (_, i) => String(i)) } });
  expect(many).toHaveLength(1);
  for (const answer of [...long, ...many]) expect(JSON.stringify(answer).length).toBeLessThan(4096);
});

test('an event whose own fields are nested 12,000 levels deep is answered FAILED, as any malformed event', async () => {
  const answers = await send({ RequestType: nested(12_000) as never, ResourceProperties: {} });
  expect(answers.map((a) => a.Status)).toEqual(['FAILED']);
  expect(answers[0].Reason).toContain('unknown request type');
});
