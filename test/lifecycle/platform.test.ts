import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLevel, ChimeAppInstance, WickrNetwork } from '../../lib';
import { DefaultServices, RunningEmulator, startEmulator } from '../../local/emulator';
import { expectSuccess, rowFor, StackWorkspace } from '../harness/stack-workspace';

/**
 * The platform's first two constructs through the lifecycle runner with the bundled
 * handler: CloudFormation-shaped events, stringified properties, a real ResponseURL.
 */
let running: RunningEmulator<DefaultServices>;
let ws: StackWorkspace;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 11 });
});
afterAll(() => running.close());
beforeEach(() => {
  running.emulator.reset();
  ws = new StackWorkspace(running);
});
afterEach(() => ws.remove());

interface Shape {
  networkName?: string;
  accessLevel?: AccessLevel;
  allowReplacement?: boolean;
  metadata?: string;
}

const app = (shape: Shape = {}) => (stack: Stack) => {
  new WickrNetwork(stack, 'Ops', {
    networkName: shape.networkName ?? 'ops',
    accessLevel: shape.accessLevel ?? AccessLevel.STANDARD,
    allowReplacement: shape.allowReplacement,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new ChimeAppInstance(stack, 'Chat', { name: 'support-chat', metadata: shape.metadata ?? 'v1', removalPolicy: RemovalPolicy.DESTROY });
};

const networks = () => Object.values(running.emulator.services.wickr.store.state.networks);
const appInstances = () => Object.values(running.emulator.services.chime.store.state.instances);
const serviceCalls = () => running.emulator.calls().filter((c) => c.service === 'wickr' || c.service === 'chime');

test('deploy, unchanged redeploy (0 requests, 0 API calls), in-place update, replacing update, destroy', async () => {
  const created = expectSuccess(await ws.deploy(app()));
  const networkId = rowFor(created, 'Ops').physicalId!;
  const appInstanceArn = rowFor(created, 'Chat').physicalId!;
  expect(networks().map((n) => [n.networkId, n.networkName])).toEqual([[networkId, 'ops']]);
  expect(appInstanceArn).toMatch(/^arn:aws:chime:us-east-1:123456789012:app-instance\//);

  running.emulator.clearCalls();
  const again = expectSuccess(await ws.deploy(app()));
  expect(again.invocations).toHaveLength(0);
  expect(serviceCalls()).toHaveLength(0);

  running.emulator.clearCalls();
  const renamed = expectSuccess(await ws.deploy(app({ networkName: 'ops-renamed', metadata: 'v2' })));
  expect(rowFor(renamed, 'Ops')).toMatchObject({ physicalId: networkId, action: 'updated' });
  expect(rowFor(renamed, 'Chat')).toMatchObject({ physicalId: appInstanceArn, action: 'updated' });
  expect(serviceCalls().map((c) => c.operation).sort()).toEqual(['UpdateAppInstance', 'UpdateNetwork']);
  expect(networks()[0].networkName).toBe('ops-renamed');

  const replaced = expectSuccess(await ws.deploy(app({ networkName: 'ops-renamed', metadata: 'v2', accessLevel: AccessLevel.PREMIUM, allowReplacement: true })));
  const newId = rowFor(replaced, 'Ops').physicalId!;
  expect(newId).not.toBe(networkId);
  expect(replaced.invocations.map((i) => `${i.phase} ${i.requestType}`)).toEqual(['deploy Update', 'cleanup Delete']);
  expect(networks().map((n) => [n.networkId, n.networkName, n.accessLevel])).toEqual([[newId, 'ops-renamed', 'PREMIUM']]);

  expectSuccess(await ws.destroy());
  expect(networks()).toHaveLength(0);
});

test('a replacement without the opt-in is refused with the reason, and the stack rolls back', async () => {
  expectSuccess(await ws.deploy(app()));
  const report = await ws.deploy(app({ accessLevel: AccessLevel.PREMIUM }));
  expect(report.success).toBe(false);
  expect(report.reason).toMatch(/Custom::WickrNetwork Ops\w+: update failed: changing AccessLevel from STANDARD to PREMIUM needs a new network/);
  expect(report.reason).toMatch(/allowReplacement: true/);
  expect(networks().map((n) => n.accessLevel)).toEqual(['STANDARD']);
});

test('a failing update rolls back: the network renamed in the same deploy gets its old name back', async () => {
  expectSuccess(await ws.deploy(app()));
  running.emulator.addFault({ operation: 'UpdateAppInstance', kind: 'error', count: 100 });
  const report = await ws.deploy(app({ networkName: 'ops-next', metadata: 'v2' }));
  running.emulator.clearFaults();
  expect(report.success).toBe(false);
  expect(report.reason).toMatch(/Custom::ChimeAppInstance Chat\w+: update failed: .*ServiceFailureException/);
  expect(report.invocations.filter((i) => i.phase === 'rollback').map((i) => i.logicalId.replace(/[0-9A-F]{8}$/, ''))).toEqual(
    expect.arrayContaining(['Ops']),
  );
  expect(networks().map((n) => n.networkName)).toEqual(['ops']);
});

test('the same Create delivered again after the answer leaves one network and one app instance; no delivery answers FAILED before the first SUCCESS', async () => {
  const report = expectSuccess(await ws.deploy(app(), { duplicateDeliveries: { mode: 'after-answer' } }));
  expect(report.invocations.every((i) => i.deliveries === 2)).toBe(true);
  expect(networks().map((n) => n.networkName)).toEqual(['ops']);
  expect(appInstances()).toHaveLength(1);
  // CreateNetwork has no client token. The duplicate either finds the network still under its
  // marker (the first delivery renames it only once CloudFormation has the answer) and answers
  // the same id, or finds it renamed, which means CloudFormation has the first answer already,
  // and is refused without changing anything; CloudFormation keeps the first answer.
  const network = report.invocations.find((i) => i.logicalId.startsWith('Ops'))!;
  const [first, second] = network.responses as Array<{ Status: string; PhysicalResourceId: string; Reason?: string }>;
  expect(first).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: networks()[0].networkId });
  if (second.Status === 'SUCCESS') expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
  else expect(second.Reason).toContain('a Wickr network named "ops" already exists');
  const chat = report.invocations.find((i) => i.logicalId.startsWith('Chat'))!;
  expect(new Set(chat.responses.map((r) => (r as { PhysicalResourceId: string }).PhysicalResourceId)).size).toBe(1);
});

test('an answer that cannot be delivered fails the invocation; Lambda\'s retry adopts what the first delivery made and answers the same', async () => {
  const report = expectSuccess(
    await ws.deploy(app(), { responseOutage: { ms: 2_500, requestTypes: ['Create'] }, timeouts: { functionTimeoutMs: 3_000 }, retryDelayMs: 100 }),
  );
  for (const logicalId of ['Ops', 'Chat']) {
    const invocation = report.invocations.find((i) => i.logicalId.startsWith(logicalId))!;
    expect(invocation.deliveries).toBe(2);
    expect(invocation.responses.map((r) => (r as { Status: string }).Status)).toEqual(['SUCCESS']);
  }
  // the network kept its creation marker until the second delivery's answer was delivered, was adopted, then named
  expect(networks().map((n) => [n.networkId, n.networkName])).toEqual([[rowFor(report, 'Ops').physicalId, 'ops']]);
  expect(appInstances()).toHaveLength(1);
  expect(serviceCalls().filter((c) => c.operation === 'CreateNetwork')).toHaveLength(1);
});

test('the same CreateAppInstance delivered twice at once leaves one app instance (same ClientRequestToken)', async () => {
  const report = expectSuccess(
    await ws.deploy((stack) => new ChimeAppInstance(stack, 'Chat', { name: 'support-chat' }), { duplicateDeliveries: { mode: 'concurrent' } }),
  );
  expect(report.invocations[0].deliveries).toBe(2);
  expect(appInstances()).toHaveLength(1);
  expect(new Set(report.invocations[0].responses.map((r) => (r as { PhysicalResourceId: string }).PhysicalResourceId)).size).toBe(1);
});

test('CreateNetwork committed but its connection dropped: the handler finds its marker network and adopts it', async () => {
  running.emulator.addFault({ operation: 'CreateNetwork', kind: 'drop-after-commit', count: 1 });
  const report = expectSuccess(await ws.deploy(app()));
  expect(ws.calls('CreateNetwork').map((c) => c.dropped ?? false)).toEqual([true]);
  expect(networks().map((n) => [n.networkId, n.networkName])).toEqual([[rowFor(report, 'Ops').physicalId, 'ops']]);
});

test('CreateNetwork dropped and every look after it failing: FAILED, and the rollback Delete removes the marker network', async () => {
  running.emulator.addFault({ operation: 'CreateNetwork', kind: 'drop-after-commit', count: 1 });
  // The one ListNetworks before creating (it finds neither a network of that name nor the request's marker) passes; the five attempts reconciling after the drop fail.
  running.emulator.addFault({ operation: 'ListNetworks', kind: 'error', after: 1, count: 5 });
  const report = await ws.deploy(app());
  running.emulator.clearFaults();
  expect(report.success).toBe(false);
  expect(report.reason).toMatch(/Custom::WickrNetwork Ops\w+: create failed/);
  // The rollback's Delete carried the marker id and found the network by the create's token.
  expect(ws.calls('DeleteNetwork')).toHaveLength(1);
  expect(networks()).toHaveLength(0);
});

test('CreateAppInstance committed but dropped: the retry carries the same ClientRequestToken and makes no second instance', async () => {
  running.emulator.addFault({ operation: 'CreateAppInstance', kind: 'drop-after-commit', count: 1 });
  const report = expectSuccess(await ws.deploy(app()));
  const creates = ws.calls('CreateAppInstance');
  expect(creates.length).toBe(2);
  expect((creates[0].request.body as { ClientRequestToken: string }).ClientRequestToken).toBe(
    (creates[1].request.body as { ClientRequestToken: string }).ClientRequestToken,
  );
  expect(rowFor(report, 'Chat').physicalId).toMatch(/app-instance\//);
  expect(creates[1].replayed).toBe(true);
});
