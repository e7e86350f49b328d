import { Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  ChimeAppInstance,
  ChimeAppInstanceAdmin,
  ChimeAppInstanceBot,
  ChimeAppInstanceUser,
  ChimeAppInstanceUserEndpoint,
  ChimeEndpointType,
  LexStandardMessages,
  LexTargetedMessages,
} from '../../lib';
import { DefaultServices, RunningEmulator, startEmulator } from '../../local/emulator';
import { expectSuccess, rowFor, StackWorkspace } from '../harness/stack-workspace';

/**
 * A Chime SDK Identity deployment through the lifecycle runner with the bundled handler:
 * an app instance with retention, three users, an admin, a bot and an endpoint; deployed,
 * changed, destroyed; dropped connections after every create.
 */
let running: RunningEmulator<DefaultServices>;
let ws: StackWorkspace;
const DEVICE_TOKEN = 'apns-device-token-5c4b3a29';
let deviceSecretArn: string;
const LEX_ALIAS = 'arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/KLMNOPQRST';
const PINPOINT_APP = 'arn:aws:mobiletargeting:us-east-1:123456789012:apps/0123456789abcdef0123456789abcdef';

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 23 });
});
afterAll(() => running.close());
beforeEach(() => {
  running.emulator.reset();
  deviceSecretArn = running.emulator.secrets.createSecret({ name: 'chat/device', secretString: DEVICE_TOKEN });
  ws = new StackWorkspace(running);
});
afterEach(() => ws.remove());

interface Shape {
  metadata?: string;
  retentionDays?: number;
  tags?: Record<string, string>;
  allowMessages?: boolean;
  leadId?: string;
}

const app = (shape: Shape = {}) => (stack: Stack) => {
  const chat = new ChimeAppInstance(stack, 'Chat', {
    name: 'support',
    metadata: shape.metadata ?? 'v1',
    retention: Duration.days(shape.retentionDays ?? 30),
    removalPolicy: RemovalPolicy.DESTROY,
  });
  for (const [k, v] of Object.entries(shape.tags ?? { team: 'support', env: 'dev' })) Tags.of(chat).add(k, v);
  const lead = new ChimeAppInstanceUser(stack, 'Lead', { appInstance: chat, appInstanceUserId: shape.leadId ?? 'lead', name: 'Lead' });
  new ChimeAppInstanceUser(stack, 'Agent1', { appInstance: chat, appInstanceUserId: 'agent1', name: 'Agent 1', expiration: Duration.days(90) });
  new ChimeAppInstanceUser(stack, 'Agent2', { appInstance: chat, appInstanceUserId: 'agent2', name: 'Agent 2' });
  new ChimeAppInstanceAdmin(stack, 'LeadAdmin', { appInstance: chat, admin: lead });
  new ChimeAppInstanceBot(stack, 'Helper', {
    appInstance: chat,
    name: 'helper',
    lex: { botAliasArn: LEX_ALIAS, localeId: 'en_US', invokedBy: { standardMessages: LexStandardMessages.MENTIONS, targetedMessages: LexTargetedMessages.ALL } },
  });
  new ChimeAppInstanceUserEndpoint(stack, 'LeadPhone', {
    user: lead,
    type: ChimeEndpointType.APNS,
    pinpointApplicationArn: PINPOINT_APP,
    deviceToken: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Device', deviceSecretArn),
    allowMessages: shape.allowMessages,
  });
};

const instances = () => Object.values(running.emulator.services.chime.store.state.instances).filter((i) => !i.deletion);
const only = () => {
  const all = instances();
  expect(all).toHaveLength(1);
  return all[0];
};
const chimeOps = () => running.emulator.calls().filter((c) => c.service === 'chime').map((c) => c.operation);

test('deploy, unchanged redeploy, change (metadata, retention, tags, allow-messages, user id → replacement), destroy', async () => {
  const created = expectSuccess(await ws.deploy(app()));
  const instance = only();
  expect(rowFor(created, 'Chat').physicalId).toBe(instance.arn);
  expect(instance).toMatchObject({ metadata: 'v1', retention: { days: 30 } });
  expect(instance.tags.map((t) => t.Key).sort()).toEqual(['env', 'team']);
  expect(Object.keys(instance.users).sort()).toEqual(['agent1', 'agent2', 'lead']);
  expect(Object.keys(instance.admins)).toEqual([`${instance.arn}/user/lead`]);
  expect(Object.values(instance.bots)).toHaveLength(1);
  expect(Object.values(instance.users.lead.endpoints)).toMatchObject([{ allowMessages: 'ALL', attributes: { DeviceToken: DEVICE_TOKEN } }]);

  running.emulator.clearCalls();
  expect(expectSuccess(await ws.deploy(app())).invocations).toHaveLength(0);
  expect(chimeOps()).toEqual([]);

  running.emulator.clearCalls();
  const changed = expectSuccess(await ws.deploy(app({ metadata: 'v2', retentionDays: 60, tags: { team: 'support', owner: 'ann' }, allowMessages: false, leadId: 'lead.2' })));
  const after = only();
  expect(after).toMatchObject({ metadata: 'v2', retention: { days: 60 } });
  expect(after.tags.map((t) => `${t.Key}=${t.Value}`).sort()).toEqual(['owner=ann', 'team=support']);
  // The lead's new id replaced the user: the new one was created, the admin and the endpoint moved
  // to it, and CloudFormation's cleanup deleted the old user.
  expect(Object.keys(after.users).sort()).toEqual(['agent1', 'agent2', 'lead.2']);
  expect(Object.keys(after.admins)).toEqual([`${after.arn}/user/lead.2`]);
  expect(Object.values(after.users['lead.2'].endpoints)).toMatchObject([{ allowMessages: 'NONE' }]);
  const cleanup = changed.invocations.filter((i) => i.phase === 'cleanup').map((i) => `${i.logicalId.replace(/[0-9A-F]{8}$/, '')} ${i.requestType}`);
  expect(cleanup.sort()).toEqual(['Lead Delete', 'LeadAdmin Delete', 'LeadPhone Delete']);
  expect(chimeOps()).toEqual(expect.arrayContaining(['UpdateAppInstance', 'PutAppInstanceRetentionSettings', 'TagResource', 'UntagResource', 'CreateAppInstanceUser', 'DeleteAppInstanceUser']));

  expectSuccess(await ws.destroy());
  expect(instances()).toHaveLength(0);
  const texts = [...created.invocations, ...changed.invocations].flatMap((i) => i.responses.map((r) => JSON.stringify(r)));
  for (const text of [...texts, ...created.logs.map((l) => l.line), ...changed.logs.map((l) => l.line)]) expect(text).not.toContain(DEVICE_TOKEN);
});

test('a dropped connection after every create leaves no duplicate', async () => {
  for (const operation of ['CreateAppInstance', 'CreateAppInstanceUser', 'CreateAppInstanceAdmin', 'CreateAppInstanceBot', 'RegisterAppInstanceUserEndpoint']) {
    running.emulator.addFault({ operation, kind: 'drop-after-commit', count: 1 });
  }
  expectSuccess(await ws.deploy(app()));
  const dropped = new Set(running.emulator.calls().filter((c) => c.dropped).map((c) => c.operation));
  expect(dropped).toEqual(new Set(['CreateAppInstance', 'CreateAppInstanceUser', 'CreateAppInstanceAdmin', 'CreateAppInstanceBot', 'RegisterAppInstanceUserEndpoint']));
  const instance = only();
  expect(Object.keys(instance.users).sort()).toEqual(['agent1', 'agent2', 'lead']);
  expect(Object.values(instance.bots)).toHaveLength(1);
  expect(Object.values(instance.users.lead.endpoints)).toHaveLength(1);
  expect(Object.keys(instance.admins)).toHaveLength(1);
  running.emulator.clearFaults();
  expectSuccess(await ws.destroy());
  expect(instances()).toHaveLength(0);
});
