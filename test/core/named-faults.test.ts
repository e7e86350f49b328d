import { Harness, startHarness } from '../harness/handler-harness';

/**
 * The errors the services can answer beyond throttling and 5xx, injected by name, and page
 * tokens that expire: every request still gets one answer that names what happened, a
 * failed create leaves nothing, and an error no retry helps is not retried.
 */

let h: Harness;
let network: string;
beforeAll(async () => {
  h = await startHarness({ seed: 13 });
  network = (await h.create({ type: 'Custom::WickrNetwork', props: { NetworkName: 'named-faults', AccessLevel: 'PREMIUM' } })).PhysicalResourceId!;
});
afterAll(() => h.close());
afterEach(() => h.emulator.clearFaults());

const groups = () => Object.values(h.emulator.services.wickr.store.state.networks[network].groups).map((g) => g.name);

test.each([
  ['ExpiredTokenException', 403],
  ['AccessDeniedException', 403],
])('a create refused with %s (HTTP %d): FAILED naming it, sent once, nothing made', async (code, status) => {
  h.emulator.addFault({ operation: 'CreateSecurityGroup', kind: 'error', code, count: 5 });
  h.clearCalls();
  const res = await h.create({ type: 'Custom::WickrSecurityGroup', props: { NetworkId: network, Name: `refused-${status}` } });
  expect(res.Status).toBe('FAILED');
  expect(res.Reason).toContain(`${code} (HTTP ${status})`);
  expect(h.calls().filter((c) => c.operation === 'CreateSecurityGroup')).toHaveLength(1);
  expect(groups()).not.toContain(`refused-${status}`);
  // The Delete CloudFormation sends for the failed create succeeds, with nothing to remove.
  expect((await h.remove({ type: 'Custom::WickrSecurityGroup', props: { NetworkId: network, Name: `refused-${status}` }, physicalId: res.PhysicalResourceId })).Status).toBe('SUCCESS');
});

test('ServiceUnavailableException on a create: retried as any 503; the create succeeds once the service is back', async () => {
  h.emulator.addFault({ operation: 'CreateSecurityGroup', kind: 'error', code: 'ServiceUnavailableException', count: 1 });
  const res = await h.create({ type: 'Custom::WickrSecurityGroup', props: { NetworkId: network, Name: 'after-503' } });
  expect(res.Status).toBe('SUCCESS');
  expect(groups().filter((g) => g === 'after-503')).toHaveLength(1);
});

test('a drift read whose list page token expires: one answer, FAILED with the reason (the drift command shows NOT_CHECKED)', async () => {
  const group = Object.values(h.emulator.services.wickr.store.state.networks[network].groups).find((g) => g.isDefault)!.id;
  const props = { NetworkId: network, Groups: { staff: group }, DefaultGroup: 'staff', Users: Array.from({ length: 250 }, (_, i) => ({ username: `u${i}@example.com` })) };
  const created = await h.create({ type: 'Custom::WickrUsers', props });
  expect(created.Status).toBe('SUCCESS');
  h.emulator.addFault({ operation: 'ListUsers', kind: 'expire-page-tokens', count: 1 });
  const read = await h.read({ type: 'Custom::WickrUsers', props, physicalId: created.PhysicalResourceId! });
  expect(read).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/BadRequestError.*nextToken has expired/) });
  expect(h.emulator.calls().filter((c) => c.fault === 'expire-page-tokens')).toHaveLength(1);
  // The next check reads everything.
  h.emulator.clearFaults();
  expect(await h.read({ type: 'Custom::WickrUsers', props, physicalId: created.PhysicalResourceId! })).toMatchObject({ Status: 'SUCCESS', Exists: true });
});
