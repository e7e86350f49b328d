import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DefaultServices, RunningEmulator, StackFunctionSpec, startEmulator } from '../../../local/emulator';
import { ACCOUNT, REGION, STACK_ID, stackSpec, stageCode } from './stacks-fixtures';

/**
 * The emulator's Lambda `Invoke` through the official client: a recorded function runs in
 * process from its code directory, with its environment, the emulator's endpoints and its
 * role's credentials; its answer, its error, unknown functions, invocation types, IAM,
 * faults and the call log.
 */

let running: RunningEmulator<DefaultServices>;
let dir: string;

/** Handlers, one code directory each. `SDK_MODULE` lets a handler load the official client from this checkout. */
const HANDLERS: Record<string, string> = {
  echo: `exports.handler = async (event, context) => {
    console.log('echo', JSON.stringify(event));
    return {
      event,
      functionName: context.functionName,
      region: process.env.AWS_REGION,
      keyId: process.env.AWS_ACCESS_KEY_ID,
      endpoints: ['WICKR', 'CHIME_SDK_IDENTITY', 'SECRETS_MANAGER', 'S3', 'CLOUDFORMATION', 'LAMBDA'].map((s) => process.env['AWS_ENDPOINT_URL_' + s]),
      stage: process.env.STAGE,
    };
  };`,
  boom: `exports.handler = async () => { const e = new Error('the network is gone'); e.name = 'NetworkGone'; throw e; };`,
  nothing: `exports.handler = async () => undefined;`,
  reader: `const { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } = require(process.env.SDK_MODULE);
  exports.handler = async () => {
    const client = new CloudFormationClient({ maxAttempts: 1 });
    const stacks = await client.send(new DescribeStacksCommand({ StackName: 'Ops' }));
    const denied = await client.send(new GetTemplateCommand({ StackName: 'Ops' })).then(() => 'allowed', (e) => e.name);
    return { status: stacks.Stacks[0].StackStatus, getTemplate: denied };
  };`,
  event: `exports.handler = async (event) => { globalThis.__lambdaEventSeen(event); return 'ignored'; };`,
};

/** Each handler's code directory, staged as deploy-local stages code. */
const codeDirs: Record<string, string> = {};

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 9 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-'));
  for (const [name, source] of Object.entries(HANDLERS)) codeDirs[name] = stageCode(dir, { 'index.js': source });
  codeDirs.empty = stageCode(dir, {});
});
afterAll(async () => {
  await running.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  running.emulator.reset();
  running.emulator.registerStack('Ops', stackSpec({ functions: Object.keys(HANDLERS).concat('empty').map((name) => fn(name)) }));
});

function fn(name: string, overrides: Partial<StackFunctionSpec> = {}): StackFunctionSpec {
  return {
    logicalId: `${name[0].toUpperCase()}${name.slice(1)}Function`,
    functionName: `ops-${name}`,
    arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:ops-${name}`,
    codeDir: codeDirs[name],
    handler: 'index.handler',
    timeoutSeconds: 30,
    memorySize: 256,
    environment: { STAGE: 'prod', SDK_MODULE: require.resolve('@aws-sdk/client-cloudformation') },
    ...overrides,
  };
}

const lambda = (credentials = { accessKeyId: 'test', secretAccessKey: 'test' }) => new LambdaClient({ region: REGION, endpoint: running.url, credentials, maxAttempts: 1 });
const payload = (bytes: Uint8Array | undefined) => JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err);

test('RequestResponse: the handler runs with its environment, the emulator as every endpoint and the test credentials; 200 with its answer', async () => {
  const client = lambda();
  const out = await client.send(new InvokeCommand({ FunctionName: 'ops-echo', Payload: JSON.stringify({ RequestType: 'Read', n: 1 }), LogType: 'Tail' }));
  expect(out.StatusCode).toBe(200);
  expect(out.FunctionError).toBeUndefined();
  expect(out.ExecutedVersion).toBe('$LATEST');
  expect(payload(out.Payload)).toEqual({
    event: { RequestType: 'Read', n: 1 },
    functionName: 'ops-echo',
    region: REGION,
    keyId: 'test',
    endpoints: Array(6).fill(running.url),
    stage: 'prod',
  });
  expect(Buffer.from(out.LogResult as string, 'base64').toString('utf8')).toContain('echo {"RequestType":"Read","n":1}');
  // The invocation's environment is gone afterwards.
  expect(process.env.STAGE).toBeUndefined();
  expect(running.emulator.calls()).toEqual([
    expect.objectContaining({ service: 'lambda', operation: 'Invoke', status: 200, request: expect.objectContaining({ body: { RequestType: 'Read', n: 1 } }) }),
  ]);
  client.destroy();
});

test('by ARN, partial ARN and with the $LATEST qualifier; a handler that returns nothing answers null', async () => {
  const client = lambda();
  for (const name of [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:ops-nothing`, `${ACCOUNT}:function:ops-nothing`, 'ops-nothing:$LATEST']) {
    const out = await client.send(new InvokeCommand({ FunctionName: name }));
    expect(Buffer.from(out.Payload ?? []).toString('utf8')).toBe('null');
  }
  expect((await client.send(new InvokeCommand({ FunctionName: 'ops-nothing', Qualifier: '$LATEST' }))).StatusCode).toBe(200);
  client.destroy();
});

test('a handler that throws: 200 with X-Amz-Function-Error Unhandled and {errorType, errorMessage}', async () => {
  const client = lambda();
  const out = await client.send(new InvokeCommand({ FunctionName: 'ops-boom', Payload: '{}' }));
  expect(out.StatusCode).toBe(200);
  expect(out.FunctionError).toBe('Unhandled');
  expect(payload(out.Payload)).toMatchObject({ errorType: 'NetworkGone', errorMessage: 'the network is gone', trace: expect.any(Array) });
  client.destroy();
});

test('a function whose code has no handler file is a function error, and the next invocation still runs', async () => {
  const client = lambda();
  const out = await client.send(new InvokeCommand({ FunctionName: 'ops-empty' }));
  expect(out.FunctionError).toBe('Unhandled');
  expect(payload(out.Payload).errorMessage).toMatch(/Runtime\.ImportModuleError: cannot find .*index\.js/);
  expect(payload((await client.send(new InvokeCommand({ FunctionName: 'ops-echo' }))).Payload)).toMatchObject({ stage: 'prod' });
  client.destroy();
});

test('an unknown function, or a qualifier other than $LATEST: 404 ResourceNotFoundException in Lambda\'s format', async () => {
  const client = lambda();
  expect(await failure(client.send(new InvokeCommand({ FunctionName: 'nope' })))).toMatchObject({
    name: 'ResourceNotFoundException',
    Type: 'User',
    message: `Function not found: arn:aws:lambda:${REGION}:${ACCOUNT}:function:nope`,
    $metadata: { httpStatusCode: 404 },
  });
  expect(await failure(client.send(new InvokeCommand({ FunctionName: 'ops-echo', Qualifier: 'v2' })))).toMatchObject({
    name: 'ResourceNotFoundException',
    message: `Function not found: arn:aws:lambda:${REGION}:${ACCOUNT}:function:ops-echo:v2`,
  });
  // A name is looked up in the request's region.
  const west = new LambdaClient({ region: 'us-west-2', endpoint: running.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  expect(await failure(west.send(new InvokeCommand({ FunctionName: 'ops-echo' })))).toMatchObject({ name: 'ResourceNotFoundException' });
  expect(await failure(client.send(new InvokeCommand({ FunctionName: 'ops-echo', Payload: 'not json' })))).toMatchObject({ name: 'InvalidRequestContentException', $metadata: { httpStatusCode: 400 } });
  west.destroy();
  client.destroy();
});

test('Event answers 202 and runs the function in the background; DryRun answers 204 and runs nothing', async () => {
  const client = lambda();
  const seen = new Promise((resolve) => {
    (globalThis as Record<string, unknown>).__lambdaEventSeen = resolve;
  });
  const event = await client.send(new InvokeCommand({ FunctionName: 'ops-event', InvocationType: 'Event', Payload: JSON.stringify({ n: 7 }) }));
  expect(event.StatusCode).toBe(202);
  expect(Buffer.from(event.Payload ?? []).length).toBe(0);
  await expect(seen).resolves.toEqual({ n: 7 });
  (globalThis as Record<string, unknown>).__lambdaEventSeen = () => {
    throw new Error('DryRun ran the function');
  };
  expect((await client.send(new InvokeCommand({ FunctionName: 'ops-event', InvocationType: 'DryRun' }))).StatusCode).toBe(204);
  delete (globalThis as Record<string, unknown>).__lambdaEventSeen;
  client.destroy();
});

test("the function runs with its role's credentials: its calls are authorized against the role's statements", async () => {
  const accessKeyId = 'ASIAREADERFUNCTION01';
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/ReaderRole/ops-reader`;
  running.emulator.registerPrincipal(accessKeyId, {
    secretAccessKey: 'role-secret',
    arn,
    statements: [{ Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Ops/*` }],
  });
  running.emulator.registerStack('Ops', stackSpec({ functions: [fn('reader', { accessKeyId })] }));
  const client = lambda();
  const out = await client.send(new InvokeCommand({ FunctionName: 'ops-reader' }));
  expect(out.FunctionError).toBeUndefined();
  expect(payload(out.Payload)).toEqual({ status: 'CREATE_COMPLETE', getTemplate: 'AccessDenied' });
  const calls = running.emulator.calls();
  expect(calls.map((c) => [c.service, c.operation, c.status, c.authorization?.principal])).toEqual([
    ['cloudformation', 'DescribeStacks', 200, arn],
    ['cloudformation', 'GetTemplate', 403, arn],
    ['lambda', 'Invoke', 200, undefined],
  ]);
  expect(calls[1].authorization?.denied).toContain(`cloudformation:GetTemplate on resource: ${STACK_ID}`);

  // A recorded key the emulator does not know (the principal is gone): the test credentials.
  running.emulator.removePrincipal(accessKeyId);
  running.emulator.clearCalls();
  expect(payload((await client.send(new InvokeCommand({ FunctionName: 'ops-reader' }))).Payload)).toEqual({ status: 'CREATE_COMPLETE', getTemplate: 'allowed' });
  expect(running.emulator.calls().every((c) => c.authorization === undefined)).toBe(true);
  client.destroy();
});

test('IAM: a registered principal needs lambda:InvokeFunction on the function ARN', async () => {
  const caller = { accessKeyId: 'ASIADRIFTCOMMAND001', secretAccessKey: 'caller-secret' };
  running.emulator.registerPrincipal(caller.accessKeyId, {
    secretAccessKey: caller.secretAccessKey,
    arn: `arn:aws:iam::${ACCOUNT}:user/drift`,
    statements: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:ops-echo` }],
  });
  const client = lambda(caller);
  expect((await client.send(new InvokeCommand({ FunctionName: 'ops-echo' }))).StatusCode).toBe(200);
  expect(await failure(client.send(new InvokeCommand({ FunctionName: 'ops-boom' })))).toMatchObject({
    name: 'AccessDeniedException',
    $metadata: { httpStatusCode: 403 },
    message: `User: arn:aws:iam::${ACCOUNT}:user/drift is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:${REGION}:${ACCOUNT}:function:ops-boom because no identity-based policy allows the lambda:InvokeFunction action`,
  });
  // A qualified ARN is a resource of its own.
  expect(await failure(client.send(new InvokeCommand({ FunctionName: 'ops-echo', Qualifier: '$LATEST' })))).toMatchObject({ name: 'AccessDeniedException' });
  client.destroy();
});

test('faults by service: an injected error is 500 ServiceException and the function does not run', async () => {
  running.emulator.addFault({ service: 'lambda', operation: 'Invoke', kind: 'error', count: 1 });
  (globalThis as Record<string, unknown>).__lambdaEventSeen = () => {
    throw new Error('ran');
  };
  const client = lambda();
  expect(await failure(client.send(new InvokeCommand({ FunctionName: 'ops-event' })))).toMatchObject({ name: 'ServiceException', $metadata: { httpStatusCode: 500 } });
  expect(running.emulator.calls()).toEqual([expect.objectContaining({ service: 'lambda', operation: 'Invoke', status: 500, fault: 'error' })]);
  delete (globalThis as Record<string, unknown>).__lambdaEventSeen;
  client.destroy();
});
