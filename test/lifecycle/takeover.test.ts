import { ChimeSDKIdentityClient, CreateAppInstanceAdminCommand, CreateAppInstanceCommand, CreateAppInstanceUserCommand, PutAppInstanceRetentionSettingsCommand } from '@aws-sdk/client-chime-sdk-identity';
import { Duration, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  AccessLevel,
  ChimeAppInstance,
  ChimeAppInstanceAdmin,
  ChimeAppInstanceUser,
  FederationMode,
  ShredderIntensity,
  WickrBot,
  WickrNetwork,
  WickrSecurityGroup,
  WickrUsers,
} from '../../lib';
import { isMutating } from '../../lambda/core/calls';
import { WickrClient } from '../../lambda/wickr/client';
import { BatchCreateUserCommand, CreateBotCommand, CreateNetworkCommand, CreateSecurityGroupCommand, UpdateNetworkSettingsCommand, UpdateSecurityGroupCommand } from '../../lambda/wickr/model.generated';
import { driftCommand } from '../../cli/drift/cli';
import { DefaultServices, RunningEmulator, startEmulator, TEST_CREDENTIALS } from '../../local/emulator';
import { expectSuccess, rowFor, StackWorkspace } from '../harness/stack-workspace';

/**
 * The take-over round trip: what was made through the services' APIs alone (a network with
 * settings, two groups with settings, a bot and 150 users; an app instance with retention, 10
 * users and an admin) is declared in a stack and deployed with adoption: no call changes
 * anything, and drift finds it in sync. A changed group setting then costs one
 * UpdateSecurityGroup; a destroy keeps what is retained, and adopting again loses nothing.
 */
let running: RunningEmulator<DefaultServices>;
let ws: StackWorkspace;
const ADOPT = { 'cdk-wickr-chime:adopt': '*' };

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 142 });
  ws = new StackWorkspace(running, 'TakeOver');
});
afterAll(async () => {
  ws.remove();
  await running.close();
});

const analysts = { federationMode: FederationMode.RESTRICTED, permittedNetworks: ['11112222'], lockoutThreshold: 8, shredder: { intensity: 60 as ShredderIntensity } };
const oncall = { enableFileDownload: false, lockoutThreshold: 5 };
const usernames = Array.from({ length: 150 }, (_, i) => `member${String(i).padStart(3, '0')}@example.com`);
const chimeUsers = Array.from({ length: 10 }, (_, i) => `agent-${i}`);

interface Made {
  networkId: string;
  groups: { analysts: string; oncall: string };
  instanceArn: string;
  challenge: string;
}

/** Everything made through the APIs, as a platform team made it before this library. */
async function makeByHand(): Promise<Made> {
  const wickr = new WickrClient({ region: 'us-east-1', endpoint: running.url, credentials: TEST_CREDENTIALS });
  const chime = new ChimeSDKIdentityClient({ region: 'us-east-1', endpoint: running.url, credentials: TEST_CREDENTIALS });
  try {
    const { networkId } = await wickr.send(new CreateNetworkCommand({ networkName: 'acme-org', accessLevel: 'PREMIUM' }));
    await wickr.send(new UpdateNetworkSettingsCommand({ networkId: networkId!, settings: { enableClientMetrics: false, readReceiptConfig: { status: 'FORCE_ENABLED' } } }));
    const group = async (name: string, settings: Record<string, unknown>, createSettings: Record<string, unknown>) => {
      const id = (await wickr.send(new CreateSecurityGroupCommand({ networkId: networkId!, name, securityGroupSettings: createSettings, clientToken: `make-${name}` }))).securityGroup.id!;
      await wickr.send(new UpdateSecurityGroupCommand({ networkId: networkId!, groupId: id, securityGroupSettings: settings }));
      return id;
    };
    const groups = {
      analysts: await group('analysts', analysts, { federationMode: 2, permittedNetworks: ['11112222'], lockoutThreshold: 8 }),
      oncall: await group('oncall', oncall, { lockoutThreshold: 5 }),
    };
    const challenge = running.emulator.secrets.createSecret({ name: 'alerts-challenge', secretString: 'a-challenge-the-bot-software-holds' });
    await wickr.send(new CreateBotCommand({ networkId: networkId!, username: 'alertsbot', displayName: 'Alerts', groupId: groups.oncall, challenge: 'a-challenge-the-bot-software-holds' }));
    for (let i = 0; i < usernames.length; i += 50) {
      await wickr.send(
        new BatchCreateUserCommand({ networkId: networkId!, users: usernames.slice(i, i + 50).map((username, j) => ({ username, firstName: `Member${i + j}`, securityGroupIds: [(i + j) % 2 ? groups.oncall : groups.analysts] })) }),
      );
    }
    const instanceArn = (await chime.send(new CreateAppInstanceCommand({ Name: 'acme-chat', ClientRequestToken: 'make-acme-chat' }))).AppInstanceArn!;
    await chime.send(new PutAppInstanceRetentionSettingsCommand({ AppInstanceArn: instanceArn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 365 } } }));
    for (const id of chimeUsers) await chime.send(new CreateAppInstanceUserCommand({ AppInstanceArn: instanceArn, AppInstanceUserId: id, Name: id, ClientRequestToken: `make-${id}` }));
    await chime.send(new CreateAppInstanceAdminCommand({ AppInstanceArn: instanceArn, AppInstanceAdminArn: `${instanceArn}/user/agent-0` }));
    return { networkId: networkId!, groups, instanceArn, challenge };
  } finally {
    chime.destroy();
  }
}

/** The same, declared. */
const declared = (made: Made, oncallSettings: Record<string, unknown> = oncall) => (stack: Stack) => {
  const network = new WickrNetwork(stack, 'Network', { networkName: 'acme-org', accessLevel: AccessLevel.PREMIUM, settings: { enableClientMetrics: false, readReceiptConfig: { status: 'FORCE_ENABLED' as never } } });
  const analystsGroup = new WickrSecurityGroup(stack, 'Analysts', { network, name: 'analysts', settings: analysts });
  const oncallGroup = new WickrSecurityGroup(stack, 'Oncall', { network, name: 'oncall', settings: oncallSettings });
  new WickrBot(stack, 'Alerts', { network, username: 'alertsbot', displayName: 'Alerts', securityGroup: oncallGroup, challenge: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Challenge', made.challenge) });
  new WickrUsers(stack, 'Members', {
    network,
    users: usernames.map((username, i) => ({ username, firstName: `Member${i}`, securityGroup: i % 2 ? oncallGroup : analystsGroup })),
  });
  const chat = new ChimeAppInstance(stack, 'Chat', { name: 'acme-chat', retention: Duration.days(365) });
  const agents = chimeUsers.map((id) => new ChimeAppInstanceUser(stack, id, { appInstance: chat, appInstanceUserId: id, name: id }));
  new ChimeAppInstanceAdmin(stack, 'Lead', { appInstance: chat, admin: agents[0] });
};

const changes = () => running.emulator.calls().filter((c) => (c.service === 'wickr' || c.service === 'chime') && isMutating(c.operation));

async function drift(): Promise<number> {
  return driftCommand(['--endpoint', running.url, '--stack', 'TakeOver'], { out: () => undefined, err: () => undefined });
}

test('made by hand, declared, adopted without a change; drift in sync; one setting costs one call; destroyed and adopted again, nothing lost', async () => {
  const made = await makeByHand();
  const userIds = () => Object.values(running.emulator.services.wickr.store.state.networks[made.networkId].users).map((u) => u.userId).sort();
  const before = userIds();
  expect(before).toHaveLength(150);

  running.emulator.clearCalls();
  const adopted = expectSuccess(await ws.deploy(declared(made), {}, ADOPT));
  expect(changes().map((c) => c.operation)).toEqual([]);
  expect(rowFor(adopted, 'Network').physicalId).toBe(made.networkId);
  expect([rowFor(adopted, 'Analysts').physicalId, rowFor(adopted, 'Oncall').physicalId]).toEqual([made.groups.analysts, made.groups.oncall]);
  expect(rowFor(adopted, 'Chat').physicalId).toBe(made.instanceArn);
  expect(adopted.rows.filter((r) => r.type.startsWith('Custom::') && r.action !== 'adopted').map((r) => r.logicalId)).toEqual([expect.stringMatching(/^NetworkDefaultSecurityGroup/)]);
  expect(await drift()).toBe(0);

  running.emulator.clearCalls();
  expectSuccess(await ws.deploy(declared(made, { ...oncall, lockoutThreshold: 6 })));
  expect(changes().map((c) => c.operation)).toEqual(['UpdateSecurityGroup']);

  expectSuccess(await ws.destroy());
  expect(running.emulator.services.wickr.store.state.networks[made.networkId]).toBeDefined();
  const again = expectSuccess(await ws.deploy(declared(made, { ...oncall, lockoutThreshold: 6 }), {}, ADOPT));
  expect(rowFor(again, 'Network').physicalId).toBe(made.networkId);
  expect([rowFor(again, 'Analysts').physicalId, rowFor(again, 'Oncall').physicalId]).toEqual([made.groups.analysts, made.groups.oncall]);
  expect(rowFor(again, 'Chat').physicalId).toBe(made.instanceArn);
  expect(userIds()).toEqual(before);
  expect(await drift()).toBe(0);
}, 120_000);
