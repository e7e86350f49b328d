import { isNotFound, RequestRefusedError } from '../core/errors';
import { changedKeys, CleanupContext, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { bool, optional, str, struct, withDefault } from '../core/schema';
import { readSecret, SecretRef, secretRef } from '../core/secrets';
import { untilSeen } from '../core/eventual';
import { ADOPT_BY_DECLARATION } from '../core/ownership.wire';
import { Existing } from '../core/takeover';
import { Bot, CreateBotCommand, DeleteBotCommand, GetBotCommand, paginateListBots, UpdateBotCommand, WickrServiceException } from './client';
import { BOT_TYPE, BOT_USERNAME_PATTERN } from './bot.wire';

export interface BotProps {
  readonly NetworkId: string;
  readonly Username: string;
  readonly DisplayName?: string;
  readonly GroupId: string;
  readonly Challenge: SecretRef;
  readonly ChallengeVersion?: string;
  readonly Suspended: boolean;
}

const schema = struct<BotProps>({
  NetworkId: str({ pattern: /^[0-9]{8}$/, patternText: 'an 8-digit network id' }),
  Username: str({ minLength: 4, pattern: BOT_USERNAME_PATTERN, patternText: 'a username ending in "bot"' }),
  DisplayName: optional(str({ minLength: 1 })),
  GroupId: str({ minLength: 1 }),
  Challenge: secretRef(),
  ChallengeVersion: optional(str()),
  Suspended: withDefault(bool(), false),
});

/** The bot with exactly this username (ListBots filters by substring). */
async function findBot(ctx: OperationContext, networkId: string, username: string): Promise<Bot | undefined> {
  for await (const page of paginateListBots({ client: ctx.clients.wickr() }, { networkId, username })) {
    const bot = page.bots?.find((b) => b.username === username);
    if (bot?.botId) return bot;
  }
  return undefined;
}

/** The display name a bot carries while this request creates it (until the answer is delivered). */
const markerName = (ctx: OperationContext) => `pending-${ctx.token('create-bot').slice(0, 12)}`;

/**
 * `CreateBot` takes no client token, and bot usernames are unique in a network. So the
 * bot is created under a marker display name, by which any delivery of the same request
 * recognises it as its own:
 *
 * - a bot with the username and this request's marker is adopted (a repeated or concurrent
 *   delivery; the service refuses the second `CreateBot` of a username, so two deliveries
 *   never make two bots); a bot with the username and any other display name is refused
 *   (a bot this library did not make must not be taken over, nor its password replaced);
 * - after a failed or ambiguous `CreateBot` the handler looks again and adopts its bot; when
 *   the service refused the username as taken, it looks until lists show that bot (they are
 *   eventually consistent), which another delivery may have answered and named already;
 * - the real display name is set only once CloudFormation has the answer (`finish`): a
 *   bot without the marker always has its answer delivered, so a later delivery that is
 *   refused answers after the answer CloudFormation keeps;
 * - a failed create leaves the marker, by which `cleanupFailedCreate` finds the bot.
 *
 * A bot declared without a display name gets its username as display name.
 */
async function create(ctx: OperationContext, props: BotProps): Promise<OperationResult> {
  const wickr = ctx.clients.wickr();
  const marker = markerName(ctx);
  let bot = await findBot(ctx, props.NetworkId, props.Username);
  if (bot && bot.displayName !== marker) {
    throw new RequestRefusedError(
      `a bot named "${props.Username}" already exists in network ${props.NetworkId} (bot ${bot.botId}). ` +
        'Bot usernames are unique in a network: choose another username, or delete the existing bot first',
    );
  }
  if (!bot) {
    const challenge = await readSecret(ctx, props.Challenge);
    try {
      const out = await wickr.send(new CreateBotCommand({ networkId: props.NetworkId, username: props.Username, displayName: marker, groupId: props.GroupId, challenge }));
      bot = { botId: out.botId, displayName: marker };
    } catch (err) {
      // Refused as taken, the username has a bot that lists may not show yet (they are eventually consistent): look until they do.
      const taken = err instanceof WickrServiceException && err.$fault === 'client' && /already exists/i.test(err.message);
      bot = taken ? (await untilSeen(() => findBot(ctx, props.NetworkId, props.Username))).value : await findBot(ctx, props.NetworkId, props.Username);
      // Ours under the marker, or already given its declared name by another delivery's `finish`.
      if (bot?.displayName !== marker && !(taken && bot?.displayName === (props.DisplayName ?? props.Username))) throw err;
      ctx.log.log('info', 'CreateBot failed, but another delivery of this request (or the call itself) made the bot: adopting it', { botId: bot?.botId });
    }
  }
  const botId = bot.botId;
  if (!botId) throw new Error('CreateBot answered without a botId');
  if (props.Suspended) await wickr.send(new UpdateBotCommand({ networkId: props.NetworkId, botId, suspend: true }));
  return {
    physicalResourceId: botId,
    finish: (finishCtx) => finishCtx.clients.wickr().send(new UpdateBotCommand({ networkId: props.NetworkId, botId, displayName: props.DisplayName ?? props.Username })).then(() => undefined),
  };
}

/** The bot the failed request made still carries its marker display name. */
async function cleanupFailedCreate(ctx: CleanupContext, props: BotProps): Promise<string | void> {
  if (!ctx.made.mayHave('CreateBot')) return;
  const bot = await findBot(ctx, props.NetworkId, props.Username);
  if (!bot?.botId || bot.displayName !== markerName(ctx)) return;
  await ctx.clients.wickr().send(new DeleteBotCommand({ networkId: props.NetworkId, botId: bot.botId }));
  return `bot ${bot.botId} (${props.Username})`;
}

/** Another network or username means another bot, unless the bot already is that one (a rollback of a failed replacement). */
async function update(ctx: OperationContext, botId: string, props: BotProps, old: BotProps): Promise<OperationResult> {
  const changed = changedKeys(old, props);
  if (changed.includes('NetworkId') || changed.includes('Username')) {
    const live = await ctx.clients.wickr().send(new GetBotCommand({ networkId: props.NetworkId, botId })).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (live?.username !== props.Username) return ctx.replacement ? ctx.replacement(props) : create(ctx, props);
  }
  const rotate = changed.includes('Challenge') || changed.includes('ChallengeVersion');
  const input = {
    displayName: changed.includes('DisplayName') ? (props.DisplayName ?? props.Username) : undefined,
    groupId: changed.includes('GroupId') ? props.GroupId : undefined,
    suspend: changed.includes('Suspended') ? props.Suspended : undefined,
    challenge: rotate ? await readSecret(ctx, props.Challenge) : undefined,
  };
  if (Object.values(input).some((v) => v !== undefined)) {
    await ctx.clients.wickr().send(new UpdateBotCommand({ networkId: props.NetworkId, botId, ...input }));
  }
  return { physicalResourceId: botId };
}

async function remove(ctx: OperationContext, botId: string, props: BotProps): Promise<void> {
  await ctx.clients.wickr().send(new DeleteBotCommand({ networkId: props.NetworkId, botId }));
}

async function read(ctx: OperationContext, botId: string, props: BotProps): Promise<LiveState> {
  const bot = await ctx.clients.wickr().send(new GetBotCommand({ networkId: props.NetworkId, botId }));
  return {
    exists: true,
    properties: { NetworkId: props.NetworkId, Username: bot.username, DisplayName: bot.displayName, GroupId: bot.groupId, Suspended: bot.suspended ?? false },
  };
}

/**
 * The bot a create would take over: the network's bot with the declared username (usernames
 * are unique in a network), or the one the adoption context names by id. A bot carrying this
 * request's marker is this request's own create in progress: the create finds it itself.
 */
async function existing(ctx: OperationContext, props: BotProps, adopt?: string): Promise<Existing[]> {
  const bot = await findBot(ctx, props.NetworkId, props.Username);
  if (adopt !== undefined && adopt !== ADOPT_BY_DECLARATION && bot?.botId !== adopt) {
    throw new RequestRefusedError(`the adoption context names bot ${adopt}, but the bot of network ${props.NetworkId} named "${props.Username}" is ${bot?.botId ?? 'not there'}`);
  }
  if (!bot?.botId || bot.displayName === markerName(ctx)) return [];
  return [{ physicalId: bot.botId, what: `the bot ${bot.botId} ("${props.Username}") of Wickr network ${props.NetworkId}` }];
}

export const botHandler: ResourceHandler<BotProps> = {
  resourceType: BOT_TYPE,
  schema,
  create,
  update,
  delete: remove,
  read,
  cleanupFailedCreate,
  existing,
};
