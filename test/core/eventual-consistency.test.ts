import { createServiceClients } from '../../lambda/core/clients';
import { createDispatcher } from '../../lambda/core/dispatcher';
import { CustomResourceResponse } from '../../lambda/core/event';
import { HANDLERS } from '../../lambda/index';
import { FaultSpec } from '../../local/emulator';
import { cfnStringify, Harness, startHarness, STACK_ID } from '../harness/handler-harness';

/**
 * The services are eventually consistent: a list or a get can miss what was made a moment
 * ago. `CreateNetwork` and `CreateBot` take no client token, so the handler finds its own
 * network and bot by a marker name in lists; two deliveries of one create must still make
 * exactly one and answer the same, with lists up to 5 s stale (the README states this bound).
 */

let h: Harness;
let network: string;
let group: string;
let challenge: string;
beforeAll(async () => {
  h = await startHarness({ seed: 16 });
  network = (await h.create({ type: 'Custom::WickrNetwork', props: { NetworkName: 'bots-home', AccessLevel: 'PREMIUM' } })).PhysicalResourceId!;
  group = (await h.create({ type: 'Custom::WickrDefaultSecurityGroup', props: { NetworkId: network } })).PhysicalResourceId!;
  challenge = h.emulator.secrets.createSecret({ name: 'bot-challenge', secretString: 'bot-challenge-value' });
});
afterAll(() => h.close());
afterEach(() => h.emulator.clearFaults());

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const networks = () => Object.values(h.emulator.services.wickr.store.state.networks);

/** Two deliveries of one create request, the second `laterMs` after the first; their answers. */
async function twice(type: string, logicalId: string, props: Record<string, unknown>, requestId: string, laterMs: number): Promise<CustomResourceResponse[]> {
  const responses: CustomResourceResponse[] = [];
  const handler = createDispatcher(HANDLERS, { clients: createServiceClients, respond: async (_u, r) => void responses.push(r) });
  const event = {
    RequestType: 'Create', ServiceToken: 'x', ResponseURL: 'https://example.invalid/r', StackId: STACK_ID, RequestId: requestId,
    LogicalResourceId: logicalId, ResourceType: type, ResourceProperties: cfnStringify(props) as Record<string, unknown>,
  };
  const context = { getRemainingTimeInMillis: () => 120_000 };
  // An invocation that fails (work after the answer that could not be done) would make Lambda deliver again: none may.
  const failed: unknown[] = [];
  const deliver = () => handler(event, context).catch((err: unknown) => void failed.push(err));
  // CloudFormation creates the resource (the provider acts only on the events it runs), and records the first answer.
  h.cloudformation.before(event);
  await Promise.all([deliver(), pause(laterMs).then(deliver)]);
  if (responses.length > 0) h.cloudformation.after(event, responses[0]);
  expect(failed).toEqual([]);
  return responses;
}

const listNetworksStale = (ms: number): FaultSpec => ({ operation: 'ListNetworks', kind: 'stale', ms });
const createNetworkSeenLate = (ms: number): FaultSpec => ({ operation: 'CreateNetwork', kind: 'stale', ms });
const listBotsStale = (ms: number): FaultSpec => ({ operation: 'ListBots', kind: 'stale', ms });
const createBotSeenLate = (ms: number): FaultSpec => ({ operation: 'CreateBot', kind: 'stale', ms });

describe('network', () => {
  test.each([
    ['ListNetworks answers', 1_500, 0, listNetworksStale],
    ['ListNetworks answers', 5_000, 700, listNetworksStale],
    ['CreateNetwork is seen', 1_500, 300, createNetworkSeenLate],
  ])('%s %d ms stale, the second delivery %d ms later: one network, both deliveries answer it', async (_what, ms, laterMs, fault) => {
    const before = networks().length;
    h.emulator.addFault(fault(ms));
    const name = `net-${ms}-${laterMs}-${fault(0).operation}`.toLowerCase().slice(0, 20);
    const answers = await twice('Custom::WickrNetwork', 'Net', { NetworkName: name, AccessLevel: 'STANDARD' }, `req-net-${ms}-${laterMs}-${fault(0).operation}`, laterMs);
    h.emulator.clearFaults();
    expect(answers.map((a) => [a.Status, a.Reason])).toEqual([['SUCCESS', undefined], ['SUCCESS', undefined]]);
    expect(answers[1].PhysicalResourceId).toBe(answers[0].PhysicalResourceId);
    // Exactly one new network, with its real name: none left behind under a marker.
    expect(networks().length - before).toBe(1);
    expect(networks().filter((n) => n.networkName.startsWith('pending-'))).toEqual([]);
    expect(h.emulator.services.wickr.store.state.networks[answers[0].PhysicalResourceId].networkName).toBe(name);
  }, 60_000);
});

test('no staleness: a network create makes no call more than before (list, create, list, rename)', async () => {
  h.clearCalls();
  expect((await h.create({ type: 'Custom::WickrNetwork', props: { NetworkName: 'quick', AccessLevel: 'STANDARD' } })).Status).toBe('SUCCESS');
  expect(h.calls().map((c) => c.operation)).toEqual(['ListNetworks', 'CreateNetwork', 'ListNetworks', 'UpdateNetwork']);
});

describe('bot', () => {
  test.each([
    ['ListBots answers', 5_000, 700, listBotsStale],
    ['CreateBot is seen', 1_500, 300, createBotSeenLate],
  ])('%s %d ms stale, the second delivery %d ms later: one bot, both deliveries answer it', async (_what, ms, laterMs, fault) => {
    h.emulator.addFault(fault(ms));
    const username = `stale${ms}x${laterMs}${fault(0).operation.length}bot`;
    const props = { NetworkId: network, Username: username, DisplayName: 'Stale', GroupId: group, Challenge: { SecretArn: challenge } };
    const answers = await twice('Custom::WickrBot', 'Bot', props, `req-bot-${username}`, laterMs);
    h.emulator.clearFaults();
    expect(answers.map((a) => [a.Status, a.Reason])).toEqual([['SUCCESS', undefined], ['SUCCESS', undefined]]);
    expect(answers[1].PhysicalResourceId).toBe(answers[0].PhysicalResourceId);
    const bots = Object.values(h.emulator.services.wickr.store.state.networks[network].bots).filter((b) => b.username === username);
    expect(bots.map((b) => [b.botId, b.displayName])).toEqual([[answers[0].PhysicalResourceId, 'Stale']]);
  }, 60_000);
});
