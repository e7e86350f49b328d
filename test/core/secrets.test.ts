import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AccessLevel, WickrBot, WickrNetwork } from '../../lib';
import { DefaultServices, RunningEmulator, startEmulator } from '../../local/emulator';
import { expectSuccess, StackWorkspace } from '../harness/stack-workspace';

/**
 * A secret read that fails says what it can mean. The provider's policy names a secret known
 * by name as `name-??????`: for a secret that does not exist, Secrets Manager (and the
 * emulator's IAM enforcement) answers AccessDeniedException, as for a missing grant. Proven
 * with the runner, which gives the provider exactly its synthesized policy.
 */
let running: RunningEmulator<DefaultServices>;
let ws: StackWorkspace;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 17 });
  ws = new StackWorkspace(running, 'Secrets');
});
afterAll(async () => {
  ws.remove();
  await running.close();
});

const build = (stack: import('aws-cdk-lib').Stack) => {
  const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
  new WickrBot(stack, 'Alerts', { network, username: 'alertsbot', challenge: secretsmanager.Secret.fromSecretNameV2(stack, 'Challenge', 'alerts/challenge') });
};

test('a secret that does not exist: the failure names the secret and both things it can mean, never a value', async () => {
  const report = await ws.deploy(build);
  expect(report.success).toBe(false);
  const reason = report.reason ?? '';
  expect(reason).toMatch(/cannot read the secret arn:aws:secretsmanager:us-east-1:123456789012:secret:alerts\/challenge/);
  expect(reason).toContain('the secret does not exist');
  expect(reason).toContain("the provider's role may not read it (secretsmanager:GetSecretValue");
  expect(reason).toContain('AccessDeniedException');
});

test('the same stack once the secret exists: the bot deploys with its value', async () => {
  running.emulator.secrets.createSecret({ name: 'alerts/challenge', secretString: 'a-challenge-value-17' });
  const report = expectSuccess(await ws.deploy(build));
  expect(JSON.stringify(report)).not.toContain('a-challenge-value-17');
  expect(Object.values(running.emulator.services.wickr.store.state.networks).flatMap((n) => Object.values(n.bots).map((b) => b.username))).toEqual(['alertsbot']);
});
