import { createServiceClients } from '../../lambda/core/clients';
import { createDispatcher } from '../../lambda/core/dispatcher';
import { CustomResourceResponse } from '../../lambda/core/event';
import { HANDLERS } from '../../lambda/index';
import { cfnStringify, Harness, startHarness, STACK_ID } from '../harness/handler-harness';

/**
 * Lambda may deliver one request twice, at once or after a failed invocation (an answer it
 * could not deliver). Whatever one delivery's failure does must not remove what another
 * delivery answered SUCCESS for: CloudFormation keeps the first answer.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ seed: 4 });
});
afterAll(() => h.close());

const chimeUsers = (instanceArn: string) => Object.keys(h.emulator.services.chime.store.state.instances[instanceArn].users);

test('two concurrent deliveries of one create, the later one failing: the user the first answered SUCCESS for stays', async () => {
  const instanceArn = (await h.create({ type: 'Custom::ChimeAppInstance', props: { Name: 'chat' } })).PhysicalResourceId!;
  const props = { AppInstanceArn: instanceArn, AppInstanceUserId: 'dup', Name: 'Dup', ExpirationDays: 30, Tags: [{ Key: 'k', Value: 'v' }] };
  const responses: CustomResourceResponse[] = [];
  const handler = createDispatcher(HANDLERS, { clients: createServiceClients, respond: async (_u, r) => void responses.push(r) });
  const event = {
    RequestType: 'Create', ServiceToken: 'x', ResponseURL: 'https://example.invalid/r', StackId: STACK_ID, RequestId: 'the-same-request',
    LogicalResourceId: 'User', ResourceType: 'Custom::ChimeAppInstanceUser', ResourceProperties: cfnStringify(props) as Record<string, unknown>,
  };
  // The first delivery is slow on its expiration call, so the second overtakes it; then the first's TagResource fails for good.
  h.emulator.addFault({ operation: 'PutAppInstanceUserExpirationSettings', kind: 'latency', ms: 1_500, count: 1 });
  h.emulator.addFault({ operation: 'TagResource', kind: 'error', count: 5, after: 1 });
  const ctx = { getRemainingTimeInMillis: () => 600_000 };
  h.cloudformation.before(event);
  await Promise.all([handler(event, ctx), new Promise((r) => setTimeout(r, 200)).then(() => handler(event, ctx))]);
  h.emulator.clearFaults();
  expect(responses.map((r) => r.Status)).toEqual(['SUCCESS', 'FAILED']);
  expect(responses[0].PhysicalResourceId).toBe(`${instanceArn}/user/dup`);
  expect(chimeUsers(instanceArn)).toEqual(['dup']);
});

let network: string;
let instance: string;
const lex = { LexBotAliasArn: 'arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/KLMNOPQRST', LocaleId: 'en_US', InvokedBy: { StandardMessages: 'MENTIONS', TargetedMessages: 'ALL' } };
const cases: Array<[string, string, () => Record<string, unknown>]> = [
  ['Custom::ChimeAppInstanceUser', 'CreateAppInstanceUser', () => ({ AppInstanceArn: instance, AppInstanceUserId: 'redo', Name: 'Redo' })],
  ['Custom::ChimeAppInstanceBot', 'CreateAppInstanceBot', () => ({ AppInstanceArn: instance, Name: 'b', Lex: lex })],
  ['Custom::WickrSecurityGroup', 'CreateSecurityGroup', () => ({ NetworkId: network, Name: 'redo-group' })],
  ['Custom::WickrUsers', 'BatchCreateUser', () => ({ NetworkId: network, Groups: { staff: '' }, DefaultGroup: 'staff', Users: [{ username: 'a@example.com' }, { username: 'b@example.com' }] })],
];

test.each(cases)('%s: a redelivery after a failed create whose answer was lost answers SUCCESS for a resource that exists', async (type, operation, props) => {
  network ??= (await h.create({ type: 'Custom::WickrNetwork', props: { NetworkName: 'redo-net', AccessLevel: 'PREMIUM' } })).PhysicalResourceId!;
  instance ??= (await h.create({ type: 'Custom::ChimeAppInstance', props: { Name: 'redo' } })).PhysicalResourceId!;
  const p = props();
  if (type === 'Custom::WickrUsers') {
    p.Groups = { staff: (await h.create({ type: 'Custom::WickrDefaultSecurityGroup', props: { NetworkId: network } })).PhysicalResourceId! };
  }
  // Every attempt of the create commits and loses its answer: the create fails. Its FAILED answer is taken as lost, so Lambda delivers again.
  h.emulator.addFault({ operation, kind: 'drop-after-commit', count: 5 });
  const first = await h.create({ type, props: p, requestId: `req-${operation}`, answerLost: true });
  h.emulator.clearFaults();
  expect(first.Status).toBe('FAILED');
  const second = await h.create({ type, props: p, requestId: `req-${operation}` });
  expect(second.Status).toBe('SUCCESS');
  const read = await h.read({ type, props: p, physicalId: second.PhysicalResourceId! });
  expect(read).toMatchObject({ Status: 'SUCCESS', Exists: true });
  // and the stack's Delete removes it as any other
  expect((await h.remove({ type, props: p, physicalId: second.PhysicalResourceId! })).Status).toBe('SUCCESS');
  expect((await h.read({ type, props: p, physicalId: second.PhysicalResourceId! })).Exists).toBe(false);
});
