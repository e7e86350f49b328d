import { decodeProperties } from '../../lambda/core/schema';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { zipDirectory } from '../../cli/zip';
import { usersHandler } from '../../lambda/wickr/users';
import { CreateNetworkCommand, CreateSecurityGroupCommand, ListSecurityGroupsCommand, BatchCreateUserCommand, WickrClient } from '../../lambda/wickr/client';
import { cfnStringify, Harness, startHarness } from '../harness/handler-harness';

/**
 * WickrUsers handler against the emulator, with CloudFormation-shaped (stringified) events:
 * batches with tokens, updates by difference with exact call counts, partial failures,
 * faults, the users file read from S3, and no names in logs.
 */
const TYPE = 'Custom::WickrUsers';
let h: Harness;
let wickr: WickrClient;

interface Net {
  readonly networkId: string;
  readonly defaultGroup: string;
  readonly opsGroup: string;
}

beforeAll(async () => {
  h = await startHarness({ seed: 21 });
  wickr = new WickrClient({ region: 'us-east-1' });
});
afterAll(() => h.close());
beforeEach(() => {
  h.emulator.clearFaults();
  h.clearCalls();
});

let networks = 0;
/** A fresh network with its default group and an `ops` group, made directly (not through other handlers). */
async function newNetwork(): Promise<Net> {
  const { networkId } = await wickr.send(new CreateNetworkCommand({ networkName: `users-${++networks}`, accessLevel: 'PREMIUM' }));
  const { securityGroups } = await wickr.send(new ListSecurityGroupsCommand({ networkId: networkId! }));
  const ops = await wickr.send(new CreateSecurityGroupCommand({ networkId: networkId!, name: 'ops', securityGroupSettings: {} }));
  h.clearCalls();
  return { networkId: networkId!, defaultGroup: securityGroups!.find((g) => g.isDefault)!.id, opsGroup: ops.securityGroup.id };
}

type Spec = { username: string; firstName?: string; lastName?: string; group?: string; suspended?: boolean };
const user = (i: number, extra: Partial<Spec> = {}): Spec => ({ username: `user${String(i).padStart(4, '0')}@example.com`, firstName: `Given${i}x`, lastName: `Family${i}x`, ...extra });
const range = (from: number, count: number, extra: (i: number) => Partial<Spec> = () => ({})) => Array.from({ length: count }, (_, k) => user(from + k, extra(from + k)));
const props = (net: Net, users: Spec[]) => ({ NetworkId: net.networkId, Groups: { default: net.defaultGroup, ops: net.opsGroup }, DefaultGroup: 'default', Users: users });

const live = (net: Net) => Object.values(h.emulator.services.wickr.store.state.networks[net.networkId].users) as Array<Record<string, any>>;
const liveUser = (net: Net, username: string) => live(net).find((u) => u.username.toLowerCase() === username.toLowerCase());
/** Calls per operation since the last `clearCalls`, retries and replays included. */
const counts = () => h.calls().reduce<Record<string, number>>((acc, c) => ({ ...acc, [c.operation]: (acc[c.operation] ?? 0) + 1 }), {});

describe('inline users: create, update by difference, replace, delete', () => {
  let net: Net;
  let users: Spec[];
  let id: string;
  const update = async (next: Spec[]) => {
    h.clearCalls();
    const res = await h.update({ type: TYPE, props: props(net, next), oldProps: props(net, users), physicalId: id });
    expect(res).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    users = next;
    return res;
  };

  beforeAll(async () => {
    net = await newNetwork();
    users = range(0, 120, (i) => (i === 7 ? { suspended: true, group: 'ops' } : i === 8 ? { suspended: false } : {}));
  });

  test('120 users: 3 BatchCreateUser calls, a distinct token each, then 1 suspension call; no Data', async () => {
    const res = await h.create({ type: TYPE, props: props(net, users) });
    expect(res.Status).toBe('SUCCESS');
    id = res.PhysicalResourceId!;
    expect(id).toMatch(new RegExp(`^${net.networkId}/users/[0-9a-f]{16}$`));
    expect(counts()).toEqual({ BatchCreateUser: 3, BatchToggleUserSuspendStatus: 1 });
    const creates = h.calls().filter((c) => c.operation === 'BatchCreateUser');
    expect(new Set(creates.map((c) => c.request.headers['x-client-token'])).size).toBe(3);
    expect(creates.map((c) => (c.request.body as any).users.length).sort()).toEqual([20, 50, 50]);
    // Batches are the users in username order: the same request always sends the same batches.
    const first = creates.find((c) => (c.request.body as any).users[0].username === 'user0000@example.com')!;
    expect((first.request.body as any).users.map((u: any) => u.username)).toEqual(users.slice(0, 50).map((u) => u.username));
    expect(live(net)).toHaveLength(120);
    expect(liveUser(net, 'user0007@example.com')).toMatchObject({ suspended: true, groupId: net.opsGroup, firstName: 'Given7x' });
    // "false" decodes to false: user 8 is not suspended, and only user 7 went into the suspension call.
    expect(liveUser(net, 'user0008@example.com')).toMatchObject({ suspended: false, groupId: net.defaultGroup });
    const toggle = h.calls().find((c) => c.operation === 'BatchToggleUserSuspendStatus')!;
    expect(toggle.request.query).toMatchObject({ suspend: 'true' });
    expect((toggle.request.body as any).userIds).toEqual([liveUser(net, 'user0007@example.com')!.userId]);
    expect(res.Data ?? {}).toEqual({});
  });

  test('an update that changes nothing makes no call', async () => {
    await update(users);
    expect(h.calls()).toHaveLength(0);
  });

  test('group aliases renamed, same group ids: no call', async () => {
    h.clearCalls();
    const renamed = { ...props(net, users.map((u) => (u.group === 'ops' ? { ...u, group: 'operations' } : u))), Groups: { default: net.defaultGroup, operations: net.opsGroup } };
    const res = await h.update({ type: TYPE, props: renamed, oldProps: props(net, users), physicalId: id });
    expect(res.Status).toBe('SUCCESS');
    expect(h.calls()).toHaveLength(0);
  });

  test('one user changed: 2 calls (ListUsers by username, then UpdateUser with only what changed)', async () => {
    await update(users.map((u) => (u.username === 'user0001@example.com' ? { ...u, lastName: 'Renamed' } : u)));
    expect(counts()).toEqual({ ListUsers: 1, UpdateUser: 1 });
    expect(h.calls()[0].request.query).toMatchObject({ username: 'user0001@example.com' });
    expect(h.calls()[1].request.body).toMatchObject({ userDetails: { lastName: 'Renamed' } });
    expect(Object.keys((h.calls()[1].request.body as any).userDetails)).toEqual(['lastName']);
    expect(liveUser(net, 'user0001@example.com')).toMatchObject({ lastName: 'Renamed', firstName: 'Given1x' });
  });

  test('one changed, one removed, one added: 2 lookups, 1 create, 1 update, 1 delete', async () => {
    const next = users
      .filter((u) => u.username !== 'user0010@example.com')
      .map((u) => (u.username === 'user0005@example.com' ? { ...u, group: 'ops' } : u))
      .concat([user(500)]);
    await update(next);
    expect(counts()).toEqual({ ListUsers: 2, BatchCreateUser: 1, UpdateUser: 1, BatchDeleteUser: 1 });
    // Deletes come last: nothing is destroyed until the rest worked.
    expect(h.calls().map((c) => c.operation).pop()).toBe('BatchDeleteUser');
    expect(liveUser(net, 'user0500@example.com')).toBeDefined();
    expect(liveUser(net, 'user0010@example.com')).toBeUndefined();
    expect(liveUser(net, 'user0005@example.com')!.groupId).toBe(net.opsGroup);
    expect(live(net)).toHaveLength(120);
  });

  test('suspend one, resume another: one lookup each, one call per direction', async () => {
    await update(users.map((u) => (u.username === 'user0007@example.com' ? { ...u, suspended: false } : u.username === 'user0009@example.com' ? { ...u, suspended: true } : u)));
    expect(counts()).toEqual({ ListUsers: 2, BatchToggleUserSuspendStatus: 2 });
    expect(liveUser(net, 'user0007@example.com')!.suspended).toBe(false);
    expect(liveUser(net, 'user0009@example.com')!.suspended).toBe(true);
  });

  test('many changes: the network is listed (100 per page) instead of one lookup per user', async () => {
    await update(users.map((u, i) => (i < 5 ? { ...u, firstName: `Again${i}x` } : u)));
    expect(counts()).toEqual({ ListUsers: 2, UpdateUser: 5 });
    expect(h.calls()[0].request.query).not.toHaveProperty('username');
  });

  test('a username that changes only in case is the same user, renamed in place', async () => {
    await update(users.map((u) => (u.username === 'user0002@example.com' ? { ...u, username: 'USER0002@example.com' } : u)));
    expect(counts()).toEqual({ ListUsers: 1, UpdateUser: 1 });
    expect(live(net).map((u) => u.username)).toContain('USER0002@example.com');
  });

  test('a changed user deleted outside the stack is created again as declared', async () => {
    const victim = liveUser(net, 'user0003@example.com')!;
    delete h.emulator.services.wickr.store.state.networks[net.networkId].users[victim.userId];
    h.clearCalls();
    await update(users.map((u) => (u.username === 'user0003@example.com' ? { ...u, firstName: 'Back', suspended: true } : u)));
    expect(counts()).toEqual({ ListUsers: 1, BatchCreateUser: 1, BatchToggleUserSuspendStatus: 1 });
    expect(liveUser(net, 'user0003@example.com')).toMatchObject({ firstName: 'Back', suspended: true });
  });

  test('read returns the managed users as they are, for drift', async () => {
    const res = await h.read({ type: TYPE, props: props(net, users), physicalId: id });
    expect(res.Exists).toBe(true);
    expect(res.Live!.Users as unknown[]).toHaveLength(120);
    expect(res.Live!.MissingUsers).toEqual([]);
    expect((res.Live!.Users as any[]).find((u) => u.username === 'user0005@example.com')).toMatchObject({ group: 'ops', suspended: false });
    expect(res.Live!.ChangedUsers).toEqual([]);
    // changed by hand: a last name and a suspension; names are reported changed, never shown
    const ann = liveUser(net, users[3].username)!;
    const saved = { lastName: ann.lastName, suspended: ann.suspended };
    Object.assign(ann, { lastName: 'Edited', suspended: !ann.suspended });
    const edited = await h.read({ type: TYPE, props: props(net, users), physicalId: id });
    expect(edited.Live!.ChangedUsers).toEqual([
      { username: users[3].username, field: 'lastName', expected: '(declared)', actual: '(changed)' },
      { username: users[3].username, field: 'suspended', expected: saved.suspended, actual: !saved.suspended },
    ]);
    expect(JSON.stringify(edited.Live!.ChangedUsers)).not.toContain('Edited');
    Object.assign(ann, saved);
  });

  test('a new network replaces: the users are created there and the old ones stay until the old resource is deleted', async () => {
    const other = await newNetwork();
    const res = await h.update({ type: TYPE, props: props(other, users), oldProps: props(net, users), physicalId: id });
    expect(res.Status).toBe('SUCCESS');
    expect(res.PhysicalResourceId).toMatch(new RegExp(`^${other.networkId}/users/`));
    expect(live(other)).toHaveLength(120);
    expect(live(net)).toHaveLength(120);
    // CloudFormation's cleanup then deletes the old resource (with DESTROY).
    h.clearCalls();
    expect((await h.remove({ type: TYPE, props: props(net, users), physicalId: id })).Status).toBe('SUCCESS');
    expect(counts()).toEqual({ ListUsers: 2, BatchDeleteUser: 3 });
    expect(live(net)).toHaveLength(0);
    expect(live(other)).toHaveLength(120);
  });

  test('delete of users already gone succeeds, deleting nothing', async () => {
    h.clearCalls();
    expect((await h.remove({ type: TYPE, props: props(net, users), physicalId: id })).Status).toBe('SUCCESS');
    expect(counts()).toEqual({ ListUsers: 1 });
  });

  test('delete when the network itself is gone succeeds', async () => {
    const res = await h.remove({ type: TYPE, props: { ...props(net, users), NetworkId: '99999999' }, physicalId: '99999999/users/0000000000000000' });
    expect(res.Status).toBe('SUCCESS');
  });

  test('only managed users are touched: a user of the network outside the list survives the delete', async () => {
    const mine = await newNetwork();
    await wickr.send(new BatchCreateUserCommand({ networkId: mine.networkId, users: [{ username: 'outsider@example.com', securityGroupIds: [mine.defaultGroup] }] }));
    const res = await h.create({ type: TYPE, props: props(mine, range(0, 3)) });
    await h.remove({ type: TYPE, props: props(mine, range(0, 3)), physicalId: res.PhysicalResourceId! });
    expect(live(mine).map((u) => u.username)).toEqual(['outsider@example.com']);
  });
});

describe('failures', () => {
  let net: Net;
  beforeAll(async () => {
    net = await newNetwork();
    // A user of the network that no stack manages.
    await wickr.send(new BatchCreateUserCommand({ networkId: net.networkId, users: [user(900)].map((u) => ({ username: u.username, securityGroupIds: [net.defaultGroup] })) }));
  });
  const others = () => live(net).filter((u) => u.username !== 'user0900@example.com');

  test('a partly failed batch: a user no stack manages is refused, naming it and the command that takes it over; the users it made deleted, the existing user untouched', async () => {
    const res = await h.create({ type: TYPE, props: props(net, [user(899), user(900), user(901)]) });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toContain('1 user(s) already exist in network');
    expect(res.Reason).toContain('no WickrUsers of this stack manages them: user0900@example.com.');
    expect(res.Reason).toContain('cdk deploy HarnessStack -c cdk-wickr-chime:adopt=Resource');
    expect(res.Reason).toContain('. What it may have made (BatchCreateUser) is removed by the Delete CloudFormation sends for this failed resource');
    expect(others()).toHaveLength(2);
    // CloudFormation's Delete of the failed id: the batch is asked again with its token, which answers the users it made (making none), and those are deleted
    h.clearCalls();
    expect((await h.remove({ type: TYPE, props: props(net, [user(899), user(900), user(901)]), physicalId: res.PhysicalResourceId! })).Status).toBe('SUCCESS');
    expect(others()).toHaveLength(0);
    expect(liveUser(net, 'user0900@example.com')).toMatchObject({ firstName: undefined });
    expect(counts()).toEqual({ BatchCreateUser: 1, BatchDeleteUser: 1 });
    expect(h.calls().filter((c) => c.operation === 'BatchCreateUser').every((c) => c.replayed)).toBe(true);
  });

  test('hundreds of failures: the reason fits CloudFormation\'s 4096 bytes, the log lists every one, no name anywhere', async () => {
    await wickr.send(
      new BatchCreateUserCommand({ networkId: net.networkId, users: range(1000, 50).map((u) => ({ username: u.username, securityGroupIds: [net.defaultGroup] })) }),
    );
    await wickr.send(
      new BatchCreateUserCommand({ networkId: net.networkId, users: range(1050, 50).map((u) => ({ username: u.username, securityGroupIds: [net.defaultGroup] })) }),
    );
    const before = live(net).length;
    const logStart = h.logs.length;
    // Half of each batch collides: every batch partly fails, so every batch is tried.
    const users = range(1000, 200).filter((_, i) => i % 2 === 0 || i >= 100);
    const res = await h.create({ type: TYPE, props: props(net, users) });
    expect(res.Status).toBe('FAILED');
    expect(Buffer.byteLength(JSON.stringify(res))).toBeLessThanOrEqual(4096);
    expect(res.Reason).toMatch(/50 user\(s\) already exist in network \d{8} and no WickrUsers of this stack manages them: user1000@example\.com, .* and 40 more\./);
    const lines = h.logs.slice(logStart).map((l) => JSON.parse(l)).filter((l) => l.message === 'user failures');
    expect(lines.flatMap((l) => l.failures)).toHaveLength(50);
    expect(live(net)).toHaveLength(before);
    expect(JSON.stringify(h.responses) + h.logs.join('\n')).not.toMatch(/Given\d+x|Family\d+x/);
  });

  test('a batch in which every user fails (a group that does not exist) stops the create: later batches are not sent', async () => {
    const users = range(2000, 120, () => ({ group: 'ghost' }));
    const before = live(net).length;
    const res = await h.create({ type: TYPE, props: { ...props(net, users), Groups: { default: net.defaultGroup, ghost: '9999999' } } });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toMatch(/security group 9999999 not found/);
    expect(res.Reason).toMatch(/user\(s\) were not tried after the failure/);
    expect(res.Reason).toMatch(/BatchCreateUser: 50 of 120 user\(s\) failed: user2000@example\.com securityGroupIds: security group 9999999 not found/);
    expect(counts()).toEqual({ BatchCreateUser: 1 });
    expect(live(net)).toHaveLength(before);
  });

  test('a create call that keeps failing as a whole: FAILED with the service error, nothing left', async () => {
    const before = live(net).length;
    h.emulator.addFault({ operation: 'BatchCreateUser', kind: 'error', after: 1, count: 100 });
    const res = await h.create({ type: TYPE, props: props(net, range(3000, 120)) });
    expect(res.Status).toBe('FAILED');
    // the first batch made 50 users; the others' outcome is unknown: the Delete CloudFormation sends for the failed create removes them
    expect(res.Reason).toMatch(/BatchCreateUser failed: Wickr InternalServerError \(HTTP 500\).*\. What it may have made \(BatchCreateUser\) is removed by the Delete/);
    expect(live(net)).toHaveLength(before + 50);
    // three batches were sent (the first alone, then two at once): each may have made users
    expect(res.PhysicalResourceId).toMatch(/:made=BatchCreateUser\.3$/);
    h.emulator.clearFaults();
    h.clearCalls();
    expect((await h.remove({ type: TYPE, props: props(net, range(3000, 120)), physicalId: res.PhysicalResourceId! })).Status).toBe('SUCCESS');
    // each sent batch is asked again with its token: the first is replayed; the two whose outcome was
    // unknown had not committed, so they run now, and what they make is deleted at once
    expect(counts()).toMatchObject({ BatchCreateUser: 3 });
    expect(h.calls().filter((c) => c.operation === 'BatchCreateUser' && c.replayed)).toHaveLength(1);
    expect(live(net)).toHaveLength(before);
  });

  test('an update that declares a user no stack manages is refused before any change; its rollback (which must) takes the user over, setting what is declared', async () => {
    const old = range(4000, 3);
    const created = await h.create({ type: TYPE, props: props(net, old) });
    const next = props(net, [...old, user(4100), user(900, { group: 'ops' })]);
    h.clearCalls();
    const refused = await h.update({ type: TYPE, props: next, oldProps: props(net, old), physicalId: created.PhysicalResourceId! });
    expect(refused.Status).toBe('FAILED');
    expect(refused.Reason).toContain('no WickrUsers of this stack manages them: user0900@example.com.');
    // looked up only (one ListUsers per new username), nothing changed
    expect(counts()).toEqual({ ListUsers: 2 });
    h.clearCalls();
    h.cloudformation.status('UPDATE_ROLLBACK_IN_PROGRESS');
    const res = await h.update({ type: TYPE, props: next, oldProps: props(net, old), physicalId: created.PhysicalResourceId! });
    h.cloudformation.status('UPDATE_IN_PROGRESS');
    expect(res).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
    expect(liveUser(net, 'user4100@example.com')).toMatchObject({ firstName: 'Given4100x' });
    expect(liveUser(net, 'user0900@example.com')).toMatchObject({ firstName: 'Given900x', groupId: net.opsGroup });
    expect(counts()).toEqual({ ListUsers: 2, BatchCreateUser: 1, UpdateUser: 1 });
    await h.remove({ type: TYPE, props: props(net, old), physicalId: created.PhysicalResourceId! });
  });

  test('refused before any call: an unknown group alias, a duplicate username, a blank username', async () => {
    const bad = await h.create({ type: TYPE, props: props(net, [user(1, { group: 'nope' })]) });
    expect(bad.Reason).toMatch(/user user0001@example\.com: group "nope" is not one of default, ops/);
    const dup = await h.create({ type: TYPE, props: props(net, [user(1), { ...user(1), username: 'USER0001@example.com' }]) });
    expect(dup.Reason).toMatch(/Users\[1\], username: "USER0001@example.com" appears twice \(also Users\[0\]\)/);
    const blank = await h.create({ type: TYPE, props: props(net, [{ username: '  ' }]) });
    expect(blank.Reason).toMatch(/Users\[0\], username: is required/);
    const notBool = await h.create({ type: TYPE, props: props(net, [{ username: 'a@example.com', suspended: 'yes' as any }]) });
    expect(notBool.Reason).toMatch(/suspended/);
    expect(h.calls()).toHaveLength(0);
  });
});

describe('retries and repeated deliveries', () => {
  let net: Net;
  beforeAll(async () => {
    net = await newNetwork();
  });

  test('a 50% throttle storm on every call: 429s waited out, every user exactly once; the delete too', async () => {
    h.emulator.addFault({ operation: '*', kind: 'throttle', rate: 0.5, seed: 3 });
    const users = range(0, 120, (i) => ({ suspended: i === 0 }));
    const res = await h.create({ type: TYPE, props: props(net, users) });
    expect(res.Status).toBe('SUCCESS');
    expect(h.calls().filter((c) => c.operation === 'BatchCreateUser' && c.status === 429).length).toBeGreaterThan(0);
    // Each batch committed once: retries carried the batch's token, and only 200s count.
    expect(h.calls().filter((c) => c.operation === 'BatchCreateUser' && c.status === 200 && !c.replayed)).toHaveLength(3);
    expect(live(net).map((u) => u.username).sort()).toEqual(users.map((u) => u.username));
    expect(liveUser(net, users[0].username)!.suspended).toBe(true);
    expect((await h.remove({ type: TYPE, props: props(net, users), physicalId: res.PhysicalResourceId! })).Status).toBe('SUCCESS');
    expect(live(net)).toHaveLength(0);
  });

  test('throttling on every operation, within the retry budget: every user exactly once', async () => {
    h.emulator.addFault({ operation: '*', kind: 'throttle', count: 4 });
    const users = range(200, 120, (i) => ({ suspended: i % 40 === 0 }));
    const res = await h.create({ type: TYPE, props: props(net, users) });
    expect(res.Status).toBe('SUCCESS');
    expect(h.calls().filter((c) => c.status === 429)).toHaveLength(4);
    expect(live(net).map((u) => u.username).sort()).toEqual(users.map((u) => u.username));
    expect(live(net).filter((u) => u.suspended)).toHaveLength(3);
    await h.remove({ type: TYPE, props: props(net, users), physicalId: res.PhysicalResourceId! });
  });

  test('BatchCreateUser committed but its answer dropped: the retry replays its token; a repeated delivery adds nobody', async () => {
    const users = range(300, 60);
    h.emulator.addFault({ operation: 'BatchCreateUser', kind: 'drop-after-commit', count: 1 });
    const res = await h.create({ type: TYPE, props: props(net, users), requestId: 'dup-request' });
    expect(res.Status).toBe('SUCCESS');
    expect(h.calls().filter((c) => c.dropped)).toHaveLength(1);
    expect(h.calls().filter((c) => c.replayed)).toHaveLength(1);
    h.clearCalls();
    const again = await h.create({ type: TYPE, props: props(net, users), requestId: 'dup-request' });
    expect(again.Status).toBe('SUCCESS');
    expect(again.PhysicalResourceId).toBe(res.PhysicalResourceId);
    expect(h.calls().every((c) => c.replayed)).toBe(true);
    expect(live(net)).toHaveLength(60);

    // The same on an update's new users.
    h.emulator.addFault({ operation: 'BatchCreateUser', kind: 'drop-after-commit', count: 1 });
    const more = [...users, ...range(400, 5)];
    const upd = await h.update({ type: TYPE, props: props(net, more), oldProps: props(net, users), physicalId: res.PhysicalResourceId! });
    expect(upd.Status).toBe('SUCCESS');
    expect(live(net)).toHaveLength(65);
    await h.remove({ type: TYPE, props: props(net, more), physicalId: res.PhysicalResourceId! });
    expect(live(net)).toHaveLength(0);
  });

  test('a batch whose answers keep being dropped beyond the client\'s retries: the create fails and its users are found by the token and removed', async () => {
    const users = range(600, 50);
    h.emulator.addFault({ operation: 'BatchCreateUser', kind: 'drop-after-commit', count: 5 });
    const res = await h.create({ type: TYPE, props: props(net, users) });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toContain('. What it may have made (BatchCreateUser) is removed by the Delete');
    expect(res.PhysicalResourceId).toMatch(/:made=BatchCreateUser\.1$/);
    await h.remove({ type: TYPE, props: props(net, users), physicalId: res.PhysicalResourceId! });
    const creates = h.calls().filter((c) => c.operation === 'BatchCreateUser');
    // five attempts (the first made the users, four replayed), then the cleanup's replay: no duplicate, nothing left
    expect(creates).toHaveLength(6);
    expect(creates.filter((c) => c.replayed)).toHaveLength(5);
    expect(live(net)).toHaveLength(0);
  });

  test('a repeated delivery of a failed create fails the same way and leaves nothing', async () => {
    await wickr.send(new BatchCreateUserCommand({ networkId: net.networkId, users: [{ username: user(510).username, securityGroupIds: [net.defaultGroup] }] }));
    const users = range(500, 20);
    const first = await h.create({ type: TYPE, props: props(net, users), requestId: 'failed-request', answerLost: true });
    const second = await h.create({ type: TYPE, props: props(net, users), requestId: 'failed-request' });
    expect(first.Status).toBe('FAILED');
    expect(second.Reason).toContain('no WickrUsers of this stack manages them: user0510@example.com.');
    // one set of users (the second delivery's batch replayed the first's), removed by CloudFormation's Delete of the failed id
    expect(live(net)).toHaveLength(20);
    await h.remove({ type: TYPE, props: props(net, users), physicalId: second.PhysicalResourceId! });
    expect(live(net).map((u) => u.username)).toEqual([user(510).username]);
  });
});

describe('users file from S3', () => {
  let net: Net;
  const put = (key: string, text: string, format: 'csv' | 'json') => {
    h.emulator.s3.putObject('assets-bucket', key, Buffer.from(text));
    return { Bucket: 'assets-bucket', Key: key, Format: format, Sha256: createHash('sha256').update(text).digest('hex') };
  };
  const fileProps = (file: object) => ({ NetworkId: net.networkId, Groups: { default: net.defaultGroup, ops: net.opsGroup }, DefaultGroup: 'default', UsersFile: file });
  beforeAll(async () => {
    net = await newNetwork();
  });

  test('a CSV file: read, checked against its hash, created; a new file updates by difference; delete removes all', async () => {
    const v1 = put('v1.csv', 'username,firstName,lastName,group,suspended\n"a@example.com",Ann,"Smith, Jr",ops,false\nb@example.com,Bob,,,TRUE\n\nc@example.com,Cy,Doe,,\n', 'csv');
    const res = await h.create({ type: TYPE, props: fileProps(v1) });
    expect(res.Status).toBe('SUCCESS');
    expect(h.calls('s3').map((c) => c.operation)).toEqual(['GetObject']);
    expect(liveUser(net, 'a@example.com')).toMatchObject({ lastName: 'Smith, Jr', groupId: net.opsGroup, suspended: false });
    expect(liveUser(net, 'b@example.com')).toMatchObject({ groupId: net.defaultGroup, suspended: true });

    const v2 = put('v2.json', JSON.stringify([{ username: 'a@example.com', firstName: 'Ann', lastName: 'Smith, Jr', group: 'ops' }, { username: 'b@example.com', firstName: 'Bob', suspended: true }, { username: 'd@example.com' }]), 'json');
    h.clearCalls();
    const upd = await h.update({ type: TYPE, props: fileProps(v2), oldProps: fileProps(v1), physicalId: res.PhysicalResourceId! });
    expect(upd.Status).toBe('SUCCESS');
    expect(counts()).toEqual({ ListUsers: 1, BatchCreateUser: 1, BatchDeleteUser: 1 });
    expect(live(net).map((u) => u.username).sort()).toEqual(['a@example.com', 'b@example.com', 'd@example.com']);

    h.clearCalls();
    expect((await h.update({ type: TYPE, props: fileProps(v2), oldProps: fileProps(v2), physicalId: res.PhysicalResourceId! })).Status).toBe('SUCCESS');
    expect(h.calls()).toHaveLength(0);

    const tampered = await h.update({ type: TYPE, props: fileProps({ ...v2, Sha256: '0'.repeat(64) }), oldProps: fileProps(v2), physicalId: res.PhysicalResourceId! });
    expect(tampered.Reason).toMatch(/does not match the hash synthesized into the template/);

    expect((await h.remove({ type: TYPE, props: fileProps(v2), physicalId: res.PhysicalResourceId! })).Status).toBe('SUCCESS');
    expect(live(net)).toHaveLength(0);
    expect(h.logs.join('\n')).not.toMatch(/Ann|Smith|Bob|"Cy"|Doe/);
  });

  test('a users file in a ZIP (as CDK zips the staged directory): read from the archive; a template of 0.1.0 naming the same content as a plain object is not fetched again', async () => {
    const text = 'username,group\nzed@example.com,ops\n';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'users-zip-'));
    fs.writeFileSync(path.join(dir, 'users.csv'), text);
    h.emulator.s3.putObject('assets-bucket', 'wickr-users-x.zip', zipDirectory(dir));
    fs.rmSync(dir, { recursive: true, force: true });
    const zipped = { Bucket: 'assets-bucket', Key: 'wickr-users-x.zip', Format: 'csv', Sha256: createHash('sha256').update(text).digest('hex'), Archive: 'users.csv' };
    const legacy = put('legacy.csv', text, 'csv');
    const created = await h.create({ type: TYPE, props: fileProps(legacy) });
    expect(created.Status).toBe('SUCCESS');
    h.clearCalls();
    // The upgrade from 0.1.0: the same users, now in a ZIP under another key. One read, no change.
    const upgraded = await h.update({ type: TYPE, props: fileProps(zipped), oldProps: fileProps(legacy), physicalId: created.PhysicalResourceId! });
    expect(upgraded.Status).toBe('SUCCESS');
    expect(h.calls('s3').map((c) => c.operation)).toEqual(['GetObject']);
    expect(h.calls()).toEqual([]);
    expect(liveUser(net, 'zed@example.com')).toMatchObject({ groupId: net.opsGroup });
    const missing = await h.update({ type: TYPE, props: fileProps({ ...zipped, Archive: 'other.csv' }), oldProps: fileProps(zipped), physicalId: created.PhysicalResourceId! });
    expect(missing.Reason).toMatch(/the users file s3:\/\/assets-bucket\/wickr-users-x\.zip \(other\.csv\) is not in the archive/);
    expect((await h.remove({ type: TYPE, props: fileProps(zipped), physicalId: created.PhysicalResourceId! })).Status).toBe('SUCCESS');
  });

  test('a file naming an unknown group is refused with its line number, before any Wickr call', async () => {
    const bad = put('bad.csv', 'username,group\na@example.com,ops\n\nb@example.com,admins\n', 'csv');
    const res = await h.create({ type: TYPE, props: fileProps(bad) });
    expect(res.Reason).toMatch(/users: line 4, group: "admins" is not a known group/);
    expect(h.calls()).toHaveLength(0);
  });

  test('a users file that is gone fails the delete with the reason instead of passing as "already deleted"', async () => {
    const res = await h.remove({ type: TYPE, props: fileProps({ Bucket: 'assets-bucket', Key: 'missing.csv', Format: 'csv', Sha256: 'a'.repeat(64) }), physicalId: `${net.networkId}/users/0000000000000000` });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toMatch(/cannot read the users file s3:\/\/assets-bucket\/missing\.csv/);
  });
});

test('stringified properties decode: "true"/"false" become booleans, a false stays false', () => {
  const raw = cfnStringify({ NetworkId: '12345678', Groups: { default: 'g1' }, DefaultGroup: 'default', Users: [{ username: 'a', suspended: false }, { username: 'b', suspended: true }] });
  const decoded = decodeProperties(usersHandler.schema, raw);
  expect(decoded.Users).toEqual([{ username: 'a', suspended: false }, { username: 'b', suspended: true }]);
});

test('no first or last name used in these tests reaches a log line', () => {
  expect(h.logs.join('\n')).not.toMatch(/Given\d+x|Family\d+x|Renamed|Again\dx/);
});
