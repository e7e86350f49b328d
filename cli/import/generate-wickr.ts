import { CSV_COLUMNS } from '../../lambda/wickr/users.wire';
import { DEFAULT_SECURITY_GROUP_NAME } from '../../lambda/wickr/defaults';
import { AccessLevel } from '../../lib/wickr/network';
import { OpenTdfProvider } from '../../lib/wickr/sso';
import { Builder } from './builder';
import { camel, Code, duration, enumMember, literal, str } from './format';
import { ImportedNetwork, ImportedUser } from './read-wickr';
import { networkSettingsProps, securityGroupSettingsProps } from './settings';

/** The construct id the library gives a network's default group (`configureDefaultSecurityGroup`). */
const DEFAULT_GROUP_CHILD = 'DefaultSecurityGroup';
/** The construct id of the settings a `WickrNetwork` with `settings` makes. */
const SETTINGS_CHILD = 'Settings';

/**
 * Declares one network: the network with its settings, its default group, every other group
 * with its non-default settings, the bots, the data retention bot, the OIDC and OpenTDF
 * configuration, and the users (in a CSV file beside the construct, `usersFile`).
 */
export function declareNetwork(b: Builder, n: ImportedNetwork, usersFileName: string): void {
  b.blank();
  b.comment(`Wickr network "${n.name}" (${n.networkId})`);
  const networkId = b.id(n.name, 'Network');
  const network = new Code(camel(networkId));
  const settings = networkSettingsProps(n.settings, b);
  b.library.add('AccessLevel');
  const props: Record<string, unknown> = { networkName: n.name, accessLevel: enumMember('AccessLevel', AccessLevel, n.accessLevel) };
  if (n.encryptionKeyArn) {
    b.modules.add('kms');
    props.encryptionKey = new Code(`kms.Key.fromKeyArn(this, ${str(b.id(`${networkId}Key`, 'Key'))}, ${str(n.encryptionKeyArn)})`);
  }
  if (settings) props.settings = settings;
  b.declare('WickrNetwork', networkId, props, { variable: true });
  if (settings) b.resources.push([networkId, SETTINGS_CHILD]);

  // The default group is always declared, by its name: so it is adopted with the rest, and its settings have a place to go.
  const defaultSettings = securityGroupSettingsProps(n.defaultGroup.settings, b);
  const defaultProps: Record<string, unknown> = { name: n.defaultGroup.name || DEFAULT_SECURITY_GROUP_NAME };
  if (defaultSettings) defaultProps.settings = defaultSettings;
  b.statement(`${network.text}.configureDefaultSecurityGroup(${literal(defaultProps, 0)});`);
  b.resources.push([networkId, DEFAULT_GROUP_CHILD]);

  const referenced = new Set([...n.bots.map((x) => x.groupId), ...n.users.map((u) => u.groupId)]);
  const groupVars = new Map<string, { id: string; variable: Code }>();
  if (n.groups.length > 0) b.blank();
  for (const g of n.groups) {
    const id = b.id(g.name, 'Group');
    const groupSettings = securityGroupSettingsProps(g.settings, b);
    const variable = b.declare('WickrSecurityGroup', id, { network, name: g.name, ...(groupSettings ? { settings: groupSettings } : {}) }, { variable: referenced.has(g.id) });
    groupVars.set(g.id, { id, variable });
  }

  if (n.bots.length > 0) b.blank();
  for (const bot of n.bots) {
    const id = b.id(bot.username, 'Bot');
    const challenge = b.secret(id, 'challenge', `the challenge (password) of the bot "${bot.username}", which its software signs in with: the service never gives it back`);
    const group = bot.groupId ? groupVars.get(bot.groupId)?.variable : undefined;
    b.declare('WickrBot', id, {
      network,
      username: bot.username,
      ...(bot.displayName && bot.displayName !== bot.username ? { displayName: bot.displayName } : {}),
      ...(group ? { securityGroup: group } : {}),
      challenge,
      ...(bot.suspended ? { suspended: true } : {}),
    });
  }

  if (n.dataRetentionBot) {
    b.blank();
    const r = n.dataRetentionBot;
    b.declare(
      'WickrDataRetentionBot',
      b.id(`${networkId}DataRetentionBot`, 'DataRetentionBot'),
      { network, ...(r.enabled ? { enabled: true } : {}), ...(r.acknowledgePublicKeyMessage ? { acknowledgePublicKeyMessage: true } : {}) },
      { comment: 'The construct keeps the bot\'s challenge in a secret it creates; an adopted bot gets a new challenge there only when challengeVersion is set.' },
    );
  }

  if (n.oidc) {
    b.blank();
    const o = n.oidc;
    const id = b.id(`${networkId}Oidc`, 'Oidc');
    const clientSecret = b.secret(id, 'client-secret', 'the OIDC client secret of the identity provider, if its client has one (else remove clientSecret): the service never gives it back');
    b.declare('WickrOidcConfig', id, {
      network,
      issuer: o.Issuer,
      companyId: o.CompanyId,
      scopes: o.Scopes,
      clientSecret,
      ...(o.CustomUsername ? { customUsername: o.CustomUsername } : {}),
      ...(o.ExtraAuthParams ? { extraAuthParams: o.ExtraAuthParams } : {}),
      ...(typeof o.SsoTokenBufferMinutes === 'number' ? { ssoTokenBuffer: useDuration(b, o.SsoTokenBufferMinutes) } : {}),
      ...(o.UserId ? { userId: o.UserId } : {}),
    });
  }

  if (n.openTdf) {
    b.blank();
    const t = n.openTdf;
    const id = b.id(`${networkId}OpenTdf`, 'OpenTdf');
    const clientSecret = b.secret(id, 'client-secret', 'the OpenTDF client secret: the service never gives it back');
    b.library.add('OpenTdfProvider');
    b.declare('WickrOpenTdfConfig', id, { network, clientId: t.clientId, clientSecret, domain: t.domain, provider: enumMember('OpenTdfProvider', OpenTdfProvider, t.provider) });
  }

  if (n.users.length > 0) {
    b.blank();
    const aliases = new Map<string, string>();
    for (const [groupId, g] of groupVars) if (n.users.some((u) => u.groupId === groupId)) aliases.set(groupId, g.id);
    b.files.set(usersFileName, usersCsv(n.users, aliases));
    b.library.add('UsersFile');
    b.modules.add('path');
    const securityGroups = Object.fromEntries([...aliases.values()].sort().map((alias) => [alias, groupVars.get([...aliases].find(([, a]) => a === alias)![0])!.variable]));
    b.declare(
      'WickrUsers',
      b.id(`${networkId}Users`, 'Users'),
      { network, usersFile: new Code(`UsersFile.fromCsv(path.join(__dirname, ${str(usersFileName)}))`), ...(aliases.size > 0 ? { securityGroups } : {}) },
      { comment: `${n.users.length.toLocaleString('en-US')} users, in ${usersFileName} (an empty group column: the default group)` },
    );
  }
}

function useDuration(b: Builder, minutes: number): Code {
  b.cdk.add('Duration');
  return duration(minutes, 'minutes');
}

/** The header `UsersFile.fromCsv` reads (and by which `import` recognises a users file it wrote). */
export const USERS_CSV_HEADER = CSV_COLUMNS.join(',');

/** The users as `UsersFile.fromCsv` reads them: RFC 4180 quoting, the group by its key, sorted by username. */
export function usersCsv(users: readonly ImportedUser[], aliases: ReadonlyMap<string, string>): string {
  const field = (v: string) => (/[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = users.map((u) => [u.username, u.firstName ?? '', u.lastName ?? '', aliases.get(u.groupId) ?? '', u.suspended ? 'true' : ''].map(field).join(','));
  return `${[USERS_CSV_HEADER, ...rows].join('\n')}\n`;
}
