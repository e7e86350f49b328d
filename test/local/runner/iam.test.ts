import * as path from 'path';
import { CustomResource, Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { deployLocal } from '../../../local/runner';
import { roleStatements } from '../../../local/runner/iam';
import { ResourceState } from '../../../local/runner/state';
import { expectSuccess, StackWorkspace } from '../../harness/stack-workspace';

/**
 * The runner hands the emulator each provider function's role: the function runs with
 * credentials of its own, registered as `assumed-role/<Role>/<Function>` with the role's
 * statements as deployed, so a handler call the role does not allow is denied during
 * `deploy-local`, as IAM would deny it in AWS.
 */

const READER_DIR = path.join(__dirname, '..', '..', 'fixtures', 'runner', 'secret-reader');
const SDK_MODULE = require.resolve('@aws-sdk/client-secrets-manager');

let running: RunningEmulator<DefaultServices>;
let ws: StackWorkspace;

beforeAll(async () => {
  running = await startEmulator({ port: 0 });
});
afterAll(() => running.close());
beforeEach(() => {
  running.emulator.reset();
  ws = new StackWorkspace(running, 'IamStack');
});
afterEach(() => {
  jest.restoreAllMocks();
  ws.remove();
});

interface AppOptions {
  /** How the function's role is granted the secret: not at all, `grantRead`, a statement with the wrong action, or the role is imported (not deployed by the runner). */
  readonly grant: 'none' | 'grantRead' | 'wrong-action' | 'imported-role';
  /** Custom resources reading the secret. @default 1 */
  readonly readers?: number;
}

/** A secret (made by the runner, with the test credentials), a reader function, and custom resources that read the secret through it. */
function app(options: AppOptions) {
  return (stack: Stack) => {
    const secret = new secretsmanager.Secret(stack, 'Challenge', { secretStringValue: SecretValue.unsafePlainText('hush'), removalPolicy: RemovalPolicy.DESTROY });
    const fn = new lambda.Function(stack, 'Reader', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(READER_DIR),
      timeout: Duration.seconds(30),
      environment: { SDK_MODULE },
      ...(options.grant === 'imported-role' ? { role: iam.Role.fromRoleArn(stack, 'Elsewhere', 'arn:aws:iam::123456789012:role/made-elsewhere', { mutable: false }) } : {}),
    });
    if (options.grant === 'grantRead') secret.grantRead(fn);
    if (options.grant === 'wrong-action') fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:DescribeSecret'], resources: [secret.secretArn] }));
    for (let i = 0; i < (options.readers ?? 1); i++) {
      new CustomResource(stack, `Read${i}`, { serviceToken: fn.functionArn, resourceType: 'Custom::SecretReader', properties: { SecretId: secret.secretArn }, serviceTimeout: Duration.seconds(30) });
    }
  };
}

const ACCESS_DENIED = /^User: arn:aws:sts::123456789012:assumed-role\/IamStack-ReaderServiceRole[A-Za-z0-9-]+\/Reader[0-9A-F]+ is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:Challenge[A-Za-z0-9-]+ because no identity-based policy allows the secretsmanager:GetSecretValue action$/;

test("a handler call the function's role does not allow is denied during deploy-local; the deploy fails naming it", async () => {
  const report = await ws.deploy(app({ grant: 'none' }));
  expect(report.success).toBe(false);
  expect(report.reason).toMatch(/^Read0[0-9A-F]* \(Custom::SecretReader\): .*AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role\/.* is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:/);

  const reads = running.emulator.calls().filter((c) => c.operation === 'GetSecretValue');
  expect(reads).toHaveLength(1);
  expect(reads[0].status).toBe(400);
  expect(reads[0].authorization?.denied).toMatch(ACCESS_DENIED);
  expect(reads[0].authorization?.principal).toMatch(/^arn:aws:sts::123456789012:assumed-role\/IamStack-ReaderServiceRole[A-Za-z0-9-]+\/Reader[0-9A-F]+$/);
  // The runner's own calls (the native secret) keep the unrestricted test credentials.
  expect(running.emulator.calls().find((c) => c.operation === 'CreateSecret')).toMatchObject({ status: 200 });
  expect(running.emulator.calls().find((c) => c.operation === 'CreateSecret')).not.toHaveProperty('authorization');
});

test('a statement with another action does not help; once the role grants the read, the same deploy succeeds', async () => {
  const wrong = await ws.deploy(app({ grant: 'wrong-action' }));
  expect(wrong.success).toBe(false);
  expect(wrong.reason).toContain('is not authorized to perform: secretsmanager:GetSecretValue');
  const [principal] = running.emulator.listPrincipals();
  expect(principal.statements).toEqual([{ Action: 'secretsmanager:DescribeSecret', Effect: 'Allow', Resource: expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:Challenge/) }]);

  running.emulator.clearCalls();
  const report = expectSuccess(await ws.deploy(app({ grant: 'grantRead' })));
  expect(report.invocations.find((i) => i.logicalId.startsWith('Read0') && i.requestType === 'Create')?.responses[0]).toMatchObject({ Status: 'SUCCESS', Data: { Length: '4' } });
  const read = running.emulator.calls().find((c) => c.operation === 'GetSecretValue');
  expect(read).toMatchObject({ status: 200, authorization: { principal: expect.stringMatching(/assumed-role\/IamStack-ReaderServiceRole/) } });
  expect(read?.authorization).not.toHaveProperty('denied');
});

test('the role statements are registered once per run while they do not change (three readers, one registration)', async () => {
  const register = jest.spyOn(running.emulator, 'registerPrincipal');
  expectSuccess(await ws.deploy(app({ grant: 'grantRead', readers: 3 })));
  expect(register).toHaveBeenCalledTimes(1);
  const [accessKeyId, spec] = register.mock.calls[0];
  expect(accessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
  expect(spec.statements).toEqual([
    expect.objectContaining({ Effect: 'Allow', Action: expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']) }),
  ]);
  expect(running.emulator.calls().filter((c) => c.operation === 'GetSecretValue').map((c) => c.status)).toEqual([200, 200, 200]);
  // Another run that invokes nothing registers nothing; one that deletes the readers registers once more (a new run).
  expectSuccess(await ws.deploy(app({ grant: 'grantRead', readers: 3 })));
  expect(register).toHaveBeenCalledTimes(1);
  expectSuccess(await ws.deploy(app({ grant: 'grantRead', readers: 1 })));
  expect(register).toHaveBeenCalledTimes(2);
});

test('with --endpoint the principal is registered through the control endpoint', async () => {
  const denied = await deployLocal({ assemblyDir: ws.synth(app({ grant: 'none' })), stateFile: ws.stateFile, endpoint: running.url, controlToken: running.controlToken });
  expect(denied.success).toBe(false);
  expect(running.emulator.listPrincipals()).toHaveLength(1);
  expect(running.emulator.calls().find((c) => c.operation === 'GetSecretValue')?.authorization?.denied).toMatch(ACCESS_DENIED);
  expectSuccess(await deployLocal({ assemblyDir: ws.synth(app({ grant: 'grantRead' })), stateFile: ws.stateFile, endpoint: running.url, controlToken: running.controlToken }));
});

test('a function whose role the runner did not deploy keeps the unrestricted test credentials, with a warning', async () => {
  const report = expectSuccess(await ws.deploy(app({ grant: 'imported-role' })));
  expect(report.warnings).toContainEqual(expect.stringMatching(/^Reader[0-9A-F]+: its role arn:aws:iam::123456789012:role\/made-elsewhere was not deployed by the runner/));
  const read = running.emulator.calls().find((c) => c.operation === 'GetSecretValue');
  expect(read?.status).toBe(200);
  expect(read).not.toHaveProperty('authorization');
  expect(running.emulator.listPrincipals()).toEqual([]);
});

test("the role's statements: inline policies, attached policies, its customer managed policies; AWS managed ones are left out", () => {
  const statement = (action: string) => ({ Effect: 'Allow', Action: action, Resource: '*' });
  const resource = (type: string, physicalId: string, properties: Record<string, unknown>): ResourceState => ({ type, physicalId, properties, attributes: {}, dependencies: [] });
  const role = resource('AWS::IAM::Role', 'Stack-Role-1', {
    ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole', 'arn:aws:iam::123456789012:policy/Custom'],
    Policies: [{ PolicyName: 'inline', PolicyDocument: { Statement: [statement('a:Inline')] } }],
  });
  const entries = [
    role,
    resource('AWS::IAM::Policy', 'Stack-Default-1', { Roles: ['Stack-Role-1'], PolicyDocument: { Statement: [statement('a:Attached'), statement('a:Attached2')] } }),
    resource('AWS::IAM::Policy', 'Stack-Other-1', { Roles: ['Stack-Other-Role'], PolicyDocument: { Statement: [statement('a:OtherRole')] } }),
    resource('AWS::IAM::ManagedPolicy', 'arn:aws:iam::123456789012:policy/Custom', { PolicyDocument: { Statement: statement('a:ByArn') } }),
    resource('AWS::IAM::ManagedPolicy', 'arn:aws:iam::123456789012:policy/Attached', { Roles: ['Stack-Role-1'], PolicyDocument: { Statement: [statement('a:ByRoles')] } }),
  ];
  expect(roleStatements(role, entries).map((s) => (s as { Action: string }).Action)).toEqual(['a:Inline', 'a:Attached', 'a:Attached2', 'a:ByArn', 'a:ByRoles']);
});
