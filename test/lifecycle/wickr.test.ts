import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  AccessLevel,
  FederationMode,
  ReadReceiptStatus,
  WickrBot,
  WickrDataRetentionBot,
  WickrNetwork,
  WickrOidcConfig,
  WickrSecurityGroup,
  WickrUserSpec,
  WickrUsers,
} from '../../lib';
import { DefaultServices, RunningEmulator, startEmulator } from '../../local/emulator';
import { DeployReport } from '../../local/runner';
import { expectSuccess, rowFor, StackWorkspace } from '../harness/stack-workspace';

/**
 * A whole Wickr deployment through the lifecycle runner with the bundled handler: a
 * network with settings, two security groups, a bot, the data retention bot, OIDC and 120
 * users; deployed, changed, destroyed; dropped connections after every create, and a
 * throttle storm during the users' create.
 */
let running: RunningEmulator<DefaultServices>;
let ws: StackWorkspace;
const BOT_CHALLENGE = 'wickr-bot-challenge-7d1e4c';
const OIDC_SECRET = 'oidc-client-secret-93b0aa';
let botSecretArn: string;
let oidcSecretArn: string;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 17 });
});
afterAll(() => running.close());
beforeEach(() => {
  running.emulator.reset();
  // Secrets made outside the stack, as an operator would: only their ARNs reach the template.
  botSecretArn = running.emulator.secrets.createSecret({ name: 'ops/bot', secretString: BOT_CHALLENGE });
  oidcSecretArn = running.emulator.secrets.createSecret({ name: 'ops/oidc', secretString: JSON.stringify({ clientSecret: OIDC_SECRET }) });
  ws = new StackWorkspace(running);
});
afterEach(() => ws.remove());

interface Shape {
  networkName?: string;
  readReceipts?: ReadReceiptStatus;
  clientMetrics?: boolean;
  users?: WickrUserSpec[];
}

const baseUsers = (): WickrUserSpec[] =>
  Array.from({ length: 120 }, (_, i) => ({ username: `user${i}@example.com`, firstName: `First${i}`, lastName: `Last${i}`, suspended: i === 7 }));

const app = (shape: Shape = {}) => (stack: Stack) => {
  const network = new WickrNetwork(stack, 'Ops', {
    networkName: shape.networkName ?? 'ops',
    accessLevel: AccessLevel.PREMIUM,
    settings: { enableClientMetrics: shape.clientMetrics ?? true, readReceiptConfig: { status: shape.readReceipts ?? ReadReceiptStatus.ENABLED } },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const analysts = new WickrSecurityGroup(stack, 'Analysts', { network, name: 'analysts', settings: { federationMode: FederationMode.RESTRICTED, permittedNetworks: ['12345678'] } });
  const oncall = new WickrSecurityGroup(stack, 'Oncall', { network, name: 'oncall', settings: { shredder: { intensity: 60 } } });
  new WickrBot(stack, 'Alerts', {
    network,
    username: 'alertsbot',
    securityGroup: oncall,
    challenge: secretsmanager.Secret.fromSecretCompleteArn(stack, 'BotChallenge', botSecretArn),
  });
  new WickrDataRetentionBot(stack, 'Retention', { network, enabled: true });
  new WickrOidcConfig(stack, 'Sso', {
    network,
    issuer: 'https://idp.example.com/realms/ops',
    companyId: 'ops',
    scopes: 'openid email',
    clientSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'OidcSecret', oidcSecretArn),
    clientSecretField: 'clientSecret',
  });
  // Every third numbered user is an analyst (by number, so removing one moves nobody).
  const analyst = (username: string) => Number(/^user(\d+)@/.exec(username)?.[1] ?? 1) % 3 === 0;
  const users = (shape.users ?? baseUsers()).map((u) => ({ ...u, securityGroup: u.securityGroup ?? (analyst(u.username) ? analysts : undefined) }));
  new WickrUsers(stack, 'Staff', { network, users, removalPolicy: RemovalPolicy.DESTROY });
};

const networks = () => Object.values(running.emulator.services.wickr.store.state.networks);
const only = () => {
  const all = networks();
  expect(all).toHaveLength(1);
  return all[0];
};
/** True when the emulator's salted digest (`sha256:<salt>:<hex>`) is of `value`. */
function digestOf(digest: string | undefined, value: string | undefined): boolean {
  const [, salt, hex] = (digest ?? '').split(':');
  return !!salt && value !== undefined && createHash('sha256').update(`${salt}:${value}`).digest('hex') === hex;
}

const wickrOps = () => running.emulator.calls().filter((c) => c.service === 'wickr').map((c) => c.operation);

/** The values of the secrets the stack itself created (the data retention bot's challenge). */
function stackSecretValues(report: DeployReport): string[] {
  const values = report.rows
    .filter((r) => r.type === 'AWS::SecretsManager::Secret')
    .map((r) => running.emulator.secrets.getSecretString(r.physicalId!))
    .filter((v): v is string => !!v);
  expect(values.length).toBeGreaterThan(0);
  return values;
}

/** Every place a secret could leak: the synthesized templates, every response, every log line. */
function expectNoSecrets(reports: DeployReport[], generated: string[]): void {
  const templates = fs
    .readdirSync(ws.dir)
    .filter((d) => d.startsWith('cdk.out'))
    .flatMap((d) => fs.readdirSync(path.join(ws.dir, d)).filter((f) => f.endsWith('.template.json')).map((f) => fs.readFileSync(path.join(ws.dir, d, f), 'utf8')));
  expect(templates.length).toBeGreaterThan(0);
  const responses = reports.flatMap((r) => r.invocations.flatMap((i) => i.responses.map((x) => JSON.stringify(x))));
  const logs = reports.flatMap((r) => r.logs.map((l) => l.line));
  expect(logs.length).toBeGreaterThan(0);
  const secrets = [BOT_CHALLENGE, OIDC_SECRET, ...generated];
  for (const text of [...templates, ...responses, ...logs]) {
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
}

test('deploy, unchanged redeploy (0 calls), change (rename, settings, users +1 -1 ~1), destroy; no secret anywhere', async () => {
  const created = expectSuccess(await ws.deploy(app()));
  const generated = stackSecretValues(created);
  const network = only();
  expect(rowFor(created, 'Ops').physicalId).toBe(network.networkId);
  expect(Object.values(network.groups).filter((g) => g.isDefault)).toHaveLength(1);
  expect(Object.values(network.groups).filter((g) => !g.isDefault).map((g) => g.name).sort()).toEqual(['analysts', 'oncall']);
  expect(Object.values(network.bots).map((b) => b.username)).toEqual(['alertsbot']);
  expect(network.dataRetentionBot).toBeDefined();
  expect(network.oidc).toMatchObject({ issuer: 'https://idp.example.com/realms/ops', companyId: 'ops' });
  expect(network.settings).toMatchObject({ enableClientMetrics: true, readReceiptConfig: { status: 'ENABLED' } });
  const users = Object.values(network.users);
  expect(users).toHaveLength(120);
  expect(users.filter((u) => u.suspended).map((u) => u.username)).toEqual(['user7@example.com']);
  const analystsId = Object.values(network.groups).find((g) => g.name === 'analysts')!.id;
  expect(users.filter((u) => u.groupId === analystsId)).toHaveLength(40);

  running.emulator.clearCalls();
  const again = expectSuccess(await ws.deploy(app()));
  expect(again.invocations).toHaveLength(0);
  expect(wickrOps()).toEqual([]);

  running.emulator.clearCalls();
  const changedUsers = baseUsers().filter((u) => u.username !== 'user5@example.com');
  changedUsers[10] = { ...changedUsers[10], lastName: 'Renamed' };
  changedUsers.push({ username: 'newcomer@example.com', firstName: 'New' });
  const changed = expectSuccess(await ws.deploy(app({ networkName: 'ops-eu', readReceipts: ReadReceiptStatus.FORCE_ENABLED, clientMetrics: false, users: changedUsers })));
  expect(changed.invocations.map((i) => i.logicalId.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['Ops', 'OpsSettings', 'Staff']);
  const after = only();
  expect(after.networkName).toBe('ops-eu');
  expect(after.settings).toMatchObject({ enableClientMetrics: false, readReceiptConfig: { status: 'FORCE_ENABLED' } });
  const byName = new Map(Object.values(after.users).map((u) => [u.username, u]));
  expect(byName.size).toBe(120);
  expect(byName.has('user5@example.com')).toBe(false);
  expect(byName.get('newcomer@example.com')).toMatchObject({ firstName: 'New' });
  expect(byName.get(changedUsers[10].username)).toMatchObject({ lastName: 'Renamed' });
  // The changed and the removed user are looked up by username (one ListUsers each): user ids are kept nowhere.
  expect(wickrOps().sort()).toEqual(['BatchCreateUser', 'BatchDeleteUser', 'ListUsers', 'ListUsers', 'UpdateNetwork', 'UpdateNetworkSettings', 'UpdateUser']);

  const destroyed = expectSuccess(await ws.destroy());
  expect(networks()).toHaveLength(0);
  expectNoSecrets([created, changed, destroyed], generated);
});

test('a dropped connection after every create operation leaves no duplicate, and destroy leaves nothing', async () => {
  for (const operation of ['CreateNetwork', 'CreateSecurityGroup', 'CreateBot', 'CreateDataRetentionBot', 'CreateDataRetentionBotChallenge', 'RegisterOidcConfig', 'BatchCreateUser']) {
    running.emulator.addFault({ operation, kind: 'drop-after-commit', count: 1 });
  }
  const report = expectSuccess(await ws.deploy(app()));
  const dropped = running.emulator.calls().filter((c) => c.dropped).map((c) => c.operation);
  expect(new Set(dropped)).toEqual(new Set(['CreateNetwork', 'CreateSecurityGroup', 'CreateBot', 'CreateDataRetentionBot', 'CreateDataRetentionBotChallenge', 'RegisterOidcConfig', 'BatchCreateUser']));
  const network = only();
  expect(Object.values(network.groups).filter((g) => !g.isDefault).map((g) => g.name).sort()).toEqual(['analysts', 'oncall']);
  expect(Object.values(network.bots)).toHaveLength(1);
  expect(Object.values(network.users)).toHaveLength(120);
  expect(network.dataRetentionBot).toBeDefined();
  expect(rowFor(report, 'Ops').physicalId).toBe(network.networkId);
  running.emulator.clearFaults();
  expectSuccess(await ws.destroy());
  expect(networks()).toHaveLength(0);
});

test('a 50% throttle storm during the 120-user create: every user once, no leftover after destroy', async () => {
  running.emulator.addFault({ operation: 'BatchCreateUser', kind: 'throttle', rate: 0.5, seed: 3 });
  running.emulator.addFault({ operation: 'ListUsers', kind: 'throttle', rate: 0.5, seed: 4 });
  const report = expectSuccess(await ws.deploy(app()));
  const generated = stackSecretValues(report);
  const throttled = running.emulator.calls().filter((c) => c.operation === 'BatchCreateUser' && c.status === 429);
  expect(throttled.length).toBeGreaterThan(0);
  const usernames = Object.values(only().users).map((u) => u.username);
  expect(usernames).toHaveLength(120);
  expect(new Set(usernames).size).toBe(120);
  running.emulator.clearFaults();
  expectSuccess(await ws.destroy());
  expect(networks()).toHaveLength(0);
  expectNoSecrets([report], generated);
});

test.each(['concurrent', 'after-answer'] as const)(
  'every create delivered twice (%s): the first answer is SUCCESS, a second is the same id or refused without change; one of each; the secret holds the service\'s challenge',
  async (mode) => {
    const report = expectSuccess(await ws.deploy(app(), { duplicateDeliveries: { mode } }));
    for (const invocation of report.invocations.filter((i) => i.requestType === 'Create')) {
      const [first, second] = invocation.responses as Array<{ Status: string; PhysicalResourceId: string; Reason?: string }>;
      expect([invocation.logicalId, first.Status]).toEqual([invocation.logicalId, 'SUCCESS']);
      if (second?.Status === 'SUCCESS') expect([invocation.logicalId, second.PhysicalResourceId]).toEqual([invocation.logicalId, first.PhysicalResourceId]);
      else if (second) expect(second.Reason).toMatch(/already exists/);
    }
    const network = only();
    expect(network.networkName).toBe('ops');
    expect(Object.values(network.groups).filter((g) => !g.isDefault).map((g) => g.name).sort()).toEqual(['analysts', 'oncall']);
    expect(Object.values(network.bots).map((b) => [b.username, b.displayName])).toEqual([['alertsbot', 'alertsbot']]);
    expect(Object.values(network.users)).toHaveLength(120);
    const [challenge] = stackSecretValues(report);
    expect(digestOf(network.dataRetentionBot?.challengeDigest, challenge)).toBe(true);
  },
);
