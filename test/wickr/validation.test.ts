import { Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  AccessLevel,
  AutoDownloadSize,
  FederationMode,
  IWickrNetwork,
  SecurityGroupSettings,
  ShredderIntensity,
  WickrBot,
  WickrDataRetentionBot,
  WickrNetwork,
  WickrNetworkSettings,
  WickrOidcConfig,
  WickrOpenTdfConfig,
  WickrSecurityGroup,
} from '../../lib';
import { newStack } from '../constructs/helpers';

/**
 * Synth-time validation across the Wickr family: each case fails `cdk synth` with the
 * construct path, the prop, the value received and the rule.
 */
type Build = (stack: Stack, network: IWickrNetwork, secret: secretsmanager.ISecret) => void;

const group = (settings: SecurityGroupSettings): Build => (stack, network) => new WickrSecurityGroup(stack, 'G', { network, name: 'g', settings });

const cases: Array<[string, Build, string]> = [
  ['network name too long', (s) => new WickrNetwork(s, 'N', { networkName: 'x'.repeat(21), accessLevel: AccessLevel.STANDARD }), '[Test/N] networkName: must be 1 to 20 characters long, got 21 (received "xxxxxxxxxxxxxxxxxxxxx")'],
  ['network name empty', (s) => new WickrNetwork(s, 'N', { networkName: '', accessLevel: AccessLevel.STANDARD }), '[Test/N] networkName: must be 1 to 20 characters long, got 0'],
  ['network name like a marker', (s) => new WickrNetwork(s, 'N', { networkName: 'pending-0123456789ab', accessLevel: AccessLevel.STANDARD }), 'networkName: must not look like "pending-"'],
  ['access level unknown', (s) => new WickrNetwork(s, 'N', { networkName: 'n', accessLevel: 'GOLD' as AccessLevel }), '[Test/N] accessLevel: must be one of AccessLevel.STANDARD, AccessLevel.PREMIUM (received "GOLD")'],
  ['consent popup header > 100', (s, network) => new WickrNetworkSettings(s, 'S', { network, settings: { consentPopup: { enabled: true, header: 'h'.repeat(101) } } }), '[Test/S] settings.consentPopup.header: must be 0 to 100 characters long, got 101'],
  ['consent popup content > 5000', (s, network) => new WickrNetworkSettings(s, 'S', { network, settings: { consentPopup: { enabled: true, content: 'c'.repeat(5001) } } }), 'settings.consentPopup.content: must be 0 to 5000 characters long, got 5001'],
  ['consent popup close label > 20', (s, network) => new WickrNetworkSettings(s, 'S', { network, settings: { consentPopup: { enabled: true, closeButtonLabel: 'l'.repeat(21) } } }), 'settings.consentPopup.closeButtonLabel: must be 0 to 20 characters long, got 21'],
  ['settings on WickrNetwork checked too', (s) => new WickrNetwork(s, 'N', { networkName: 'n', accessLevel: AccessLevel.STANDARD, settings: { consentPopup: { enabled: true, closeButtonLabel: 'l'.repeat(30) } } }), '[Test/N] settings.consentPopup.closeButtonLabel'],
  ['group name empty', (s, network) => new WickrSecurityGroup(s, 'G', { network, name: '' }), '[Test/G] name: must be 1 to 64 characters long, got 0'],
  ['group name too long', (s, network) => new WickrSecurityGroup(s, 'G', { network, name: 'g'.repeat(65) }), 'name: must be 1 to 64 characters long, got 65'],
  ['shredder intensity', group({ shredder: { intensity: 50 as ShredderIntensity } }), '[Test/G] settings.shredder.intensity: must be one of ShredderIntensity.OFF (0), ShredderIntensity.LOW (20), ShredderIntensity.MEDIUM (60), ShredderIntensity.HIGH (100) (received 50)'],
  ['auto download size', group({ maxAutoDownloadSize: 1000 as AutoDownloadSize }), 'settings.maxAutoDownloadSize: must be one of AutoDownloadSize.SMALL (512000), AutoDownloadSize.LARGE (7340032) (received 1000)'],
  ['auto download without file download', group({ maxAutoDownloadSize: AutoDownloadSize.SMALL, enableFileDownload: false }), 'settings.maxAutoDownloadSize: applies only with enableFileDownload: true (received AutoDownloadSize.SMALL (512000))'],
  ['federation mode unknown', group({ federationMode: 3 as FederationMode }), 'settings.federationMode: must be one of FederationMode.NONE (0), FederationMode.FEDERATED (1), FederationMode.RESTRICTED (2) (received 3)'],
  ['permitted networks without restricted mode', group({ federationMode: FederationMode.FEDERATED, permittedNetworks: ['12345678'] }), 'settings.permittedNetworks: applies only with federationMode: FederationMode.RESTRICTED (2), not FederationMode.FEDERATED (1) (received ["12345678"])'],
  ['permitted AWS networks without restricted mode', group({ federationMode: FederationMode.NONE, permittedWickrAwsNetworks: [{ networkId: '12345678', region: 'us-east-1' }] }), 'settings.permittedWickrAwsNetworks: applies only with federationMode'],
  ['permitted network id not 8 digits', group({ federationMode: FederationMode.RESTRICTED, permittedNetworks: ['1234'] }), 'settings.permittedNetworks[0]: must be an 8-digit network id (received "1234")'],
  ['guest federation without global federation', group({ enableGuestFederation: true, globalFederation: false }), 'settings.enableGuestFederation: true needs globalFederation: true in the same settings; globalFederation is false: set globalFederation: true (received true)'],
  ['restricted global federation without global federation', group({ enableRestrictedGlobalFederation: true, globalFederation: false }), 'settings.enableRestrictedGlobalFederation: true needs globalFederation: true in the same settings'],
  ['video calls without 1:1 calls', group({ calling: { canVideoCall: true, canStart11Call: false } }), 'settings.calling.canVideoCall: applies only with calling.canStart11Call: true'],
  ['maps without location', group({ locationAllowMaps: true, locationEnabled: false }), 'settings.locationAllowMaps: applies only with locationEnabled: true'],
  ['forced open access without the option', group({ forceOpenAccess: true, enableOpenAccessOption: false }), 'settings.forceOpenAccess: true needs enableOpenAccessOption: true in the same settings; enableOpenAccessOption is false: set enableOpenAccessOption: true (received true)'],
  ['device lockout not below the threshold', group({ forceDeviceLockout: 5, lockoutThreshold: 5 }), 'settings.forceDeviceLockout: must be less than lockoutThreshold (5) (received 5)'],
  ['non-SSO session between 1 and 59 minutes', group({ maxNonSsoSession: Duration.minutes(30) }), 'settings.maxNonSsoSession: must be from 60 to 525600 whole minutes (received "30 minutes")'],
  ['non-SSO session too long', group({ maxNonSsoSession: Duration.minutes(525601) }), 'settings.maxNonSsoSession: must be from 60 to 525600 whole minutes'],
  ['non-SSO session not whole minutes', group({ maxNonSsoSession: Duration.seconds(3630) }), 'settings.maxNonSsoSession: must be a whole number of minutes (use Duration.minutes(n)) (received "1 hour 30 seconds")'],
  ['SSO idle not whole minutes', group({ ssoMaxIdle: Duration.seconds(90) }), 'settings.ssoMaxIdle: must be a whole number of minutes'],
  ['negative lockout threshold', group({ lockoutThreshold: -1 }), 'settings.lockoutThreshold: must be a whole number from 0'],
  ['fractional max TTL', group({ maxTtl: Duration.millis(1500) }), 'settings.maxTtl: must be a whole number of seconds'],
  ['negative password minimum', group({ passwordRequirements: { minLength: -2 } }), 'settings.passwordRequirements.minLength: must be a whole number from 0 to 1000'],
  ['bot username without "bot"', (s, network, secret) => new WickrBot(s, 'B', { network, username: 'alerts', challenge: secret }), '[Test/B] username: must be a username ending in "bot" (received "alerts")'],
  ['bot in a group of another network', (s, network, secret) => {
    const other = WickrNetwork.fromNetworkId(s, 'Other', '87654321');
    new WickrBot(s, 'B', { network, username: 'alertsbot', challenge: secret, securityGroup: WickrSecurityGroup.fromSecurityGroupId(s, 'OtherGroup', other, 'sg-1') });
  }, '[Test/B] securityGroup: the security group belongs to another network (Test/Other) than the bot (Test/Net) (received "Test/OtherGroup")'],
  ['bot display name empty', (s, network, secret) => new WickrBot(s, 'B', { network, username: 'alertsbot', displayName: '', challenge: secret }), 'displayName: must be 1 to 256 characters long'],
  ['bot challenge field empty', (s, network, secret) => new WickrBot(s, 'B', { network, username: 'alertsbot', challenge: secret, challengeField: '' }), 'challengeField: must be 1 to 256 characters long'],
  ['OIDC issuer not https', (s, network) => new WickrOidcConfig(s, 'O', { network, issuer: 'http://idp.example.com', companyId: 'acme', scopes: 'openid' }), '[Test/O] issuer: must be an https URL (received "http://idp.example.com")'],
  ['OIDC scopes without openid', (s, network) => new WickrOidcConfig(s, 'O', { network, issuer: 'https://idp.example.com', companyId: 'acme', scopes: 'email profile' }), 'scopes: must include the "openid" scope (received "email profile")'],
  ['OIDC company id empty', (s, network) => new WickrOidcConfig(s, 'O', { network, issuer: 'https://idp.example.com', companyId: '', scopes: 'openid' }), 'companyId: must be 1 to 256 characters long'],
  ['OIDC token buffer', (s, network) => new WickrOidcConfig(s, 'O', { network, issuer: 'https://idp.example.com', companyId: 'a', scopes: 'openid', ssoTokenBuffer: Duration.minutes(1441) }), 'ssoTokenBuffer: must be from 0 to 1440 whole minutes (received "1441 minutes")'],
  ['OpenTDF domain with a scheme', (s, network, secret) => new WickrOpenTdfConfig(s, 'T', { network, clientId: 'c', clientSecret: secret, domain: 'https://tdf.example.com' }), '[Test/T] domain: must be a hostname without scheme, port or path (tenant.virtru.com)'],
  ['OpenTDF client id empty', (s, network, secret) => new WickrOpenTdfConfig(s, 'T', { network, clientId: '', clientSecret: secret, domain: 'tdf.example.com' }), 'clientId: must be 1 to 256 characters long'],
  [
    'two data retention bots for one network',
    (s, network) => {
      new WickrDataRetentionBot(s, 'D1', { network });
      new WickrDataRetentionBot(s, 'D2', { network });
    },
    '[Test/D2] network: has a data retention bot already (one per network)',
  ],
];

function setup() {
  const stack = newStack();
  const network = WickrNetwork.fromNetworkId(stack, 'Net', '12345678');
  const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'challenge');
  return { stack, network, secret };
}

test(`the table has at least 30 cases (${cases.length})`, () => {
  expect(cases.length).toBeGreaterThanOrEqual(30);
});

test.each(cases)('%s', (_name, build, message) => {
  const { stack, network, secret } = setup();
  expect(() => {
    build(stack, network, secret);
    Template.fromStack(stack);
  }).toThrow(message);
});

test('values known only at deploy time (tokens) pass synth; the service has the last word', () => {
  const { stack, network, secret } = setup();
  const text = (v: string) => Lazy.string({ produce: () => v });
  const num = (v: number) => Token.asNumber(Lazy.number({ produce: () => v }));
  new WickrNetwork(stack, 'N', { networkName: text('x'.repeat(40)), accessLevel: AccessLevel.STANDARD });
  new WickrSecurityGroup(stack, 'G', { network, name: text(''), settings: { shredder: { intensity: num(50) }, maxNonSsoSession: Duration.minutes(num(5)), lockoutThreshold: num(-1) } });
  new WickrBot(stack, 'B', { network, username: text('alerts'), challenge: secret });
  new WickrOidcConfig(stack, 'O', { network, issuer: text('http://x'), companyId: text(''), scopes: text('email') });
  new WickrOpenTdfConfig(stack, 'T', { network, clientId: text(''), clientSecret: secret, domain: text('https://x') });
  expect(() => Template.fromStack(stack)).not.toThrow();
});
