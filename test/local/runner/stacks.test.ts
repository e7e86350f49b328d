import * as fs from 'fs';
import * as path from 'path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLevel, WickrChimeDriftMonitor, WickrNetwork } from '../../../lib';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { deployLocal, registerStacksFromState } from '../../../local/runner';
import { EmulatorApi } from '../../../local/runner/aws';
import { expectSuccess, StackWorkspace } from '../../harness/stack-workspace';

/**
 * `deploy-local` records every stack it deployed with the emulator, which then serves the
 * drift command's CloudFormation and Lambda calls: the stack, its resources and template
 * through the official CloudFormation client, and an `Invoke` of the provider function
 * with a `Read` request, run with the function's own role's credentials.
 */

let running: RunningEmulator<DefaultServices>;
let ws: StackWorkspace;
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 23 });
});
afterAll(() => running.close());
beforeEach(() => {
  running.emulator.reset();
  ws = new StackWorkspace(running, 'DriftStack');
});
afterEach(() => ws.remove());

const app = (networkName = 'ops', broken = false, monitor = false) => (stack: Stack) => {
  new WickrNetwork(stack, 'Ops', { networkName, accessLevel: AccessLevel.PREMIUM, removalPolicy: RemovalPolicy.DESTROY });
  if (monitor) new WickrChimeDriftMonitor(stack, 'Monitor');
  // A custom resource no function serves: its create fails, and the update rolls back.
  if (broken) new CfnResource(stack, 'Broken', { type: 'Custom::Broken', properties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:nowhere' } });
};

const clients = (url = running.url) => ({
  cfn: new CloudFormationClient({ region: 'us-east-1', endpoint: url, credentials: CREDENTIALS, maxAttempts: 1 }),
  lambda: new LambdaClient({ region: 'us-east-1', endpoint: url, credentials: CREDENTIALS, maxAttempts: 1 }),
});

async function resources(cfn: CloudFormationClient, stackName = 'DriftStack'): Promise<StackResourceSummary[]> {
  return (await cfn.send(new ListStackResourcesCommand({ StackName: stackName }))).StackResourceSummaries ?? [];
}

/** The provider's `Read` of the network, as the drift command sends it. */
async function readNetwork(cfn: CloudFormationClient, lambda: LambdaClient) {
  const summaries = await resources(cfn);
  const network = summaries.find((r) => r.ResourceType === 'Custom::WickrNetwork') as StackResourceSummary;
  const provider = summaries.find((r) => r.ResourceType === 'AWS::Lambda::Function') as StackResourceSummary;
  const template = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: 'DriftStack' }))).TemplateBody as string);
  const { ServiceToken: _token, ...declared } = template.Resources[network.LogicalResourceId as string].Properties;
  const request = {
    RequestType: 'Read',
    ResourceType: 'Custom::WickrNetwork',
    LogicalResourceId: network.LogicalResourceId,
    PhysicalResourceId: network.PhysicalResourceId,
    ResourceProperties: declared,
  };
  const out = await lambda.send(new InvokeCommand({ FunctionName: provider.PhysicalResourceId, Payload: JSON.stringify(request) }));
  return { out, answer: JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8')), provider, network };
}

test('after deploy-local: the stack, its resources and template through CloudFormation; a Read through Invoke, with the role; gone after destroy-local', async () => {
  const report = expectSuccess(await ws.deploy(app('ops')));
  const { cfn, lambda } = clients();

  const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: 'DriftStack' }))).Stacks ?? [];
  expect(stack).toMatchObject({ StackName: 'DriftStack', StackId: report.stacks[0].stackId, StackStatus: 'CREATE_COMPLETE' });
  const summaries = await resources(cfn);
  expect(summaries.map((r) => [r.LogicalResourceId, r.ResourceType, r.PhysicalResourceId, r.ResourceStatus]).sort()).toEqual(
    report.rows.map((r) => [r.logicalId, r.type, r.physicalId, 'CREATE_COMPLETE']).sort(),
  );
  const state = JSON.parse(fs.readFileSync(ws.stateFile, 'utf8'));
  const template = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: stack.StackId }))).TemplateBody as string);
  expect(template).toEqual(state.stacks.DriftStack.template);
  expect(template.Resources).toEqual(expect.objectContaining({ [summaries.find((r) => r.ResourceType === 'Custom::WickrNetwork')?.LogicalResourceId as string]: expect.anything() }));
  expect(state.stacks.DriftStack.parameters).toEqual({ BootstrapVersion: '/cdk-bootstrap/hnb659fds/version' });

  running.emulator.clearCalls();
  const { out, answer, provider, network } = await readNetwork(cfn, lambda);
  expect(out.FunctionError).toBeUndefined();
  expect(answer).toMatchObject({ Status: 'SUCCESS', Exists: true, Live: { NetworkName: 'ops', AccessLevel: 'PREMIUM' } });
  expect(running.emulator.services.wickr.store.exportState().networks[network.PhysicalResourceId as string].networkName).toBe('ops');
  // Every call the function made was signed by its role's principal, and allowed.
  const made = running.emulator.calls().filter((c) => c.service !== 'lambda' && c.service !== 'cloudformation');
  expect(made.map((c) => `${c.service}:${c.operation}`)).toContain('wickr:GetNetwork');
  for (const call of made) {
    expect(call.authorization?.principal).toMatch(new RegExp(`^arn:aws:sts::123456789012:assumed-role/DriftStack-[A-Za-z0-9-]+/${provider.PhysicalResourceId}$`));
    expect(call.authorization?.denied).toBeUndefined();
  }

  expectSuccess(await ws.destroy());
  expect(await cfn.send(new DescribeStacksCommand({ StackName: 'DriftStack' })).catch((e: unknown) => e)).toMatchObject({
    name: 'ValidationError',
    message: 'Stack with id DriftStack does not exist',
  });
  expect(running.emulator.listStacks()).toEqual([]);
  cfn.destroy();
  lambda.destroy();
});

test('an update marks what it changed; a rolled-back update leaves the stack as it was, UPDATE_ROLLBACK_COMPLETE', async () => {
  expectSuccess(await ws.deploy(app('ops')));
  const { cfn, lambda } = clients();
  const before = await resources(cfn);

  expectSuccess(await ws.deploy(app('renamed')));
  const [updated] = (await cfn.send(new DescribeStacksCommand({ StackName: 'DriftStack' }))).Stacks ?? [];
  expect(updated.StackStatus).toBe('UPDATE_COMPLETE');
  const after = await resources(cfn);
  const networkId = before.find((r) => r.ResourceType === 'Custom::WickrNetwork')?.LogicalResourceId;
  for (const r of after) {
    const was = before.find((b) => b.LogicalResourceId === r.LogicalResourceId) as StackResourceSummary;
    if (r.LogicalResourceId === networkId) {
      expect(r.ResourceStatus).toBe('UPDATE_COMPLETE');
      expect((r.LastUpdatedTimestamp as Date).getTime()).toBeGreaterThan((was.LastUpdatedTimestamp as Date).getTime());
    } else {
      expect([r.ResourceStatus, r.LastUpdatedTimestamp]).toEqual([was.ResourceStatus, was.LastUpdatedTimestamp]);
    }
  }
  expect((await readNetwork(cfn, lambda)).answer.Live.NetworkName).toBe('renamed');

  const failed = await ws.deploy(app('renamed', true));
  expect(failed.success).toBe(false);
  const [rolledBack] = (await cfn.send(new DescribeStacksCommand({ StackName: 'DriftStack' }))).Stacks ?? [];
  expect(rolledBack.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect((await resources(cfn)).map((r) => r.LogicalResourceId).sort()).toEqual(after.map((r) => r.LogicalResourceId).sort());
  const template = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: 'DriftStack' }))).TemplateBody as string);
  expect(Object.keys(template.Resources)).not.toContain('Broken');
  cfn.destroy();
  lambda.destroy();
});

test('a first create that rolls back is not recorded; with --endpoint the stack is recorded through the control endpoints', async () => {
  const failed = await ws.deploy(app('ops', true));
  expect(failed.success).toBe(false);
  expect(running.emulator.listStacks()).toEqual([]);

  expectSuccess(await deployLocal({ assemblyDir: ws.synth(app('ops')), stateFile: ws.stateFile, endpoint: running.url, controlToken: running.controlToken }));
  expect(running.emulator.listStacks().map((s) => [s.stackName, s.status])).toEqual([['DriftStack', 'CREATE_COMPLETE']]);
  const [fn] = running.emulator.listStacks()[0].functions;
  expect(fn).toMatchObject({ handler: 'index.handler', accessKeyId: expect.stringMatching(/^ASIA[0-9A-F]{16}$/) });
  expect(path.isAbsolute(fn.codeDir) && fs.existsSync(path.join(fn.codeDir, 'index.js'))).toBe(true);
});

test('registerStacksFromState: a fresh emulator beside the state file serves the stacks, and the Read runs with the role', async () => {
  expectSuccess(await ws.deploy(app('ops')));
  const networks = running.emulator.services.wickr.store.exportState();
  const fresh = await startEmulator({ port: 0 });
  try {
    // The services' state as deploy-local left it; no stack and no principal yet.
    fresh.emulator.importState({ ...running.emulator.exportState(), cloudformation: undefined });
    expect(fresh.emulator.services.wickr.store.exportState()).toEqual(networks);
    const api = new EmulatorApi(fresh.url, fresh.controlToken);
    expect(await registerStacksFromState(api, ws.stateFile)).toEqual(['DriftStack']);
    api.destroy();
    expect(fresh.emulator.listStacks()[0]).toMatchObject({ stackName: 'DriftStack', status: 'CREATE_COMPLETE' });
    expect(fresh.emulator.listPrincipals()).toHaveLength(1);

    const { cfn, lambda } = clients(fresh.url);
    const { answer, provider } = await readNetwork(cfn, lambda);
    expect(answer).toMatchObject({ Status: 'SUCCESS', Exists: true, Live: { NetworkName: 'ops' } });
    const read = fresh.emulator.calls().find((c) => c.operation === 'GetNetwork');
    expect(read?.authorization?.principal).toMatch(new RegExp(`/${provider.PhysicalResourceId}$`));
    // In process too (the drift command's embedded emulator); a key it knows keeps its secret.
    await registerStacksFromState(fresh.emulator, ws.stateFile);
    expect(fresh.emulator.listPrincipals()).toHaveLength(1);
    expect((await readNetwork(cfn, lambda)).answer).toMatchObject({ Exists: true });
    cfn.destroy();
    lambda.destroy();
  } finally {
    await fresh.close();
  }
});

test("the provider's drift sweep reads its own stack from the emulator's CloudFormation, allowed by the monitor's grants to its role", async () => {
  expectSuccess(await ws.deploy(app('ops', false, true)));
  const { cfn, lambda } = clients();
  const provider = (await resources(cfn)).find((r) => r.ResourceType === 'AWS::Lambda::Function') as StackResourceSummary;
  running.emulator.clearCalls();
  const out = await lambda.send(new InvokeCommand({ FunctionName: provider.PhysicalResourceId, Payload: JSON.stringify({ RequestType: 'DriftSweep' }) }));
  expect(out.FunctionError).toBeUndefined();
  const role = new RegExp(`^arn:aws:sts::123456789012:assumed-role/DriftStack-[A-Za-z0-9-]+/${provider.PhysicalResourceId}$`);
  const reads = running.emulator.calls().filter((c) => c.service === 'cloudformation');
  expect(reads.map((c) => `${c.operation} ${c.status}`).sort()).toEqual(['DescribeStackResources 200', 'GetTemplate 200']);
  for (const call of reads) expect(call.authorization?.principal).toMatch(role);
  cfn.destroy();
  lambda.destroy();
});
