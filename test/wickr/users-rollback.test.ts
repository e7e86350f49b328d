import { CreateNetworkCommand, ListSecurityGroupsCommand, WickrClient } from '../../lambda/wickr/client';
import { Harness, startHarness } from '../harness/handler-harness';

/**
 * A rollback is an update back to the old properties, sent into whatever state the failed
 * update left: WickrUsers converges (creates what is missing, adopts what exists, updates
 * what differs, deletes what is no longer declared), also after the network was replaced.
 */
const TYPE = 'Custom::WickrUsers';
let h: Harness;
let wickr: WickrClient;

beforeAll(async () => {
  h = await startHarness({ seed: 5 });
  wickr = new WickrClient({ region: 'us-east-1' });
});
afterAll(() => h.close());
beforeEach(() => h.emulator.clearFaults());

async function network(name: string): Promise<{ networkId: string; group: string }> {
  const { networkId } = await wickr.send(new CreateNetworkCommand({ networkName: name, accessLevel: 'PREMIUM' }));
  const { securityGroups } = await wickr.send(new ListSecurityGroupsCommand({ networkId: networkId! }));
  return { networkId: networkId!, group: securityGroups!.find((g) => g.isDefault)!.id! };
}

type Spec = { username: string; lastName?: string; suspended?: boolean };
const user = (i: number, extra: Partial<Spec> = {}): Spec => ({ username: `u${i}@example.com`, lastName: `L${i}`, ...extra });
const props = (net: { networkId: string; group: string }, users: Spec[]) => ({ NetworkId: net.networkId, Groups: { staff: net.group }, DefaultGroup: 'staff', Users: users });
/** The network's users as the emulator holds them, in a comparable form. */
const state = (networkId: string) =>
  Object.values(h.emulator.services.wickr.store.state.networks[networkId].users as Record<string, { username: string; lastName?: string; suspended: boolean }>)
    .map((u) => ({ username: u.username, lastName: u.lastName, suspended: u.suspended }))
    .sort((a, b) => a.username.localeCompare(b.username));

test.each([
  // The failed change removes the users it made itself: what it left is then the old users again.
  ['UpdateUser', 'the update made its new users, then failed changing one', false],
  ['BatchToggleUserSuspendStatus', 'the update made and changed users, then failed suspending', true],
  ['BatchDeleteUser', 'the update did everything but the deletes', true],
])('a failed update (%s: %s) rolls back to exactly the old users', async (operation, _what, leftChanges) => {
  const net = await network(`rb-${operation.slice(0, 12)}`);
  const old = [user(1), user(2), user(3), user(4, { suspended: true })];
  const created = await h.create({ type: TYPE, props: props(net, old) });
  expect(created.Status).toBe('SUCCESS');
  const before = state(net.networkId);

  // the new template removes u1, changes u2, resumes u4, suspends u3 and adds u10 and u11
  const attempted = [user(2, { lastName: 'Changed' }), user(3, { suspended: true }), user(4), user(10), user(11)];
  h.emulator.addFault({ operation, kind: 'error', count: 100 });
  const failed = await h.update({ type: TYPE, props: props(net, attempted), oldProps: props(net, old), physicalId: created.PhysicalResourceId! });
  expect(failed.Status).toBe('FAILED');
  if (leftChanges) expect(state(net.networkId)).not.toEqual(before);
  else expect(state(net.networkId)).toEqual(before);

  h.emulator.clearFaults();
  h.cloudformation.status('UPDATE_ROLLBACK_IN_PROGRESS');
  const rollback = await h.update({ type: TYPE, props: props(net, old), oldProps: props(net, attempted), physicalId: created.PhysicalResourceId! });
  h.cloudformation.status('UPDATE_IN_PROGRESS');
  expect(rollback).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
  expect(state(net.networkId)).toEqual(before);
});

test('a rollback after a network replacement converges the users in the old network and keeps the old physical id', async () => {
  const oldNet = await network('rb-old');
  const newNet = await network('rb-new');
  const users = [user(1), user(2)];
  const created = await h.create({ type: TYPE, props: props(oldNet, users) });
  const before = state(oldNet.networkId);

  // the replacement in the new network fails part-way (the users it made there are removed by the dispatcher's cleanup)
  h.emulator.addFault({ operation: 'BatchToggleUserSuspendStatus', kind: 'error', count: 100 });
  const moved = [user(1, { suspended: true }), user(2)];
  const failed = await h.update({ type: TYPE, props: props(newNet, moved), oldProps: props(oldNet, users), physicalId: created.PhysicalResourceId! });
  expect(failed.Status).toBe('FAILED');
  expect(failed.Reason).toContain('Removed the replacement it had made: 2 user(s)');
  expect(state(newNet.networkId)).toEqual([]);

  h.emulator.clearFaults();
  const rollback = await h.update({ type: TYPE, props: props(oldNet, users), oldProps: props(newNet, moved), physicalId: created.PhysicalResourceId! });
  expect(rollback).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
  expect(state(oldNet.networkId)).toEqual(before);
});
