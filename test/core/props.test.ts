import { CfnParameter, Duration, Lazy, SecretValue, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  AccessLevel,
  ChimeAppInstance,
  ChimeAppInstanceAdmin,
  ChimeAppInstanceBot,
  ChimeAppInstanceUser,
  ChimeAppInstanceUserEndpoint,
  ChimeEndpointType,
  FederationMode,
  WickrBot,
  WickrNetwork,
  WickrOpenTdfConfig,
  WickrSecurityGroup,
  WickrUsers,
} from '../../lib';
import { newStack, thrown } from '../constructs/helpers';

/**
 * Construct errors as a user meets them: every rule violation of the app in one synth
 * error (not only the first), and props that untyped JavaScript gets wrong (missing, or a
 * string where a secret or a construct belongs) named with what is expected, before the
 * construct is built, never as a TypeError from inside the library.
 */
process.env.CDK_VALIDATION = 'false';

/** Untyped JavaScript: any props at all. */
const untyped = <T>(cls: T) => cls as unknown as new (scope: Stack, id: string, props?: unknown) => unknown;

describe('rule violations are reported together at synth', () => {
  test('four violations of one security group and one of another construct: one synth error names all five', () => {
    const stack = newStack();
    const network = WickrNetwork.fromNetworkId(stack, 'Net', '12345678');
    // Built without an error: the values are checked when the app synthesizes.
    new WickrSecurityGroup(stack, 'G', {
      network,
      name: '',
      settings: { lockoutThreshold: -1, locationAllowMaps: true, locationEnabled: false, permittedNetworks: ['1234'], federationMode: FederationMode.RESTRICTED },
    });
    new WickrNetwork(stack, 'N', { networkName: 'x'.repeat(21), accessLevel: AccessLevel.STANDARD });
    const message = thrown(() => Template.fromStack(stack));
    expect(message.split('\n').filter((l) => l.startsWith('  ['))).toEqual([
      '  [Test/G] name: must be 1 to 64 characters long, got 0 (received "")',
      '  [Test/G] settings.permittedNetworks[0]: must be an 8-digit network id (received "1234")',
      '  [Test/G] settings.locationAllowMaps: applies only with locationEnabled: true (received true)',
      '  [Test/G] settings.lockoutThreshold: must be a whole number from 0 to 9007199254740991 (received -1)',
      '  [Test/N] networkName: must be 1 to 20 characters long, got 21 (received "xxxxxxxxxxxxxxxxxxxxx")',
    ]);
  });

  test('permittedNetworks without federationMode RESTRICTED fails at synth, as the README says', () => {
    const stack = newStack();
    const network = WickrNetwork.fromNetworkId(stack, 'Net', '12345678');
    new WickrSecurityGroup(stack, 'G', { network, name: 'g', settings: { permittedNetworks: ['12345678'] } });
    expect(thrown(() => Template.fromStack(stack))).toContain(
      '[Test/G] settings.permittedNetworks: applies only with federationMode: FederationMode.RESTRICTED (2), which is not given (received ["12345678"])',
    );
  });
});

describe('props untyped JavaScript gets wrong are named at once, with what is expected', () => {
  test.each<[string, (stack: Stack) => unknown, string]>([
    ['no props at all', (s) => new (untyped(WickrNetwork))(s, 'N'),
      '[Test/N] networkName: required, a string; accessLevel: required, one of AccessLevel.STANDARD, AccessLevel.PREMIUM'],
    ['a network without accessLevel', (s) => new (untyped(WickrNetwork))(s, 'N', { networkName: 'ops' }),
      '[Test/N] accessLevel: required, one of AccessLevel.STANDARD, AccessLevel.PREMIUM'],
    ['a user without its app instance and id', (s) => new (untyped(ChimeAppInstanceUser))(s, 'U', { name: 'Ann' }),
      '[Test/U] appInstance: required, a Chime app instance (a ChimeAppInstance, or ChimeAppInstance.fromAppInstanceArn(...)); appInstanceUserId: required, a string'],
    ['an admin given a user id string', (s) => new (untyped(ChimeAppInstanceAdmin))(s, 'A', { appInstance: new ChimeAppInstance(s, 'Chat', { name: 'c' }), admin: 'ann' }),
      '[Test/A] admin: must be a user or bot of the app instance (a ChimeAppInstanceUser or ChimeAppInstanceBot, or ChimeAppInstanceMember.fromArn(arn)) (received "ann")'],
    ['users given a network id string', (s) => new (untyped(WickrUsers))(s, 'U', { network: '12345678', users: [] }),
      '[Test/U] network: must be a Wickr network (a WickrNetwork, or WickrNetwork.fromNetworkId(...)) (received "12345678")'],
  ])('%s', (_name, build, message) => {
    expect(thrown(() => build(newStack()))).toBe(message);
  });

  test('a secret value where a secret belongs is refused without showing the value', () => {
    const stack = newStack();
    const network = WickrNetwork.fromNetworkId(stack, 'Net', '12345678');
    const message = thrown(() => new (untyped(WickrBot))(stack, 'B', { network, username: 'alertsbot', challenge: 'hunter2-challenge' }));
    expect(message).toBe(
      '[Test/B] challenge: must be a Secrets Manager secret (secretsmanager.ISecret, such as Secret.fromSecretNameV2(...); never the secret value itself) (received a string, not shown)',
    );
    const tdf = thrown(() => new (untyped(WickrOpenTdfConfig))(stack, 'T', { network, clientId: 'c', domain: 'tdf.example.com', clientSecret: 's3cr3t-value' }));
    expect(tdf).toContain('clientSecret: must be a Secrets Manager secret');
    expect(tdf).not.toContain('s3cr3t-value');
  });

  test('an endpoint: every missing or mistyped prop in one error', () => {
    const stack = newStack();
    const chat = new ChimeAppInstance(stack, 'Chat', { name: 'c' });
    const user = new ChimeAppInstanceUser(stack, 'Ann', { appInstance: chat, appInstanceUserId: 'ann', name: 'Ann' });
    const message = thrown(() => new (untyped(ChimeAppInstanceUserEndpoint))(stack, 'E', { user, deviceToken: 'apns-token', voipDeviceToken: 42 }));
    expect(message).toBe(
      '[Test/E] type: required, one of ChimeEndpointType.APNS, ChimeEndpointType.APNS_SANDBOX, ChimeEndpointType.GCM; pinpointApplicationArn: required, a string; ' +
        'deviceToken: must be a Secrets Manager secret (secretsmanager.ISecret, such as Secret.fromSecretNameV2(...); never the secret value itself) (received a string, not shown); ' +
        'voipDeviceToken: must be a Secrets Manager secret (secretsmanager.ISecret, such as Secret.fromSecretNameV2(...); never the secret value itself) (received a number, not shown)',
    );
    // The same construct, typed and complete, builds.
    const token = secretsmanager.Secret.fromSecretNameV2(stack, 'Token', 'device');
    expect(() => new ChimeAppInstanceUserEndpoint(stack, 'Ok', { user, type: ChimeEndpointType.GCM, pinpointApplicationArn: 'arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc', deviceToken: token })).not.toThrow();
  });
});

describe('what code written for 0.1.0, or untyped, gives: a named error, never a TypeError', () => {
  const network = (s: Stack) => WickrNetwork.fromNetworkId(s, 'Net', '12345678');
  test.each<[string, (stack: Stack) => unknown, string]>([
    ['a group id string for a user (0.1.0)', (s) => new WickrUsers(s, 'U', { network: network(s), users: [{ username: 'a@x.com', securityGroup: 'sg-1' as never }] }),
      '[Test/U] users[0].securityGroup: must be a Wickr security group (a WickrSecurityGroup, or WickrSecurityGroup.fromSecurityGroupId(...) for a group id) (received "sg-1")'],
    ['a group id string in securityGroups (0.1.0)', (s) => new WickrUsers(s, 'U', { network: network(s), users: [], securityGroups: { ops: 'sg-1' as never } }),
      '[Test/U] securityGroups.ops: must be a Wickr security group'],
    ['seconds as a number for maxTtl (0.1.0)', (s) => new WickrSecurityGroup(s, 'G', { network: network(s), name: 'g', settings: { maxTtl: 3600 as never } }),
      '[Test/G] settings.maxTtl: must be a Duration (Duration.days(n), Duration.minutes(n), ...; not a number) (received 3600)'],
    ['a path where a UsersFile belongs', (s) => new WickrUsers(s, 'U', { network: network(s), usersFile: 'users.csv' as never }),
      '[Test/U] usersFile: must be a UsersFile (UsersFile.fromCsv(path) or UsersFile.fromJson(path), not a path) (received "users.csv")'],
    ['users not a list', (s) => new WickrUsers(s, 'U', { network: network(s), users: 'a@x.com' as never }), '[Test/U] users: must be a list (received "a@x.com")'],
    ['a user that is null', (s) => new WickrUsers(s, 'U', { network: network(s), users: [null as never] }), '[Test/U] users[0].username: required, a string'],
    ['permittedNetworks a string', (s) => new WickrSecurityGroup(s, 'G', { network: network(s), name: 'g', settings: { permittedNetworks: '12345678' as never } }),
      '[Test/G] settings.permittedNetworks: must be a list of strings (received "12345678")'],
    ['group settings a string', (s) => new WickrSecurityGroup(s, 'G', { network: network(s), name: 'g', settings: 'x' as never }),
      '[Test/G] settings: must be the group settings (SecurityGroupSettings), an object (received "x")'],
    ['a key ARN where a key belongs', (s) => new WickrNetwork(s, 'N', { networkName: 'n', accessLevel: AccessLevel.STANDARD, encryptionKey: 'arn:aws:kms:us-east-1:123456789012:key/k' as never }),
      '[Test/N] encryptionKey: must be a KMS key (kms.IKey, such as a kms.Key or kms.Key.fromKeyArn(...)) (received "arn:aws:kms:us-east-1:123456789012:key/k")'],
    ['a Lex configuration without its locale', (s) => new ChimeAppInstanceBot(s, 'B', { appInstance: new ChimeAppInstance(s, 'C', { name: 'c' }), lex: { botAliasArn: 'x', invokedBy: 'ALL' } as never }),
      '[Test/B] lex.localeId: required, a string; lex.invokedBy: must be the messages that invoke the bot (LexInvokedBy), an object (received "ALL")'],
    ['metadata a number', (s) => new ChimeAppInstance(s, 'C', { name: 'c', metadata: 5 as never }), '[Test/C] metadata: must be a string (received 5)'],
  ])('%s', (_name, build, message) => {
    expect(thrown(() => build(newStack()))).toContain(message);
  });

  test('a SecretValue where a secret belongs: refused at once, named by its kind, its value in no message', () => {
    const stack = newStack();
    const message = thrown(() => new WickrBot(stack, 'B', { network: network(stack), username: 'alertsbot', challenge: SecretValue.unsafePlainText('hunter2-challenge') as never }));
    expect(message).toContain('[Test/B] challenge: must be a Secrets Manager secret');
    expect(message).toContain('(received a SecretValue, not shown)');
    expect(message).not.toContain('hunter2');
  });
});

describe('values known only at deploy time', () => {
  test('a token Duration in another unit than the API counts in is a synth error that says so, not a crash', () => {
    const stack = newStack();
    const minutes = new CfnParameter(stack, 'Minutes', { type: 'Number' }).valueAsNumber;
    new WickrSecurityGroup(stack, 'G', { network: WickrNetwork.fromNetworkId(stack, 'Net', '12345678'), name: 'g', settings: { maxTtl: Duration.minutes(minutes) } });
    expect(thrown(() => Template.fromStack(stack))).toContain('[Test/G] settings.maxTtl: a token duration must be given in seconds (Duration.seconds(token)) (received "<token> minutes")');
  });

  test('a token federation mode, a list parameter of networks and a token lockout threshold pass synth, and reach the template', () => {
    const stack = newStack();
    const mode = new CfnParameter(stack, 'Mode', { type: 'Number' }).valueAsNumber;
    const networks = new CfnParameter(stack, 'Networks', { type: 'CommaDelimitedList' }).valueAsList;
    const threshold = Token.asNumber(Lazy.number({ produce: () => 9 }));
    const idle = new CfnParameter(stack, 'Idle', { type: 'Number' }).valueAsNumber;
    new WickrSecurityGroup(stack, 'G', {
      network: WickrNetwork.fromNetworkId(stack, 'Net', '12345678'),
      name: 'g',
      settings: { federationMode: mode, permittedNetworks: networks, lockoutThreshold: threshold, forceDeviceLockout: 3, ssoMaxIdle: Duration.minutes(idle) },
    });
    const settings = Object.values(Template.fromStack(stack).findResources('Custom::WickrSecurityGroup'))[0].Properties.Settings;
    expect(settings).toMatchObject({ federationMode: { Ref: 'Mode' }, permittedNetworks: { Ref: 'Networks' }, lockoutThreshold: 9, forceDeviceLockout: 3, ssoMaxIdleMinutes: { Ref: 'Idle' } });
  });
});
