import { RequestRefusedError } from '../core/errors';
import { changedKeys, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { bool, decodeProperties, optional, str, struct, withDefault } from '../core/schema';
import { readSecret, SecretRef, secretRef } from '../core/secrets';
import { CreateBotCommand, DeleteBotCommand, GetBotCommand, isAmbiguousFailure, paginateListBots, UpdateBotCommand } from './client';
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
async function findBot(ctx: OperationContext, networkId: string, username: string): Promise<string | undefined> {
  for await (const page of paginateListBots({ client: ctx.clients.wickr() }, { networkId, username })) {
    const bot = page.bots?.find((b) => b.username === username);
    if (bot?.botId) return bot.botId;
  }
  return undefined;
}

/**
 * `CreateBot` takes no client token, and bot usernames are unique in a network. So: look
 * for the username first and refuse if it is taken (a bot this library did not make must
 * not have its password replaced); create; after an ambiguous failure (the connection
 * dropped after sending, a 5xx), look again and adopt the bot the call made. A failed
 * create deletes the bot it made.
 */
async function create(ctx: OperationContext, props: BotProps): Promise<OperationResult> {
  const wickr = ctx.clients.wickr();
  const taken = await findBot(ctx, props.NetworkId, props.Username);
  if (taken) {
    throw new RequestRefusedError(
      `a bot named "${props.Username}" already exists in network ${props.NetworkId} (bot ${taken}). ` +
        'Bot usernames are unique in a network: choose another username, or delete the existing bot first',
    );
  }
  const challenge = await readSecret(ctx, props.Challenge);
  let botId: string | undefined;
  try {
    const out = await wickr.send(
      new CreateBotCommand({ networkId: props.NetworkId, username: props.Username, displayName: props.DisplayName, groupId: props.GroupId, challenge }),
    );
    botId = out.botId;
  } catch (err) {
    if (!isAmbiguousFailure(err)) throw err;
    ctx.log.log('warn', 'CreateBot outcome unknown; looking for the bot', { username: props.Username });
    botId = await findBot(ctx, props.NetworkId, props.Username);
    if (!botId) throw err;
  }
  if (!botId) throw new Error('CreateBot answered without a botId');
  if (props.Suspended) {
    try {
      await wickr.send(new UpdateBotCommand({ networkId: props.NetworkId, botId, suspend: true }));
    } catch (err) {
      await wickr.send(new DeleteBotCommand({ networkId: props.NetworkId, botId })).catch((cleanup) =>
        ctx.log.log('error', 'could not remove the bot this failed create made', { botId, error: cleanup }),
      );
      throw err;
    }
  }
  return { physicalResourceId: botId };
}

async function update(ctx: OperationContext, botId: string, props: BotProps, old: BotProps): Promise<OperationResult> {
  const changed = changedKeys(old, props);
  if (changed.includes('NetworkId') || changed.includes('Username')) return create(ctx, props);
  const rotate = changed.includes('Challenge') || changed.includes('ChallengeVersion');
  const input = {
    displayName: changed.includes('DisplayName') ? props.DisplayName : undefined,
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

export const botHandler: ResourceHandler<BotProps> = {
  resourceType: BOT_TYPE,
  parse: (raw) => decodeProperties(schema, raw),
  create,
  update,
  delete: remove,
  read,
};
