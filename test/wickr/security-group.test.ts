import { Harness, startHarness } from '../harness/handler-harness';

/** WickrSecurityGroup, WickrDefaultSecurityGroup and WickrNetworkSettings handlers against the emulator. */
let h: Harness;
let networkId: string;
let otherNetworkId: string;

beforeAll(async () => {
  h = await startHarness({ seed: 5 });
  const net = await h.create({ type: 'Custom::WickrNetwork', props: { NetworkName: 'groups', AccessLevel: 'PREMIUM' } });
  networkId = net.PhysicalResourceId!;
  otherNetworkId = (await h.create({ type: 'Custom::WickrNetwork', props: { NetworkName: 'groups2', AccessLevel: 'PREMIUM' } })).PhysicalResourceId!;
});
afterAll(() => h.close());
beforeEach(() => h.emulator.clearFaults());

const GROUP = 'Custom::WickrSecurityGroup';
const groups = (id = networkId) => h.emulator.services.wickr.store.state.networks[id].groups;
const body = (operation: string) => h.calls().filter((c) => c.operation === operation).map((c) => c.request.body as Record<string, any>);

const settings = {
  federationMode: 2,
  permittedNetworks: ['12345678'],
  lockoutThreshold: 8,
  forceDeviceLockout: 5,
  enableFileDownload: false,
  calling: { canStart11Call: true, canVideoCall: false },
  shredder: { intensity: 60, canProcessManually: false },
  quickResponses: ['on my way', 'call me'],
};
const props = { NetworkId: '', Name: 'analysts', Settings: settings };

describe('WickrSecurityGroup', () => {
  let groupId: string;

  test('create: CreateSecurityGroup with the federation subset and a token, then UpdateSecurityGroup with every setting, decoded from strings', async () => {
    h.clearCalls();
    const res = await h.create({ type: GROUP, props: { ...props, NetworkId: networkId } });
    expect(res.Status).toBe('SUCCESS');
    groupId = res.PhysicalResourceId!;
    // A group of the declared name is looked for first (one nobody owns would be refused); the group is made under the
    // request's marker name, configured, and named once CloudFormation has the answer.
    expect(h.calls().map((c) => c.operation)).toEqual(['ListSecurityGroups', 'CreateSecurityGroup', 'UpdateSecurityGroup', 'UpdateSecurityGroup']);
    const [created] = body('CreateSecurityGroup');
    expect(created.securityGroupSettings).toEqual({ federationMode: 2, permittedNetworks: ['12345678'], lockoutThreshold: 8 });
    expect(created.name).toMatch(/^pending-[0-9a-f]{12}$/);
    expect(h.calls()[1].request.headers['x-client-token']).toMatch(/^[0-9a-f]{48}$/);
    const [updated, named] = body('UpdateSecurityGroup');
    expect(named).toEqual({ name: 'analysts' });
    // "false" arrived as a string and left as false; "60" as 60.
    expect(updated.securityGroupSettings).toMatchObject({ enableFileDownload: false, shredder: { intensity: 60, canProcessManually: false }, calling: { canVideoCall: false } });
    expect(groups()[groupId]).toMatchObject({ name: 'analysts', settings: expect.objectContaining({ forceDeviceLockout: 5, enableFileDownload: false }) });
  });

  test('no-op update makes no call; in-place update sends only the name and the changed settings', async () => {
    const current = { ...props, NetworkId: networkId };
    h.clearCalls();
    expect((await h.update({ type: GROUP, props: current, oldProps: current, physicalId: groupId })).Status).toBe('SUCCESS');
    expect(h.calls()).toHaveLength(0);
    const next = { ...current, Name: 'analysts-eu', Settings: { ...settings, shredder: { intensity: 100, canProcessManually: false } } };
    const res = await h.update({ type: GROUP, props: next, oldProps: current, physicalId: groupId });
    expect(res.PhysicalResourceId).toBe(groupId);
    expect(body('UpdateSecurityGroup')).toEqual([{ name: 'analysts-eu', securityGroupSettings: { shredder: { intensity: 100, canProcessManually: false } } }]);
    expect(groups()[groupId].settings.shredder).toEqual({ intensity: 100, canProcessManually: false });
  });

  test('a new network replaces the group; the old one is deleted by the cleanup Delete; a second Delete succeeds', async () => {
    const old = { ...props, NetworkId: networkId, Name: 'analysts-eu' };
    const res = await h.update({ type: GROUP, props: { ...old, NetworkId: otherNetworkId }, oldProps: old, physicalId: groupId });
    expect(res.PhysicalResourceId).not.toBe(groupId);
    expect(groups(otherNetworkId)[res.PhysicalResourceId!].name).toBe('analysts-eu');
    expect((await h.remove({ type: GROUP, props: old, physicalId: groupId })).Status).toBe('SUCCESS');
    expect(groups()[groupId]).toBeUndefined();
    expect((await h.remove({ type: GROUP, props: old, physicalId: groupId })).Status).toBe('SUCCESS');
  });

  test('the service rejects a setting: FAILED with its field-level reason, and no half-configured group is left', async () => {
    const before = Object.keys(groups()).length;
    const bad = { ...props, NetworkId: networkId, Name: 'bad', Settings: { maxAutoDownloadSize: 1234 } };
    const res = await h.create({ type: GROUP, props: bad });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toMatch(/Custom::WickrSecurityGroup Resource: create failed: .*Wickr ValidationError.*maxAutoDownloadSize/);
    // the group was made; CloudFormation's Delete of the failed id removes it
    expect(Object.keys(groups())).toHaveLength(before + 1);
    await h.remove({ type: GROUP, props: bad, physicalId: res.PhysicalResourceId! });
    expect(Object.keys(groups())).toHaveLength(before);
  });

  test('UpdateSecurityGroup failing after the create: the new group is deleted', async () => {
    const before = Object.keys(groups()).length;
    h.emulator.addFault({ operation: 'UpdateSecurityGroup', kind: 'error', count: 10 });
    const res = await h.create({ type: GROUP, props: { ...props, NetworkId: networkId, Name: 'half' } });
    expect(res.Status).toBe('FAILED');
    h.emulator.clearFaults();
    await h.remove({ type: GROUP, props: { ...props, NetworkId: networkId, Name: 'half' }, physicalId: res.PhysicalResourceId! });
    expect(Object.keys(groups())).toHaveLength(before);
  });

  test('CreateSecurityGroup committed but dropped: the retry replays the token, one group', async () => {
    const before = Object.keys(groups()).length;
    h.emulator.addFault({ operation: 'CreateSecurityGroup', kind: 'drop-after-commit', count: 1 });
    const res = await h.create({ type: GROUP, props: { ...props, NetworkId: networkId, Name: 'dropped' }, requestId: 'req-dropped' });
    expect(res.Status).toBe('SUCCESS');
    const again = await h.create({ type: GROUP, props: { ...props, NetworkId: networkId, Name: 'dropped' }, requestId: 'req-dropped' });
    expect(again.PhysicalResourceId).toBe(res.PhysicalResourceId);
    expect(Object.keys(groups())).toHaveLength(before + 1);
  });

  test('read returns the managed settings for drift', async () => {
    const current = { ...props, NetworkId: networkId, Name: 'drift' };
    const res = await h.create({ type: GROUP, props: current });
    groups()[res.PhysicalResourceId!].settings.lockoutThreshold = 3;
    const live = await h.read({ type: GROUP, props: current, physicalId: res.PhysicalResourceId! });
    expect(live).toMatchObject({ Exists: true, Live: { Name: 'drift', Settings: { lockoutThreshold: 3, federationMode: 2 } } });
  });

  test('an unknown settings member is refused with its path', async () => {
    const res = await h.create({ type: GROUP, props: { ...props, NetworkId: networkId, Settings: { shredder: { strength: 5 } } } });
    expect(res.Reason).toMatch(/property Settings\.shredder\.strength is not a member of ShredderSettings/);
  });
});

describe('WickrDefaultSecurityGroup', () => {
  const DEFAULT = 'Custom::WickrDefaultSecurityGroup';
  test('finds the default group, applies settings, updates by difference, and leaves it on delete', async () => {
    const p = { NetworkId: networkId, Settings: { maxTtl: 86400 } };
    const res = await h.create({ type: DEFAULT, props: p });
    const groupId = res.PhysicalResourceId!;
    expect(groups()[groupId]).toMatchObject({ isDefault: true, settings: expect.objectContaining({ maxTtl: 86400 }) });
    h.clearCalls();
    await h.update({ type: DEFAULT, props: { ...p, Name: 'Everyone' }, oldProps: p, physicalId: groupId });
    expect(body('UpdateSecurityGroup')).toEqual([{ name: 'Everyone' }]);
    h.clearCalls();
    expect((await h.remove({ type: DEFAULT, props: p, physicalId: groupId })).Status).toBe('SUCCESS');
    expect(h.calls()).toHaveLength(0);
    expect(groups()[groupId].name).toBe('Everyone');
  });
});

describe('WickrNetworkSettings', () => {
  const SETTINGS = 'Custom::WickrNetworkSettings';
  test('applies settings, then only what changed; a false stays false; delete leaves them', async () => {
    const p = { NetworkId: networkId, Settings: { enableClientMetrics: false, readReceiptConfig: { status: 'FORCE_ENABLED' }, consentPopup: { enabled: true, header: 'Terms' } } };
    h.clearCalls();
    const res = await h.create({ type: SETTINGS, props: p });
    expect(res).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `${networkId}/settings` });
    expect(body('UpdateNetworkSettings')[0].settings).toEqual({ enableClientMetrics: false, readReceiptConfig: { status: 'FORCE_ENABLED' }, consentPopup: { enabled: true, header: 'Terms' } });
    h.clearCalls();
    await h.update({ type: SETTINGS, props: p, oldProps: p, physicalId: res.PhysicalResourceId! });
    expect(h.calls()).toHaveLength(0);
    const next = { ...p, Settings: { ...p.Settings, enableClientMetrics: true } };
    await h.update({ type: SETTINGS, props: next, oldProps: p, physicalId: res.PhysicalResourceId! });
    expect(body('UpdateNetworkSettings')).toEqual([{ settings: { enableClientMetrics: true } }]);
    const live = await h.read({ type: SETTINGS, props: next, physicalId: res.PhysicalResourceId! });
    expect(live).toEqual({ Status: 'SUCCESS', Exists: true, Live: { NetworkId: networkId, Settings: next.Settings } });
    h.clearCalls();
    await h.remove({ type: SETTINGS, props: next, physicalId: res.PhysicalResourceId! });
    expect(h.calls()).toHaveLength(0);
  });

  test('a bad status value is refused before any call', async () => {
    h.clearCalls();
    const res = await h.create({ type: SETTINGS, props: { NetworkId: networkId, Settings: { readReceiptConfig: { status: 'SOMETIMES' } } } });
    expect(res.Reason).toMatch(/Settings\.readReceiptConfig\.status must be one of DISABLED, ENABLED, FORCE_ENABLED/);
    expect(h.calls()).toHaveLength(0);
  });
});
