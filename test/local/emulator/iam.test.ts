import {
  ChimeSDKIdentityClient,
  CreateAppInstanceAdminCommand,
  CreateAppInstanceCommand,
  CreateAppInstanceUserCommand,
  DescribeAppInstanceCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateNetworkCommand, GetNetworkCommand, ListNetworksCommand, UpdateNetworkCommand, WickrClient } from '../../../lambda/wickr/client';
import { DefaultServices, PolicyStatement, RunningEmulator, startEmulator } from '../../../local/emulator';
import { checkStatements, denialMessage, evaluate } from '../../../local/emulator/iam';
import { control as controlCall, signedRequest } from './core-fakes';

/**
 * IAM in the twin: policy evaluation as IAM does it for identity-based policies, and calls
 * signed by a registered principal authorized before they run, with each service's own
 * access-denied error.
 */

describe('policy evaluation', () => {
  const allow = (Action: string | string[], Resource: string | string[] = '*', extra: Partial<PolicyStatement> = {}): PolicyStatement => ({ Effect: 'Allow', Action, Resource, ...extra });
  const NETWORK = 'arn:aws:wickr:us-east-1:123456789012:network/12345678';
  const INSTANCE = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc';

  test('actions: * and ? wildcards, case-insensitive; a list matches any', () => {
    expect(evaluate([allow('wickr:Get*')], 'wickr:GetNetwork', NETWORK)).toBe('allow');
    expect(evaluate([allow('wickr:Get*')], 'wickr:ListNetworks', NETWORK)).toBe('implicit-deny');
    expect(evaluate([allow('WICKR:getnetwork')], 'wickr:GetNetwork', NETWORK)).toBe('allow');
    expect(evaluate([allow('secretsmanager:?etSecretValue')], 'secretsmanager:GetSecretValue', '*')).toBe('allow');
    expect(evaluate([allow('secretsmanager:?etSecretValue')], 'secretsmanager:PutSecretValue', '*')).toBe('implicit-deny');
    expect(evaluate([allow('secretsmanager:?SecretValue')], 'secretsmanager:GetSecretValue', '*')).toBe('implicit-deny');
    expect(evaluate([allow(['chime:Describe*', 'wickr:GetNetwork'])], 'wickr:GetNetwork', NETWORK)).toBe('allow');
    expect(evaluate([allow('*')], 'anything:AtAll', NETWORK)).toBe('allow');
    // The old wrong action name grants nothing for the right one.
    expect(evaluate([allow('wickr:UpdateNetwork')], 'wickr:UpdateNetworkDetails', NETWORK)).toBe('implicit-deny');
  });

  test('resources: * and ? wildcards, case-sensitive, * spans slashes', () => {
    expect(evaluate([allow('wickr:GetNetwork', 'arn:aws:wickr:us-east-1:123456789012:network/*')], 'wickr:GetNetwork', NETWORK)).toBe('allow');
    expect(evaluate([allow('wickr:GetNetwork', 'arn:aws:wickr:us-east-1:123456789012:network/1234567?')], 'wickr:GetNetwork', NETWORK)).toBe('allow');
    expect(evaluate([allow('wickr:GetNetwork', 'arn:aws:wickr:us-east-1:123456789012:network/123456?')], 'wickr:GetNetwork', NETWORK)).toBe('implicit-deny');
    expect(evaluate([allow('wickr:GetNetwork', 'arn:aws:wickr:us-east-1:123456789012:NETWORK/*')], 'wickr:GetNetwork', NETWORK)).toBe('implicit-deny');
    expect(evaluate([allow('wickr:GetNetwork', 'arn:aws:wickr:eu-west-1:123456789012:network/*')], 'wickr:GetNetwork', NETWORK)).toBe('implicit-deny');
    expect(evaluate([allow('chime:DescribeAppInstanceUser', `${INSTANCE}/*`)], 'chime:DescribeAppInstanceUser', `${INSTANCE}/user/alice`)).toBe('allow');
    expect(evaluate([allow('chime:DescribeAppInstanceUser', 'arn:aws:chime:*:*:app-instance/*')], 'chime:DescribeAppInstanceUser', `${INSTANCE}/user/alice`)).toBe('allow');
  });

  test('an action evaluated against * (no resource type) is granted only by a pattern matching the string *', () => {
    expect(evaluate([allow('chime:CreateAppInstance', 'arn:aws:chime:us-east-1:123456789012:app-instance/*')], 'chime:CreateAppInstance', '*')).toBe('implicit-deny');
    expect(evaluate([allow('chime:CreateAppInstance', 'arn:aws:chime:*')], 'chime:CreateAppInstance', '*')).toBe('implicit-deny');
    expect(evaluate([allow('chime:CreateAppInstance', '*')], 'chime:CreateAppInstance', '*')).toBe('allow');
    expect(evaluate([{ Effect: 'Allow', Action: 'chime:CreateAppInstance', NotResource: `${INSTANCE}` }], 'chime:CreateAppInstance', '*')).toBe('allow');
  });

  test('NotAction and NotResource grant everything else', () => {
    const statements: PolicyStatement[] = [{ Effect: 'Allow', NotAction: ['wickr:Delete*'], Resource: '*' }];
    expect(evaluate(statements, 'wickr:GetNetwork', NETWORK)).toBe('allow');
    expect(evaluate(statements, 'wickr:DeleteNetwork', NETWORK)).toBe('implicit-deny');
    const notResource: PolicyStatement[] = [{ Effect: 'Allow', Action: 'wickr:*', NotResource: 'arn:aws:wickr:us-east-1:123456789012:network/9*' }];
    expect(evaluate(notResource, 'wickr:GetNetwork', NETWORK)).toBe('allow');
    expect(evaluate(notResource, 'wickr:GetNetwork', 'arn:aws:wickr:us-east-1:123456789012:network/98765432')).toBe('implicit-deny');
  });

  test('an explicit Deny wins over any Allow; no statement is an implicit deny', () => {
    const statements: PolicyStatement[] = [allow('*'), { Effect: 'Deny', Action: 'wickr:DeleteNetwork', Resource: NETWORK }];
    expect(evaluate(statements, 'wickr:DeleteNetwork', NETWORK)).toBe('explicit-deny');
    expect(evaluate(statements, 'wickr:DeleteNetwork', 'arn:aws:wickr:us-east-1:123456789012:network/87654321')).toBe('allow');
    expect(evaluate([], 'wickr:GetNetwork', NETWORK)).toBe('implicit-deny');
  });

  test('what the emulator cannot evaluate: an Allow with a Condition or a policy variable grants nothing; such a Deny still denies', () => {
    const condition = { StringEquals: { 'aws:ResourceTag/team': 'ops' } };
    expect(evaluate([allow('wickr:GetNetwork', '*', { Condition: condition })], 'wickr:GetNetwork', NETWORK)).toBe('implicit-deny');
    expect(evaluate([allow('*'), { Effect: 'Deny', Action: 'wickr:GetNetwork', Resource: '*', Condition: condition }], 'wickr:GetNetwork', NETWORK)).toBe('explicit-deny');
    expect(evaluate([allow('wickr:GetNetwork', 'arn:aws:wickr:us-east-1:123456789012:network/${aws:username}')], 'wickr:GetNetwork', NETWORK)).toBe('implicit-deny');
    expect(evaluate([allow('*'), { Effect: 'Deny', Action: 'wickr:*', Resource: 'arn:aws:wickr:us-east-1:123456789012:network/${aws:username}' }], 'wickr:GetNetwork', NETWORK)).toBe(
      'explicit-deny',
    );
    // ${*} is the escape for a literal asterisk, not a wildcard.
    expect(evaluate([allow('s3:GetObject', 'arn:aws:s3:::b/${*}')], 's3:GetObject', 'arn:aws:s3:::b/*')).toBe('allow');
    expect(evaluate([allow('s3:GetObject', 'arn:aws:s3:::b/${*}')], 's3:GetObject', 'arn:aws:s3:::b/key')).toBe('implicit-deny');
  });

  test("AWS's messages for both kinds of denial", () => {
    const who = 'arn:aws:sts::123456789012:assumed-role/Role/Fn';
    expect(denialMessage(who, 'wickr:GetNetwork', NETWORK, 'implicit-deny')).toBe(
      `User: ${who} is not authorized to perform: wickr:GetNetwork on resource: ${NETWORK} because no identity-based policy allows the wickr:GetNetwork action`,
    );
    expect(denialMessage(who, 'wickr:GetNetwork', NETWORK, 'explicit-deny')).toBe(
      `User: ${who} is not authorized to perform: wickr:GetNetwork on resource: ${NETWORK} with an explicit deny in an identity-based policy`,
    );
  });

  test('malformed statements are refused with the reason', () => {
    expect(checkStatements([allow('wickr:GetNetwork')])).toBeUndefined();
    expect(checkStatements({})).toBe('statements must be a list of policy statements');
    expect(checkStatements([{ Effect: 'Allow', Action: 'wickr:GetNetwork', Resource: '*', Principal: '*' }])).toMatch(/^statement 0 has the field Principal/);
    expect(checkStatements([{ Effect: 'allow', Action: 'a:b', Resource: '*' }])).toBe('statement 0: Effect must be Allow or Deny, not "allow"');
    expect(checkStatements([{ Effect: 'Allow', Action: 'a:b', NotAction: 'a:c', Resource: '*' }])).toBe('statement 0 must have exactly one of Action and NotAction');
    expect(checkStatements([{ Effect: 'Allow', Action: 'a:b' }])).toBe('statement 0 must have exactly one of Resource and NotResource');
    expect(checkStatements([{ Effect: 'Allow', Action: [], Resource: '*' }])).toMatch(/Action must be a non-empty/);
    expect(checkStatements([{ Effect: 'Allow', Action: 'GetNetwork', Resource: '*' }])).toMatch(/"GetNetwork" is not an action/);
  });
});

describe('over the wire', () => {
  const ACCOUNT = '123456789012';
  const ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/ProviderRole/ProviderFn`;
  const KEY = { accessKeyId: 'AKIALOCALPROVIDER01', secretAccessKey: 'local-secret-of-the-provider' };
  let running: RunningEmulator<DefaultServices>;

  beforeAll(async () => {
    running = await startEmulator({ port: 0, seed: 9 });
  });
  afterAll(() => running.close());
  beforeEach(() => running.emulator.reset());

  const grant = (statements: PolicyStatement[]) => running.emulator.registerPrincipal(KEY.accessKeyId, { secretAccessKey: KEY.secretAccessKey, arn: ROLE, statements });
  const wickrAs = (credentials = KEY) => new WickrClient({ endpoint: running.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  const chimeAs = (credentials = KEY) => new ChimeSDKIdentityClient({ region: 'us-east-1', endpoint: running.url, credentials, maxAttempts: 1 });
  const secretsAs = (credentials = KEY) => new SecretsManagerClient({ region: 'us-east-1', endpoint: running.url, credentials, maxAttempts: 1 });
  const TEST = { accessKeyId: 'test', secretAccessKey: 'test' };
  const networkArn = (id: string) => `arn:aws:wickr:us-east-1:${ACCOUNT}:network/${id}`;
  const fail = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

  test('control endpoints: PUT registers, GET lists without the secret, DELETE forgets; a bad principal is 400', async () => {
    const control = (method: string, route: string, body?: unknown) => controlCall(running, method, route, body);
    const statements = [{ Effect: 'Allow', Action: 'wickr:ListNetworks', Resource: '*' }];
    const put = await control('PUT', `principals/${KEY.accessKeyId}`, { ...KEY, accessKeyId: undefined, arn: ROLE, statements });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ accessKeyId: KEY.accessKeyId, arn: ROLE, statements });
    expect((await control('GET', 'principals')).json).toEqual([{ accessKeyId: KEY.accessKeyId, arn: ROLE, statements }]);
    expect((await control('GET', 'principals')).text).not.toContain(KEY.secretAccessKey);
    expect((await wickrAs().send(new ListNetworksCommand({}))).networks).toEqual([]);

    const bad = await control('PUT', 'principals/test', { secretAccessKey: 'x', arn: ROLE, statements });
    expect(bad).toMatchObject({ status: 400, json: { message: expect.stringContaining("the emulator's unrestricted test credentials") } });
    const malformed = await control('PUT', `principals/${KEY.accessKeyId}`, { secretAccessKey: 'x', arn: ROLE, statements: [{ Effect: 'Allow', Action: 'wickr:*' }] });
    expect(malformed).toMatchObject({ status: 400, json: { message: 'invalid principal: statement 0 must have exactly one of Resource and NotResource' } });

    expect((await control('DELETE', `principals/${KEY.accessKeyId}`)).status).toBe(200);
    expect((await control('DELETE', `principals/${KEY.accessKeyId}`)).status).toBe(404);
    const unknown = await fail(wickrAs().send(new ListNetworksCommand({})));
    expect(unknown).toMatchObject({ $metadata: { httpStatusCode: 403 }, message: 'The security token included in the request is invalid.' });
  });

  test('a registered key signs with its own secret: another secret is a signature mismatch', async () => {
    grant([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    const wrong = await fail(chimeAs({ ...KEY, secretAccessKey: 'test' }).send(new CreateAppInstanceCommand({ Name: 'x', ClientRequestToken: 'tok-x' })));
    expect(wrong).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
  });

  test('Wickr: UpdateNetwork needs wickr:UpdateNetworkDetails on the network (403 ForbiddenError otherwise); the test credentials stay unrestricted', async () => {
    grant([
      { Effect: 'Allow', Action: ['wickr:CreateNetwork', 'wickr:GetNetwork', 'wickr:UpdateNetwork'], Resource: `arn:aws:wickr:us-east-1:${ACCOUNT}:network/*` },
      { Effect: 'Allow', Action: 'wickr:ListNetworks', Resource: '*' },
    ]);
    const networkId = (await wickrAs().send(new CreateNetworkCommand({ networkName: 'ops', accessLevel: 'STANDARD' }))).networkId as string;
    expect((await wickrAs().send(new GetNetworkCommand({ networkId }))).networkName).toBe('ops');
    expect((await wickrAs().send(new ListNetworksCommand({}))).networks).toHaveLength(1);

    const denied = await fail(wickrAs().send(new UpdateNetworkCommand({ networkId, networkName: 'renamed' })));
    expect(denied).toMatchObject({
      name: 'ForbiddenError',
      $metadata: { httpStatusCode: 403 },
      message: `User: ${ROLE} is not authorized to perform: wickr:UpdateNetworkDetails on resource: ${networkArn(networkId)} because no identity-based policy allows the wickr:UpdateNetworkDetails action`,
    });
    expect(running.emulator.services.wickr.store.exportState().networks[networkId].networkName).toBe('ops'); // it did not run
    const call = running.emulator.calls().at(-1);
    expect(call).toMatchObject({ operation: 'UpdateNetwork', status: 403, authorization: { principal: ROLE, denied: (denied as Error).message } });

    await wickrAs(TEST).send(new UpdateNetworkCommand({ networkId, networkName: 'by-test' }));
    expect(running.emulator.calls().at(-1)).not.toHaveProperty('authorization');
    grant([{ Effect: 'Allow', Action: 'wickr:UpdateNetworkDetails', Resource: networkArn(networkId) }]);
    await wickrAs().send(new UpdateNetworkCommand({ networkId, networkName: 'renamed' }));
    expect(running.emulator.services.wickr.store.exportState().networks[networkId].networkName).toBe('renamed');
    // Scoped to that one network: ListNetworks (resource *) and CreateNetwork (network/*) are not granted by it.
    expect(await fail(wickrAs().send(new ListNetworksCommand({})))).toMatchObject({ message: expect.stringContaining('wickr:ListNetworks on resource: * because') });
    expect(await fail(wickrAs().send(new CreateNetworkCommand({ networkName: 'two', accessLevel: 'STANDARD' })))).toMatchObject({
      message: expect.stringContaining(`wickr:CreateNetwork on resource: arn:aws:wickr:us-east-1:${ACCOUNT}:network/* because`),
    });
  });

  test('Chime: creates are authorized on * only; tags need chime:TagResource; an admin call needs both ARNs (403 ForbiddenException)', async () => {
    const instances = `arn:aws:chime:us-east-1:${ACCOUNT}:app-instance/*`;
    grant([{ Effect: 'Allow', Action: ['chime:CreateAppInstance', 'chime:DescribeAppInstance'], Resource: instances }]);
    const scoped = await fail(chimeAs().send(new CreateAppInstanceCommand({ Name: 'chat', ClientRequestToken: 'tok-1' })));
    expect(scoped).toMatchObject({
      name: 'ForbiddenException',
      Code: 'Forbidden',
      $metadata: { httpStatusCode: 403 },
      message: `User: ${ROLE} is not authorized to perform: chime:CreateAppInstance on resource: * because no identity-based policy allows the chime:CreateAppInstance action`,
    });

    grant([
      { Effect: 'Allow', Action: 'chime:CreateAppInstance', Resource: '*' },
      { Effect: 'Allow', Action: 'chime:DescribeAppInstance', Resource: instances },
    ]);
    const { AppInstanceArn } = await chimeAs().send(new CreateAppInstanceCommand({ Name: 'chat', ClientRequestToken: 'tok-1' }));
    expect((await chimeAs().send(new DescribeAppInstanceCommand({ AppInstanceArn }))).AppInstance?.Name).toBe('chat');
    const tagged = await fail(chimeAs().send(new CreateAppInstanceCommand({ Name: 'tagged', ClientRequestToken: 'tok-2', Tags: [{ Key: 'team', Value: 'ops' }] })));
    expect(tagged).toMatchObject({ message: expect.stringContaining('perform: chime:TagResource on resource: *') });

    const { AppInstanceUserArn } = await chimeAs(TEST).send(new CreateAppInstanceUserCommand({ AppInstanceArn, AppInstanceUserId: 'alice', Name: 'Alice', ClientRequestToken: 'tok-u' }));
    grant([{ Effect: 'Allow', Action: 'chime:CreateAppInstanceAdmin', Resource: AppInstanceArn as string }]);
    const admin = await fail(chimeAs().send(new CreateAppInstanceAdminCommand({ AppInstanceArn, AppInstanceAdminArn: AppInstanceUserArn })));
    expect(admin).toMatchObject({ message: expect.stringContaining(`chime:CreateAppInstanceAdmin on resource: ${AppInstanceUserArn} because`) });
    grant([{ Effect: 'Allow', Action: 'chime:CreateAppInstanceAdmin', Resource: [AppInstanceArn as string, `${AppInstanceArn}/user/*`] }]);
    await chimeAs().send(new CreateAppInstanceAdminCommand({ AppInstanceArn, AppInstanceAdminArn: AppInstanceUserArn }));
  });

  test('Secrets Manager: a name resolves to the full ARN; 400 AccessDeniedException in its JSON style; an explicit deny says so', async () => {
    const arn = running.emulator.secrets.createSecret({ name: 'bot/challenge', secretString: 'hush' });
    const other = running.emulator.secrets.createSecret({ name: 'other', secretString: 'x' });
    grant([{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: arn }]);
    expect((await secretsAs().send(new GetSecretValueCommand({ SecretId: 'bot/challenge' }))).SecretString).toBe('hush');
    expect((await secretsAs().send(new GetSecretValueCommand({ SecretId: arn.slice(0, -7) }))).SecretString).toBe('hush');
    const denied = await fail(secretsAs().send(new GetSecretValueCommand({ SecretId: 'other' })));
    expect(denied).toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
      message: `User: ${ROLE} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${other} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
    });
    const missing = await fail(secretsAs().send(new GetSecretValueCommand({ SecretId: 'absent' })));
    expect(missing).toMatchObject({ message: expect.stringContaining(`on resource: arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:absent-?????? because`) });

    grant([
      { Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' },
      { Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:bot/*` },
    ]);
    expect(await fail(secretsAs().send(new GetSecretValueCommand({ SecretId: arn })))).toMatchObject({
      message: `User: ${ROLE} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${arn} with an explicit deny in an identity-based policy`,
    });
  });

  test('S3: 403 AccessDenied in XML; HeadObject needs s3:GetObject', async () => {
    running.emulator.s3.putObject('assets', 'users/a.csv', 'email\n');
    const get = (method: string) => signedRequest(running.url, { method, path: '/assets/users/a.csv', service: 's3', unsignedPayload: true, ...KEY });
    grant([{ Effect: 'Allow', Action: 's3:GetObject*', Resource: 'arn:aws:s3:::assets/other/*' }]);
    const denied = await get('GET');
    expect(denied.status).toBe(403);
    expect(denied.text).toContain(
      `<Code>AccessDenied</Code><Message>User: ${ROLE} is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::assets/users/a.csv because no identity-based policy allows the s3:GetObject action</Message>`,
    );
    grant([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::assets/*' }]);
    expect((await get('GET')).text).toBe('email\n');
    expect((await get('HEAD')).status).toBe(200);
  });

  test('authorization comes before faults: a denied call is not throttled and does not use up the fault', async () => {
    grant([]);
    running.emulator.addFault({ operation: '*', kind: 'throttle', count: 1 });
    const denied = await fail(wickrAs().send(new ListNetworksCommand({})));
    expect(denied).toMatchObject({ name: 'ForbiddenError', $metadata: { httpStatusCode: 403 } });
    expect(running.emulator.listFaults()).toEqual([{ operation: '*', kind: 'throttle', count: 1 }]);
    expect(running.emulator.calls().map((c) => [c.operation, c.status, c.fault])).toEqual([['ListNetworks', 403, undefined]]);
  });
});
