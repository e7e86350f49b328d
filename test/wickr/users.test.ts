import { createHash } from 'crypto';
import { Harness, startHarness } from '../harness/handler-harness';

/** WickrUsers handler against the emulator: batches, differences, partial failures, faults. */
let h: Harness;
let networkId: string;
let otherNetworkId: string;
let defaultGroup: string;
let opsGroup: string;

const TYPE = 'Custom::WickrUsers';
const user = (i: number, extra: Record<string, unknown> = {}) => ({ username: `user${String(i).padStart(3, '0')}@example.com`, firstName: `First${i}`, lastName: 'Last', ...extra });

beforeAll(async () => {
  h = await startHarness({ seed: 21 });
  networkId = (await h.create({ type: 'Custom::WickrNetwork', props: { NetworkName: 'users', AccessLevel: 'PREMIUM' } })).PhysicalResourceId!;
  otherNetworkId = (await h.create({ type: 'Custom::WickrNetwork', props: { NetworkName: 'users2', AccessLevel: 'PREMIUM' } })).PhysicalResourceId!;
  defaultGroup = (await h.create({ type: 'Custom::WickrDefaultSecurityGroup', props: { NetworkId: networkId } })).PhysicalResourceId!;
  opsGroup = (await h.create({ type: 'Custom::WickrSecurityGroup', props: { NetworkId: networkId, Name: 'ops' } })).PhysicalResourceId!;
});
afterAll(() => h.close());
beforeEach(() => {
  h.emulator.clearFaults();
  h.clearCalls();
});

const liveUsers = (id = networkId) => Object.values(h.emulator.services.wickr.store.state.networks[id].users) as Array<Record<string, any>>;
const ops = () => h.calls().map((c) => c.operation);
const props = (users: unknown[], network = networkId) => ({ NetworkId: network, Groups: { default: defaultGroup, ops: opsGroup }, DefaultGroup: 'default', Users: users });

describe('inline users', () => {
  const initial = Array.from({ length: 120 }, (_, i) => user(i, i === 7 ? { suspended: true, group: 'ops' } : {}));
  let id: string;

  test('120 users: 3 BatchCreateUser calls with a token each, then one suspension call ("true" decoded)', async () => {
    const res = await h.create({ type: TYPE, props: props(initial) });
    expect(res.Status).toBe('SUCCESS');
    id = res.PhysicalResourceId!;
    expect(id).toMatch(new RegExp(`^${networkId}/users/[0-9a-f]{16}$`));
    expect(ops()).toEqual(['BatchCreateUser', 'BatchCreateUser', 'BatchCreateUser', 'BatchToggleUserSuspendStatus']);
    const tokens = h.calls().slice(0, 3).map((c) => c.request.headers['x-client-token']);
    expect(new Set(tokens).size).toBe(3);
    expect(liveUsers()).toHaveLength(120);
    expect(liveUsers().find((u) => u.username === 'user007@example.com')).toMatchObject({ suspended: true, groupId: opsGroup });
    expect(res.Data ?? {}).toEqual({});
  });

  test('no-op update: 0 calls', async () => {
    await h.update({ type: TYPE, props: props(initial), oldProps: props(initial), physicalId: id });
    expect(h.calls()).toHaveLength(0);
  });

  test('one changed, one removed, one added, one resumed: exact calls', async () => {
    const next = initial
      .filter((u) => u.username !== 'user010@example.com')
      .map((u) => (u.username === 'user005@example.com' ? { ...u, lastName: 'Renamed' } : u.username === 'user007@example.com' ? { ...u, suspended: false } : u))
      .concat([user(500)]);
    const res = await h.update({ type: TYPE, props: props(next), oldProps: props(initial), physicalId: id });
    expect(res.Status).toBe('SUCCESS');
    // Three users to look up: a listing of the network (2 pages of 100) takes fewer calls than 3 lookups.
    expect(ops()).toEqual(['ListUsers', 'ListUsers', 'BatchCreateUser', 'UpdateUser', 'BatchToggleUserSuspendStatus', 'BatchDeleteUser']);
    expect(liveUsers().map((u) => u.username)).toContain('user500@example.com');
    expect(liveUsers().map((u) => u.username)).not.toContain('user010@example.com');
    expect(liveUsers().find((u) => u.username === 'user005@example.com')!.lastName).toBe('Renamed');
    expect(liveUsers().find((u) => u.username === 'user007@example.com')!.suspended).toBe(false);
    initial.splice(0, initial.length, ...next);
  });

  test('one user changed in a large list: one lookup and one UpdateUser', async () => {
    const next = initial.map((u) => (u.username === 'user001@example.com' ? { ...u, firstName: 'Changed' } : u));
    const big = { ...props(next) };
    await h.update({ type: TYPE, props: big, oldProps: props(initial), physicalId: id });
    expect(ops()).toEqual(['ListUsers', 'UpdateUser']);
    expect(h.calls()[0].request.query).toMatchObject({ username: 'user001@example.com' });
    initial.splice(0, initial.length, ...next);
  });

  test('read returns the managed users for drift', async () => {
    const live = await h.read({ type: TYPE, props: props(initial), physicalId: id });
    expect(live.Exists).toBe(true);
    expect((live.Live!.Users as unknown[]).length).toBe(120);
    expect(live.Live!.Missing).toBe(0);
  });

  test('a new network replaces: the users are created there; delete removes them; delete again succeeds', async () => {
    const otherDefault = (await h.create({ type: 'Custom::WickrDefaultSecurityGroup', props: { NetworkId: otherNetworkId } })).PhysicalResourceId!;
    const moved = { ...props(initial, otherNetworkId), Groups: { default: otherDefault, ops: otherDefault } };
    const res = await h.update({ type: TYPE, props: moved, oldProps: props(initial), physicalId: id });
    expect(res.Status).toBe('SUCCESS');
    expect(res.PhysicalResourceId).not.toBe(id);
    expect(liveUsers(otherNetworkId)).toHaveLength(120);
    h.clearCalls();
    expect((await h.remove({ type: TYPE, props: props(initial), physicalId: id })).Status).toBe('SUCCESS');
    expect(liveUsers()).toHaveLength(0);
    expect(ops().filter((o) => o === 'BatchDeleteUser')).toHaveLength(3);
    expect((await h.remove({ type: TYPE, props: props(initial), physicalId: id })).Status).toBe('SUCCESS');
  });
});

describe('failures and faults', () => {
  test('a partly failed batch: FAILED with each user\'s reason, and the users it made are deleted', async () => {
    h.emulator.services.wickr.store.state.networks[networkId].users = {};
    const taken = await h.create({ type: TYPE, props: props([user(900)]) });
    expect(taken.Status).toBe('SUCCESS');
    const res = await h.create({ type: TYPE, props: props([user(899), user(900), user(901)]) });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toMatch(/BatchCreateUser: 1 of 3 item\(s\) failed: user900@example\.com username: username already exists/);
    expect(liveUsers().map((u) => u.username)).toEqual(['user900@example.com']);
    await h.remove({ type: TYPE, props: props([user(900)]), physicalId: taken.PhysicalResourceId! });
  });

  test('a 50% throttle storm during the create: retried, no duplicate, nothing left over', async () => {
    const users = Array.from({ length: 120 }, (_, i) => user(i + 200));
    h.emulator.addFault({ operation: '*', kind: 'throttle', rate: 0.5, seed: 3 });
    const res = await h.create({ type: TYPE, props: props(users) });
    h.emulator.clearFaults();
    expect(res.Status).toBe('SUCCESS');
    expect(h.calls().some((c) => c.status === 429)).toBe(true);
    expect(liveUsers()).toHaveLength(120);
    await h.remove({ type: TYPE, props: props(users), physicalId: res.PhysicalResourceId! });
    expect(liveUsers()).toHaveLength(0);
  });

  test('BatchCreateUser committed but dropped: the retry replays its token; then a duplicate delivery adds nobody', async () => {
    const users = Array.from({ length: 60 }, (_, i) => user(i + 300));
    h.emulator.addFault({ operation: 'BatchCreateUser', kind: 'drop-after-commit', count: 1 });
    const res = await h.create({ type: TYPE, props: props(users), requestId: 'dup-request' });
    expect(res.Status).toBe('SUCCESS');
    const again = await h.create({ type: TYPE, props: props(users), requestId: 'dup-request' });
    expect(again.Status).toBe('SUCCESS');
    expect(again.PhysicalResourceId).toBe(res.PhysicalResourceId);
    expect(liveUsers()).toHaveLength(60);
    await h.remove({ type: TYPE, props: props(users), physicalId: res.PhysicalResourceId! });
  });

  test('an unknown group alias and duplicate usernames are refused before any call', async () => {
    const bad = await h.create({ type: TYPE, props: props([user(1, { group: 'nope' })]) });
    expect(bad.Reason).toMatch(/group "nope" is not one of default, ops/);
    const dup = await h.create({ type: TYPE, props: props([user(1), { ...user(1), username: 'USER001@example.com' }]) });
    expect(dup.Reason).toMatch(/appears twice/);
    expect(h.calls()).toHaveLength(0);
  });
});

describe('users file from S3', () => {
  test('CSV read from the asset, checked against its hash', async () => {
    const csv = 'username,firstName,lastName,group,suspended\n"a@example.com",Ann,"Smith, Jr",ops,false\nb@example.com,Bob,,,TRUE\n';
    h.emulator.s3.putObject('assets-bucket', 'users.csv', Buffer.from(csv));
    const file = { Bucket: 'assets-bucket', Key: 'users.csv', Format: 'csv', Sha256: createHash('sha256').update(csv).digest('hex') };
    const p = { NetworkId: networkId, Groups: { default: defaultGroup, ops: opsGroup }, DefaultGroup: 'default', UsersFile: file };
    const res = await h.create({ type: TYPE, props: p });
    expect(res.Status).toBe('SUCCESS');
    expect(liveUsers().find((u) => u.username === 'a@example.com')).toMatchObject({ lastName: 'Smith, Jr', groupId: opsGroup, suspended: false });
    expect(liveUsers().find((u) => u.username === 'b@example.com')).toMatchObject({ groupId: defaultGroup, suspended: true });
    const tampered = await h.update({ type: TYPE, props: { ...p, UsersFile: { ...file, Sha256: '0'.repeat(64) } }, oldProps: p, physicalId: res.PhysicalResourceId! });
    expect(tampered.Reason).toMatch(/does not match the hash synthesized into the template/);
    await h.remove({ type: TYPE, props: p, physicalId: res.PhysicalResourceId! });
    expect(liveUsers().filter((u) => /^[ab]@/.test(u.username))).toHaveLength(0);
  });
});

test('no first or last name reaches a log line', () => {
  expect(h.logs.join('\n')).not.toMatch(/First\d+|Smith, Jr/);
});
