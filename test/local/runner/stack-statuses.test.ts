import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { driftCommand } from '../../../cli/drift/cli';
import { ChimeAppInstance } from '../../../lib';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { StackWorkspace } from '../../harness/stack-workspace';

/**
 * The statuses CloudFormation shows, in the emulator's stacks registry (what DescribeStacks
 * and ListStackResources answer): `*_IN_PROGRESS` while a run is under way, and after an
 * update whose rollback failed too, the resource `UPDATE_FAILED` and the stack
 * `UPDATE_ROLLBACK_FAILED`, which `drift` then reports as not checked.
 */

let running: RunningEmulator<DefaultServices>;
let ws: StackWorkspace;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 53 });
});
afterAll(() => running.close());
beforeEach(() => {
  running.emulator.reset();
  running.emulator.clearFaults();
  ws = new StackWorkspace(running, 'Statuses');
});
afterEach(() => ws.remove());

const app = (metadata: string) => (stack: Stack) => {
  new ChimeAppInstance(stack, 'Support', { name: 'support', metadata, removalPolicy: RemovalPolicy.DESTROY });
};

const recorded = () => running.emulator.listStacks().find((s) => s.stackName === 'Statuses');

/** The stack's status as the registry showed it at each service call the run made (the provider's calls among them). */
function watchStatuses(): { seen: string[]; stop(): void } {
  const seen: string[] = [];
  const original = running.emulator.handle.bind(running.emulator);
  const spy = jest.spyOn(running.emulator, 'handle').mockImplementation(async (req) => {
    const status = recorded()?.status;
    if (status && seen[seen.length - 1] !== status) seen.push(status);
    return original(req);
  });
  return { seen, stop: () => spy.mockRestore() };
}

test('a deploy is CREATE_IN_PROGRESS, an update UPDATE_IN_PROGRESS, in the registry while it runs', async () => {
  const create = watchStatuses();
  const created = await ws.deploy(app('v1'));
  create.stop();
  expect(created.success).toBe(true);
  expect(create.seen).toContain('CREATE_IN_PROGRESS');
  expect(create.seen).not.toContain('CREATE_COMPLETE');
  expect(recorded()?.status).toBe('CREATE_COMPLETE');

  const update = watchStatuses();
  const updated = await ws.deploy(app('v2'));
  update.stop();
  expect(updated.success).toBe(true);
  expect(update.seen[0]).toBe('UPDATE_IN_PROGRESS');
  expect(recorded()?.status).toBe('UPDATE_COMPLETE');
});

test('an update whose rollback fails too: the resource UPDATE_FAILED, the stack UPDATE_ROLLBACK_FAILED; drift does not check it', async () => {
  expect((await ws.deploy(app('v1'))).success).toBe(true);
  running.emulator.addFault({ operation: 'UpdateAppInstance', kind: 'error', count: 100 });
  const report = await ws.deploy(app('v2'));
  running.emulator.clearFaults();

  expect(report.success).toBe(false);
  expect(report.stacks[0].status).toBe('UPDATE_ROLLBACK_FAILED');
  const stack = recorded();
  expect(stack?.status).toBe('UPDATE_ROLLBACK_FAILED');
  const instance = stack?.resources.find((r) => r.type === 'Custom::ChimeAppInstance');
  expect(instance?.status).toBe('UPDATE_FAILED');

  let out = '';
  let err = '';
  const code = await driftCommand(['--endpoint', running.url, '--stack', 'Statuses'], { out: (s) => void (out += s), err: (s) => void (err += s) });
  expect(code).toBe(2);
  expect(err).toMatch(/Statuses +NOT_CHECKED +Support\S* +Custom::ChimeAppInstance +\(its status is UPDATE_FAILED\)/);
  expect(out).toContain('0 in sync, 0 modified, 0 deleted, 1 not checked');
});
