import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ChimeSDKIdentityClient, CreateAppInstanceCommand, PutAppInstanceRetentionSettingsCommand } from '@aws-sdk/client-chime-sdk-identity';
import {
  AccessLevel,
  ChimeAppInstance,
  ChimeAppInstanceAdmin,
  ChimeAppInstanceRetention,
  ChimeAppInstanceUser,
  WickrBot,
  WickrDataRetentionBot,
  WickrNetwork,
  WickrSecurityGroup,
  WickrUsers,
} from '../../lib';
import { DefaultServices, RunningEmulator, startEmulator, TEST_CREDENTIALS } from '../../local/emulator';
import { expectSuccess, rowFor, StackWorkspace } from '../harness/stack-workspace';

/**
 * One owner for every live resource, through the runner and the bundled handler (what a
 * deploy does): a construct renamed keeps what it names; a rollback leaves what it found; a
 * resource added back after it was retained is taken over only when asked, and the refusal
 * names the command; two networks of one name never go through.
 */
let running: RunningEmulator<DefaultServices>;
let chime: ChimeSDKIdentityClient;
const workspaces: StackWorkspace[] = [];
beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 140 });
  chime = new ChimeSDKIdentityClient({ region: 'us-east-1', endpoint: running.url, credentials: TEST_CREDENTIALS });
});
afterAll(async () => {
  chime.destroy();
  for (const ws of workspaces) ws.remove();
  await running.close();
});

const workspace = (name: string) => {
  const ws = new StackWorkspace(running, name);
  workspaces.push(ws);
  return ws;
};
const wickrState = () => running.emulator.services.wickr.store.state;
const chimeState = () => running.emulator.services.chime.store.state;
const retentionOf = (arn: string) => chimeState().instances[arn].retention?.days;
const ADOPT = 'cdk-wickr-chime:adopt';

describe('a construct renamed keeps what it names, in one deploy', () => {
  test('the admin stays an admin, the retention stays, the data retention bot stays; nothing is removed', async () => {
    const ws = workspace('Renames');
    // retention is of an app instance made elsewhere (a ChimeAppInstance manages its own)
    const elsewhere = (await chime.send(new CreateAppInstanceCommand({ Name: 'elsewhere', ClientRequestToken: 'elsewhere-token' }))).AppInstanceArn!;
    const v = (suffix: string) => (stack: Stack) => {
      const network = new WickrNetwork(stack, 'Net', { networkName: 'renames', accessLevel: AccessLevel.PREMIUM });
      new WickrDataRetentionBot(stack, `Drb${suffix}`, { network });
      const chat = new ChimeAppInstance(stack, 'Chat', { name: 'renames' });
      const user = new ChimeAppInstanceUser(stack, 'Ann', { appInstance: chat, appInstanceUserId: 'ann', name: 'Ann' });
      new ChimeAppInstanceAdmin(stack, `Admin${suffix}`, { appInstance: chat, admin: user });
      new ChimeAppInstanceRetention(stack, `Retention${suffix}`, { appInstance: ChimeAppInstance.fromAppInstanceArn(stack, 'Elsewhere', elsewhere), retention: Duration.days(90) });
    };
    const first = expectSuccess(await ws.deploy(v('')));
    const network = rowFor(first, 'Net').physicalId!;
    const chat = rowFor(first, 'Chat').physicalId!;
    const ann = rowFor(first, 'Ann').physicalId!;
    expect(retentionOf(elsewhere)).toBe(90);

    const renamed = expectSuccess(await ws.deploy(v('Renamed')));
    expect(Object.keys(chimeState().instances[chat].admins)).toEqual([ann]);
    expect(retentionOf(elsewhere)).toBe(90);
    expect(wickrState().networks[network].dataRetentionBot).toBeDefined();
    // the new logical ids took the things over; the old ones' deletes left them
    expect(['AdminRenamed', 'RetentionRenamed', 'DrbRenamed'].map((id) => rowFor(renamed, id).action)).toEqual(['adopted', 'adopted', 'adopted']);
    expect(['Admin', 'Retention', 'Drb'].map((id) => renamed.rows.find((r) => r.logicalId.startsWith(id) && !r.logicalId.includes('Renamed'))?.action)).toEqual(['deleted', 'deleted', 'deleted']);
    // the renamed data retention bot has a new secret (its old one goes with the old construct); the provider's policy names it
    expect(renamed.lines.filter((l) => /^Renames: adopted/.test(l))).toEqual(['Renames: adopted 3, created 1, changed 1, unchanged 6, deleted 4']);
    expect(running.emulator.calls().filter((c) => /DeleteAppInstanceAdmin|DeleteDataRetentionBot/.test(c.operation))).toEqual([]);
  });
});

describe('a rollback leaves what it found', () => {
  test('a retention the instance had before: refused without adoption; adopted, the rollback of a later failure keeps it', async () => {
    const arn = (await chime.send(new CreateAppInstanceCommand({ Name: 'had-90', ClientRequestToken: 'had-90-token' }))).AppInstanceArn!;
    await chime.send(new PutAppInstanceRetentionSettingsCommand({ AppInstanceArn: arn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 90 } } }));
    const ws = workspace('Rollback');
    const app = (stack: Stack) => {
      const chat = ChimeAppInstance.fromAppInstanceArn(stack, 'Chat', arn);
      const retention = new ChimeAppInstanceRetention(stack, 'Retention', { appInstance: chat, retention: Duration.days(90) });
      // a later resource that fails: a security group of a network that does not exist
      const group = new WickrSecurityGroup(stack, 'Doomed', { network: WickrNetwork.fromNetworkId(stack, 'Gone', '99999999'), name: 'doomed' });
      group.node.addDependency(retention);
    };
    const refused = await ws.deploy(app);
    expect(refused.success).toBe(false);
    expect(refused.reason).toContain(`the retention of 90 days of app instance ${arn} already exists, and no stack owns it`);
    expect(refused.reason).toContain(`-c ${ADOPT}=Retention`);
    expect(retentionOf(arn)).toBe(90);

    const adopted = await ws.deploy(app, {}, { [ADOPT]: 'Rollback/Retention' });
    expect(adopted.success).toBe(false);
    expect(adopted.reason).toMatch(/Doomed/);
    expect(retentionOf(arn)).toBe(90);
  });
});

describe('retained resources come back only when asked', () => {
  const users = (n: number) => Array.from({ length: n }, (_, i) => ({ username: `member${i}@example.com`, firstName: `Member${i}` }));

  test('a WickrUsers removed (retained) and added back: refused, naming the command; adopted, the same users', async () => {
    const ws = workspace('AddedBack');
    const withUsers = (present: boolean) => (stack: Stack) => {
      const network = new WickrNetwork(stack, 'Net', { networkName: 'added-back', accessLevel: AccessLevel.STANDARD });
      if (present) new WickrUsers(stack, 'Members', { network, users: users(60) });
    };
    const first = expectSuccess(await ws.deploy(withUsers(true)));
    const network = rowFor(first, 'Net').physicalId!;
    const ids = () => Object.values(wickrState().networks[network].users).map((u) => u.userId).sort();
    const before = ids();
    expect(before).toHaveLength(60);
    expect(rowFor(expectSuccess(await ws.deploy(withUsers(false))), 'Members').action).toBe('retained');

    const refused = await ws.deploy(withUsers(true));
    expect(refused.success).toBe(false);
    // every user of the first batch exists: the create stops there, having made nothing, and names them
    expect(refused.reason).toContain('50 user(s) already exist in network');
    expect(refused.reason).not.toMatch(/rollback failed/);
    expect(refused.reason).toMatch(new RegExp(`cdk deploy AddedBack -c ${ADOPT}=Members\\w+`));
    expect(refused.reason).toMatch(new RegExp(`deploy-local --context ${ADOPT}=Members\\w+`));
    expect(ids()).toEqual(before);

    running.emulator.clearCalls();
    const adopted = expectSuccess(await ws.deploy(withUsers(true), {}, { [ADOPT]: 'AddedBack/Members' }));
    expect(rowFor(adopted, 'Members').action).toBe('adopted');
    expect(ids()).toEqual(before);
    expect(running.emulator.calls().filter((c) => c.service === 'wickr' && !/^(Get|List)/.test(c.operation))).toEqual([]);
  });

  test('a stack destroyed and deployed again: refused, naming the command; adopted, the same network, users, app instance and Chime user', async () => {
    const ws = workspace('Again');
    const app = (stack: Stack) => {
      const network = new WickrNetwork(stack, 'Net', { networkName: 'again', accessLevel: AccessLevel.STANDARD });
      new WickrUsers(stack, 'Members', { network, users: users(5) });
      const chat = new ChimeAppInstance(stack, 'Chat', { name: 'again' });
      new ChimeAppInstanceUser(stack, 'Agent', { appInstance: chat, appInstanceUserId: 'member-0', name: 'Member', removalPolicy: RemovalPolicy.RETAIN });
    };
    const first = expectSuccess(await ws.deploy(app));
    const network = rowFor(first, 'Net').physicalId!;
    const chat = rowFor(first, 'Chat').physicalId!;
    expectSuccess(await ws.destroy());
    expect(wickrState().networks[network]).toBeDefined();

    const refused = await ws.deploy(app);
    expect(refused.success).toBe(false);
    expect(refused.reason).toContain(`the Wickr network ${network} ("again") already exists, and no stack owns it`);
    expect(refused.reason).toMatch(new RegExp(`-c ${ADOPT}=Net\\w+`));

    // The refused deploy made an app instance of that name too, which its rollback deletes (asynchronously, as Chime does):
    // two of one name, so the adoption names the one to take over, then everything else.
    const adopted = expectSuccess(await ws.deploy(app, {}, { [ADOPT]: `Again/Chat=${chat},*` }));
    expect(rowFor(adopted, 'Net').physicalId).toBe(network);
    expect(rowFor(adopted, 'Chat').physicalId).toBe(chat);
    expect(['Net', 'Members', 'Chat', 'Agent'].map((id) => rowFor(adopted, id).action)).toEqual(['adopted', 'adopted', 'adopted', 'adopted']);
    expect(Object.keys(wickrState().networks[network].users)).toHaveLength(5);
    expect(Object.keys(chimeState().instances[chat].users)).toEqual(['member-0']);
  });
});

test('two deliveries of one WickrBot create, at once or after the answer, answer the same bot', async () => {
  for (const mode of ['concurrent', 'after-answer'] as const) {
    const ws = workspace(`Bots${mode.replace('-', '')}`);
    const app = (stack: Stack) => {
      const network = new WickrNetwork(stack, 'Net', { networkName: `bots-${mode}`, accessLevel: AccessLevel.STANDARD });
      const challenge = new secretsmanager.Secret(stack, 'Challenge');
      new WickrBot(stack, 'Alerts', { network, username: 'alertsbot', challenge, securityGroup: network.defaultSecurityGroup });
    };
    const report = expectSuccess(await ws.deploy(app, { duplicateDeliveries: { mode } }));
    const bot = report.invocations.find((i) => i.logicalId.startsWith('Alerts'))!;
    expect(bot.deliveries).toBe(2);
    expect(new Set(bot.responses.map((r) => `${r.Status} ${r.PhysicalResourceId}`))).toEqual(new Set([`SUCCESS ${rowFor(report, 'Alerts').physicalId}`]));
    expect(report.warnings.filter((w) => /not idempotent/.test(w))).toEqual([]);
    const network = rowFor(report, 'Net').physicalId!;
    expect(Object.keys(wickrState().networks[network].bots)).toHaveLength(1);
  }
});

describe('one stack never acts on another\'s resources', () => {
  test('stack B\'s WickrUsers declaring a username stack A manages is refused, and A keeps it', async () => {
    const a = workspace('OwnerA');
    const deployedA = expectSuccess(await a.deploy((stack) => {
      const network = new WickrNetwork(stack, 'Net', { networkName: 'shared-users', accessLevel: AccessLevel.STANDARD });
      new WickrUsers(stack, 'Members', { network, users: [{ username: 'alice@example.com' }, { username: 'bob@example.com' }] });
    }));
    const networkId = rowFor(deployedA, 'Net').physicalId!;
    const b = workspace('OwnerB');
    const bUsers = (usernames: string[]) => (stack: Stack) => {
      new WickrUsers(stack, 'Members', { network: WickrNetwork.fromNetworkId(stack, 'Net', networkId), users: usernames.map((username) => ({ username })) });
    };
    expectSuccess(await b.deploy(bUsers(['carol@example.com'])));
    const update = await b.deploy(bUsers(['carol@example.com', 'alice@example.com']));
    expect(update.success).toBe(false);
    expect(update.reason).toContain('1 user(s) already exist in network');
    expect(update.reason).toContain('no WickrUsers of this stack manages them: alice@example.com.');
    // B never managed alice: its next change deletes nothing of A's
    expectSuccess(await b.deploy(bUsers([])));
    const usernames = Object.values(wickrState().networks[networkId].users).map((u) => u.username).sort();
    expect(usernames).toEqual(['alice@example.com', 'bob@example.com']);
  });

  test('stack B adopting by its ARN an app instance stack A owns is refused, and makes no other', async () => {
    const a = workspace('InstanceA');
    const chat = rowFor(expectSuccess(await a.deploy((stack) => new ChimeAppInstance(stack, 'Chat', { name: 'shared-chat' }))), 'Chat').physicalId!;
    const b = workspace('InstanceB');
    const adopting = await b.deploy((stack) => new ChimeAppInstance(stack, 'Chat', { name: 'shared-chat' }), {}, { [ADOPT]: `InstanceB/Chat=${chat}` });
    expect(adopting.success).toBe(false);
    expect(adopting.reason).toContain(`belongs to stack InstanceA`);
    expect(Object.values(chimeState().instances).filter((i) => i.name === 'shared-chat' && !i.deletion).map((i) => i.arn)).toEqual([chat]);
  });
});
