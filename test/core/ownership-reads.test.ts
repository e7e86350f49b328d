import { READ_ATTEMPTS } from '../../lambda/core/read-retry';
import { Harness, startHarness } from '../harness/handler-harness';

/**
 * The provider reads CloudFormation (its stack's resources, status and template) to know what
 * it owns. Such a read is retried after a transient failure as the SDK clients retry theirs
 * (throttling, which CloudFormation answers with HTTP 400, included); and when the reader
 * gives up and the dispatcher retries the request, the read is made again: a failure is never
 * kept as the answer for the rest of the request.
 */

let h: Harness;
let network: string;
let staff: string;
beforeAll(async () => {
  h = await startHarness({ seed: 29 });
  network = (await h.create({ type: 'Custom::WickrNetwork', logicalId: 'Net', props: { NetworkName: 'ownership-reads', AccessLevel: 'PREMIUM' } })).PhysicalResourceId!;
  staff = Object.values(h.emulator.services.wickr.store.state.networks[network].groups).find((g) => g.isDefault)!.id;
});
afterAll(() => h.close());
afterEach(() => h.emulator.clearFaults());

const cloudformationCalls = (operation: string) => h.emulator.calls().filter((c) => c.service === 'cloudformation' && c.operation === operation);
const usernames = () => Object.values(h.emulator.services.wickr.store.state.networks[network].users).map((u) => u.username);

test('a WickrUsers delete whose template reads fail past the reader\'s retries reads it again when the request is retried, and deletes the users', async () => {
  // Two WickrUsers on the network: the delete reads the template for what the other declares.
  const others = { NetworkId: network, Groups: { staff }, DefaultGroup: 'staff', Users: [{ username: 'reads-other@example.com' }] };
  expect((await h.create({ type: 'Custom::WickrUsers', logicalId: 'Others', props: others })).Status).toBe('SUCCESS');
  const props = { NetworkId: network, Groups: { staff }, DefaultGroup: 'staff', Users: [{ username: 'reads-a@example.com' }, { username: 'reads-b@example.com' }] };
  const created = await h.create({ type: 'Custom::WickrUsers', logicalId: 'Users', props });
  expect(created.Status).toBe('SUCCESS');
  h.emulator.clearCalls();
  h.emulator.addFault({ service: 'cloudformation', operation: 'GetTemplate', kind: 'error', count: READ_ATTEMPTS });
  const removed = await h.remove({ type: 'Custom::WickrUsers', logicalId: 'Users', props, physicalId: created.PhysicalResourceId! });
  expect(removed.Status).toBe('SUCCESS');
  expect(cloudformationCalls('GetTemplate').map((c) => c.status)).toEqual([...Array<number>(READ_ATTEMPTS).fill(500), 200]);
  expect(usernames()).toEqual(expect.arrayContaining(['reads-other@example.com']));
  expect(usernames()).not.toContain('reads-a@example.com');
}, 30_000);

test.each([
  ['error', 500],
  ['throttle', 400],
] as const)('a create whose stack resources read fails once (%s, HTTP %d) reads them again and makes one group', async (kind, status) => {
  h.emulator.clearCalls();
  h.emulator.addFault({ service: 'cloudformation', operation: 'DescribeStackResources', kind, count: 1 });
  const name = `after-a-failed-read-${kind}`;
  const res = await h.create({ type: 'Custom::WickrSecurityGroup', logicalId: `Group${kind}`, props: { NetworkId: network, Name: name } });
  expect(res.Status).toBe('SUCCESS');
  expect(cloudformationCalls('DescribeStackResources').map((c) => c.status).slice(0, 2)).toEqual([status, 200]);
  const groups = Object.values(h.emulator.services.wickr.store.state.networks[network].groups).filter((g) => g.name === name);
  expect(groups.map((g) => g.id)).toEqual([res.PhysicalResourceId]);
});

test.each([
  ['its own stack', 0],
  ['who else claims the thing', 1],
])('a delete whose ownership read (%s) fails past the reader\'s retries reads again, as its calls persist, and deletes', async (_, after) => {
  const logicalId = `Leaving${after}`;
  const props = { NetworkId: network, Name: `leaving-${after}` };
  const created = await h.create({ type: 'Custom::WickrSecurityGroup', logicalId, props });
  expect(created.Status).toBe('SUCCESS');
  h.emulator.clearCalls();
  h.emulator.addFault({ service: 'cloudformation', operation: 'DescribeStackResources', kind: 'error', after, count: READ_ATTEMPTS });
  const removed = await h.remove({ type: 'Custom::WickrSecurityGroup', logicalId, props, physicalId: created.PhysicalResourceId! });
  expect([removed.Status, removed.Reason]).toEqual(['SUCCESS', undefined]);
  expect(cloudformationCalls('DescribeStackResources').map((c) => c.status).slice(after, after + READ_ATTEMPTS + 1)).toEqual([...Array<number>(READ_ATTEMPTS).fill(500), 200]);
  expect(h.emulator.services.wickr.store.state.networks[network].groups[created.PhysicalResourceId!]).toBeUndefined();
}, 30_000);

test('a delete whose ownership read hangs is not stopped by it: the read is abandoned after a quarter of the time left and sent again, and the delete goes through', async () => {
  const props = { NetworkId: network, Name: 'leaving-slowly' };
  const created = await h.create({ type: 'Custom::WickrSecurityGroup', logicalId: 'LeavingSlowly', props });
  expect(created.Status).toBe('SUCCESS');
  h.emulator.clearCalls();
  // A 4 s function: calls stop at 80%; the read's answer would come after that.
  h.emulator.addFault({ service: 'cloudformation', operation: 'DescribeStackResources', kind: 'latency', ms: 3_400, count: 1 });
  const removed = await h.remove({ type: 'Custom::WickrSecurityGroup', logicalId: 'LeavingSlowly', props, physicalId: created.PhysicalResourceId!, remainingMs: 4_000 });
  expect([removed.Status, removed.Reason]).toEqual(['SUCCESS', undefined]);
  expect(h.emulator.services.wickr.store.state.networks[network].groups[created.PhysicalResourceId!]).toBeUndefined();
}, 30_000);
