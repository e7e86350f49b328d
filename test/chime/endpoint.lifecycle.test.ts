import { Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ChimeAppInstance, ChimeAppInstanceUser, ChimeAppInstanceUserEndpoint, ChimeEndpointType } from '../../lib';
import { DefaultServices, RunningEmulator, startEmulator } from '../../local/emulator';
import { expectSuccess, rowFor, StackWorkspace } from '../harness/stack-workspace';

/**
 * A user endpoint through the lifecycle runner with the bundled handler: the same device
 * registered again with a new VoIP token, where the new registration fails. The stack must
 * roll back cleanly (the rollback Update answers the physical id it was sent) with the
 * device registered once, with its old tokens.
 */
let running: RunningEmulator<DefaultServices>;
let ws: StackWorkspace;
const DEVICE_TOKEN = 'apns-device-token-0b1e55ed';
const VOIP_A = 'voip-token-a-31337';
const VOIP_B = 'voip-token-b-42424';
const PINPOINT_APP = 'arn:aws:mobiletargeting:us-east-1:123456789012:apps/0123456789abcdef0123456789abcdef';
const secrets: Record<string, string> = {};

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 37 });
});
afterAll(() => running.close());
beforeEach(() => {
  running.emulator.reset();
  secrets.device = running.emulator.secrets.createSecret({ name: 'chat/device', secretString: DEVICE_TOKEN });
  secrets.a = running.emulator.secrets.createSecret({ name: 'chat/voip-a', secretString: VOIP_A });
  secrets.b = running.emulator.secrets.createSecret({ name: 'chat/voip-b', secretString: VOIP_B });
  ws = new StackWorkspace(running);
});
afterEach(() => ws.remove());

const app = (voip: 'a' | 'b') => (stack: Stack) => {
  const chat = new ChimeAppInstance(stack, 'Chat', { name: 'support' });
  const ann = new ChimeAppInstanceUser(stack, 'Ann', { appInstance: chat, appInstanceUserId: 'ann', name: 'Ann' });
  new ChimeAppInstanceUserEndpoint(stack, 'Phone', {
    user: ann,
    type: ChimeEndpointType.APNS,
    pinpointApplicationArn: PINPOINT_APP,
    deviceToken: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Device', secrets.device),
    voipDeviceToken: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Voip', secrets[voip]),
  });
};

const endpoints = () =>
  Object.values(running.emulator.services.chime.store.state.instances)
    .filter((i) => !i.deletion)
    .flatMap((i) => Object.values(i.users))
    .flatMap((u) => Object.values(u.endpoints));

test('a failed same-device replacement rolls back to UPDATE_ROLLBACK_COMPLETE, the old physical id and one registered endpoint', async () => {
  const created = expectSuccess(await ws.deploy(app('a')));
  const id = rowFor(created, 'Phone').physicalId!;
  expect(endpoints().map((e) => e.attributes)).toEqual([{ DeviceToken: DEVICE_TOKEN, VoipDeviceToken: VOIP_A }]);

  // The first registration passes (the service refuses it: the device is registered); every attempt of the next fails.
  running.emulator.addFault({ operation: 'RegisterAppInstanceUserEndpoint', kind: 'error', count: 5, after: 1 });
  const report = await ws.deploy(app('b'));
  running.emulator.clearFaults();

  expect(report.success).toBe(false);
  expect(report.stacks.map((s) => s.status)).toEqual(['UPDATE_ROLLBACK_COMPLETE']);
  expect(report.reason).toMatch(/Custom::ChimeAppInstanceUserEndpoint Phone\w+: update failed/);
  const rollback = report.invocations.filter((i) => i.phase === 'rollback' && i.logicalId.startsWith('Phone'));
  expect(rollback.map((i) => [i.requestType, i.status, i.physicalId])).toEqual([['Update', 'SUCCESS', id]]);
  expect(endpoints().map((e) => e.attributes)).toEqual([{ DeviceToken: DEVICE_TOKEN, VoipDeviceToken: VOIP_A }]);

  // The stack is consistent: the same change deploys now, in place, and the stack destroys cleanly.
  const retried = expectSuccess(await ws.deploy(app('b')));
  expect(rowFor(retried, 'Phone').physicalId).toBe(id);
  expect(endpoints().map((e) => e.attributes)).toEqual([{ DeviceToken: DEVICE_TOKEN, VoipDeviceToken: VOIP_B }]);
  expectSuccess(await ws.destroy());
  expect(endpoints()).toEqual([]);

  const texts = [...created.invocations, ...report.invocations, ...retried.invocations].map((i) => JSON.stringify(i.responses));
  for (const text of [...texts, ...[...created.logs, ...report.logs, ...retried.logs].map((l) => l.line)]) {
    for (const value of [DEVICE_TOKEN, VOIP_A, VOIP_B]) expect(text).not.toContain(value);
  }
});
