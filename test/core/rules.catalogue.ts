import { Duration, Stack, Tags } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  AccessLevel,
  AutoDownloadSize,
  ChimeAppInstance,
  ChimeAppInstanceAdmin,
  ChimeAppInstanceBot,
  ChimeAppInstanceMember,
  ChimeAppInstanceUser,
  ChimeAppInstanceUserEndpoint,
  ChimeEndpointType,
  FederationMode,
  IWickrNetwork,
  LexStandardMessages,
  LexTargetedMessages,
  ReadReceiptStatus,
  SecurityGroupSettings,
  ShredderIntensity,
  WickrBot,
  WickrDataRetentionBot,
  WickrNetwork,
  WickrNetworkSettings,
  WickrOidcConfig,
  WickrOpenTdfConfig,
  WickrSecurityGroup,
  WickrUsers,
} from '../../lib';

/**
 * Every rule the emulator enforces on what this library sends (the service models' lengths,
 * patterns, ranges and enums; the rules the documentation states in prose, in
 * `local/emulator/wickr-rules.ts`, `chime-rules.ts` and `wickr-config.ts`; and the rules
 * across resources), each with the synth-time check that catches it (a violation and the
 * error it gives) or the reason synth cannot know it. `model` names the model constraints
 * (`Operation.member.path`, `*` for any part) a rule covers: rules.test.ts fails on a
 * constraint of an operation the handlers call that no rule covers.
 */
export interface Rule {
  readonly id: string;
  /** The rule, as the emulator enforces it. */
  readonly rule: string;
  /** The model constraints it covers. @default none (a rule in prose, or across resources) */
  readonly model?: readonly string[];
  /** A violation (made in a fresh stack) and the error synth reports for it. */
  readonly check?: { readonly violate: (stack: Stack) => void; readonly error: string };
  /** Why synth cannot know it. */
  readonly reason?: string;
}

const LEX_ALIAS = 'arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/KLMNOPQRST';
const PINPOINT = 'arn:aws:mobiletargeting:us-east-1:123456789012:apps/0123456789abcdef0123456789abcdef';
const INVOKED = { standardMessages: LexStandardMessages.ALL, targetedMessages: LexTargetedMessages.ALL };

const network = (s: Stack, id = 'N'): WickrNetwork => new WickrNetwork(s, id, { networkName: id.toLowerCase(), accessLevel: AccessLevel.PREMIUM });
const secret = (s: Stack): secretsmanager.ISecret => secretsmanager.Secret.fromSecretNameV2(s, 'Secret', 'x');
const group = (settings: SecurityGroupSettings) => (s: Stack) => void new WickrSecurityGroup(s, 'G', { network: network(s), name: 'g', settings });
const chat = (s: Stack) => new ChimeAppInstance(s, 'Chat', { name: 'chat' });
const chimeBot = (over: Record<string, unknown>) => (s: Stack) =>
  void new ChimeAppInstanceBot(s, 'B', { appInstance: chat(s), lex: { botAliasArn: LEX_ALIAS, localeId: 'en_US', invokedBy: INVOKED }, ...over } as never);
const chimeUser = (over: Record<string, unknown>) => (s: Stack) => void new ChimeAppInstanceUser(s, 'U', { appInstance: chat(s), appInstanceUserId: 'u1', name: 'U', ...over } as never);
const endpoint = (over: Record<string, unknown>) => (s: Stack) =>
  void new ChimeAppInstanceUserEndpoint(s, 'E', {
    user: new ChimeAppInstanceUser(s, 'U', { appInstance: chat(s), appInstanceUserId: 'u1', name: 'U' }), type: ChimeEndpointType.APNS,
    pinpointApplicationArn: PINPOINT, deviceToken: secret(s), ...over,
  } as never);
const users = (list: Array<{ username: string }>, n?: (s: Stack) => IWickrNetwork) => (s: Stack) => void new WickrUsers(s, 'Users', { network: n ? n(s) : network(s), users: list });

const GENERATED = 'the handler sends it from what the service returned or the template resolved (a network, group, bot, user or endpoint id, an ARN), never from a prop';
const HANDLER = 'the handler chooses it (page size, sort, batch split, lookups), not the props';

export const RULES: readonly Rule[] = [
  // --- Wickr: the models' constraints
  { id: 'wickr-network-id', rule: 'networkId: 8 digits', model: ['*.networkId'], check: { violate: (s) => void WickrNetwork.fromNetworkId(s, 'I', '123'), error: 'networkId: must be an 8-digit network id (received "123")' } },
  { id: 'wickr-ids', rule: 'bot, user and group ids: digits or non-blank', model: ['*.botId', '*.userId', '*.userIds[]', '*.groupId', '*.securityGroupIds[]'], reason: GENERATED },
  { id: 'wickr-list-calls', rule: 'list calls: sortDirection ASC or DESC, maxResults 1 to 100; batches of at most 50', model: ['List*', 'BatchLookupUserUname*', 'BatchReinviteUser*', 'BatchResetDevicesForUser*', 'GetUser.*', 'GetUsersCount.*', 'GetBotsCount.*', 'GetGuestUserHistoryCount.*', 'UpdateGuestUser.*'], reason: HANDLER },
  { id: 'wickr-access-level', rule: 'accessLevel: STANDARD or PREMIUM', model: ['CreateNetwork.accessLevel'],
    check: { violate: (s) => void new WickrNetwork(s, 'N', { networkName: 'n', accessLevel: 'GOLD' as AccessLevel }), error: 'accessLevel: must be one of AccessLevel.STANDARD, AccessLevel.PREMIUM (received "GOLD")' } },
  { id: 'wickr-data-retention-action', rule: 'UpdateDataRetention.actionType: ENABLE, DISABLE or PUBKEY_MSG_ACK', model: ['UpdateDataRetention.actionType'], reason: 'the handler derives it from the boolean props enabled and acknowledgePublicKeyMessage' },
  { id: 'wickr-consent-header', rule: 'consentPopup.header: at most 100 characters', model: ['UpdateNetworkSettings.settings.consentPopup.header'],
    check: { violate: (s) => void new WickrNetworkSettings(s, 'S', { network: network(s), settings: { consentPopup: { enabled: true, header: 'h'.repeat(101) } } }), error: 'settings.consentPopup.header: must be 0 to 100 characters long' } },
  { id: 'wickr-consent-content', rule: 'consentPopup.content: at most 5000 characters', model: ['UpdateNetworkSettings.settings.consentPopup.content'],
    check: { violate: (s) => void new WickrNetworkSettings(s, 'S', { network: network(s), settings: { consentPopup: { enabled: true, content: 'c'.repeat(5001) } } }), error: 'settings.consentPopup.content: must be 0 to 5000 characters long' } },
  { id: 'wickr-consent-close', rule: 'consentPopup.closeButtonLabel: at most 20 characters', model: ['UpdateNetworkSettings.settings.consentPopup.closeButtonLabel'],
    check: { violate: (s) => void new WickrNetworkSettings(s, 'S', { network: network(s), settings: { consentPopup: { enabled: true, closeButtonLabel: 'l'.repeat(21) } } }), error: 'settings.consentPopup.closeButtonLabel: must be 0 to 20 characters long' } },
  { id: 'wickr-read-receipts', rule: 'readReceiptConfig.status: DISABLED, ENABLED or FORCE_ENABLED', model: ['UpdateNetworkSettings.settings.readReceiptConfig.status'],
    check: { violate: (s) => void new WickrNetworkSettings(s, 'S', { network: network(s), settings: { readReceiptConfig: { status: 'ON' as ReadReceiptStatus } } }), error: 'settings.readReceiptConfig.status: must be one of ReadReceiptStatus.DISABLED' } },
  { id: 'wickr-permitted-network-ids', rule: 'permitted networks: 8-digit ids', model: ['*.securityGroupSettings.permittedNetworks[]', '*.securityGroupSettings.permittedWickr*Networks[].networkId'],
    check: { violate: group({ federationMode: FederationMode.RESTRICTED, permittedNetworks: ['1234'] }), error: 'settings.permittedNetworks[0]: must be an 8-digit network id' } },
  { id: 'wickr-max-non-sso-session', rule: 'maxNonSsoSessionMinutes: 0 (off) or 60 to 525600', model: ['UpdateSecurityGroup.securityGroupSettings.maxNonSsoSessionMinutes'],
    check: { violate: group({ maxNonSsoSession: Duration.minutes(30) }), error: 'settings.maxNonSsoSession: must be from 60 to 525600 whole minutes' } },

  // --- Wickr: the rules in prose
  { id: 'wickr-network-name', rule: 'networkName: 1 to 20 characters', check: { violate: (s) => void new WickrNetwork(s, 'N', { networkName: 'x'.repeat(21), accessLevel: AccessLevel.STANDARD }), error: 'networkName: must be 1 to 20 characters long' } },
  { id: 'wickr-kms-key', rule: 'encryptionKeyArn: a KMS key ARN', check: { violate: (s) => void new WickrNetwork(s, 'N', { networkName: 'n', accessLevel: AccessLevel.STANDARD, encryptionKey: kms.Key.fromKeyArn(s, 'K', 'arn:aws:s3:::bucket/key') }), error: 'encryptionKey: must be the ARN of a KMS key' } },
  { id: 'wickr-group-name', rule: 'security group name: not blank', check: { violate: (s) => void new WickrSecurityGroup(s, 'G', { network: network(s), name: '   ' }), error: 'name: must not be only whitespace' } },
  { id: 'wickr-one-group', rule: 'a user belongs to exactly one security group', reason: 'by construction: a user names one group (or none, for the default), and the handler sends exactly one id' },
  { id: 'wickr-username-required', rule: 'usernames: not blank', check: { violate: users([{ username: ' ' }]), error: 'username: is required' } },
  { id: 'wickr-bot-username', rule: "bot usernames end in 'bot'", check: { violate: (s) => void new WickrBot(s, 'B', { network: network(s), username: 'alerts', challenge: secret(s) }), error: 'username: must be a username ending in "bot"' } },
  { id: 'wickr-bot-challenge', rule: 'bot challenge: not empty', reason: 'the challenge is a Secrets Manager secret read at deploy time; its value is never known at synth' },
  { id: 'wickr-oidc-issuer', rule: 'OIDC issuer: an https URL, not blank', check: { violate: (s) => void new WickrOidcConfig(s, 'O', { network: network(s), issuer: 'http://idp', companyId: 'c', scopes: 'openid' }), error: 'issuer: must be an https URL' } },
  { id: 'wickr-oidc-scopes', rule: 'OIDC scopes: include openid', check: { violate: (s) => void new WickrOidcConfig(s, 'O', { network: network(s), issuer: 'https://idp.example.com', companyId: 'c', scopes: 'email' }), error: 'scopes: must include the "openid" scope' } },
  { id: 'wickr-oidc-company', rule: 'OIDC companyId: not blank', check: { violate: (s) => void new WickrOidcConfig(s, 'O', { network: network(s), issuer: 'https://idp.example.com', companyId: '', scopes: 'openid' }), error: 'companyId: must be 1 to 256 characters long' } },
  { id: 'wickr-oidc-reachable', rule: 'OIDC issuer: its discovery document answers', reason: "live state: whether the identity provider answers is known only when the deploy calls RegisterOidcConfigTest" },
  { id: 'wickr-opentdf-provider', rule: 'OpenTDF provider: virtru', check: { violate: (s) => void new WickrOpenTdfConfig(s, 'T', { network: network(s), clientId: 'c', clientSecret: secret(s), domain: 'tdf.example.com', provider: 'acme' as never }), error: 'provider: must be one of OpenTdfProvider.VIRTRU' } },
  { id: 'wickr-opentdf-domain', rule: 'OpenTDF domain: a hostname, no scheme, port or path', check: { violate: (s) => void new WickrOpenTdfConfig(s, 'T', { network: network(s), clientId: 'c', clientSecret: secret(s), domain: 'tdf.example.com:8443' }), error: 'domain: must be a hostname without scheme, port or path' } },
  { id: 'wickr-opentdf-client', rule: 'OpenTDF clientId: not blank', check: { violate: (s) => void new WickrOpenTdfConfig(s, 'T', { network: network(s), clientId: '', clientSecret: secret(s), domain: 'tdf.example.com' }), error: 'clientId: must be 1 to 256 characters long' } },
  { id: 'wickr-opentdf-secret', rule: 'OpenTDF clientSecret: not blank', reason: 'the client secret is a Secrets Manager secret read at deploy time' },
  { id: 'wickr-opentdf-reachable', rule: 'OpenTDF platform: reachable', reason: 'live state: the deploy registers with dryRun first' },
  { id: 'wickr-shredder', rule: 'shredder.intensity: 0, 20, 60 or 100', check: { violate: group({ shredder: { intensity: 50 as ShredderIntensity } }), error: 'settings.shredder.intensity: must be one of ShredderIntensity.OFF (0)' } },
  { id: 'wickr-auto-download-size', rule: 'maxAutoDownloadSize: 512000 or 7340032', check: { violate: group({ maxAutoDownloadSize: 1000 as AutoDownloadSize }), error: 'settings.maxAutoDownloadSize: must be one of AutoDownloadSize.SMALL (512000)' } },
  { id: 'wickr-auto-download-needs-download', rule: 'maxAutoDownloadSize only with enableFileDownload', check: { violate: group({ maxAutoDownloadSize: AutoDownloadSize.SMALL, enableFileDownload: false }), error: 'settings.maxAutoDownloadSize: applies only with enableFileDownload: true (received AutoDownloadSize.SMALL (512000))' } },
  { id: 'wickr-device-lockout', rule: 'forceDeviceLockout less than lockoutThreshold', check: { violate: group({ forceDeviceLockout: 5, lockoutThreshold: 5 }), error: 'settings.forceDeviceLockout: must be less than lockoutThreshold (5)' } },
  { id: 'wickr-device-lockout-live', rule: 'forceDeviceLockout less than the group\'s current lockoutThreshold', reason: "live state: without lockoutThreshold in the props, the service compares with the group's current threshold (the service's default for a new group)" },
  { id: 'wickr-federation-mode', rule: 'federationMode: 0, 1 or 2', check: { violate: group({ federationMode: 3 as FederationMode }), error: 'settings.federationMode: must be one of FederationMode.NONE (0), FederationMode.FEDERATED (1), FederationMode.RESTRICTED (2) (received 3)' } },
  { id: 'wickr-permitted-networks-restricted', rule: 'permittedNetworks only with federationMode 2', check: { violate: group({ federationMode: FederationMode.FEDERATED, permittedNetworks: ['12345678'] }), error: 'settings.permittedNetworks: applies only with federationMode: FederationMode.RESTRICTED (2), not FederationMode.FEDERATED (1)' } },
  { id: 'wickr-guest-federation', rule: 'enableGuestFederation only with globalFederation', check: { violate: group({ enableGuestFederation: true }), error: 'settings.enableGuestFederation: true needs globalFederation: true in the same settings; globalFederation is not given' } },
  { id: 'wickr-restricted-global-federation', rule: 'enableRestrictedGlobalFederation requires globalFederation', check: { violate: group({ enableRestrictedGlobalFederation: true, globalFederation: false }), error: 'settings.enableRestrictedGlobalFederation: true needs globalFederation: true in the same settings; globalFederation is false' } },
  { id: 'wickr-video-calls', rule: 'calling.canVideoCall only with calling.canStart11Call', check: { violate: group({ calling: { canVideoCall: true, canStart11Call: false } }), error: 'settings.calling.canVideoCall: applies only with calling.canStart11Call: true' } },
  { id: 'wickr-11-calls-off', rule: 'calling.canStart11Call off leaves video calls (on by default) without it', check: { violate: group({ calling: { canStart11Call: false } }), error: 'settings.calling.canStart11Call: false needs calling.canVideoCall: false too' } },
  { id: 'wickr-maps', rule: 'locationAllowMaps only with locationEnabled', check: { violate: group({ locationAllowMaps: true, locationEnabled: false }), error: 'settings.locationAllowMaps: applies only with locationEnabled: true' } },
  { id: 'wickr-location-off', rule: 'locationEnabled off leaves maps (on by default) without it', check: { violate: group({ locationEnabled: false }), error: 'settings.locationEnabled: false needs locationAllowMaps: false too' } },
  { id: 'wickr-open-access', rule: 'forceOpenAccess only with enableOpenAccessOption', check: { violate: group({ forceOpenAccess: true }), error: 'settings.forceOpenAccess: true needs enableOpenAccessOption: true in the same settings; enableOpenAccessOption is not given (off by default)' } },
  { id: 'wickr-live-prerequisites', rule: 'a prerequisite switched off while the live group keeps what needs it on', reason: 'live state: settings left out of the props keep their current values, which only the deploy reads (a default group or one changed by hand)' },
  { id: 'wickr-sso-idle-negative', rule: 'ssoMaxIdleMinutes not negative', check: { violate: group({ ssoMaxIdle: Duration.seconds(90) }), error: 'settings.ssoMaxIdle: must be a whole number of minutes' } },

  // --- Wickr: across resources
  { id: 'wickr-sso-settings', rule: 'showMasterRecoveryKey and ssoMaxIdleMinutes only on a network with SSO', check: { violate: group({ showMasterRecoveryKey: true }), error: 'settings.showMasterRecoveryKey: applies only to a network with SSO, and Test/N has no WickrOidcConfig in this app' } },
  { id: 'wickr-sso-settings-imported', rule: 'SSO-only settings on an imported network', reason: 'live state: an imported network may have SSO configured outside the app' },
  { id: 'wickr-data-retention', rule: 'data retention enabled only with a registered data retention bot', check: { violate: (s) => void new WickrNetwork(s, 'N', { networkName: 'n', accessLevel: AccessLevel.PREMIUM, settings: { dataRetention: true } }), error: "settings.dataRetention: the data retention service is switched by the network's WickrDataRetentionBot" } },
  { id: 'wickr-data-retention-bot-registered', rule: 'the data retention bot is registered (its software signed in) before enabled: true', reason: 'live state: the bot software signs in with the challenge after the first deploy' },
  { id: 'wickr-one-data-retention-bot', rule: 'one data retention bot per network', check: { violate: (s) => { const n = network(s); new WickrDataRetentionBot(s, 'R1', { network: n }); new WickrDataRetentionBot(s, 'R2', { network: n }); }, error: 'has a data retention bot already (one per network)' } },
  { id: 'wickr-group-of-network', rule: 'a security group of the same network', check: { violate: (s) => { const g = new WickrSecurityGroup(s, 'G', { network: network(s, 'A'), name: 'g' }); new WickrBot(s, 'B', { network: network(s, 'Other'), username: 'xbot', challenge: secret(s), securityGroup: g }); }, error: 'securityGroup: the security group belongs to another network' } },
  { id: 'wickr-username-unique', rule: 'usernames unique in a network among users and bots, ignoring case', check: { violate: (s) => { const n = network(s); new WickrBot(s, 'B', { network: n, username: 'alertsbot', challenge: secret(s) }); users([{ username: 'AlertsBot' }], () => n)(s); }, error: 'users[0].username: the username "AlertsBot" is declared by Test/B (username) too' } },
  { id: 'wickr-username-live', rule: 'a username not taken by a user made outside the stack', reason: 'live state: users made in the console or by another stack exist only in the service' },

  // --- Chime: the models' constraints and the rules in prose
  { id: 'chime-arns', rule: 'ARNs of app instances, users, bots, admins: 5 to 1600 characters', model: ['*.AppInstanceArn', '*.AppInstanceUserArn', '*.AppInstanceBotArn', '*.ResourceARN', '*.EndpointId', 'DescribeAppInstanceUserEndpoint.*', 'ListAppInstanceUserEndpoints.*'], reason: GENERATED },
  { id: 'chime-admin-arn', rule: 'AppInstanceAdminArn: a user or bot of the app instance', model: ['*.AppInstanceAdminArn'], check: { violate: (s) => void new ChimeAppInstanceAdmin(s, 'A', { appInstance: chat(s), admin: ChimeAppInstanceMember.fromArn('arn:aws:chime:us-east-1:123456789012:app-instance/other') }), error: 'admin: must be an app instance user or bot ARN' } },
  { id: 'chime-admin-instance', rule: 'the admin belongs to the app instance', check: { violate: (s) => { const u = new ChimeAppInstanceUser(s, 'U', { appInstance: new ChimeAppInstance(s, 'Other', { name: 'o' }), appInstanceUserId: 'u', name: 'u' }); new ChimeAppInstanceAdmin(s, 'A', { appInstance: chat(s), admin: u }); }, error: 'admin: must belong to the app instance Test/Chat' } },
  { id: 'chime-name', rule: 'app instance name: 1 to 256 characters', model: ['*AppInstance.Name'], check: { violate: (s) => void new ChimeAppInstance(s, 'C', { name: '' }), error: 'name: must be 1 to 256 characters long' } },
  { id: 'chime-bot-name', rule: 'bot name: 1 to 256 characters', model: ['*AppInstanceBot.Name'], check: { violate: chimeBot({ name: '' }), error: 'name: must be 1 to 256 characters long' } },
  { id: 'chime-user-name', rule: 'user name: 1 to 100 characters, not only whitespace', model: ['*AppInstanceUser.Name'], check: { violate: chimeUser({ name: 'n'.repeat(101) }), error: 'name: must be 1 to 100 characters long' } },
  { id: 'chime-metadata', rule: 'metadata: at most 1 KB', model: ['*.Metadata'], check: { violate: (s) => void new ChimeAppInstance(s, 'C', { name: 'c', metadata: 'm'.repeat(1025) }), error: 'metadata: must be at most 1024 bytes' } },
  { id: 'chime-user-id', rule: 'AppInstanceUserId: 1 to 64 of [A-Za-z0-9:-_.@], letter or digit at both ends', model: ['CreateAppInstanceUser.AppInstanceUserId'], check: { violate: chimeUser({ appInstanceUserId: '-bad-' }), error: 'appInstanceUserId: must be' } },
  { id: 'chime-retention', rule: 'RetentionDays: 1 to 5475', model: ['*.RetentionDays'], check: { violate: (s) => void new ChimeAppInstance(s, 'C', { name: 'c', retention: Duration.days(6000) }), error: 'retention: must be a whole number from 1 to 5475' } },
  { id: 'chime-expiration', rule: 'ExpirationDays: 1 to 5475', model: ['*.ExpirationSettings.ExpirationDays'], check: { violate: chimeUser({ expiration: Duration.days(0) }), error: 'expiration: must be a whole number from 1 to 5475' } },
  { id: 'chime-expiration-criterion', rule: 'ExpirationCriterion: CREATED_TIMESTAMP', model: ['*.ExpirationSettings.ExpirationCriterion'], reason: 'the handler always sends CREATED_TIMESTAMP (the one value)' },
  { id: 'chime-tag-key', rule: 'tag keys 1 to 128 characters, not aws:', model: ['*.Tags[].Key', 'UntagResource.TagKeys*'], check: { violate: (s) => Tags.of(chat(s)).add('aws:team', 'x'), error: 'key "aws:team" must not start with "aws:"' } },
  { id: 'chime-tag-value', rule: 'tag values 1 to 256 characters', model: ['*.Tags[].Value'], check: { violate: (s) => Tags.of(chat(s)).add('k', 'v'.repeat(257)), error: 'value of "k" must be 1 to 256 characters long' } },
  { id: 'chime-tag-count', rule: 'at most 50 tags', model: ['*.Tags'], check: { violate: (s) => { const c = chat(s); for (let i = 0; i < 51; i++) Tags.of(c).add(`k${i}`, 'v'); }, error: 'at most 50 tags are allowed' } },
  { id: 'chime-lex-alias', rule: 'LexBotAliasArn: a Lex V2 bot alias ARN', model: ['*.Configuration.Lex.LexBotAliasArn'], check: { violate: chimeBot({ lex: { botAliasArn: 'arn:aws:lex:us-east-1:123456789012:bot/X', localeId: 'en_US', invokedBy: INVOKED } }), error: 'lex.botAliasArn: must be a Lex V2 bot alias ARN' } },
  { id: 'chime-lex-invoked-by', rule: 'InvokedBy messages: the enums', model: ['*.Configuration.Lex.InvokedBy.*', '*.Configuration.Lex.RespondsTo'], check: { violate: chimeBot({ lex: { botAliasArn: LEX_ALIAS, localeId: 'en_US', invokedBy: { standardMessages: 'SOME', targetedMessages: 'ALL' } } }), error: 'lex.invokedBy.standardMessages: must be one of LexStandardMessages.AUTO' } },
  { id: 'chime-lex-one-of', rule: 'exactly one of InvokedBy and RespondsTo', check: { violate: chimeBot({ lex: { botAliasArn: LEX_ALIAS, localeId: 'en_US' } }), error: 'lex.invokedBy: is required' } },
  { id: 'chime-lex-welcome', rule: 'WelcomeIntent: 1 to 100 letters with single underscores', model: ['*.Configuration.Lex.WelcomeIntent'], check: { violate: chimeBot({ lex: { botAliasArn: LEX_ALIAS, localeId: 'en_US', invokedBy: INVOKED, welcomeIntent: 'Greet2' } }), error: 'lex.welcomeIntent: must be letters with single underscores between them' } },
  { id: 'chime-endpoint-type', rule: 'endpoint Type: APNS, APNS_SANDBOX or GCM', model: ['RegisterAppInstanceUserEndpoint.Type'], check: { violate: endpoint({ type: 'SMS' }), error: 'type: must be one of ChimeEndpointType.APNS' } },
  { id: 'chime-endpoint-app', rule: 'endpoint ResourceArn: a Pinpoint application ARN', model: ['RegisterAppInstanceUserEndpoint.ResourceArn'], check: { violate: endpoint({ pinpointApplicationArn: 'arn:aws:sns:us-east-1:123456789012:x' }), error: 'pinpointApplicationArn: must be an Amazon Pinpoint application ARN' } },
  { id: 'chime-endpoint-name', rule: 'endpoint Name: at most 1600 characters', model: ['*AppInstanceUserEndpoint.Name'], check: { violate: endpoint({ name: 'n'.repeat(1601) }), error: 'name: must be 0 to 1600 characters long' } },
  { id: 'chime-endpoint-allow', rule: 'AllowMessages: ALL or NONE', model: ['*AppInstanceUserEndpoint.AllowMessages'], reason: 'the handler derives it from the boolean prop allowMessages' },
  { id: 'chime-endpoint-tokens', rule: 'device tokens: 1 to 1600 characters', model: ['RegisterAppInstanceUserEndpoint.EndpointAttributes.*'], reason: 'the tokens are Secrets Manager secrets read at deploy time' },
  { id: 'chime-voip-apns', rule: 'VoipDeviceToken only for APNS and APNS_SANDBOX', check: { violate: (s) => endpoint({ type: ChimeEndpointType.GCM, voipDeviceToken: secretsmanager.Secret.fromSecretNameV2(s, 'V', 'voip') })(s), error: 'voipDeviceToken: applies to ChimeEndpointType.APNS and ChimeEndpointType.APNS_SANDBOX only' } },
];
