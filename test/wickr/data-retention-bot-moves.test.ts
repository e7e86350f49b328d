import { CREATE_FAILED_PREFIX } from '../../lambda/core/dispatcher';
import { isDigestOf } from '../harness/emulator-snapshot';
import { Harness, startHarness } from '../harness/handler-harness';

/**
 * WickrDataRetentionBot moves between networks and data retention bots it did not make: a
 * move never takes over another owner's bot, a rollback leaves the secret holding the
 * challenge of the network it is back on, and the Delete of a failed id without a record of
 * its calls deletes nothing.
 */
let h: Harness;
const DRB = 'Custom::WickrDataRetentionBot';

beforeAll(async () => {
  h = await startHarness({ seed: 35 });
});
afterAll(() => h.close());
beforeEach(() => h.emulator.clearFaults());

const newNetwork = async (name: string) => (await h.create({ type: 'Custom::WickrNetwork', props: { NetworkName: name, AccessLevel: 'PREMIUM' } })).PhysicalResourceId!;
const newSecret = (name: string) => h.emulator.secrets.createSecret({ name, secretString: 'placeholder' });
const bot = (networkId: string) => h.emulator.services.wickr.store.state.networks[networkId].dataRetentionBot;
/** True when the secret's current value is the challenge the network's data retention bot holds. */
const holds = (secretArn: string, networkId: string) => isDigestOf(bot(networkId)?.challengeDigest, h.emulator.secrets.getSecretString(secretArn));
const props = (networkId: string, secretArn: string, over: Record<string, unknown> = {}) => ({ NetworkId: networkId, ChallengeSecretArn: secretArn, Enabled: true, AcknowledgePublicKeyMessage: true, ...over });

describe('a move to a network that already has a data retention bot made by another owner', () => {
  let a: string;
  let b: string;
  let ours: string;
  let theirs: string;
  let id: string;

  beforeAll(async () => {
    [a, b] = [await newNetwork('drb-a'), await newNetwork('drb-b')];
    [ours, theirs] = [newSecret('ours'), newSecret('theirs')];
    id = (await h.create({ type: DRB, props: props(a, ours), logicalId: 'Ours' })).PhysicalResourceId!;
    expect((await h.create({ type: DRB, props: props(b, theirs), logicalId: 'Theirs' })).Status).toBe('SUCCESS');
  });

  test('is refused naming the network, and neither owner\'s challenge changes, even when UpdateDataRetention fails', async () => {
    // given both secrets hold their network's challenge
    expect([holds(ours, a), holds(theirs, b)]).toEqual([true, true]);
    // when the move runs into an UpdateDataRetention that keeps failing
    h.emulator.addFault({ operation: 'UpdateDataRetention', kind: 'error', count: 5 });
    const failed = await h.update({ type: DRB, props: props(b, ours), oldProps: props(a, ours), physicalId: id, logicalId: 'Ours' });
    // then it fails, and each secret still holds what its network's bot holds
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id });
    expect([holds(ours, a), holds(theirs, b)]).toEqual([true, true]);
    expect(failed.Reason).toContain(`a data retention bot already exists in network ${b}`);
    expect(failed.Reason).toContain(`from network ${a}`);
    // and CloudFormation's rollback (in place, back to network A) leaves both so
    h.emulator.clearFaults();
    expect((await h.update({ type: DRB, props: props(a, ours), oldProps: props(b, ours), physicalId: id, logicalId: 'Ours' })).Status).toBe('SUCCESS');
    expect([holds(ours, a), holds(theirs, b)]).toEqual([true, true]);
    expect(bot(b)).toBeDefined();
  });

  test('the Delete of a legacy failed id (no made=) naming that network deletes nothing, and the log says why', async () => {
    // given the other owner's bot on network B
    expect(bot(b)).toBeDefined();
    const legacy = `${CREATE_FAILED_PREFIX}3c2f8d1e-0000-4000-8000-0000000000d2`;
    const res = await h.remove({ type: DRB, props: props(b, ours), physicalId: legacy, logicalId: 'Ours' });
    expect(res.Status).toBe('SUCCESS');
    expect(bot(b)).toBeDefined();
    expect(holds(theirs, b)).toBe(true);
    expect(h.logs.some((l) => /leaving the data retention bot/.test(l))).toBe(true);
  });
});

describe('a move whose immediate cleanup fails', () => {
  test('the rollback in place makes the secret hold the old network\'s challenge again', async () => {
    // given our bot on network A, and a network C without one
    const [a, c] = [await newNetwork('drb-cleanup-a'), await newNetwork('drb-cleanup-c')];
    const ours = newSecret('ours-cleanup');
    const id = (await h.create({ type: DRB, props: props(a, ours) })).PhysicalResourceId!;
    // when the move makes C's bot and challenge, ENABLE keeps failing, and so does deleting C's bot
    h.emulator.addFault({ operation: 'UpdateDataRetention', kind: 'error', count: 10 });
    h.emulator.addFault({ operation: 'DeleteDataRetentionBot', kind: 'error', count: 5 });
    const failed = await h.update({ type: DRB, props: props(c, ours), oldProps: props(a, ours), physicalId: id });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id });
    expect(holds(ours, c)).toBe(true);
    // then CloudFormation's rollback (in place, back to A) makes A's challenge current again
    h.emulator.clearFaults();
    expect((await h.update({ type: DRB, props: props(a, ours), oldProps: props(c, ours), physicalId: id })).Status).toBe('SUCCESS');
    expect(holds(ours, a)).toBe(true);
    // the bot left on C is deleted by hand (here through the handler); A's challenge stays current
    expect((await h.remove({ type: DRB, props: props(c, ours), physicalId: `${c}/data-retention-bot` })).Status).toBe('SUCCESS');
    expect(holds(ours, a)).toBe(true);
  });

  test('a rollback that finds the old network\'s challenge current already changes nothing', async () => {
    const [a, c] = [await newNetwork('drb-noop-a'), await newNetwork('drb-noop-c')];
    const ours = newSecret('ours-noop');
    const id = (await h.create({ type: DRB, props: props(a, ours) })).PhysicalResourceId!;
    h.emulator.addFault({ operation: 'UpdateDataRetention', kind: 'error', count: 10 });
    const failed = await h.update({ type: DRB, props: props(c, ours), oldProps: props(a, ours), physicalId: id });
    expect(failed.Status).toBe('FAILED');
    // the immediate cleanup deleted C's bot and made A's challenge current
    expect(bot(c)).toBeUndefined();
    expect(holds(ours, a)).toBe(true);
    h.emulator.clearFaults();
    h.clearCalls();
    expect((await h.update({ type: DRB, props: props(a, ours), oldProps: props(c, ours), physicalId: id })).Status).toBe('SUCCESS');
    expect(h.emulator.calls().filter((call) => call.operation === 'UpdateSecretVersionStage')).toHaveLength(0);
    expect(holds(ours, a)).toBe(true);
  });
});

describe('bots this resource may adopt', () => {
  test('a redelivery of a move after its answer was lost adopts the bot the move made: same id, no new challenge', async () => {
    const [a, c] = [await newNetwork('drb-redeliver-a'), await newNetwork('drb-redeliver-c')];
    const ours = newSecret('ours-redeliver');
    const id = (await h.create({ type: DRB, props: props(a, ours) })).PhysicalResourceId!;
    const move = { type: DRB, props: props(c, ours), oldProps: props(a, ours), physicalId: id, requestId: 'move-redelivered' };
    const first = await h.update(move);
    expect(first).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `${c}/data-retention-bot` });
    const challenge = h.emulator.secrets.getSecretString(ours);
    expect(await h.update(move)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: first.PhysicalResourceId });
    expect(h.emulator.secrets.getSecretString(ours)).toBe(challenge);
    expect(holds(ours, c)).toBe(true);
  });

  test('a Create adopts a bot that exists (one an earlier stack retained): the secret holds its new challenge', async () => {
    const n = await newNetwork('drb-retained');
    const before = newSecret('earlier-stack');
    expect((await h.create({ type: DRB, props: props(n, before), logicalId: 'Earlier' })).Status).toBe('SUCCESS');
    // the earlier resource leaves the stack and retains its bot (DeletionPolicy Retain: nobody claims it any more)
    h.cloudformation.resource('Earlier', DRB, 'DELETE_SKIPPED');
    h.cloudformation.undeclare('Earlier');
    const ours = newSecret('ours-adopting');
    const res = await h.create({ type: DRB, props: props(n, ours) });
    expect(res).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `${n}/data-retention-bot` });
    expect(holds(ours, n)).toBe(true);
  });
});
