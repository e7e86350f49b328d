import { LexRespondsTo, LexStandardMessages, LexTargetedMessages } from '../../lib/chime/bot';
import { ChimeEndpointType } from '../../lib/chime/endpoint';
import { Builder } from './builder';
import { Code, duration, enumMember, str } from './format';
import { ImportedAppInstance } from './read-chime';

/**
 * Declares one app instance: the instance with its retention and tags, its users (with
 * their expiration), bots, admins (a user or bot of the instance by its construct, anyone
 * else by ARN) and the users' endpoints, whose device tokens become secrets to create.
 */
export function declareAppInstance(b: Builder, i: ImportedAppInstance): void {
  b.blank();
  b.comment(`Chime SDK Identity app instance "${i.name}" (${i.arn})`);
  const instanceId = b.id(i.name, 'AppInstance');
  const props: Record<string, unknown> = { name: i.name };
  if (i.metadata) props.metadata = i.metadata;
  if (i.retentionDays !== undefined) props.retention = days(b, i.retentionDays);
  const instance = b.declare('ChimeAppInstance', instanceId, props, { variable: true, adoptId: i.arn });
  b.tags(instance, i.tags);

  const referenced = new Set([...i.admins, ...i.endpoints.map((e) => e.userArn)]);
  const members = new Map<string, Code>();
  if (i.users.length > 0) b.blank();
  for (const u of i.users) {
    const id = b.id(u.id, 'User');
    const userProps: Record<string, unknown> = { appInstance: instance, appInstanceUserId: u.id, name: u.name };
    if (u.metadata) userProps.metadata = u.metadata;
    if (u.expirationDays !== undefined) userProps.expiration = days(b, u.expirationDays);
    const variable = b.declare('ChimeAppInstanceUser', id, userProps, { variable: referenced.has(u.arn) || u.tags.length > 0 });
    members.set(u.arn, variable);
    b.tags(variable, u.tags);
  }

  if (i.bots.length > 0) b.blank();
  for (const bot of i.bots) {
    const id = b.id(bot.name, 'Bot');
    const botProps: Record<string, unknown> = { appInstance: instance, ...(bot.name ? { name: bot.name } : {}) };
    if (bot.metadata) botProps.metadata = bot.metadata;
    botProps.lex = lex(b, bot.lex);
    const variable = b.declare('ChimeAppInstanceBot', id, botProps, { variable: referenced.has(bot.arn) || bot.tags.length > 0, adoptId: bot.arn });
    members.set(bot.arn, variable);
    b.tags(variable, bot.tags);
  }

  if (i.admins.length > 0) b.blank();
  for (const arn of i.admins) {
    const member = members.get(arn);
    const memberName = arn.slice(arn.lastIndexOf('/') + 1);
    if (!member) b.library.add('ChimeAppInstanceMember');
    const admin = member ?? new Code(`ChimeAppInstanceMember.fromArn(${str(arn)})`);
    b.declare('ChimeAppInstanceAdmin', b.id(`${memberName}-admin`, 'Admin'), { appInstance: instance, admin });
  }

  if (i.endpoints.length > 0) b.blank();
  for (const e of i.endpoints) {
    const user = members.get(e.userArn);
    if (!user) continue;
    const userId = e.userArn.slice(e.userArn.lastIndexOf('/') + 1);
    const id = b.id(`${userId}-endpoint`, 'Endpoint');
    const deviceToken = b.secret(id, 'device-token', `the device token of ${userId}'s ${e.type} endpoint ${e.endpointId}; the service shows it, but import never writes it`);
    const voip = e.hasVoipToken ? b.secret(id, 'voip-device-token', `the VoIP device token of ${userId}'s endpoint ${e.endpointId}`) : undefined;
    b.library.add('ChimeEndpointType');
    b.declare('ChimeAppInstanceUserEndpoint', id, {
      user,
      type: enumMember('ChimeEndpointType', ChimeEndpointType, e.type),
      pinpointApplicationArn: e.resourceArn,
      deviceToken,
      ...(voip ? { voipDeviceToken: voip } : {}),
      ...(e.name ? { name: e.name } : {}),
      ...(e.allowMessages === 'NONE' ? { allowMessages: false } : {}),
    });
  }
}

function days(b: Builder, n: number): Code {
  b.cdk.add('Duration');
  return duration(n, 'days');
}

/** The API's `Configuration.Lex` as `ChimeLexConfiguration` props. */
function lex(b: Builder, l: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { botAliasArn: l.LexBotAliasArn, localeId: l.LocaleId };
  if (l.RespondsTo !== undefined && l.RespondsTo !== null) {
    b.library.add('LexRespondsTo');
    out.respondsTo = enumMember('LexRespondsTo', LexRespondsTo, l.RespondsTo);
  }
  const invokedBy = l.InvokedBy as { StandardMessages?: string; TargetedMessages?: string } | undefined | null;
  if (invokedBy) {
    b.library.add('LexStandardMessages');
    b.library.add('LexTargetedMessages');
    out.invokedBy = {
      standardMessages: enumMember('LexStandardMessages', LexStandardMessages, invokedBy.StandardMessages),
      targetedMessages: enumMember('LexTargetedMessages', LexTargetedMessages, invokedBy.TargetedMessages),
    };
  }
  if (l.WelcomeIntent) out.welcomeIntent = l.WelcomeIntent;
  return out;
}
