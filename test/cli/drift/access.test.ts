import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { App } from 'aws-cdk-lib';
import { ExampleStack } from '../../../bin/example-stack';
import { isMutating } from '../../../lambda/core/calls';
import { WickrClient } from '../../../lambda/wickr/client';
import { UpdateSecurityGroupCommand } from '../../../lambda/wickr/model.generated';
import { driftCommand } from '../../../cli/drift/cli';
import { DefaultServices, RunningEmulator, startEmulator, TEST_CREDENTIALS } from '../../../local/emulator';
import { DeployReport, deployLocal } from '../../../local/runner';
import { expectSuccess, rowFor } from '../../harness/stack-workspace';

/**
 * Read access stays read access. A principal with exactly the permissions the README lists for
 * `drift` checks the example stack and can change nothing: it cannot invoke the provider, so no
 * hand-made Delete, Update or Repair reaches it. The provider itself acts only on requests
 * CloudFormation runs for its own stack: a hand-made Delete sent with full rights is refused,
 * and so is one of another stack. `drift --fix` leaves a stack CloudFormation is changing alone.
 */
let running: RunningEmulator<DefaultServices>;
let dir: string;
let deployed: DeployReport;
let answers: Array<Record<string, unknown>>;
let responses: http.Server;
let responseUrl: string;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 141 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'access-'));
  const outdir = path.join(dir, 'cdk.out');
  const app = new App({ outdir });
  new ExampleStack(app, 'Example', { env: { account: '123456789012', region: 'us-east-1' } });
  app.synth();
  deployed = expectSuccess(await deployLocal({ stateFile: path.join(dir, 'state.json'), emulator: running, assemblyDir: outdir }));
  // Where a hand-made event asks for its answer.
  answers = [];
  responses = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      answers.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((resolve) => responses.listen(0, '127.0.0.1', resolve));
  responseUrl = `http://127.0.0.1:${(responses.address() as AddressInfo).port}/answer`;
});
afterAll(async () => {
  await new Promise((resolve) => responses.close(resolve));
  await running.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The policy the README gives for `drift`, as it stands there. */
function readmeDriftPolicy(): { Statement: unknown[] } {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const after = readme.slice(readme.indexOf('The permissions `drift` needs'));
  const block = /```json\n([\s\S]*?)```/.exec(after);
  if (!block) throw new Error('the README has no drift policy');
  return JSON.parse(block[1]);
}

const READER = { accessKeyId: 'AKIADRIFTREADER00001', secretAccessKey: 'reader-secret-for-tests' };

async function drift(args: string[], as = TEST_CREDENTIALS): Promise<{ code: number; out: string; err: string }> {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: as.accessKeyId, AWS_SECRET_ACCESS_KEY: as.secretAccessKey });
  let out = '';
  let err = '';
  try {
    const code = await driftCommand(['--endpoint', running.url, '--stack', 'Example', ...args], { out: (s) => void (out += s), err: (s) => void (err += s) });
    return { code, out, err };
  } finally {
    // A variable that was not set is removed again (assigning undefined would set the string "undefined").
    for (const [key, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

const provider = () => deployed.rows.find((r) => r.type === 'AWS::Lambda::Function' && r.logicalId.startsWith('WickrChimeProvider'))!.physicalId!;
const stackId = () => deployed.stacks[0].stackId!;
const staff = () => rowFor(deployed, 'Staff');
const users = () => Object.keys(running.emulator.services.wickr.store.state.networks[rowFor(deployed, 'Ops').physicalId!].users).length;

/** A hand-made event, sent to the provider with `as`'s credentials. */
async function invoke(as: typeof TEST_CREDENTIALS, event: Record<string, unknown>): Promise<{ error?: string; functionError?: string }> {
  const lambda = new LambdaClient({ region: 'us-east-1', endpoint: running.url, credentials: as, maxAttempts: 1 });
  try {
    const out = await lambda.send(new InvokeCommand({ FunctionName: provider(), Payload: JSON.stringify(event) }));
    return { functionError: out.FunctionError };
  } catch (err) {
    return { error: (err as Error).name };
  } finally {
    lambda.destroy();
  }
}

const deleteStaff = (stack = stackId()) => ({
  RequestType: 'Delete',
  ServiceToken: 'x',
  ResponseURL: responseUrl,
  StackId: stack,
  RequestId: `hand-made-${answers.length}`,
  LogicalResourceId: staff().logicalId,
  ResourceType: 'Custom::WickrUsers',
  PhysicalResourceId: staff().physicalId,
  ResourceProperties: { NetworkId: rowFor(deployed, 'Ops').physicalId, Groups: {}, DefaultGroup: 'default', Users: [] },
});

test('a principal with exactly the README\'s drift permissions checks the stack, reads only, and cannot have the provider change anything', async () => {
  running.emulator.registerPrincipal(READER.accessKeyId, { secretAccessKey: READER.secretAccessKey, arn: 'arn:aws:iam::123456789012:user/drift-reader', statements: readmeDriftPolicy().Statement as never });
  running.emulator.clearCalls();
  const checked = await drift(['--json'], READER);
  expect([checked.code, checked.err.split('\n').filter((l) => /NOT_CHECKED|drift:/.test(l))]).toEqual([0, []]);
  const mine = running.emulator.calls().filter((c) => c.authorization?.principal === 'arn:aws:iam::123456789012:user/drift-reader');
  expect(mine.length).toBeGreaterThan(20);
  expect(mine.filter((c) => isMutating(c.operation) || c.authorization?.denied)).toEqual([]);

  const before = users();
  for (const event of [deleteStaff(), { ...deleteStaff(), RequestType: 'Update', OldResourceProperties: {} }, { RequestType: 'Repair', LogicalResourceId: staff().logicalId }]) {
    expect(await invoke(READER, event)).toEqual({ error: 'AccessDeniedException' });
  }
  expect(users()).toBe(before);
});

test('the provider refuses a hand-made Delete, even with full rights: its stack is not deleting the resource, or it is another stack', async () => {
  const before = users();
  answers.length = 0;
  await invoke(TEST_CREDENTIALS, deleteStaff());
  await invoke(TEST_CREDENTIALS, deleteStaff(stackId().replace('/Example/', '/Other/')));
  expect(answers.map((a) => a.Status)).toEqual(['FAILED', 'FAILED']);
  expect(answers[0].Reason).toContain(`CloudFormation is not deleting ${staff().physicalId} as ${staff().logicalId} of stack Example (its status is CREATE_COMPLETE)`);
  expect(answers[1].Reason).toContain('this provider serves stack Example only');
  expect(users()).toBe(before);
});

test('drift --fix leaves a stack CloudFormation is changing alone, and says why', async () => {
  const wickr = new WickrClient({ region: 'us-east-1', endpoint: running.url, credentials: TEST_CREDENTIALS });
  await wickr.send(new UpdateSecurityGroupCommand({ networkId: rowFor(deployed, 'Ops').physicalId!, groupId: rowFor(deployed, 'Analysts').physicalId!, securityGroupSettings: { shredder: { intensity: 20 } } }));
  running.emulator.patchStack('Example', { status: 'UPDATE_IN_PROGRESS' });
  running.emulator.clearCalls();
  const busy = await drift(['--fix']);
  expect(busy.code).toBe(2);
  expect(busy.err).toContain('stack Example is UPDATE_IN_PROGRESS: --fix changes nothing while CloudFormation is changing the stack');
  expect(running.emulator.calls().filter((c) => isMutating(c.operation) && c.service !== 'lambda')).toEqual([]);
  running.emulator.patchStack('Example', { status: 'UPDATE_ROLLBACK_FAILED' });
  expect((await drift(['--fix'])).err).toContain('left the stack failed');
  running.emulator.patchStack('Example', { status: 'CREATE_COMPLETE' });
  const fixed = await drift(['--fix']);
  expect(fixed.code).toBe(0);
  expect(running.emulator.calls().filter((c) => c.operation === 'UpdateSecurityGroup')).toHaveLength(1);
});
