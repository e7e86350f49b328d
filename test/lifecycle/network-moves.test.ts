import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AccessLevel, WickrBot, WickrNetwork, WickrSecurityGroup } from '../../lib';
import { DefaultServices, RunningEmulator, startEmulator } from '../../local/emulator';
import { expectSuccess, rowFor, StackWorkspace } from '../harness/stack-workspace';

/**
 * Resources moved between two networks imported by id, through the runner with the IAM the
 * template grants enforced: CloudFormation updates the provider's policy before the
 * resources, then deletes the old ones in the old network (or, after a failure, rolls back
 * into it). The grant must still cover the old network then.
 */
let running: RunningEmulator<DefaultServices>;
let nets: StackWorkspace;
let A: string;
let B: string;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 5 });
  nets = new StackWorkspace(running, 'Networks');
  const report = expectSuccess(
    await nets.deploy((stack) => {
      new WickrNetwork(stack, 'A', { networkName: 'alpha', accessLevel: AccessLevel.PREMIUM, removalPolicy: RemovalPolicy.DESTROY });
      new WickrNetwork(stack, 'B', { networkName: 'beta', accessLevel: AccessLevel.PREMIUM, removalPolicy: RemovalPolicy.DESTROY });
    }),
  );
  A = rowFor(report, 'A').physicalId!;
  B = rowFor(report, 'B').physicalId!;
});
afterAll(async () => {
  nets.remove();
  await running.close();
});

const state = () => running.emulator.services.wickr.store.state.networks;
const groupsIn = (id: string) => Object.values(state()[id].groups as Record<string, { name: string }>).map((g) => g.name).sort();
const botsIn = (id: string) => Object.values((state()[id].bots ?? {}) as Record<string, { username: string }>).map((b) => b.username).sort();

const app = (networkId: string) => (stack: Stack) => {
  const network = WickrNetwork.fromNetworkId(stack, 'Net', networkId);
  new WickrSecurityGroup(stack, 'Analysts', { network, name: 'analysts' });
  new WickrBot(stack, 'Helper', { network, username: 'helper-bot', displayName: 'Helper', challenge: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Challenge', botSecret()) });
};
let secretArn: string | undefined;
const botSecret = () => (secretArn ??= running.emulator.secrets.createSecret({ name: 'ops/helper-bot', secretString: 'helper-challenge-5f1a' }));

test('moving a group and a bot from one imported network to another leaves nothing in the old one', async () => {
  const ws = new StackWorkspace(running, 'Mover');
  expectSuccess(await ws.deploy(app(A)));
  expect(groupsIn(A)).toContain('analysts');
  const report = expectSuccess(await ws.deploy(app(B)));
  expect(report.lines.join('\n')).not.toMatch(/left behind|not authorized/);
  expect(groupsIn(A)).not.toContain('analysts');
  expect(botsIn(A)).toEqual([]);
  expect(groupsIn(B)).toContain('analysts');
  expect(botsIn(B)).toEqual(['helper-bot']);
  expectSuccess(await ws.destroy());
  expect(groupsIn(B)).not.toContain('analysts');
  ws.remove();
});

test('a move that fails rolls back into the old network', async () => {
  const ws = new StackWorkspace(running, 'FailedMover');
  expectSuccess(await ws.deploy(app(A)));
  const before = { groups: groupsIn(A), bots: botsIn(A) };
  running.emulator.addFault({ operation: 'CreateBot', kind: 'error', count: 1000 });
  const report = await ws.deploy(app(B));
  running.emulator.clearFaults();
  expect(report.success).toBe(false);
  expect(report.reason ?? '').not.toMatch(/rollback failed/i);
  expect({ groups: groupsIn(A), bots: botsIn(A) }).toEqual(before);
  expect(groupsIn(B)).not.toContain('analysts');
  expectSuccess(await ws.destroy());
  ws.remove();
});
