import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createEmulator, DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { ACCOUNT, REGION, STACK_ID, stackSpec, stageCode, TEMPLATE } from './stacks-fixtures';
import { control as controlCall } from './core-fakes';

/**
 * Recording stacks with the emulator (what deploy-local does after every run): the
 * control endpoints and their validation, the in-process methods, and stacks as state.
 */

let running: RunningEmulator<DefaultServices>;
// Staged when the module loads: the registrations of `test.each` below name it.
const codeRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'stacks-code-'));
const code = stageCode(codeRoot, { 'index.js': 'exports.handler = async () => null;' });

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 5 });
});
afterAll(async () => {
  await running.close();
  fs.rmSync(codeRoot, { recursive: true, force: true });
});
beforeEach(() => {
  running.emulator.reset();
  running.emulator.registerStack('Ops', stackSpec());
});

const cfn = () => new CloudFormationClient({ region: REGION, endpoint: running.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
const control = (method: string, route: string, body?: unknown) => controlCall(running, method, route, body);
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err);

describe('recording stacks', () => {
  test('event ids stay unique once the oldest events are dropped (CloudFormation keeps the newest)', () => {
    for (let i = 0; i < 1_005; i++) running.emulator.patchStack('Ops', { resources: [{ logicalId: 'Group', type: 'Custom::WickrSecurityGroup', physicalId: `g${i}`, status: 'UPDATE_COMPLETE' }] });
    const ids = (running.emulator.listStacks().find((s) => s.stackName === 'Ops')!.events ?? []).map((e) => e.eventId);
    expect(ids.length).toBe(1_000);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[ids.length - 1]).toBe('1005-Group');
  });

  test('PUT/GET/DELETE /_emulator/stacks/<name>; DescribeStacks follows', async () => {
    running.emulator.reset();
    const put = await control('PUT', 'stacks/Ops', stackSpec());
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ stackName: 'Ops', stackId: STACK_ID, creationTime: expect.any(String) });
    expect((await control('GET', 'stacks')).json.map((s: { stackName: string }) => s.stackName)).toEqual(['Ops']);
    expect((await control('GET', 'stacks/Ops')).json).toMatchObject({ status: 'CREATE_COMPLETE', parameters: { Stage: 'prod' } });
    const client = cfn();
    expect((await client.send(new DescribeStacksCommand({ StackName: 'Ops' }))).Stacks).toHaveLength(1);
    expect((await control('DELETE', 'stacks/Ops')).status).toBe(200);
    expect((await control('DELETE', 'stacks/Ops')).status).toBe(404);
    expect((await control('GET', 'stacks/Ops')).status).toBe(404);
    expect(await failure(client.send(new DescribeStacksCommand({ StackName: 'Ops' })))).toMatchObject({ name: 'ValidationError' });
    client.destroy();
  });

  test.each([
    ['not JSON', 'stacks/Ops', undefined, /expected a JSON stack/],
    ['another name than the path', 'stacks/Other', stackSpec(), /stackName "Ops" differs from the name in the path \("Other"\)/],
    ['a stack id of another stack', 'stacks/Ops', stackSpec({ stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Other/1` }), /stackId .* must be arn:aws:cloudformation:us-east-1:123456789012:stack\/Ops\/<id>/],
    ['an unknown status', 'stacks/Ops', stackSpec({ status: 'DONE' }), /status "DONE" must be a stack status/],
    ['a resource without a physical id', 'stacks/Ops', stackSpec({ resources: [{ logicalId: 'A', type: 'T', physicalId: '', status: 'CREATE_COMPLETE' }] }), /resources\[0\]: physicalId "" must be a non-empty string/],
    ['a relative code directory', 'stacks/Ops', stackSpec({ functions: [fn({ codeDir: 'code/fn' })] }), /functions\[0\]: codeDir "code\/fn" must be an absolute path/],
    ['code deploy-local did not stage', 'stacks/Ops', stackSpec({ functions: [fn({ codeDir: __dirname })] }), /functions\[0\]: codeDir .* is not function code deploy-local staged from a cloud assembly/],
    ['a function ARN of another region', 'stacks/Ops', stackSpec({ functions: [fn({ arn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:Provider` })] }), /functions\[0\]: arn .* must be arn:aws:lambda:us-east-1:123456789012:function:Provider/],
    ['an environment value that is not text', 'stacks/Ops', stackSpec({ functions: [fn({ environment: { A: 1 as unknown as string } })] }), /functions\[0\]: environment\.A must be a string, not 1/],
    ['an unknown field', 'stacks/Ops', { ...stackSpec(), tags: {} }, /unknown field tags/],
  ])('a registration with %s is refused with 400 and what is wrong', async (_what, route, body, message) => {
    const res = body === undefined ? await control('PUT', route, '{not json') : await control('PUT', route, body);
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(message);
    if (body !== undefined) expect(() => running.emulator.registerStack(route.slice('stacks/'.length), body)).toThrow(message);
  });

  test('stacks are state: exported, saved and loaded; reset forgets them; an older state without them loads', async () => {
    const exported = running.emulator.exportState();
    expect(exported.cloudformation).toMatchObject({ stacks: [expect.objectContaining({ stackName: 'Ops', template: TEMPLATE })] });
    running.emulator.reset();
    expect(running.emulator.listStacks()).toEqual([]);
    running.emulator.importState(exported);
    expect(running.emulator.listStacks().map((s) => s.stackId)).toEqual([STACK_ID]);
    const { cloudformation: _stacks, ...older } = exported;
    running.emulator.importState(older);
    expect(running.emulator.listStacks()).toEqual([]);

    running.emulator.importState(exported);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stacks-'));
    try {
      running.emulator.saveState(path.join(dir, 'state.json'));
      const fresh = createEmulator({ stateFile: path.join(dir, 'state.json') });
      expect(fresh.listStacks()).toEqual(running.emulator.listStacks());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

function fn(overrides: Record<string, unknown> = {}) {
  return {
    logicalId: 'Provider',
    functionName: 'Provider',
    arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:Provider`,
    codeDir: code,
    handler: 'index.handler',
    timeoutSeconds: 30,
    memorySize: 256,
    environment: {},
    ...overrides,
  };
}
