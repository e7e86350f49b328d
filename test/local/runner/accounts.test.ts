import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, RemovalPolicy, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { driftCommand } from '../../../cli/drift/cli';
import { planCommand } from '../../../cli/plan/cli';
import { PlanDocument } from '../../../cli/plan/report';
import { AccessLevel, ChimeAppInstance, WickrNetwork } from '../../../lib';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { deployLocal, destroyLocal } from '../../../local/runner';
import { expectSuccess } from '../../harness/stack-workspace';

/**
 * One emulator holds any number of accounts and regions: a CDK app with a dev stage
 * (account 111111111111) and a prod stage (222222222222) of one construct deploys each stage
 * into its own account, drifts clean and is destroyed, and neither stage sees the other's
 * resources.
 */

const DEV = '111111111111';
const PROD = '222222222222';

class Chat extends Stage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'Chat');
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM, removalPolicy: RemovalPolicy.DESTROY });
    new ChimeAppInstance(stack, 'Support', { name: 'support', removalPolicy: RemovalPolicy.DESTROY });
  }
}

let running: RunningEmulator<DefaultServices>;
let dir: string;
let stateFile: string;
let assemblyDir: string;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 47 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accounts-'));
  stateFile = path.join(dir, 'state.json');
  assemblyDir = path.join(dir, 'cdk.out');
  const app = new App({ outdir: assemblyDir });
  new Chat(app, 'Dev', { env: { account: DEV, region: 'us-east-1' } });
  new Chat(app, 'Prod', { env: { account: PROD, region: 'eu-central-1' } });
  app.synth();
});
afterAll(async () => {
  await running.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Held {
  wickr: { service: { networks: Record<string, { networkId: string; awsAccountId: string; region: string }> } };
  chime: { service: { instances: Record<string, { arn: string; accountId: string; region: string; deletion?: object }> } };
}
const held = () => running.emulator.exportState() as unknown as Held;
const networks = () => Object.values(held().wickr.service.networks);
/** The app instances, but those being deleted (Chime deletes them asynchronously). */
const instances = () => Object.values(held().chime.service.instances).filter((i) => !i.deletion);

async function drift(stack: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await driftCommand(['--endpoint', running.url, '--stack', stack, '--region', stack.startsWith('Prod') ? 'eu-central-1' : 'us-east-1'], { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

/** `plan` of one stage, read in its own account and region: its exit status and the actions. */
async function plan(stack: string): Promise<[number, string[]]> {
  let out = '';
  const code = await planCommand(['--endpoint', running.url, '--app', assemblyDir, '--stack', stack, '--json', '--region', stack.startsWith('Prod') ? 'eu-central-1' : 'us-east-1'], { out: (s) => void (out += s), err: () => undefined });
  return [code, [...new Set((JSON.parse(out) as PlanDocument).stacks.flatMap((s) => s.entries.map((e) => e.action)))]];
}

test('each stage deploys into its own account and region, drifts clean, and is destroyed; neither sees the other', async () => {
  for (const stack of ['Dev-Chat', 'Prod-Chat']) expect([stack, await plan(stack)]).toEqual([stack, [1, ['CREATE']]]);
  const deployed = expectSuccess(await deployLocal({ assemblyDir, stateFile, emulator: running }));
  expect(deployed.stacks.map((s) => [s.stackName, s.status])).toEqual([
    ['Dev-Chat', 'CREATE_COMPLETE'],
    ['Prod-Chat', 'CREATE_COMPLETE'],
  ]);
  expect(deployed.stacks[0].stackId).toMatch(new RegExp(`^arn:aws:cloudformation:us-east-1:${DEV}:stack/Dev-Chat/`));
  expect(deployed.stacks[1].stackId).toMatch(new RegExp(`^arn:aws:cloudformation:eu-central-1:${PROD}:stack/Prod-Chat/`));

  // Each account has its own network and app instance; ARNs carry the account.
  expect(networks().map((n) => [n.awsAccountId, n.region]).sort()).toEqual([
    [DEV, 'us-east-1'],
    [PROD, 'eu-central-1'],
  ]);
  expect(instances().map((i) => i.arn.split(':').slice(3, 5).join(':')).sort()).toEqual([`eu-central-1:${PROD}`, `us-east-1:${DEV}`]);
  const row = (stack: string, type: string) => deployed.rows.find((r) => r.stackName === stack && r.type === type)?.physicalId;
  expect(row('Dev-Chat', 'Custom::ChimeAppInstance')).toContain(`:${DEV}:app-instance/`);
  expect(row('Prod-Chat', 'Custom::ChimeAppInstance')).toContain(`:${PROD}:app-instance/`);

  for (const stack of ['Dev-Chat', 'Prod-Chat']) {
    const result = await drift(stack);
    expect({ stack, code: result.code }).toEqual({ stack, code: 0 });
    expect(result.err.trim().split('\n').sort()).toEqual([
      expect.stringMatching(new RegExp(`^${stack} +IN_SYNC +Ops`)),
      expect.stringMatching(new RegExp(`^${stack} +IN_SYNC +Support`)),
    ]);
    expect(result.out).toContain('2 in sync, 0 modified, 0 deleted, 0 not checked');
  }

  for (const stack of ['Dev-Chat', 'Prod-Chat']) expect([stack, await plan(stack)]).toEqual([stack, [0, ['NO CHANGE']]]);

  const destroyed = await destroyLocal({ stateFile, emulator: running, stacks: ['Dev-Chat'] });
  expect(destroyed.success).toBe(true);
  // Prod's resources are where they were.
  expect(networks().map((n) => n.awsAccountId)).toEqual([PROD]);
  expect(instances().map((i) => i.accountId)).toEqual([PROD]);
  expect((await drift('Prod-Chat')).code).toBe(0);

  expect((await destroyLocal({ stateFile, emulator: running })).success).toBe(true);
  expect(networks()).toEqual([]);
  expect(instances()).toEqual([]);
});
