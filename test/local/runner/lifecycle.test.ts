import { Aws, CfnCondition, CfnParameter, CfnResource, Duration, Fn, RemovalPolicy, Token } from 'aws-cdk-lib';
import { RunningEmulator, startEmulator } from '../../../local/emulator';
import { expectSuccess, requestsOf, rowOf, RunnerWorkspace } from '../../fixtures/runner/harness';
import { Toy } from '../../fixtures/runner/toy-app';

/**
 * The lifecycle runner against a toy provider (test/fixtures/runner/toy-handler): the
 * CloudFormation semantics it reproduces, independent of this library's handlers.
 */

let emulator: RunningEmulator;
let ws: RunnerWorkspace;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(() => {
  ws = new RunnerWorkspace(emulator);
});
afterEach(() => ws.remove());

/** Logical id to physical id, from the state file. */
function physicalIds(): Record<string, string> {
  return Object.fromEntries(Object.entries(ws.state().stacks.ToyStack.resources as Record<string, { physicalId: string }>).map(([id, r]) => [id, r.physicalId]));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A: a root resource; B: depends on A through Ref and GetAtt. */
function pair(toy: Toy, a: Record<string, unknown> = {}, b: Record<string, unknown> = {}) {
  const first = toy.resource('A', { Name: 'a', Key: 'k1', ...a });
  toy.resource('B', { Name: 'b', Parent: first.ref, ParentGreeting: first.getAttString('Greeting'), ...b });
}

describe('create', () => {
  test('creates in dependency order with CloudFormation-shaped events, answered through ResponseURL', async () => {
    const report = expectSuccess(await ws.deploy((toy) => pair(toy, { Flag: false, Count: 3, Nested: { On: true, List: [1, false, 'x'] } })));

    expect(requestsOf(report)).toEqual(['Create A', 'Create B']);
    const [a, b] = ws.toy().events;
    expect(a).toMatchObject({ RequestType: 'Create', LogicalResourceId: 'A', ResourceType: 'Custom::Toy' });
    expect(Object.keys(report.invocations[0].event)).toEqual([
      'RequestType',
      'ServiceToken',
      'ResponseURL',
      'StackId',
      'RequestId',
      'LogicalResourceId',
      'ResourceType',
      'ResourceProperties',
    ]);
    expect(a.RequestId).toMatch(UUID);
    expect(b.RequestId).toMatch(UUID);
    expect(a.RequestId).not.toBe(b.RequestId);
    expect(a.StackId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/ToyStack\/[0-9a-f-]{36}$/);
    // Every leaf a string, nested too; ServiceToken (and ServiceTimeout) stay in the properties.
    expect(a.ResourceProperties).toEqual({
      ServiceToken: a.ServiceToken,
      ServiceTimeout: '30',
      Name: 'a',
      Key: 'k1',
      Flag: 'false',
      Count: '3',
      Nested: { On: 'true', List: ['1', 'false', 'x'] },
    });
    expect(a.ServiceToken).toBe('arn:aws:lambda:us-east-1:123456789012:function:ToyProviderA7D32888');
    // Ref is the physical id, GetAtt a key of the response's Data.
    expect(b.ResourceProperties).toMatchObject({ Parent: 'toy-1', ParentGreeting: 'hello a' });
    expect(b.start).toBeGreaterThanOrEqual(a.end as number);

    expect(rowOf(report, 'A')).toMatchObject({ type: 'Custom::Toy', physicalId: 'toy-1', action: 'created' });
    expect(rowOf(report, 'B')).toMatchObject({ physicalId: 'toy-2', action: 'created' });
    expect(report.stacks[0].status).toBe('CREATE_COMPLETE');
    expect(report.lines).toContain('  CREATE_COMPLETE     Custom::Toy            A  toy-1');
    expect(ws.toy().resources['toy-1']).toMatchObject({ Name: 'a', Flag: 'false' });
  });

  test('runs the handler with the function environment, the emulator endpoints and its timeout; restores process.env', async () => {
    const before = process.env.AWS_ENDPOINT_URL_WICKR;
    expectSuccess(await ws.deploy((toy) => toy.resource('A', { Name: 'a' }), { timeouts: { functionTimeoutMs: 5000 } }));
    const [event] = ws.toy().events;
    expect(event.endpoint).toBe(emulator.url);
    expect(event.region).toBe('us-east-1');
    expect(event.remainingMs).toBeGreaterThan(4000);
    expect(event.remainingMs).toBeLessThanOrEqual(5000);
    expect(process.env.AWS_ENDPOINT_URL_WICKR).toBe(before);
  });

  test("getRemainingTimeInMillis counts down from the function's Timeout", async () => {
    expectSuccess(await ws.deploy((toy) => toy.resource('A'), {}));
    const [event] = ws.toy().events;
    expect(event.remainingMs).toBeGreaterThan(55_000);
    expect(event.remainingMs).toBeLessThanOrEqual(60_000);
  });

  test('independent resources run concurrently (up to the limit); a dependent waits for both', async () => {
    const build = (toy: Toy) => {
      const a = toy.resource('A', { DelayMs: 300 });
      const b = toy.resource('B', { DelayMs: 300 });
      const c = toy.resource('C', {});
      c.node.addDependency(a, b);
    };
    expectSuccess(await ws.deploy(build));
    const byId = Object.fromEntries(ws.toy().events.map((e) => [e.LogicalResourceId, e]));
    expect(byId.B.start).toBeLessThan(byId.A.end as number);
    expect(byId.A.start).toBeLessThan(byId.B.end as number);
    expect(byId.C.start).toBeGreaterThanOrEqual(Math.max(byId.A.end as number, byId.B.end as number));
    expect(ws.state().stacks.ToyStack.resources.C.dependencies).toEqual(expect.arrayContaining(['A', 'B']));

    const serial = new RunnerWorkspace(emulator);
    try {
      expectSuccess(await serial.deploy(build, { concurrency: 1 }));
      const events = Object.fromEntries(serial.toy().events.map((e) => [e.LogicalResourceId, e]));
      const [first, second] = [events.A, events.B].sort((x, y) => x.start - y.start);
      expect(second.start).toBeGreaterThanOrEqual(first.end as number);
    } finally {
      serial.remove();
    }
  });
});

describe('second run', () => {
  test('an unchanged app makes no request and no API call: every row unchanged', async () => {
    const build = (toy: Toy) => pair(toy);
    expectSuccess(await ws.deploy(build));
    const state = ws.stateText();
    const events = ws.toy().events.length;
    emulator.emulator.clearCalls();

    const report = expectSuccess(await ws.deploy(build));

    expect(report.invocations).toEqual([]);
    expect(ws.toy().events).toHaveLength(events);
    expect(emulator.emulator.calls()).toEqual([]);
    expect(report.rows.map((r) => r.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(report.stacks[0].status).toBe('NO_CHANGES');
    expect(report.lines).toContain('ToyStack: nothing changed (no request was sent)');
    expect(ws.stateText()).toBe(state);
  });

  test('the state file persists the stack: the stack id is stable and the second run updates instead of creating', async () => {
    expectSuccess(await ws.deploy((toy) => pair(toy)));
    const state = ws.state();
    expect(state.version).toBe(1);
    const stack = state.stacks.ToyStack;
    expect(stack.stackId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/ToyStack\//);
    expect(stack.resources.A).toMatchObject({ type: 'Custom::Toy', physicalId: 'toy-1', deletionPolicy: 'Delete', attributes: { Id: 'toy-1', Greeting: 'hello a' } });
    expect(stack.resources.A.properties).toMatchObject({ Name: 'a', ServiceTimeout: '30' });
    expect(stack.resources.B.dependencies).toEqual(['ToyProviderA7D32888', 'A']);

    const report = expectSuccess(await ws.deploy((toy) => pair(toy, {}, { Name: 'b2' })));
    expect(requestsOf(report)).toEqual(['Update B']);
    expect(report.invocations[0].event.StackId).toBe(stack.stackId);
    expect(ws.state().stacks.ToyStack.stackId).toBe(stack.stackId);
  });
});

describe('update', () => {
  test('changed properties: Update in place with OldResourceProperties; dependents whose inputs changed are updated too', async () => {
    expectSuccess(await ws.deploy((toy) => pair(toy)));

    const report = expectSuccess(await ws.deploy((toy) => pair(toy, { Name: 'a2' })));

    expect(requestsOf(report)).toEqual(['Update A', 'Update B']);
    const [updateA, updateB] = ws.toy().events.slice(2);
    expect(updateA).toMatchObject({
      RequestType: 'Update',
      PhysicalResourceId: 'toy-1',
      ResourceProperties: expect.objectContaining({ Name: 'a2' }),
      OldResourceProperties: expect.objectContaining({ Name: 'a' }),
    });
    expect(updateB).toMatchObject({ PhysicalResourceId: 'toy-2', ResourceProperties: expect.objectContaining({ ParentGreeting: 'hello a2' }), OldResourceProperties: expect.objectContaining({ ParentGreeting: 'hello a' }) });
    expect(rowOf(report, 'A')).toMatchObject({ action: 'updated', physicalId: 'toy-1' });
    expect(rowOf(report, 'B')).toMatchObject({ action: 'updated', physicalId: 'toy-2' });
    expect(report.stacks[0].status).toBe('UPDATE_COMPLETE');
    expect(ws.toy().resources['toy-1'].Name).toBe('a2');
  });

  test('a new physical id is a replacement: dependents follow, then the cleanup deletes the old id with the old properties', async () => {
    expectSuccess(await ws.deploy((toy) => pair(toy)));

    const report = expectSuccess(await ws.deploy((toy) => pair(toy, { Key: 'k2' })));

    expect(requestsOf(report)).toEqual(['Update A', 'Update B', 'Delete A']);
    const cleanup = report.invocations[2];
    expect(cleanup.phase).toBe('cleanup');
    expect(cleanup.event).toMatchObject({ RequestType: 'Delete', PhysicalResourceId: 'toy-1', ResourceProperties: expect.objectContaining({ Key: 'k1' }) });
    expect(report.invocations[1].event.ResourceProperties).toMatchObject({ Parent: 'toy-3' });
    expect(rowOf(report, 'A')).toMatchObject({ action: 'replaced', physicalId: 'toy-3' });
    expect(Object.keys(ws.toy().resources).sort()).toEqual(['toy-2', 'toy-3']);
    expect(ws.state().stacks.ToyStack.resources.A.physicalId).toBe('toy-3');
  });

  test('UpdateReplacePolicy Retain keeps the old physical resource', async () => {
    const build = (key: string) => (toy: Toy) => {
      const a = toy.resource('A', { Key: key });
      (a.node.defaultChild as CfnResource).applyRemovalPolicy(RemovalPolicy.RETAIN);
    };
    expectSuccess(await ws.deploy(build('k1')));
    const report = expectSuccess(await ws.deploy(build('k2')));
    expect(requestsOf(report)).toEqual(['Update A']);
    expect(rowOf(report, 'A')).toMatchObject({ action: 'replaced', physicalId: 'toy-2', reason: expect.stringContaining('UpdateReplacePolicy Retain') });
    expect(Object.keys(ws.toy().resources).sort()).toEqual(['toy-1', 'toy-2']);
  });

  test('changing the ServiceToken is refused, as CloudFormation does', async () => {
    expectSuccess(await ws.deploy((toy) => toy.resource('A')));
    const changed = await ws.deploy((toy) => {
      const a = toy.resource('A');
      (a.node.defaultChild as CfnResource).addPropertyOverride('ServiceToken', 'arn:aws:lambda:us-east-1:123456789012:function:Other');
    });
    expect(changed.success).toBe(false);
    expect(changed.reason).toContain('Modifying service token is not allowed.');
    expect(changed.invocations).toEqual([]);
  });
});

describe('removal and retention', () => {
  test('resources removed from the app are deleted in the cleanup phase, dependents first; Retain only forgets them', async () => {
    expectSuccess(
      await ws.deploy((toy) => {
        pair(toy);
        toy.resource('Kept', { Name: 'kept' }, { removalPolicy: RemovalPolicy.RETAIN });
      }),
    );
    const ids = physicalIds();

    const report = expectSuccess(await ws.deploy((toy) => toy.resource('Other')));

    expect(requestsOf(report)).toEqual(['Create Other', 'Delete B', 'Delete A']);
    expect(report.invocations.slice(1).every((i) => i.phase === 'cleanup')).toBe(true);
    expect(report.invocations[1].event).toMatchObject({ PhysicalResourceId: ids.B, ResourceProperties: expect.objectContaining({ Parent: ids.A }) });
    expect(rowOf(report, 'A').action).toBe('deleted');
    expect(rowOf(report, 'B').action).toBe('deleted');
    expect(rowOf(report, 'Kept')).toMatchObject({ action: 'retained', physicalId: ids.Kept });
    expect(Object.keys(ws.toy().resources).sort()).toEqual([ids.Kept, physicalIds().Other].sort());
    expect(Object.keys(ws.state().stacks.ToyStack.resources)).not.toContain('Kept');
  });

  test('destroy deletes in reverse dependency order, honours Retain, and removes the stack from the state', async () => {
    expectSuccess(
      await ws.deploy((toy) => {
        pair(toy);
        toy.resource('Kept', {}, { removalPolicy: RemovalPolicy.RETAIN });
      }),
    );
    const ids = physicalIds();

    const report = expectSuccess(await ws.destroy());

    expect(requestsOf(report)).toEqual(['Delete B', 'Delete A']);
    expect(report.invocations.every((i) => i.phase === 'destroy')).toBe(true);
    expect(rowOf(report, 'Kept').action).toBe('retained');
    expect(rowOf(report, 'A').action).toBe('deleted');
    expect(rowOf(report, 'ToyProviderA7D32888').action).toBe('deleted');
    expect(Object.keys(ws.toy().resources)).toEqual([ids.Kept]);
    expect(ws.state().stacks).toEqual({});
    expect(report.stacks[0].status).toBe('DELETE_COMPLETE');

    const again = expectSuccess(await ws.destroy());
    expect(again.lines).toContain('nothing to destroy');
  });

  test('a failed delete on destroy keeps that resource (and what it depends on) in the state', async () => {
    expectSuccess(await ws.deploy((toy) => pair(toy, {}, { FailOn: 'Delete' })));
    const report = await ws.destroy();
    expect(report.success).toBe(false);
    expect(report.reason).toContain('toy: Delete refused (FailOn)');
    expect(rowOf(report, 'B').action).toBe('failed');
    expect(rowOf(report, 'A')).toMatchObject({ action: 'failed', reason: expect.stringContaining('not deleted') });
    expect(Object.keys(ws.state().stacks.ToyStack.resources).sort()).toEqual(['A', 'B', 'ToyProviderA7D32888', 'ToyProviderServiceRole612E09BC']);
    expect(report.stacks[0].status).toBe('DELETE_FAILED');
  });
});

describe('rollback', () => {
  test('a failed update rolls back: completed updates and the failed one get an Update back, and the state file is restored', async () => {
    expectSuccess(await ws.deploy((toy) => pair(toy)));
    const state = ws.stateText();

    const report = await ws.deploy((toy) => pair(toy, { Name: 'a2' }, { FailOn: 'Update' }));

    expect(report.success).toBe(false);
    expect(report.reason).toContain('B (Custom::Toy): Received response status [FAILED] from custom resource. Message returned: toy: Update refused (FailOn)');
    expect(requestsOf(report)).toEqual(['Update A', 'Update B', 'Update A', 'Update B']);
    const [rollbackA, rollbackB] = report.invocations.slice(2);
    expect(rollbackA.phase).toBe('rollback');
    expect(rollbackA.event).toMatchObject({
      PhysicalResourceId: 'toy-1',
      ResourceProperties: expect.objectContaining({ Name: 'a' }),
      OldResourceProperties: expect.objectContaining({ Name: 'a2' }),
    });
    expect(rollbackB.event).toMatchObject({
      ResourceProperties: expect.not.objectContaining({ FailOn: 'Update' }),
      OldResourceProperties: expect.objectContaining({ FailOn: 'Update', ParentGreeting: 'hello a2' }),
    });
    expect(rowOf(report, 'A').action).toBe('rolled back');
    expect(rowOf(report, 'B').action).toBe('failed');
    expect(report.stacks[0].status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(ws.stateText()).toBe(state);
    expect(ws.toy().resources['toy-1'].Name).toBe('a');
  });

  test('a failed create on first deploy: Delete of the marker id the FAILED response carried, delete what was created; no state', async () => {
    const report = await ws.deploy((toy) => pair(toy, {}, { FailOn: 'Create' }));

    expect(report.success).toBe(false);
    expect(requestsOf(report)).toEqual(['Create A', 'Create B', 'Delete B', 'Delete A']);
    const createB = report.invocations[1];
    expect(report.invocations[2].event).toMatchObject({ RequestType: 'Delete', PhysicalResourceId: `wickr-chime:create-failed:${createB.requestId}` });
    expect(report.invocations[3].event).toMatchObject({ PhysicalResourceId: 'toy-1' });
    expect(rowOf(report, 'A').action).toBe('rolled back');
    expect(rowOf(report, 'B').action).toBe('failed');
    expect(report.stacks[0].status).toBe('ROLLBACK_COMPLETE');
    expect(ws.stateText()).toBeUndefined();
    expect(ws.toy().resources).toEqual({});
  });

  test('a replacement is rolled back by deleting the new physical id; the old one is current again', async () => {
    expectSuccess(await ws.deploy((toy) => pair(toy)));
    const state = ws.stateText();

    const report = await ws.deploy((toy) => pair(toy, { Key: 'k2' }, { FailOn: 'Update' }));

    expect(report.success).toBe(false);
    expect(requestsOf(report)).toEqual(['Update A', 'Update B', 'Update B', 'Delete A']);
    expect(report.invocations[3].event).toMatchObject({ PhysicalResourceId: 'toy-3', ResourceProperties: expect.objectContaining({ Key: 'k2' }) });
    expect(report.invocations[2].event.ResourceProperties).toMatchObject({ Parent: 'toy-1' });
    expect(ws.stateText()).toBe(state);
    expect(Object.keys(ws.toy().resources).sort()).toEqual(['toy-1', 'toy-2']);
  });

  test('rolling back a resource created with DeletionPolicy Retain keeps it (as CloudFormation does)', async () => {
    const report = await ws.deploy((toy) => {
      const a = toy.resource('A', {}, { removalPolicy: RemovalPolicy.RETAIN });
      toy.resource('B', { Parent: a.ref, FailOn: 'Create' });
    });
    expect(report.success).toBe(false);
    expect(requestsOf(report)).toEqual(['Create A', 'Create B', 'Delete B']);
    expect(rowOf(report, 'A').action).toBe('retained');
    expect(report.warnings.join('\n')).toContain('toy-1 was created by the failed run and is kept');
  });

  test('a response without an attribute the template reads fails the resource ("Vendor response doesn\'t contain")', async () => {
    const report = await ws.deploy((toy) => pair(toy, { OmitData: 'true' }));
    expect(report.success).toBe(false);
    expect(report.reason).toContain("Vendor response doesn't contain Greeting attribute");
    expect(requestsOf(report)).toEqual(['Create A', 'Delete A']);
    expect(report.invocations[1].event.PhysicalResourceId).toBe('toy-1');
  });

  test('template errors fail before any change', async () => {
    const circular = await ws.deploy((toy) => {
      const a = toy.resource('A');
      const b = toy.resource('B', { Parent: a.ref });
      a.node.addDependency(b);
    });
    expect(circular.success).toBe(false);
    expect(circular.reason).toMatch(/^Circular dependency between resources: \[/);
    expect(circular.invocations).toEqual([]);

    const unresolved = await ws.deploy((toy) => {
      const a = toy.resource('A');
      (a.node.defaultChild as CfnResource).addPropertyOverride('Missing', { Ref: 'Nowhere' });
    });
    expect(unresolved.reason).toBe('Template format error: Unresolved resource dependencies [Nowhere] in the Resources block of the template');
    expect(ws.stateText()).toBeUndefined();
  });
});

describe('timeouts and delivery', () => {
  test('no response within the ServiceTimeout fails the resource as "timed out"; its Create has no physical id to delete', async () => {
    const report = await ws.deploy((toy) => pair(toy, {}, { HangMs: 3000 }), { timeouts: { serviceTimeoutMs: 300 } });
    expect(report.success).toBe(false);
    expect(report.reason).toContain('timed out: no response from the custom resource provider within the ServiceTimeout');
    const create = report.invocations[1];
    expect(create).toMatchObject({ logicalId: 'B', timedOut: true, responses: [] });
    expect(requestsOf(report)).toEqual(['Create A', 'Create B', 'Delete A']);
    expect(report.warnings.join('\n')).toContain('B: its Create got no response');
  });

  test('a handler that ends without answering fails once Lambda is done with it', async () => {
    const report = await ws.deploy((toy) => toy.resource('A', { NoResponse: 'true' }), { timeouts: { noAnswerGraceMs: 50 } });
    expect(report.success).toBe(false);
    expect(report.reason).toContain('timed out: the provider function ended without sending a response');
  });

  test('a function error is retried like an asynchronous Lambda invocation (the same event)', async () => {
    const report = expectSuccess(await ws.deploy((toy) => toy.resource('A', { ThrowTimes: 1 }), { retryDelayMs: 0 }));
    expect(report.invocations[0].deliveries).toBe(2);
    const events = ws.toy().events;
    expect(events.map((e) => e.delivery)).toEqual([1, 2]);
    expect(events[0].RequestId).toBe(events[1].RequestId);
    expect(report.logs.some((l) => l.line.includes('Lambda retries the asynchronous invocation'))).toBe(true);
  });

  test.each(['after-answer', 'concurrent'] as const)('duplicate delivery (%s): the same event twice; the idempotent provider creates once', async (mode) => {
    const report = expectSuccess(await ws.deploy((toy) => pair(toy), { duplicateDeliveries: { mode } }));
    const events = ws.toy().events;
    expect(events).toHaveLength(4);
    expect(events[0].RequestId).toBe(events[1].RequestId);
    for (const invocation of report.invocations) {
      expect(invocation.deliveries).toBe(2);
      expect(invocation.responses).toHaveLength(2);
      expect(invocation.responses[0].PhysicalResourceId).toBe(invocation.responses[1].PhysicalResourceId);
    }
    expect(Object.keys(ws.toy().resources).sort()).toEqual(['toy-1', 'toy-2']);
    expect(report.warnings).toEqual([]);
  });

  test('duplicate delivery for chosen logical ids and request types only', async () => {
    expectSuccess(await ws.deploy((toy) => pair(toy)));
    const report = expectSuccess(await ws.deploy((toy) => pair(toy, { Name: 'a2' }), { duplicateDeliveries: { logicalIds: ['B'], requestTypes: ['Update'] } }));
    expect(report.invocations.map((i) => `${i.logicalId}:${i.deliveries}`)).toEqual(['A:1', 'B:2']);
  });
});

describe('intrinsic functions', () => {
  test('Ref, GetAtt, Join, Sub (both forms), Select, Split, If with conditions, parameters, pseudo parameters, Base64, GetAZs, NoValue', async () => {
    const report = expectSuccess(
      await ws.deploy((toy) => {
        const stage = new CfnParameter(toy.stack, 'Stage', { default: 'dev' });
        const isDev = new CfnCondition(toy.stack, 'IsDev', { expression: Fn.conditionEquals(stage.valueAsString, 'dev') });
        const isProd = new CfnCondition(toy.stack, 'IsProd', { expression: Fn.conditionAnd(Fn.conditionNot(isDev), Fn.conditionOr(isDev, Fn.conditionEquals(Aws.REGION, 'us-east-1'))) });
        const a = toy.resource('A', { Name: 'a' });
        const onlyProd = toy.resource('OnlyProd');
        (onlyProd.node.defaultChild as CfnResource).cfnOptions.condition = isProd;
        toy.resource('B', {
          Joined: Fn.join('/', [a.ref, a.getAttString('Greeting'), Aws.ACCOUNT_ID]),
          Subbed: Fn.sub('${AWS::Region}:${AWS::StackName}:${A}:${A.Greeting}:${!Literal}'),
          SubbedWithVars: Fn.sub('${X}-${Y}', { X: a.ref, Y: stage.valueAsString }),
          Selected: Fn.select(1, Fn.split(' ', a.getAttString('Greeting'))),
          Chosen: Fn.conditionIf(isDev.logicalId, 'dev-value', 'prod-value'),
          Dropped: Fn.conditionIf(isProd.logicalId, 'prod-only', Aws.NO_VALUE),
          Encoded: Fn.base64(a.ref),
          Zone: Fn.select(0, Fn.getAzs()),
          Partition: Aws.PARTITION,
          Suffix: Aws.URL_SUFFIX,
          StackId: Aws.STACK_ID,
          List: [a.ref, Fn.conditionIf(isProd.logicalId, 'x', Aws.NO_VALUE), Token.asString(Fn.conditionIf(isDev.logicalId, 7, 8))],
        });
      }),
    );

    expect(report.rows.map((r) => r.logicalId)).not.toContain('OnlyProd');
    const b = ws.toy().events.find((e) => e.LogicalResourceId === 'B');
    expect(b?.ResourceProperties).toEqual({
      ServiceToken: expect.any(String),
      ServiceTimeout: '30',
      Joined: 'toy-1/hello a/123456789012',
      Subbed: 'us-east-1:ToyStack:toy-1:hello a:${Literal}',
      SubbedWithVars: 'toy-1-dev',
      Selected: 'a',
      Chosen: 'dev-value',
      Encoded: Buffer.from('toy-1').toString('base64'),
      Zone: 'us-east-1a',
      Partition: 'aws',
      Suffix: 'amazonaws.com',
      StackId: b?.StackId,
      List: ['toy-1', '7'],
    });
  });

  test('parameters can be given per run', async () => {
    const build = (toy: Toy) => {
      const stage = new CfnParameter(toy.stack, 'Stage', { default: 'dev' });
      toy.resource('A', { Stage: stage.valueAsString });
    };
    expectSuccess(await ws.deploy(build, { parameters: { Stage: 'prod' } }));
    expect(ws.toy().events[0].ResourceProperties.Stage).toBe('prod');
  });

  test('outputs are resolved and kept in the state', async () => {
    const report = expectSuccess(await ws.deploy((toy) => {
      const a = toy.resource('A', { Name: 'a' });
      toy.output('Greeting', a.getAttString('Greeting'));
    }));
    expect(report.stacks[0].outputs).toEqual({ Greeting: 'hello a' });
    expect(ws.state().stacks.ToyStack.outputs).toEqual({ Greeting: 'hello a' });
  });
});

describe('handler logs', () => {
  test('are captured per request, kept out of the progress lines unless verbose', async () => {
    // (That they do not reach the process's stdout either is shown by the command-line test, in a child process.)
    const out: string[] = [];
    const report = expectSuccess(await ws.deploy((toy) => toy.resource('A'), { out: (line) => out.push(line) }));
    const lines = report.logs.filter((l) => l.logicalId === 'A').map((l) => JSON.parse(l.line));
    expect(lines.map((l) => l.message)).toEqual(['request', 'response']);
    expect(report.logs[0]).toMatchObject({ stackName: 'ToyStack', requestType: 'Create', stream: 'stdout', requestId: report.invocations[0].requestId });
    expect(out.join('\n')).not.toContain('"message":"request"');
    expect(out).toEqual(report.lines);

    const verbose: string[] = [];
    const other = new RunnerWorkspace(emulator);
    try {
      expectSuccess(await other.deploy((toy) => toy.resource('A'), { out: (line) => verbose.push(line), verbose: true }));
      expect(verbose.join('\n')).toContain('"message":"request"');
    } finally {
      other.remove();
    }
  });
});

describe('state', () => {
  test('each deployed function keeps its code beside the state file; a removed resource is deleted with the code that was deployed', async () => {
    expectSuccess(await ws.deploy((toy) => toy.resource('A', { Name: 'a' }, { serviceTimeout: Duration.seconds(20) })));
    const fn = ws.state().stacks.ToyStack.resources.ToyProviderA7D32888.function;
    expect(fn).toMatchObject({ handler: 'index.handler', timeoutSeconds: 60, environment: { TOY_STATE_FILE: ws.toyStateFile } });
    expect(fn.code).toMatch(/^state\.functions\/[0-9a-f]{32}$/);

    // The app no longer has the resource nor its provider: the Delete still runs (with the stored code).
    const report = expectSuccess(await ws.deploy((toy) => new CfnResource(toy.stack, 'Placeholder', { type: 'AWS::CloudFormation::WaitConditionHandle' })));
    expect(requestsOf(report)).toEqual(['Delete A']);
    expect(rowOf(report, 'ToyProviderA7D32888').action).toBe('deleted');
  });
});
