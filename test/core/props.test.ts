import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  AccessLevel,
  ChimeAppInstance,
  ChimeAppInstanceAdmin,
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
import { newStack } from '../constructs/helpers';

/**
 * Construct errors as a user meets them: every rule violation of the app in one synth
 * error (not only the first), and props that untyped JavaScript gets wrong (missing, or a
 * string where a secret or a construct belongs) named with what is expected, before the
 * construct is built, never as a TypeError from inside the library.
 */
process.env.CDK_VALIDATION = 'false';

/** The message of what `run` throws. */
function thrown(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

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
      '[Test/G] settings.permittedNetworks: applies only with federationMode: FederationMode.RESTRICTED (received ["12345678"])',
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
