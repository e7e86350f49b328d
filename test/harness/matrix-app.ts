import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
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
  LexStandardMessages,
  LexTargetedMessages,
  ReadReceiptStatus,
  UsersFile,
  WickrBot,
  WickrDataRetentionBot,
  WickrNetwork,
  WickrOidcConfig,
  WickrSecurityGroup,
  WickrUsers,
} from '../../lib';

/**
 * The example stack's resources (every resource type `npm run demo` deploys), in four
 * versions: `v1` as created, `v2` changing every resource in place, `v3` replacing what can
 * be replaced (a new access level moves everything Wickr to a new network; a new Chime user
 * id, device, and admin), `v1r` as `v1` with constructs renamed (a security group, the users,
 * an admin: each new logical id takes over what the old one named; a data retention bot renamed
 * gets a new secret, whose challenge a later failure's rollback loses: see the README), and
 * `v1m` as `v1` without the Wickr bot and the Chime bot (resources leaving the stack).
 * The fault matrix deploys them into the emulator, with a context (the adoption's) when asked.
 */
export type Version = 'v1' | 'v2' | 'v3' | 'v1r' | 'v1m';

const USERS: Record<Version, string> = {
  v1: 'username,firstName,lastName,group,suspended\nann@example.com,Ann,Smith,analysts,\nbob@example.com,Bob,Jones,,\ndee@example.com,Dee,Park,,true\n',
  v2: 'username,firstName,lastName,group,suspended\nann@example.com,Ann,Smith-Lee,analysts,\ndee@example.com,Dee,Park,,false\neve@example.com,Eve,Ng,analysts,\n',
  v3: 'username,firstName,lastName,group,suspended\nann@example.com,Ann,Smith,analysts,\nbob@example.com,Bob,Jones,,\ndee@example.com,Dee,Park,,true\n',
  v1r: 'username,firstName,lastName,group,suspended\nann@example.com,Ann,Smith,analysts,\nbob@example.com,Bob,Jones,,\ndee@example.com,Dee,Park,,true\n',
  v1m: 'username,firstName,lastName,group,suspended\nann@example.com,Ann,Smith,analysts,\nbob@example.com,Bob,Jones,,\ndee@example.com,Dee,Park,,true\n',
};

/** Synthesizes one version into `dir` and returns the cloud assembly directory. */
export function synthVersion(dir: string, version: Version, context: Record<string, string> = {}): string {
  const usersFile = path.join(dir, `users-${version}.csv`);
  fs.writeFileSync(usersFile, USERS[version]);
  const outdir = path.join(dir, `cdk.out.${version}${Object.keys(context).length > 0 ? '.context' : ''}`);
  const app = new App({ outdir, context });
  const stack = new Stack(app, 'Matrix', { env: { account: '123456789012', region: 'us-east-1' } });
  build(stack, version, usersFile);
  app.synth();
  return outdir;
}

function build(stack: Stack, v: Version, usersFile: string): void {
  const changed = v === 'v2';
  const id = (name: string) => (v === 'v1r' ? `${name}Renamed` : name);
  Tags.of(stack).add('team', changed ? 'platform-eu' : 'platform');
  const network = new WickrNetwork(stack, 'Ops', {
    networkName: changed ? 'ops-eu' : 'ops',
    accessLevel: v === 'v3' ? AccessLevel.STANDARD : AccessLevel.PREMIUM,
    allowReplacement: true,
    settings: { readReceiptConfig: { status: changed ? ReadReceiptStatus.FORCE_ENABLED : ReadReceiptStatus.ENABLED }, enableClientMetrics: changed },
  });
  const analysts = new WickrSecurityGroup(stack, id('Analysts'), {
    network,
    name: changed ? 'analysts-eu' : 'analysts',
    settings: { federationMode: FederationMode.RESTRICTED, permittedNetworks: ['12345678'], shredder: { intensity: changed ? 20 : 60 } },
  });
  const botChallenge = new secretsmanager.Secret(stack, 'BotChallenge', { generateSecretString: { passwordLength: 32, excludePunctuation: true } });
  if (v !== 'v1m') new WickrBot(stack, 'AlertsBot', { network, username: 'alertsbot', displayName: changed ? 'Alerts EU' : 'Alerts', securityGroup: analysts, challenge: botChallenge, suspended: changed });
  new WickrDataRetentionBot(stack, 'Retention', { network, enabled: !changed, challengeVersion: changed ? '2' : undefined });
  const oidcSecret = new secretsmanager.Secret(stack, 'OidcSecret', { generateSecretString: { passwordLength: 40, excludePunctuation: true } });
  new WickrOidcConfig(stack, 'Sso', { network, issuer: 'https://idp.example.com/realms/ops', companyId: 'ops', scopes: changed ? 'openid email profile' : 'openid email', clientSecret: oidcSecret });
  new WickrUsers(stack, id('Staff'), { network, usersFile: UsersFile.fromCsv(usersFile), securityGroups: { analysts } });

  const chat = new ChimeAppInstance(stack, 'Chat', { name: 'support-chat', metadata: changed ? 'v2' : 'v1', retention: Duration.days(changed ? 180 : 365) });
  const lead = new ChimeAppInstanceUser(stack, 'Lead', { appInstance: chat, appInstanceUserId: 'lead', name: changed ? 'Support lead (EU)' : 'Support lead' });
  const agent = new ChimeAppInstanceUser(stack, 'Agent', {
    appInstance: chat,
    appInstanceUserId: v === 'v3' ? 'agent-2' : 'agent-1',
    name: 'Agent',
    expiration: Duration.days(changed ? 30 : 90),
  });
  new ChimeAppInstanceAdmin(stack, id('Admin'), { appInstance: chat, admin: v === 'v3' ? agent : lead });
  if (v !== 'v1m') new ChimeAppInstanceBot(stack, 'Helper', {
    appInstance: chat,
    name: 'helper',
    metadata: changed ? 'v2' : 'v1',
    lex: {
      botAliasArn: 'arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/KLMNOPQRST',
      localeId: 'en_US',
      invokedBy: { standardMessages: LexStandardMessages.MENTIONS, targetedMessages: LexTargetedMessages.ALL },
    },
  });
  const deviceToken = new secretsmanager.Secret(stack, v === 'v3' ? 'NewDeviceToken' : 'DeviceToken', { generateSecretString: { passwordLength: 64, excludePunctuation: true } });
  new ChimeAppInstanceUserEndpoint(stack, 'LeadPhone', {
    user: lead,
    type: ChimeEndpointType.APNS_SANDBOX,
    pinpointApplicationArn: `arn:aws:mobiletargeting:${stack.region}:${stack.account}:apps/0123456789abcdef0123456789abcdef`,
    deviceToken,
    name: changed ? 'lead tablet' : 'lead phone',
    allowMessages: !changed,
  });
}
