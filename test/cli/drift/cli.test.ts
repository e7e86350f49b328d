import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChimeSDKIdentityClient, DeleteAppInstanceUserCommand, PutAppInstanceRetentionSettingsCommand } from '@aws-sdk/client-chime-sdk-identity';
import { App } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ExampleStack } from '../../../bin/example-stack';
import { isMutating } from '../../../lambda/core/calls';
import { RECREATE_CONTEXT } from '../../../lambda/drift/recreate.wire';
import { WickrClient } from '../../../lambda/wickr/client';
import { UpdateNetworkCommand, UpdateSecurityGroupCommand } from '../../../lambda/wickr/model.generated';
import { driftCommand } from '../../../cli/drift/cli';
import { DriftDocument, recreateHints } from '../../../cli/drift/report';
import { DefaultServices, RunningEmulator, startEmulator, TEST_CREDENTIALS } from '../../../local/emulator';
import { deployLocal } from '../../../local/runner';
import { parseArgs } from '../../../local/runner/cli';
import { expectSuccess, rowFor, StackWorkspace } from '../../harness/stack-workspace';

/**
 * The drift round trip, through the runner and the emulator with the official clients:
 * the example stack is deployed, changed by hand through the services' APIs, checked,
 * repaired, and the deleted resource brought back by a deploy.
 */
let running: RunningEmulator<DefaultServices>;
let dir: string;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 41 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-'));
});
afterAll(async () => {
  await running.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function synth(context: Record<string, string> = {}): string {
  const outdir = fs.mkdtempSync(path.join(dir, 'cdk.out-'));
  const app = new App({ outdir, context });
  new ExampleStack(app, 'Example', { env: { account: '123456789012', region: 'us-east-1' } });
  app.synth();
  return outdir;
}

async function drift(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await driftCommand(['--endpoint', running.url, ...args], { out: (s) => void (out += s), err: (s) => void (err += s), isTTY: true });
  return { code, out, err };
}

const credentials = TEST_CREDENTIALS;
const wickr = () => new WickrClient({ region: 'us-east-1', endpoint: running.url, credentials });
const chime = () => new ChimeSDKIdentityClient({ region: 'us-east-1', endpoint: running.url, credentials });

test('changed by hand: drift names exactly what changed, reads only; --fix repairs in place; a deploy that names the deleted user creates it again', async () => {
  const stateFile = path.join(dir, 'state.json');
  const deployed = expectSuccess(await deployLocal({ stateFile, emulator: running, assemblyDir: synth() }));
  const id = (logicalPrefix: string) => rowFor(deployed, logicalPrefix).physicalId!;
  const networkId = id('Ops');
  const groupId = id('Analysts');
  const instanceArn = id('Chat');
  const agentLogicalId = deployed.rows.find((r) => r.logicalId.startsWith('Agent'))!.logicalId;

  const first = await drift('--stack', 'Example');
  expect(first.code).toBe(0);

  // By hand: the network renamed, a group setting changed, the retention changed, a user deleted.
  await wickr().send(new UpdateNetworkCommand({ networkId, networkName: 'ops-renamed' }));
  await wickr().send(new UpdateSecurityGroupCommand({ networkId, groupId, securityGroupSettings: { shredder: { intensity: 20 } } }));
  await chime().send(new PutAppInstanceRetentionSettingsCommand({ AppInstanceArn: instanceArn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 7 } } }));
  await chime().send(new DeleteAppInstanceUserCommand({ AppInstanceUserArn: `${instanceArn}/user/agent-1` }));

  running.emulator.clearCalls();
  const checked = await drift('--stack', 'Example', '--json');
  expect(checked.code).toBe(1);
  const doc = JSON.parse(checked.out) as DriftDocument;
  const drifted = doc.stacks[0].resources.filter((r) => r.status !== 'IN_SYNC');
  expect(drifted.map((r) => [r.logicalId.replace(/[0-9A-F]{8}$/, ''), r.status]).sort()).toEqual([
    ['Agent', 'DELETED'],
    ['Analysts', 'MODIFIED'],
    ['Chat', 'MODIFIED'],
    ['Ops', 'MODIFIED'],
  ]);
  const drifts = Object.fromEntries(drifted.map((r) => [r.logicalId.replace(/[0-9A-F]{8}$/, ''), r.drifts]));
  expect(drifts.Ops).toEqual([{ path: 'NetworkName', expected: 'ops', actual: 'ops-renamed' }]);
  expect(drifts.Analysts).toEqual([expect.objectContaining({ path: expect.stringMatching(/^Settings\.shredder\.intensity$/), expected: 60, actual: 20 })]);
  expect(drifts.Chat).toEqual([expect.objectContaining({ expected: 365, actual: 7 })]);
  expect(doc.totals).toMatchObject({ MODIFIED: 3, DELETED: 1, NOT_CHECKED: 0, IN_SYNC: doc.stacks[0].resources.length - 4 });
  // A check only reads: every call the emulator saw was a read (CloudFormation's, Lambda's Invoke, the services')
  const calls = running.emulator.calls();
  expect(calls.length).toBeGreaterThan(0);
  expect(calls.filter((c) => c.service !== 'lambda' && isMutating(c.operation)).map((c) => c.operation)).toEqual([]);
  // ... and the table says how to bring the deleted user back
  const table = await drift('--stack', 'Example');
  // deploy-local deployed the stack: the hint names deploy-local, with the emulator it reads, not cdk deploy
  const hint = `cdk-wickr-chime deploy-local --endpoint ${running.url} --stack Example --context ${RECREATE_CONTEXT}=${agentLogicalId}`;
  expect(table.out).toContain(hint);
  expect(table.out).not.toContain('cdk deploy');
  // the table fits 120 columns; the hint is a command to copy, never shortened
  expect(table.out.split('\n').filter((line) => !line.includes(hint)).every((line) => line.length <= 120)).toBe(true);

  running.emulator.clearCalls();
  const fixed = await drift('--stack', 'Example', '--fix', '--json');
  // the deleted user is still gone: not everything is back in sync
  expect(fixed.code).toBe(1);
  const after = (JSON.parse(fixed.out) as DriftDocument).stacks[0];
  expect(after.fixed?.map((x) => x.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['Analysts', 'Chat', 'Ops']);
  expect(after.resources.filter((r) => r.status !== 'IN_SYNC').map((r) => r.status)).toEqual(['DELETED']);
  // the fewest calls: one change each
  const writes = running.emulator.calls().filter((c) => c.service !== 'lambda' && isMutating(c.operation)).map((c) => c.operation).sort();
  expect(writes).toEqual(['PutAppInstanceRetentionSettings', 'UpdateNetwork', 'UpdateSecurityGroup']);
  expect(fixed.err).toMatch(/REPAIRED\s+Ops/);

  // The way back for the deleted user: the hint's own arguments (a deploy naming it in the context); nothing else changes
  const parsed = parseArgs(hint.split(' ').slice(2));
  if (!('options' in parsed)) throw new Error(`the hint does not parse: ${JSON.stringify(parsed)}`);
  expect(parsed.options).toMatchObject({ endpoint: running.url, stacks: ['Example'], context: { [RECREATE_CONTEXT]: agentLogicalId } });
  const redeployed = expectSuccess(await deployLocal({ stateFile, emulator: running, assemblyDir: synth(parsed.options.context) }));
  expect(redeployed.rows.filter((r) => r.action === 'updated').map((r) => r.logicalId)).toEqual([agentLogicalId]);
  expect(Object.keys(running.emulator.services.chime.store.state.instances[instanceArn].users).sort()).toEqual(['agent-1', 'lead']);
  expect((await drift('--stack', 'Example')).code).toBe(0);
  // the next deploy without the context takes the property away again, changing nothing
  expectSuccess(await deployLocal({ stateFile, emulator: running, assemblyDir: synth() }));
  expect((await drift('--stack', 'Example')).code).toBe(0);
}, 120_000);

describe('the recreate hint names the command for where the stack lives', () => {
  const deleted = [{ stackName: 'Ops', resources: [{ logicalId: 'Agent255F68E9', type: 'Custom::ChimeAppInstanceUser', status: 'DELETED', drifts: [] }] }] as never;

  test('an account: cdk deploy with the context', () => {
    expect(recreateHints(deleted)).toEqual([`Ops: deleted outside the stack; to create again: cdk deploy Ops -c ${RECREATE_CONTEXT}=Agent255F68E9`]);
  });

  test('deploy-local with a state file (the embedded emulator): deploy-local with that state file', () => {
    expect(recreateHints(deleted, { state: '.local/other.json' })).toEqual([
      `Ops: deleted outside the stack; to create again: cdk-wickr-chime deploy-local --state .local/other.json --stack Ops --context ${RECREATE_CONTEXT}=Agent255F68E9`,
    ]);
  });

  test('a path the shell would split is quoted, so the printed command runs as it is', () => {
    expect(recreateHints(deleted, { state: "my stacks/it's.json" })).toEqual([
      `Ops: deleted outside the stack; to create again: cdk-wickr-chime deploy-local --state 'my stacks/it'\\''s.json' --stack Ops --context ${RECREATE_CONTEXT}=Agent255F68E9`,
    ]);
  });
});

describe('bad input', () => {
  test('a stack that does not exist: one clear line, exit 2', async () => {
    const r = await drift('--stack', 'Nope');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^drift: there is no stack named Nope/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  test('a stack with none of our resources: exit 2, saying so', async () => {
    const ws = new StackWorkspace(running, 'Plain');
    expectSuccess(await ws.deploy((stack) => void new secretsmanager.Secret(stack, 'Only')));
    const r = await drift('--stack', 'Plain');
    expect([r.code, r.err]).toEqual([2, 'drift: stack Plain has no resources of cdk-wickr-chime\n']);
    ws.remove();
  });

  test('a resource whose read fails is NOT_CHECKED with the reason; the others are still checked', async () => {
    running.emulator.addFault({ operation: 'GetSecurityGroup', kind: 'error', count: 1000 });
    const r = await drift('--stack', 'Example', '--json');
    running.emulator.clearFaults();
    const resources = (JSON.parse(r.out) as DriftDocument).stacks[0].resources;
    const notChecked = resources.filter((x) => x.status === 'NOT_CHECKED');
    // both groups (the default one is read with GetSecurityGroup too)
    expect(notChecked.map((x) => x.type).sort()).toEqual(['Custom::WickrDefaultSecurityGroup', 'Custom::WickrSecurityGroup']);
    for (const x of notChecked) expect(x.reason).toMatch(/InternalServerError/);
    expect(resources.filter((x) => x.status === 'IN_SYNC')).toHaveLength(resources.length - 2);
    expect(r.code).toBe(2);
  });

  test('no credentials in a real account: one line that says so', async () => {
    const saved = { ...process.env };
    for (const k of Object.keys(process.env)) if (/^AWS_/.test(k)) delete process.env[k];
    Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: path.join(dir, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none') });
    try {
      let err = '';
      const code = await driftCommand(['--stack', 'Example', '--region', 'us-east-1'], { out: () => undefined, err: (s) => void (err += s) });
      expect(code).toBe(2);
      expect(err).toMatch(/^drift: no AWS credentials: .*\n$/);
    } finally {
      process.env = saved;
    }
  });

  test('bad arguments: one line that says what is wrong, exit 2; --help: the usage, exit 0', async () => {
    expect(await drift('--stak', 'x')).toEqual({ code: 2, out: '', err: 'cdk-wickr-chime drift: unknown option "--stak" (see "cdk-wickr-chime drift --help")\n' });
    const help = await drift('--help');
    expect([help.code, help.err]).toEqual([0, '']);
    expect(help.out).toMatch(/^usage: cdk-wickr-chime drift \[options\]\n/);
  });
});

test('--state: the embedded emulator kept beside deploy-local\'s state is checked', async () => {
  const stateDir = fs.mkdtempSync(path.join(dir, 'embedded-'));
  const stateFile = path.join(stateDir, 'state.json');
  expectSuccess(await deployLocal({ stateFile, assemblyDir: synth() }));
  let out = '';
  const code = await driftCommand(['--state', stateFile], { out: (s) => void (out += s), err: () => undefined });
  expect(code).toBe(0);
  expect(out).toMatch(/\d+ in sync, 0 modified, 0 deleted, 0 not checked/);
}, 60_000);
