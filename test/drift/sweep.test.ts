import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLevel, FederationMode, WickrChimeDriftMonitor, WickrNetwork, WickrSecurityGroup } from '../../lib';
import { DRIFT_METRIC, DRIFT_NAMESPACE } from '../../lambda/drift/monitor.wire';
import { WickrClient } from '../../lambda/wickr/client';
import { UpdateSecurityGroupCommand } from '../../lambda/wickr/model.generated';
import { DefaultServices, RunningEmulator, startEmulator, TEST_CREDENTIALS } from '../../local/emulator';
import { expectSuccess, rowFor, StackWorkspace } from '../harness/stack-workspace';

/**
 * `WickrChimeDriftMonitor`'s sweep, run locally: the schedule's event invokes the monitor's
 * own function, which can only read (its role has the read actions of the provider's grants),
 * reads its own stack (GetTemplate, DescribeStackResources) and its resources, and logs one
 * embedded-metric line per sweep.
 */
let running: RunningEmulator<DefaultServices>;
let ws: StackWorkspace;
beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 43 });
  ws = new StackWorkspace(running, 'Watched');
});
afterAll(async () => {
  ws.remove();
  await running.close();
});

const app = (stack: Stack) => {
  const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM, removalPolicy: RemovalPolicy.DESTROY });
  new WickrSecurityGroup(stack, 'Analysts', { network, name: 'analysts', settings: { federationMode: FederationMode.RESTRICTED, shredder: { intensity: 60 } } });
  new WickrSecurityGroup(stack, 'Oncall', { network, name: 'oncall' });
  new WickrChimeDriftMonitor(stack, 'Drift');
};

/** The sweep's log lines (the function's log tail), parsed. */
async function sweep(fn: string, event: Record<string, unknown> = { RequestType: 'DriftSweep' }): Promise<Array<Record<string, any>>> {
  const lambda = new LambdaClient({ region: 'us-east-1', endpoint: running.url, credentials: TEST_CREDENTIALS });
  const out = await lambda.send(new InvokeCommand({ FunctionName: fn, Payload: JSON.stringify(event), LogType: 'Tail' }));
  lambda.destroy();
  if (event.RequestType !== 'DriftSweep') {
    expect(out.FunctionError).toBe('Unhandled');
    return [];
  }
  expect(out.FunctionError).toBeUndefined();
  const tail = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
  return tail.split('\n').flatMap((line) => {
    const json = line.slice(line.indexOf('{'));
    try {
      return [JSON.parse(json) as Record<string, any>];
    } catch {
      return [];
    }
  });
}

const metricLines = (lines: Array<Record<string, any>>) => lines.filter((l) => l._aws?.CloudWatchMetrics?.[0]?.Metrics?.[0]?.Name === DRIFT_METRIC);

test('a sweep logs DriftedResources for its stack: 0 in sync, then 1 with a line naming the drifted group', async () => {
  const report = expectSuccess(await ws.deploy(app));
  const provider = report.rows.find((r) => r.type === 'AWS::Lambda::Function' && r.logicalId.startsWith('DriftSweeper'))!.physicalId!;

  const clean = metricLines(await sweep(provider));
  expect(clean).toHaveLength(1);
  expect(clean[0]).toMatchObject({ StackName: 'Watched', [DRIFT_METRIC]: 0 });
  expect(clean[0]._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: DRIFT_NAMESPACE, Dimensions: [['StackName']] });

  const wickr = new WickrClient({ region: 'us-east-1', endpoint: running.url, credentials: TEST_CREDENTIALS });
  await wickr.send(new UpdateSecurityGroupCommand({ networkId: rowFor(report, 'Ops').physicalId!, groupId: rowFor(report, 'Analysts').physicalId!, securityGroupSettings: { shredder: { intensity: 20 } } }));
  running.emulator.clearCalls();
  const lines = await sweep(provider);
  const [metric] = metricLines(lines);
  expect(metric).toMatchObject({ StackName: 'Watched', [DRIFT_METRIC]: 1 });
  const drifted = lines.filter((l) => l.status === 'MODIFIED');
  expect(drifted.map((l) => l.logicalId)).toEqual([rowFor(report, 'Analysts').logicalId]);
  // the sweep only read, as the sweeper's own role
  expect(running.emulator.calls().filter((c) => !/^(Get|List|Describe|Invoke)/.test(c.operation))).toEqual([]);
  expect(new Set(running.emulator.calls().filter((c) => c.service !== 'lambda').map((c) => c.authorization?.principal))).toEqual(new Set([expect.stringContaining('DriftSweeperRole')]));
  // and a request that would change something is refused by the function itself
  running.emulator.clearCalls();
  await sweep(provider, { RequestType: 'Delete', ResponseURL: 'https://example.invalid/r', StackId: 'x', RequestId: 'r', LogicalResourceId: 'Analysts', ResourceType: 'Custom::WickrSecurityGroup', PhysicalResourceId: rowFor(report, 'Analysts').physicalId });
  expect(running.emulator.calls().filter((c) => c.service !== 'lambda')).toEqual([]);
}, 60_000);
