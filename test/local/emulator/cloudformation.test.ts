import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { ACCOUNT, REGION, STACK_ID, stackSpec, TEMPLATE } from './stacks-fixtures';
import { signedRequest } from './core-fakes';

/**
 * The emulator's CloudFormation (awsQuery), answered from the stacks recorded with it,
 * through the official client: DescribeStacks, ListStackResources, DescribeStackResources
 * and GetTemplate, found and not found; IAM, faults and the call log (recording stacks:
 * emulator-stacks.test.ts).
 */

let running: RunningEmulator<DefaultServices>;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 5 });
});
afterAll(() => running.close());
beforeEach(() => {
  running.emulator.reset();
  running.emulator.registerStack('Ops', stackSpec());
});

const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const cfn = (options: { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}) =>
  new CloudFormationClient({ region: options.region ?? REGION, endpoint: running.url, credentials: options.credentials ?? TEST_CREDENTIALS, maxAttempts: 1 });

/** The rejection of a call, for `toMatchObject`. */
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err);

describe('DescribeStacks', () => {
  test('by name and by stack id: id, status, times, parameters (NoEcho masked), outputs, description', async () => {
    const client = cfn();
    const byName = await client.send(new DescribeStacksCommand({ StackName: 'Ops' }));
    const byId = await client.send(new DescribeStacksCommand({ StackName: STACK_ID }));
    expect(byId.Stacks).toEqual(byName.Stacks);
    expect(byName.Stacks).toHaveLength(1);
    const [stack] = byName.Stacks ?? [];
    expect(stack).toMatchObject({
      StackName: 'Ops',
      StackId: STACK_ID,
      StackStatus: 'CREATE_COMPLETE',
      Parameters: [
        { ParameterKey: 'Stage', ParameterValue: 'prod' },
        { ParameterKey: 'Token', ParameterValue: '****' },
      ],
      Outputs: [{ OutputKey: 'NetworkId', OutputValue: '12345678', Description: 'the network' }],
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    });
    expect(stack.Description).toBe(TEMPLATE.Description);
    expect(stack.CreationTime).toBeInstanceOf(Date);
    expect(Math.abs((stack.CreationTime as Date).getTime() - Date.now())).toBeLessThan(60_000);
    expect(stack.LastUpdatedTime).toBeUndefined();
    client.destroy();
  });

  test('a second registration of the same stack id keeps the creation time and sets the last update', async () => {
    const client = cfn();
    const [first] = (await client.send(new DescribeStacksCommand({ StackName: 'Ops' }))).Stacks ?? [];
    running.emulator.clock.advance(60_000);
    running.emulator.registerStack('Ops', stackSpec({ status: 'UPDATE_COMPLETE' }));
    const [second] = (await client.send(new DescribeStacksCommand({ StackName: 'Ops' }))).Stacks ?? [];
    expect(second.CreationTime).toEqual(first.CreationTime);
    expect(second.StackStatus).toBe('UPDATE_COMPLETE');
    expect((second.LastUpdatedTime as Date).getTime() - (first.CreationTime as Date).getTime()).toBeGreaterThanOrEqual(59_000);
    client.destroy();
  });

  test('without a name: the stacks of the request region only', async () => {
    running.emulator.registerStack('West', stackSpec({ stackName: 'West', region: 'us-west-2', stackId: `arn:aws:cloudformation:us-west-2:${ACCOUNT}:stack/West/1`, resources: [] }));
    const east = cfn();
    const west = cfn({ region: 'us-west-2' });
    expect((await east.send(new DescribeStacksCommand({}))).Stacks?.map((s) => s.StackName)).toEqual(['Ops']);
    expect((await west.send(new DescribeStacksCommand({}))).Stacks?.map((s) => s.StackName)).toEqual(['West']);
    // A stack of another region is not found by its name.
    expect(await failure(west.send(new DescribeStacksCommand({ StackName: 'Ops' })))).toMatchObject({ name: 'ValidationError' });
    east.destroy();
    west.destroy();
  });

  test('a stack that does not exist: 400 ValidationError "Stack with id X does not exist", in the awsQuery error format', async () => {
    const client = cfn();
    const err = await failure(client.send(new DescribeStacksCommand({ StackName: 'Nope' })));
    expect(err).toMatchObject({ name: 'ValidationError', message: 'Stack with id Nope does not exist', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    client.destroy();
    const raw = await signedRequest(running.url, {
      method: 'POST',
      path: '/',
      service: 'cloudformation',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=DescribeStacks&Version=2010-05-15&StackName=Nope',
    });
    expect(raw.status).toBe(400);
    expect(raw.text).toMatch(
      /^<ErrorResponse xmlns="http:\/\/cloudformation\.amazonaws\.com\/doc\/2010-05-15\/">\s*<Error>\s*<Type>Sender<\/Type>\s*<Code>ValidationError<\/Code>\s*<Message>Stack with id Nope does not exist<\/Message>\s*<\/Error>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>\s*<\/ErrorResponse>\s*$/,
    );
  });
});

describe('ListStackResources', () => {
  test('summaries of every resource, in pages of 100 with NextToken', async () => {
    const resources = Array.from({ length: 230 }, (_, i) => ({ logicalId: `Res${i}`, type: 'AWS::IAM::Role', physicalId: `role-${i}`, status: 'CREATE_COMPLETE' }));
    running.emulator.registerStack('Ops', stackSpec({ resources }));
    const client = cfn();
    const first = await client.send(new ListStackResourcesCommand({ StackName: 'Ops' }));
    expect(first.StackResourceSummaries).toHaveLength(100);
    expect(first.NextToken).toEqual(expect.any(String));
    const pages: number[] = [];
    const all: string[] = [];
    for await (const page of paginateListStackResources({ client }, { StackName: STACK_ID })) {
      pages.push(page.StackResourceSummaries?.length ?? 0);
      all.push(...(page.StackResourceSummaries ?? []).map((s) => s.LogicalResourceId as string));
    }
    expect(pages).toEqual([100, 100, 30]);
    expect(all).toEqual(resources.map((r) => r.logicalId));
    // A token is good only for the stack it came from.
    running.emulator.registerStack('Other', stackSpec({ stackName: 'Other', stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Other/2` }));
    expect(await failure(client.send(new ListStackResourcesCommand({ StackName: 'Other', NextToken: first.NextToken })))).toMatchObject({ name: 'ValidationError' });
    client.destroy();
  });

  test('the summary fields; a stack that does not exist is a ValidationError', async () => {
    const client = cfn();
    const { StackResourceSummaries } = await client.send(new ListStackResourcesCommand({ StackName: 'Ops' }));
    expect(StackResourceSummaries?.[0]).toEqual({
      LogicalResourceId: 'Network',
      PhysicalResourceId: '12345678',
      ResourceType: 'Custom::WickrNetwork',
      ResourceStatus: 'CREATE_COMPLETE',
      LastUpdatedTimestamp: new Date('2024-05-01T10:00:00.000Z'),
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    });
    // Without a time of its own, a resource gets the registration's.
    expect(StackResourceSummaries?.[1]).toMatchObject({ LogicalResourceId: 'Provider', ResourceStatus: 'UPDATE_COMPLETE', LastUpdatedTimestamp: expect.any(Date) });
    expect(await failure(client.send(new ListStackResourcesCommand({ StackName: 'Nope' })))).toMatchObject({ name: 'ValidationError', message: 'Stack with id Nope does not exist' });
    client.destroy();
  });
});

describe('DescribeStackResources', () => {
  test('by stack name or id, narrowed by logical id; by a physical id: its stack', async () => {
    const client = cfn();
    const all = await client.send(new DescribeStackResourcesCommand({ StackName: STACK_ID }));
    expect(all.StackResources?.map((r) => r.LogicalResourceId)).toEqual(['Network', 'Provider']);
    expect(all.StackResources?.[0]).toEqual({
      StackName: 'Ops',
      StackId: STACK_ID,
      LogicalResourceId: 'Network',
      PhysicalResourceId: '12345678',
      ResourceType: 'Custom::WickrNetwork',
      Timestamp: new Date('2024-05-01T10:00:00.000Z'),
      ResourceStatus: 'CREATE_COMPLETE',
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    });
    const one = await client.send(new DescribeStackResourcesCommand({ StackName: 'Ops', LogicalResourceId: 'Provider' }));
    expect(one.StackResources?.map((r) => r.PhysicalResourceId)).toEqual(['Provider']);
    const byPhysical = await client.send(new DescribeStackResourcesCommand({ PhysicalResourceId: '12345678' }));
    expect(byPhysical.StackResources?.map((r) => r.StackName)).toEqual(['Ops', 'Ops']);
    client.destroy();
  });

  test('not found, by name and by physical id', async () => {
    const client = cfn();
    expect(await failure(client.send(new DescribeStackResourcesCommand({ StackName: 'Nope' })))).toMatchObject({ name: 'ValidationError', message: 'Stack with id Nope does not exist' });
    expect(await failure(client.send(new DescribeStackResourcesCommand({ PhysicalResourceId: 'nothing' })))).toMatchObject({ name: 'ValidationError', message: 'Stack for nothing does not exist' });
    expect(await failure(client.send(new DescribeStackResourcesCommand({})))).toMatchObject({ name: 'ValidationError', message: 'Either StackName or PhysicalResourceId must be specified.' });
    client.destroy();
  });
});

describe('GetTemplate', () => {
  test('the template body, as JSON text, for either stage; markup characters survive the XML', async () => {
    const client = cfn();
    const original = await client.send(new GetTemplateCommand({ StackName: 'Ops' }));
    expect(JSON.parse(original.TemplateBody as string)).toEqual(TEMPLATE);
    expect(original.StagesAvailable).toEqual(['Original', 'Processed']);
    const processed = await client.send(new GetTemplateCommand({ StackName: STACK_ID, TemplateStage: 'Processed' }));
    expect(processed.TemplateBody).toBe(original.TemplateBody);
    // A template registered as text is answered as it was given.
    running.emulator.registerStack('Ops', stackSpec({ template: 'Resources:\n  A: {Type: "AWS::SNS::Topic"}\n' }));
    expect((await client.send(new GetTemplateCommand({ StackName: 'Ops' }))).TemplateBody).toBe('Resources:\n  A: {Type: "AWS::SNS::Topic"}\n');
    client.destroy();
  });

  test('not found; an unknown stage', async () => {
    const client = cfn();
    expect(await failure(client.send(new GetTemplateCommand({ StackName: 'Nope' })))).toMatchObject({ name: 'ValidationError', message: 'Stack with id Nope does not exist' });
    expect(await failure(client.send(new GetTemplateCommand({ StackName: 'Ops', TemplateStage: 'Draft' as 'Original' })))).toMatchObject({ name: 'ValidationError', message: expect.stringContaining("Value 'Draft' at 'templateStage'") });
    client.destroy();
  });
});

describe('the rest of the emulator', () => {
  test('an action the emulator does not serve is InvalidAction', async () => {
    const raw = await signedRequest(running.url, {
      method: 'POST',
      path: '/',
      service: 'cloudformation',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=CreateStack&Version=2010-05-15&StackName=x',
    });
    expect(raw.status).toBe(400);
    expect(raw.text).toContain('<Code>InvalidAction</Code>');
    expect(raw.text).toContain('Could not find operation CreateStack for version 2010-05-15');
  });

  test('the call log records each call with its parameters; faults are asked for by service', async () => {
    const client = cfn();
    running.emulator.addFault({ operation: '*', kind: 'error' }); // Wickr and Chime only
    running.emulator.addFault({ service: 'cloudformation', operation: 'GetTemplate', kind: 'throttle', count: 1 });
    await client.send(new DescribeStacksCommand({ StackName: 'Ops' }));
    expect(await failure(client.send(new GetTemplateCommand({ StackName: 'Ops' })))).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    expect((await client.send(new GetTemplateCommand({ StackName: 'Ops' }))).TemplateBody).toBeDefined();
    expect(running.emulator.calls().map((c) => [c.service, c.operation, c.status, c.fault])).toEqual([
      ['cloudformation', 'DescribeStacks', 200, undefined],
      ['cloudformation', 'GetTemplate', 400, 'throttle'],
      ['cloudformation', 'GetTemplate', 200, undefined],
    ]);
    expect(running.emulator.calls()[0].request.body).toEqual({ Action: 'DescribeStacks', Version: '2010-05-15', StackName: 'Ops' });
    client.destroy();
  });

  test('IAM: a registered principal needs cloudformation:<Operation> on the stack ARN; a stack not found is stack/<name>/*', async () => {
    const principal = { accessKeyId: 'ASIAREADERKEY00001', secretAccessKey: 'reader-secret' };
    running.emulator.registerPrincipal(principal.accessKeyId, {
      secretAccessKey: principal.secretAccessKey,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Reader/fn`,
      statements: [{ Effect: 'Allow', Action: ['cloudformation:GetTemplate', 'cloudformation:DescribeStackResources'], Resource: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Ops/*` }],
    });
    const client = cfn({ credentials: principal });
    expect((await client.send(new GetTemplateCommand({ StackName: STACK_ID }))).TemplateBody).toBeDefined();
    expect((await client.send(new DescribeStackResourcesCommand({ StackName: 'Ops' }))).StackResources).toHaveLength(2);
    const denied = await failure(client.send(new DescribeStacksCommand({ StackName: 'Ops' })));
    expect(denied).toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/Reader/fn is not authorized to perform: cloudformation:DescribeStacks on resource: ${STACK_ID} because no identity-based policy allows the cloudformation:DescribeStacks action`,
    });
    expect(await failure(client.send(new DescribeStacksCommand({})))).toMatchObject({ name: 'AccessDenied', message: expect.stringContaining('cloudformation:DescribeStacks on resource: * because') });
    // The name of a stack that does not exist: the ARN it would have, which the statement's stack/Ops/* does not cover.
    expect(await failure(client.send(new GetTemplateCommand({ StackName: 'Gone' })))).toMatchObject({
      name: 'AccessDenied',
      message: expect.stringContaining(`cloudformation:GetTemplate on resource: arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Gone/*`),
    });
    const calls = running.emulator.calls();
    expect(calls.map((c) => [c.operation, c.status, c.authorization?.denied === undefined])).toEqual([
      ['GetTemplate', 200, true],
      ['DescribeStackResources', 200, true],
      ['DescribeStacks', 403, false],
      ['DescribeStacks', 403, false],
      ['GetTemplate', 403, false],
    ]);
    client.destroy();
  });
});
