import { ChimeSDKIdentityClient, RegisterAppInstanceUserEndpointCommand } from '@aws-sdk/client-chime-sdk-identity';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Harness, startHarness } from '../harness/handler-harness';

/**
 * The user endpoint's physical id against the emulator: it names the endpoint registered when
 * it was answered and keeps naming the device when the device is registered again under it
 * (the rollback of a failed replacement of the same device answers it); the live endpoint id
 * is `Data`; an id whose endpoint stays is found without reading any secret (CloudFormation's
 * cleanup Delete runs after the policy lost the grant); no device token shows anywhere.
 */
let h: Harness;
let userArn: string;
const TYPE = 'Custom::ChimeAppInstanceUserEndpoint';
const PINPOINT_APP = 'arn:aws:mobiletargeting:us-east-1:123456789012:apps/0123456789abcdef0123456789abcdef';
const DEVICE_TOKEN = 'apns-device-token-7d41c0ffee';
const VOIP_1 = 'voip-token-first-5a5a5a';
const VOIP_2 = 'voip-token-second-6b6b6b';
const ROTATED = 'apns-device-token-rotated-99e1';
const OTHER_DEVICE = 'apns-device-token-other-2f2f';
const SECRET_VALUES = [DEVICE_TOKEN, VOIP_1, VOIP_2, ROTATED, OTHER_DEVICE];
let deviceArn: string;
let voip1Arn: string;
let voip2Arn: string;
let secretCount = 0;

beforeAll(async () => {
  h = await startHarness({ seed: 31 });
  const instance = await h.create({ type: 'Custom::ChimeAppInstance', props: { Name: 'chat', Metadata: 'm' } });
  const user = await h.create({ type: 'Custom::ChimeAppInstanceUser', props: { AppInstanceArn: instance.PhysicalResourceId, AppInstanceUserId: 'ann', Name: 'Ann' } });
  userArn = user.PhysicalResourceId!;
  deviceArn = h.emulator.secrets.createSecret({ name: 'ann/device', secretString: DEVICE_TOKEN });
  voip1Arn = h.emulator.secrets.createSecret({ name: 'ann/voip-1', secretString: JSON.stringify({ voip: VOIP_1 }) });
  voip2Arn = h.emulator.secrets.createSecret({ name: 'ann/voip-2', secretString: VOIP_2 });
});
afterAll(() => h.close());
beforeEach(() => {
  h.emulator.clearFaults();
  h.clearCalls();
});
const user = () => Object.values(Object.values(h.emulator.services.chime.store.state.instances)[0].users).find((u) => u.arn === userArn)!;
afterEach(() => {
  // Every test ends with the user's endpoints removed through the handler; a failing one must not spill into the next.
  const left = Object.values(user().endpoints);
  user().endpoints = {};
  expect(left).toEqual([]);
});

const endpoints = () => Object.values(user().endpoints);
const ops = (service = 'chime') => h.calls(service).map((c) => c.operation);
const props = (over: Record<string, unknown> = {}) => ({
  AppInstanceUserArn: userArn,
  Type: 'APNS',
  ResourceArn: PINPOINT_APP,
  DeviceToken: { SecretArn: deviceArn },
  VoipDeviceToken: { SecretArn: voip1Arn, JsonField: 'voip' },
  Name: 'phone',
  AllowMessages: 'ALL',
  ...over,
});
const SAME_DEVICE_NEW_VOIP = () => props({ VoipDeviceToken: { SecretArn: voip2Arn } });
const ok = async (p: Promise<{ Status: string; Reason?: string; PhysicalResourceId?: string; Data?: Record<string, string> }>) => {
  const res = await p;
  if (res.Status !== 'SUCCESS') throw new Error(`expected SUCCESS, got ${res.Status}: ${res.Reason}`);
  return res as { PhysicalResourceId: string; Data?: Record<string, string> };
};
const idOf = (endpointId: string) => `${userArn}/endpoints/${endpointId}`;
const secret = (value: string) => h.emulator.secrets.createSecret({ name: `ann/secret-${++secretCount}`, secretString: value });

async function rotate(secretArn: string, value: string): Promise<void> {
  await new SecretsManagerClient({ region: 'us-east-1' }).send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: value }));
}

describe('physical id and EndpointId', () => {
  test('create answers <user ARN>/endpoints/<endpoint id> and the endpoint id as Data; delete finds it by that id, reading no secret', async () => {
    const created = await ok(h.create({ type: TYPE, props: props() }));
    const [live] = endpoints();
    expect(created.PhysicalResourceId).toBe(idOf(live.endpointId));
    expect(created.Data).toEqual({ EndpointId: live.endpointId });
    expect(live).toMatchObject({ attributes: { DeviceToken: DEVICE_TOKEN, VoipDeviceToken: VOIP_1 }, name: 'phone' });
    expect(await h.read({ type: TYPE, props: props(), physicalId: created.PhysicalResourceId })).toMatchObject({ Exists: true, Live: { Type: 'APNS', Name: 'phone', AllowMessages: 'ALL' } });

    h.clearCalls();
    await ok(h.remove({ type: TYPE, props: props(), physicalId: created.PhysicalResourceId }));
    expect(ops()).toEqual(['DescribeAppInstanceUserEndpoint', 'DeregisterAppInstanceUserEndpoint']);
    expect(ops('secretsmanager')).toEqual([]);
    expect(await h.read({ type: TYPE, props: props(), physicalId: created.PhysicalResourceId })).toEqual({ Status: 'SUCCESS', Exists: false });
    await ok(h.remove({ type: TYPE, props: props(), physicalId: created.PhysicalResourceId }));
  });
});

describe('the same device with a new VoIP token', () => {
  test('is registered again under the same id (the service keeps one endpoint per device); the id then finds the device', async () => {
    const { PhysicalResourceId: id } = await ok(h.create({ type: TYPE, props: props() }));
    h.clearCalls();
    const updated = await ok(h.update({ type: TYPE, props: SAME_DEVICE_NEW_VOIP(), oldProps: props(), physicalId: id }));
    expect(updated.PhysicalResourceId).toBe(id);
    expect(ops()).toEqual(['DescribeAppInstanceUserEndpoint', 'RegisterAppInstanceUserEndpoint', 'DeregisterAppInstanceUserEndpoint', 'RegisterAppInstanceUserEndpoint']);
    const [live] = endpoints();
    expect(endpoints()).toHaveLength(1);
    expect(live.attributes).toEqual({ DeviceToken: DEVICE_TOKEN, VoipDeviceToken: VOIP_2 });
    expect(updated.Data).toEqual({ EndpointId: live.endpointId });
    expect(id).not.toBe(idOf(live.endpointId));
    // The id's own endpoint is gone: read, an in-place change and delete find the device.
    expect(await h.read({ type: TYPE, props: SAME_DEVICE_NEW_VOIP(), physicalId: id })).toMatchObject({ Exists: true });
    const renamed = { ...SAME_DEVICE_NEW_VOIP(), Name: 'tablet' };
    expect(await ok(h.update({ type: TYPE, props: renamed, oldProps: SAME_DEVICE_NEW_VOIP(), physicalId: id }))).toMatchObject({ PhysicalResourceId: id, Data: { EndpointId: live.endpointId } });
    expect(endpoints()).toEqual([expect.objectContaining({ endpointId: live.endpointId, name: 'tablet' })]);
    await ok(h.remove({ type: TYPE, props: renamed, physicalId: id }));
  });

  test('when the new registration fails, the old one is restored; the rollback answers the old id and the device stays registered', async () => {
    const { PhysicalResourceId: id } = await ok(h.create({ type: TYPE, props: props() }));
    // The first registration (refused: the device is registered) passes; the one after deregistering fails, every attempt.
    h.emulator.addFault({ operation: 'RegisterAppInstanceUserEndpoint', kind: 'error', count: 5, after: 1 });
    const failed = await h.update({ type: TYPE, props: SAME_DEVICE_NEW_VOIP(), oldProps: props(), physicalId: id });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id });
    h.emulator.clearFaults();
    // The device was registered again with its old tokens before the answer.
    expect(endpoints().map((e) => e.attributes)).toEqual([{ DeviceToken: DEVICE_TOKEN, VoipDeviceToken: VOIP_1 }]);

    // CloudFormation's rollback: an update back to the old properties, with the old id.
    const rolledBack = await ok(h.update({ type: TYPE, props: props(), oldProps: SAME_DEVICE_NEW_VOIP(), physicalId: id }));
    expect(rolledBack.PhysicalResourceId).toBe(id);
    expect(endpoints().map((e) => e.attributes)).toEqual([{ DeviceToken: DEVICE_TOKEN, VoipDeviceToken: VOIP_1 }]);
    expect(rolledBack.Data).toEqual({ EndpointId: endpoints()[0].endpointId });
    await ok(h.remove({ type: TYPE, props: props(), physicalId: id }));
  });

  test('when restoring fails too, the rollback registers the device again and answers the old id', async () => {
    const { PhysicalResourceId: id } = await ok(h.create({ type: TYPE, props: props() }));
    h.emulator.addFault({ operation: 'RegisterAppInstanceUserEndpoint', kind: 'error', count: 100, after: 1 });
    const failed = await h.update({ type: TYPE, props: SAME_DEVICE_NEW_VOIP(), oldProps: props(), physicalId: id });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id });
    h.emulator.clearFaults();
    expect(endpoints()).toEqual([]);

    const rolledBack = await ok(h.update({ type: TYPE, props: props(), oldProps: SAME_DEVICE_NEW_VOIP(), physicalId: id }));
    expect(rolledBack.PhysicalResourceId).toBe(id);
    expect(endpoints().map((e) => e.attributes)).toEqual([{ DeviceToken: DEVICE_TOKEN, VoipDeviceToken: VOIP_1 }]);
    await ok(h.remove({ type: TYPE, props: props(), physicalId: id }));
  });
});

describe('other changes', () => {
  test('another device is a replacement: a new id; the Delete for the old id removes the old endpoint even when its secret can no longer be read', async () => {
    const oldSecret = secret(DEVICE_TOKEN);
    const before = props({ DeviceToken: { SecretArn: oldSecret } });
    const moved = props({ DeviceToken: { SecretArn: secret(OTHER_DEVICE) } });
    const first = await ok(h.create({ type: TYPE, props: before }));
    const second = await ok(h.update({ type: TYPE, props: moved, oldProps: before, physicalId: first.PhysicalResourceId }));
    expect(endpoints()).toHaveLength(2);
    const live = endpoints().find((e) => e.attributes.DeviceToken === OTHER_DEVICE)!;
    expect(second).toMatchObject({ PhysicalResourceId: idOf(live.endpointId), Data: { EndpointId: live.endpointId } });
    // CloudFormation's cleanup runs after the policy lost the grant on the old secret: here, the secret is gone.
    h.emulator.secrets.deleteSecret(oldSecret);
    await ok(h.remove({ type: TYPE, props: before, physicalId: first.PhysicalResourceId }));
    expect(endpoints().map((e) => e.attributes.DeviceToken)).toEqual([OTHER_DEVICE]);
    await ok(h.remove({ type: TYPE, props: moved, physicalId: second.PhysicalResourceId }));
  });

  test('a new token version after the device token rotated in its secret registers the new token; the Delete for the old id removes the old one', async () => {
    const rotating = secret(DEVICE_TOKEN);
    const v1 = props({ DeviceToken: { SecretArn: rotating }, TokenVersion: '1' });
    const v2 = { ...v1, TokenVersion: '2' };
    const { PhysicalResourceId: id } = await ok(h.create({ type: TYPE, props: v1 }));
    await rotate(rotating, ROTATED);
    const updated = await ok(h.update({ type: TYPE, props: v2, oldProps: v1, physicalId: id }));
    expect(updated.PhysicalResourceId).not.toBe(id);
    await ok(h.remove({ type: TYPE, props: v1, physicalId: id }));
    expect(endpoints().map((e) => [idOf(e.endpointId), e.attributes.DeviceToken])).toEqual([[updated.PhysicalResourceId, ROTATED]]);
    await ok(h.remove({ type: TYPE, props: v2, physicalId: updated.PhysicalResourceId }));
  });

  test('a new token version with the same token, or a no-op, keeps the endpoint; name and allow-messages change in place', async () => {
    const { PhysicalResourceId: id } = await ok(h.create({ type: TYPE, props: props() }));
    const [before] = endpoints();
    h.clearCalls();
    await ok(h.update({ type: TYPE, props: props(), oldProps: props(), physicalId: id }));
    expect(ops()).toEqual([]);
    const bumped = props({ TokenVersion: '2' });
    expect((await ok(h.update({ type: TYPE, props: bumped, oldProps: props(), physicalId: id }))).PhysicalResourceId).toBe(id);
    expect(ops()).toEqual(['DescribeAppInstanceUserEndpoint']);
    h.clearCalls();
    const quiet = { ...bumped, Name: 'old phone', AllowMessages: 'NONE' };
    expect(await ok(h.update({ type: TYPE, props: quiet, oldProps: bumped, physicalId: id }))).toMatchObject({ PhysicalResourceId: id, Data: { EndpointId: before.endpointId } });
    expect(ops()).toEqual(['DescribeAppInstanceUserEndpoint', 'UpdateAppInstanceUserEndpoint']);
    expect(endpoints()).toEqual([expect.objectContaining({ endpointId: before.endpointId, name: 'old phone', allowMessages: 'NONE' })]);
    await ok(h.remove({ type: TYPE, props: quiet, physicalId: id }));
  });

  test('an endpoint registered by an earlier release: the first update (AttributesVersion added) keeps the id, answers the EndpointId and changes nothing', async () => {
    const out = await new ChimeSDKIdentityClient({ region: 'us-east-1' }).send(
      new RegisterAppInstanceUserEndpointCommand({
        AppInstanceUserArn: userArn,
        Type: 'APNS',
        ResourceArn: PINPOINT_APP,
        EndpointAttributes: { DeviceToken: DEVICE_TOKEN, VoipDeviceToken: VOIP_1 },
        Name: 'phone',
        AllowMessages: 'ALL',
        ClientRequestToken: 'registered-by-an-earlier-release',
      }),
    );
    const id = idOf(out.EndpointId!);
    h.clearCalls();
    // what an earlier release sent (no AttributesVersion), to what this one sends
    const updated = await ok(h.update({ type: TYPE, props: props({ AttributesVersion: '1' }), oldProps: props(), physicalId: id }));
    expect(updated).toMatchObject({ PhysicalResourceId: id, Data: { EndpointId: out.EndpointId } });
    expect(ops()).toEqual(['DescribeAppInstanceUserEndpoint']);
    await ok(h.remove({ type: TYPE, props: props({ AttributesVersion: '1' }), physicalId: id }));
  });
});

describe('a failed create', () => {
  test('whose registration may have committed: the Delete for the failed id finds the endpoint by its device and removes it, without registering', async () => {
    // The registration commits, its answer is lost, and every retry fails: the create fails.
    h.emulator.addFault({ operation: 'RegisterAppInstanceUserEndpoint', kind: 'drop-after-commit', count: 1 });
    h.emulator.addFault({ operation: 'RegisterAppInstanceUserEndpoint', kind: 'error', after: 1, count: 100 });
    const failed = await h.create({ type: TYPE, props: props() });
    expect(failed.Status).toBe('FAILED');
    h.emulator.clearFaults();
    h.clearCalls();
    await ok(h.remove({ type: TYPE, props: props(), physicalId: failed.PhysicalResourceId! }));
    expect(ops()).not.toContain('RegisterAppInstanceUserEndpoint');
  });

  test('without a VoIP token, and: when the token secret can no longer be read, the Delete succeeds and says so', async () => {
    const failCreate = async (p: Record<string, unknown>) => {
      h.emulator.addFault({ operation: 'RegisterAppInstanceUserEndpoint', kind: 'drop-after-commit', count: 1 });
      h.emulator.addFault({ operation: 'RegisterAppInstanceUserEndpoint', kind: 'error', after: 1, count: 100 });
      const failed = await h.create({ type: TYPE, props: p });
      h.emulator.clearFaults();
      expect(failed.Status).toBe('FAILED');
      return failed.PhysicalResourceId!;
    };
    const gcm = props({ Type: 'GCM', VoipDeviceToken: undefined });
    await ok(h.remove({ type: TYPE, props: gcm, physicalId: await failCreate(gcm) }));
    expect(endpoints()).toEqual([]);

    // A rollback's cleanup may run after the policy lost the grant on the secret: here, the secret is gone.
    const gone = props({ DeviceToken: { SecretArn: secret(OTHER_DEVICE) } });
    const failedId = await failCreate(gone);
    h.emulator.secrets.deleteSecret(gone.DeviceToken.SecretArn);
    const logged = h.logs.length;
    await ok(h.remove({ type: TYPE, props: gone, physicalId: failedId }));
    expect(h.logs.slice(logged).join('\n')).toContain('it may stay registered');
    expect(endpoints()).toHaveLength(1);
    user().endpoints = {};
  });

  test('refused by the service (the device is registered elsewhere) leaves that endpoint alone', async () => {
    const other = await ok(h.create({ type: TYPE, props: props(), logicalId: 'Other' }));
    const failed = await h.create({ type: TYPE, props: props(), logicalId: 'Mine' });
    expect(failed.Status).toBe('FAILED');
    await ok(h.remove({ type: TYPE, props: props(), logicalId: 'Mine', physicalId: failed.PhysicalResourceId! }));
    expect(endpoints()).toHaveLength(1);
    await ok(h.remove({ type: TYPE, props: props(), logicalId: 'Other', physicalId: other.PhysicalResourceId }));
  });
});

// Last: sees every response and log line of this file.
test('no secret value in any physical id, Data, reason or log line', () => {
  expect(h.responses.length).toBeGreaterThan(20);
  const text = JSON.stringify(h.responses) + h.logs.join('\n');
  for (const value of SECRET_VALUES) expect(text).not.toContain(value);
});
