import { page } from './chime-paging';
import {
  AdminRecord,
  badRequest,
  BotConfiguration,
  BotRecord,
  ChimeStore,
  clone,
  conflict,
  date,
  EndpointRecord,
  ExpirationSettings,
  InstanceRecord,
  limitExceeded,
  Tag,
  UserRecord,
} from './chime-state';
import { OperationImpl, RequestContext } from './service';

/**
 * The members of an app instance: users (with expiration settings), their push
 * notification endpoints, bots, and the admin role of users and bots.
 *
 * Choices where the API reference is silent (the README repeats them):
 * - Users: the ARN is `{AppInstanceArn}/user/{AppInstanceUserId}`; an id already used in the
 *   instance is a ConflictException. Deleting a user removes its endpoints and its admin role.
 *   A user with ExpirationSettings is deleted (with its endpoints and admin role) once
 *   `CreatedTimestamp + ExpirationDays` has passed (plus `expirationDelayMs`); until then it
 *   is fully usable, and new settings are honoured (the reference says so).
 *   PutAppInstanceUserExpirationSettings without ExpirationSettings removes them.
 * - Bots: the ARN is `{AppInstanceArn}/bot/{uuid}`; names need not be unique.
 *   UpdateAppInstanceBot replaces the whole Configuration when given, and keeps it when not.
 * - Admins: a user or a bot of the instance can be promoted; promoting an admin again is a
 *   ConflictException. The admin's `Name` is the member's current name. Demoting someone who
 *   is no admin fails like any lookup of something that does not exist.
 * - Endpoints: ids are 64 lowercase hexadecimal digits. A `ResourceArn` that is not a
 *   Pinpoint application ARN (`arn:aws:mobiletargeting:{region}:{account}:apps/{id}`) is
 *   accepted, and the endpoint is INACTIVE with reason INVALID_PINPOINT_ARN, as the
 *   reference describes that state; otherwise it is ACTIVE (the emulator cannot tell a bad
 *   device token, so INVALID_DEVICE_TOKEN never appears). Registering the same device token
 *   for the same type and Pinpoint application twice for one user is a ConflictException.
 *   Deregistering an endpoint that does not exist fails like any other lookup.
 *   AllowMessages defaults to ALL.
 */

const PINPOINT_APP_ARN = /^arn:aws[a-z-]*:mobiletargeting:[a-z0-9-]+:\d{12}:apps\/[A-Za-z0-9]+$/;

function userOut(user: UserRecord): Record<string, unknown> {
  return {
    AppInstanceUserArn: user.arn,
    Name: user.name,
    Metadata: user.metadata,
    CreatedTimestamp: date(user.created),
    LastUpdatedTimestamp: date(user.updated),
    ExpirationSettings: user.expiration ? { ...user.expiration } : undefined,
  };
}

function endpointSummary(user: UserRecord, e: EndpointRecord): Record<string, unknown> {
  return {
    AppInstanceUserArn: user.arn,
    EndpointId: e.endpointId,
    Name: e.name,
    Type: e.type,
    AllowMessages: e.allowMessages,
    EndpointState: { ...e.state },
  };
}

function botOut(bot: BotRecord): Record<string, unknown> {
  return {
    AppInstanceBotArn: bot.arn,
    Name: bot.name,
    Metadata: bot.metadata,
    Configuration: clone(bot.configuration),
    CreatedTimestamp: date(bot.created),
    LastUpdatedTimestamp: date(bot.updated),
  };
}

function tagsOf(input: Record<string, any>): Tag[] {
  return ((input.Tags ?? []) as Tag[]).map((t) => ({ Key: t.Key, Value: t.Value }));
}

function expirationOf(value: unknown): ExpirationSettings | undefined {
  if (!value) return undefined;
  const { ExpirationDays, ExpirationCriterion } = value as ExpirationSettings;
  return { ExpirationDays, ExpirationCriterion };
}

function configurationOf(value: unknown): BotConfiguration {
  const lex = (value as BotConfiguration).Lex;
  const out: BotConfiguration = { Lex: { LexBotAliasArn: lex.LexBotAliasArn, LocaleId: lex.LocaleId } };
  if (lex.RespondsTo !== undefined) out.Lex.RespondsTo = lex.RespondsTo;
  if (lex.InvokedBy !== undefined) out.Lex.InvokedBy = { StandardMessages: lex.InvokedBy.StandardMessages, TargetedMessages: lex.InvokedBy.TargetedMessages };
  if (lex.WelcomeIntent !== undefined) out.Lex.WelcomeIntent = lex.WelcomeIntent;
  return out;
}

function adminIdentity(store: ChimeStore, instance: InstanceRecord, admin: AdminRecord): Record<string, unknown> {
  return { Arn: admin.arn, Name: store.memberName(instance, admin.arn) };
}

export function userOperations(store: ChimeStore): Record<string, OperationImpl> {
  const q = (operation: string, ctx: RequestContext, member: string, write = false) => ({ operation, ctx, member, write });
  return {
    CreateAppInstanceUser(input, ctx) {
      const op = 'CreateAppInstanceUser';
      const instance = store.instance(input.AppInstanceArn, q(op, ctx, 'AppInstanceArn', true));
      const userId = input.AppInstanceUserId as string;
      if (instance.users[userId]) throw conflict(op, `AppInstanceUser ${userId} already exists in AppInstance ${instance.arn}`);
      if (Object.keys(instance.users).length >= store.limits.usersPerAppInstance) {
        throw limitExceeded(op, `AppInstance ${instance.arn} already has ${store.limits.usersPerAppInstance} AppInstanceUsers (the limit)`);
      }
      const now = ctx.now().getTime();
      const user: UserRecord = {
        userId,
        arn: `${instance.arn}/user/${userId}`,
        name: input.Name,
        metadata: input.Metadata,
        created: now,
        updated: now,
        seq: store.nextSeq(),
        tags: tagsOf(input),
        expiration: expirationOf(input.ExpirationSettings),
        endpoints: {},
      };
      instance.users[userId] = user;
      return { AppInstanceUserArn: user.arn };
    },

    DescribeAppInstanceUser(input, ctx) {
      const { user } = store.user(input.AppInstanceUserArn, q('DescribeAppInstanceUser', ctx, 'AppInstanceUserArn'));
      return { AppInstanceUser: userOut(user) };
    },

    ListAppInstanceUsers(input, ctx) {
      const op = 'ListAppInstanceUsers';
      const instance = store.instance(input.AppInstanceArn, q(op, ctx, 'AppInstanceArn'));
      const { items, NextToken } = page(op, instance.arn, Object.values(instance.users), input, store.defaultMaxResults);
      return {
        AppInstanceArn: instance.arn,
        AppInstanceUsers: items.map((u) => ({ AppInstanceUserArn: u.arn, Name: u.name, Metadata: u.metadata })),
        NextToken,
      };
    },

    UpdateAppInstanceUser(input, ctx) {
      const { user } = store.user(input.AppInstanceUserArn, q('UpdateAppInstanceUser', ctx, 'AppInstanceUserArn', true));
      user.name = input.Name;
      user.metadata = input.Metadata;
      user.updated = ctx.now().getTime();
      return { AppInstanceUserArn: user.arn };
    },

    DeleteAppInstanceUser(input, ctx) {
      const { instance, user } = store.user(input.AppInstanceUserArn, q('DeleteAppInstanceUser', ctx, 'AppInstanceUserArn', true));
      store.removeUser(instance, user);
    },

    PutAppInstanceUserExpirationSettings(input, ctx) {
      const { user } = store.user(input.AppInstanceUserArn, q('PutAppInstanceUserExpirationSettings', ctx, 'AppInstanceUserArn', true));
      user.expiration = expirationOf(input.ExpirationSettings);
      user.updated = ctx.now().getTime();
      return { AppInstanceUserArn: user.arn, ExpirationSettings: user.expiration ? { ...user.expiration } : undefined };
    },
  };
}

export function endpointOperations(store: ChimeStore): Record<string, OperationImpl> {
  const q = (operation: string, ctx: RequestContext, write = false) => ({ operation, ctx, member: 'AppInstanceUserArn', write });
  const find = (operation: string, user: UserRecord, endpointId: string): EndpointRecord => {
    const endpoint = user.endpoints[endpointId];
    if (!endpoint) throw store.notFound(operation, `AppInstanceUserEndpoint ${endpointId} of ${user.arn} not found`);
    return endpoint;
  };
  return {
    RegisterAppInstanceUserEndpoint(input, ctx) {
      const op = 'RegisterAppInstanceUserEndpoint';
      const { user } = store.user(input.AppInstanceUserArn, q(op, ctx, true));
      const attributes = input.EndpointAttributes as EndpointRecord['attributes'];
      const duplicate = Object.values(user.endpoints).find(
        (e) => e.type === input.Type && e.resourceArn === input.ResourceArn && e.attributes.DeviceToken === attributes.DeviceToken,
      );
      if (duplicate) throw conflict(op, `This device token is already registered for ${user.arn} as endpoint ${duplicate.endpointId}`);
      if (Object.keys(user.endpoints).length >= store.limits.endpointsPerUser) {
        throw limitExceeded(op, `${user.arn} already has ${store.limits.endpointsPerUser} endpoints (the limit)`);
      }
      const now = ctx.now().getTime();
      let endpointId = store.newEndpointId();
      while (user.endpoints[endpointId]) endpointId = store.newEndpointId();
      const pinpoint = PINPOINT_APP_ARN.test(input.ResourceArn);
      const endpoint: EndpointRecord = {
        endpointId,
        name: input.Name,
        type: input.Type,
        resourceArn: input.ResourceArn,
        attributes: { DeviceToken: attributes.DeviceToken, ...(attributes.VoipDeviceToken !== undefined ? { VoipDeviceToken: attributes.VoipDeviceToken } : {}) },
        allowMessages: input.AllowMessages ?? 'ALL',
        state: pinpoint ? { Status: 'ACTIVE' } : { Status: 'INACTIVE', StatusReason: 'INVALID_PINPOINT_ARN' },
        created: now,
        updated: now,
        seq: store.nextSeq(),
      };
      user.endpoints[endpointId] = endpoint;
      return { AppInstanceUserArn: user.arn, EndpointId: endpointId };
    },

    DescribeAppInstanceUserEndpoint(input, ctx) {
      const op = 'DescribeAppInstanceUserEndpoint';
      const { user } = store.user(input.AppInstanceUserArn, q(op, ctx));
      const e = find(op, user, input.EndpointId);
      return {
        AppInstanceUserEndpoint: {
          ...endpointSummary(user, e),
          ResourceArn: e.resourceArn,
          EndpointAttributes: { ...e.attributes },
          CreatedTimestamp: date(e.created),
          LastUpdatedTimestamp: date(e.updated),
        },
      };
    },

    ListAppInstanceUserEndpoints(input, ctx) {
      const op = 'ListAppInstanceUserEndpoints';
      const { user } = store.user(input.AppInstanceUserArn, q(op, ctx));
      const { items, NextToken } = page(op, user.arn, Object.values(user.endpoints), input, store.defaultMaxResults);
      return { AppInstanceUserEndpoints: items.map((e) => endpointSummary(user, e)), NextToken };
    },

    UpdateAppInstanceUserEndpoint(input, ctx) {
      const op = 'UpdateAppInstanceUserEndpoint';
      const { user } = store.user(input.AppInstanceUserArn, q(op, ctx, true));
      const e = find(op, user, input.EndpointId);
      if (input.Name !== undefined) e.name = input.Name;
      if (input.AllowMessages !== undefined) e.allowMessages = input.AllowMessages;
      e.updated = ctx.now().getTime();
      return { AppInstanceUserArn: user.arn, EndpointId: e.endpointId };
    },

    DeregisterAppInstanceUserEndpoint(input, ctx) {
      const op = 'DeregisterAppInstanceUserEndpoint';
      const { user } = store.user(input.AppInstanceUserArn, q(op, ctx, true));
      const e = find(op, user, input.EndpointId);
      delete user.endpoints[e.endpointId];
    },
  };
}

export function botOperations(store: ChimeStore): Record<string, OperationImpl> {
  const q = (operation: string, ctx: RequestContext, member: string, write = false) => ({ operation, ctx, member, write });
  return {
    CreateAppInstanceBot(input, ctx) {
      const op = 'CreateAppInstanceBot';
      const instance = store.instance(input.AppInstanceArn, q(op, ctx, 'AppInstanceArn', true));
      if (Object.keys(instance.bots).length >= store.limits.botsPerAppInstance) {
        throw limitExceeded(op, `AppInstance ${instance.arn} already has ${store.limits.botsPerAppInstance} AppInstanceBots (the limit)`);
      }
      const now = ctx.now().getTime();
      let botId = store.newUuid();
      while (instance.bots[botId]) botId = store.newUuid();
      const bot: BotRecord = {
        botId,
        arn: `${instance.arn}/bot/${botId}`,
        name: input.Name,
        metadata: input.Metadata,
        configuration: configurationOf(input.Configuration),
        created: now,
        updated: now,
        seq: store.nextSeq(),
        tags: tagsOf(input),
      };
      instance.bots[botId] = bot;
      return { AppInstanceBotArn: bot.arn };
    },

    DescribeAppInstanceBot(input, ctx) {
      const { bot } = store.bot(input.AppInstanceBotArn, q('DescribeAppInstanceBot', ctx, 'AppInstanceBotArn'));
      return { AppInstanceBot: botOut(bot) };
    },

    ListAppInstanceBots(input, ctx) {
      const op = 'ListAppInstanceBots';
      const instance = store.instance(input.AppInstanceArn, q(op, ctx, 'AppInstanceArn'));
      const { items, NextToken } = page(op, instance.arn, Object.values(instance.bots), input, store.defaultMaxResults);
      return {
        AppInstanceArn: instance.arn,
        AppInstanceBots: items.map((b) => ({ AppInstanceBotArn: b.arn, Name: b.name, Metadata: b.metadata })),
        NextToken,
      };
    },

    UpdateAppInstanceBot(input, ctx) {
      const { bot } = store.bot(input.AppInstanceBotArn, q('UpdateAppInstanceBot', ctx, 'AppInstanceBotArn', true));
      bot.name = input.Name;
      bot.metadata = input.Metadata;
      if (input.Configuration !== undefined) bot.configuration = configurationOf(input.Configuration);
      bot.updated = ctx.now().getTime();
      return { AppInstanceBotArn: bot.arn };
    },

    DeleteAppInstanceBot(input, ctx) {
      const { instance, bot } = store.bot(input.AppInstanceBotArn, q('DeleteAppInstanceBot', ctx, 'AppInstanceBotArn', true));
      store.removeBot(instance, bot);
    },
  };
}

export function adminOperations(store: ChimeStore): Record<string, OperationImpl> {
  const q = (operation: string, ctx: RequestContext, member: string, write = false) => ({ operation, ctx, member, write });
  /** The instance and the admin role of `AppInstanceAdminArn` in it. */
  const role = (operation: string, input: Record<string, any>, ctx: RequestContext, write = false) => {
    const instance = store.instance(input.AppInstanceArn, q(operation, ctx, 'AppInstanceArn', write));
    const admin = instance.admins[input.AppInstanceAdminArn];
    if (!admin) throw store.notFound(operation, `${input.AppInstanceAdminArn} is not an AppInstanceAdmin of ${instance.arn}`);
    return { instance, admin };
  };
  return {
    CreateAppInstanceAdmin(input, ctx) {
      const op = 'CreateAppInstanceAdmin';
      const instance = store.instance(input.AppInstanceArn, q(op, ctx, 'AppInstanceArn', true));
      const member = store.member(input.AppInstanceAdminArn, q(op, ctx, 'AppInstanceAdminArn', true));
      if (member.instance !== instance) throw badRequest(`${member.arn} is not a member of ${instance.arn}`);
      if (instance.admins[member.arn]) throw conflict(op, `${member.arn} is already an AppInstanceAdmin of ${instance.arn}`);
      if (Object.keys(instance.admins).length >= store.limits.adminsPerAppInstance) {
        throw limitExceeded(op, `AppInstance ${instance.arn} already has ${store.limits.adminsPerAppInstance} AppInstanceAdmins (the limit)`);
      }
      instance.admins[member.arn] = { arn: member.arn, created: ctx.now().getTime(), seq: store.nextSeq() };
      return { AppInstanceAdmin: { Arn: member.arn, Name: member.name }, AppInstanceArn: instance.arn };
    },

    DescribeAppInstanceAdmin(input, ctx) {
      const { instance, admin } = role('DescribeAppInstanceAdmin', input, ctx);
      return { AppInstanceAdmin: { Admin: adminIdentity(store, instance, admin), AppInstanceArn: instance.arn, CreatedTimestamp: date(admin.created) } };
    },

    ListAppInstanceAdmins(input, ctx) {
      const op = 'ListAppInstanceAdmins';
      const instance = store.instance(input.AppInstanceArn, q(op, ctx, 'AppInstanceArn'));
      const { items, NextToken } = page(op, instance.arn, Object.values(instance.admins), input, store.defaultMaxResults);
      return { AppInstanceArn: instance.arn, AppInstanceAdmins: items.map((a) => ({ Admin: adminIdentity(store, instance, a) })), NextToken };
    },

    /** Demotes: the user or bot stays. */
    DeleteAppInstanceAdmin(input, ctx) {
      const { instance, admin } = role('DeleteAppInstanceAdmin', input, ctx, true);
      delete instance.admins[admin.arn];
    },
  };
}
