import {
  CreateAppInstanceBotCommand,
  DeleteAppInstanceBotCommand,
  DescribeAppInstanceBotCommand,
  LexConfiguration,
  paginateListAppInstanceBots,
  UpdateAppInstanceBotCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { RequestRefusedError } from '../core/errors';
import { ADOPT_BY_DECLARATION } from '../core/ownership.wire';
import { Existing } from '../core/takeover';
import { changedKeys, CleanupContext, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { oneOf, optional, str, struct, withDefault } from '../core/schema';
import { chimeArn } from './arn-schema';
import { APP_INSTANCE_BOT_CLAIM_TYPES, APP_INSTANCE_BOT_TYPE, LEX_BOT_ALIAS_ARN_PATTERN, RESPONDS_TO, STANDARD_MESSAGES, TARGETED_MESSAGES, WELCOME_INTENT_PATTERN } from './bot.wire';
import { METADATA_MAX, NAME_MAX } from './rules';
import { applyTagDiff, readTags, Tag, tagList } from './tags';

interface Lex {
  readonly LexBotAliasArn: string;
  readonly LocaleId: string;
  readonly RespondsTo?: (typeof RESPONDS_TO)[number];
  readonly InvokedBy?: { readonly StandardMessages: (typeof STANDARD_MESSAGES)[number]; readonly TargetedMessages: (typeof TARGETED_MESSAGES)[number] };
  readonly WelcomeIntent?: string;
}

export interface AppInstanceBotProps {
  readonly AppInstanceArn: string;
  readonly Name: string;
  readonly Metadata: string;
  readonly Lex: Lex;
  readonly Tags: Tag[];
}

const schema = struct<AppInstanceBotProps>({
  AppInstanceArn: chimeArn('an app instance ARN'),
  Name: withDefault(str({ maxLength: NAME_MAX }), ''),
  Metadata: withDefault(str({ maxLength: METADATA_MAX }), ''),
  Lex: struct<Lex>({
    LexBotAliasArn: str({ pattern: LEX_BOT_ALIAS_ARN_PATTERN, patternText: 'a Lex V2 bot alias ARN' }),
    LocaleId: str({ minLength: 1 }),
    RespondsTo: optional(oneOf(...RESPONDS_TO)),
    InvokedBy: optional(struct({ StandardMessages: oneOf(...STANDARD_MESSAGES), TargetedMessages: oneOf(...TARGETED_MESSAGES) })),
    WelcomeIntent: optional(str({ minLength: 1, maxLength: 100, pattern: WELCOME_INTENT_PATTERN })),
  }),
  Tags: withDefault(tagList(), []),
});

const configuration = (lex: Lex) => ({ Lex: lex as LexConfiguration });

/**
 * The `CreateAppInstanceBot` of a create: sent again with the same token, the service
 * answers the same bot. Without tags: tagging on create needs `chime:TagResource` on `*`,
 * so the tags are added to the new bot's ARN.
 */
const createCommand = (ctx: OperationContext, props: AppInstanceBotProps) =>
  new CreateAppInstanceBotCommand({
    AppInstanceArn: props.AppInstanceArn,
    Name: props.Name,
    Metadata: props.Metadata,
    Configuration: configuration(props.Lex),
    ClientRequestToken: ctx.token('create-app-instance-bot'),
  });

async function create(ctx: OperationContext, props: AppInstanceBotProps): Promise<OperationResult> {
  const arn = (await ctx.clients.chime().send(createCommand(ctx, props))).AppInstanceBotArn;
  if (!arn) throw new Error('CreateAppInstanceBot answered without an AppInstanceBotArn');
  await applyTagDiff(ctx, arn, [], props.Tags);
  return { physicalResourceId: arn };
}

/** A bot whose create answer was lost and whose request then failed: found by the create's token, deleted. */
async function cleanupFailedCreate(ctx: CleanupContext, props: AppInstanceBotProps): Promise<string | void> {
  if (ctx.made.sent('CreateAppInstanceBot') === 0) return;
  const arn = (await ctx.clients.chime().send(createCommand(ctx, props))).AppInstanceBotArn;
  if (!arn) return;
  await remove(ctx, arn);
  return `app instance bot ${arn}`;
}

/**
 * Name, metadata and the Lex configuration change in place (`UpdateAppInstanceBot` takes all
 * three); a new instance means a new bot, unless the bot already is in it (a rollback).
 */
async function update(ctx: OperationContext, arn: string, props: AppInstanceBotProps, old: AppInstanceBotProps): Promise<OperationResult> {
  const changed = changedKeys(old, props);
  if (!arn.startsWith(`${props.AppInstanceArn}/bot/`)) return ctx.replacement ? ctx.replacement(props) : create(ctx, props);
  if (changed.some((k) => k === 'Name' || k === 'Metadata' || k === 'Lex')) {
    await ctx.clients.chime().send(
      new UpdateAppInstanceBotCommand({ AppInstanceBotArn: arn, Name: props.Name, Metadata: props.Metadata, Configuration: changed.includes('Lex') ? configuration(props.Lex) : undefined }),
    );
  }
  if (changed.includes('Tags')) await applyTagDiff(ctx, arn, old.Tags, props.Tags);
  return { physicalResourceId: arn };
}

async function remove(ctx: OperationContext, arn: string): Promise<void> {
  await ctx.clients.chime().send(new DeleteAppInstanceBotCommand({ AppInstanceBotArn: arn }));
}

async function read(ctx: OperationContext, arn: string, props: AppInstanceBotProps): Promise<LiveState> {
  const { AppInstanceBot: b } = await ctx.clients.chime().send(new DescribeAppInstanceBotCommand({ AppInstanceBotArn: arn }));
  return {
    exists: true,
    properties: { AppInstanceArn: props.AppInstanceArn, Name: b?.Name ?? '', Metadata: b?.Metadata ?? '', Lex: b?.Configuration?.Lex, Tags: await readTags(ctx, arn) },
  };
}

/**
 * The bot a create would take over: the one the adoption context names by ARN, else the
 * instance's bots of the declared name, looked up when adoption is asked or the stack has
 * another bot resource (a construct renamed keeps its bot). Chime allows several bots of one
 * name: otherwise the create makes a new one (one another stack owns is that stack's).
 */
async function existing(ctx: OperationContext, props: AppInstanceBotProps, adopt?: string): Promise<Existing[]> {
  // With when it was made (one made since this request began is its own: a redelivery finds its bot again by its token).
  const describe = async (arn: string): Promise<Existing> => {
    const { AppInstanceBot: b } = await ctx.clients.chime().send(new DescribeAppInstanceBotCommand({ AppInstanceBotArn: arn }));
    return { physicalId: arn, what: `the app instance bot ${arn} ("${b?.Name ?? ''}")`, namesRepeat: true, createdAt: b?.CreatedTimestamp?.getTime() };
  };
  if (adopt !== undefined && adopt !== ADOPT_BY_DECLARATION) {
    if (!adopt.startsWith(`${props.AppInstanceArn}/bot/`)) throw new RequestRefusedError(`the adoption context names ${JSON.stringify(adopt)} for a bot: give the ARN of a bot of ${props.AppInstanceArn}`);
    return [await describe(adopt)];
  }
  if (adopt === undefined && (await ctx.ownership?.siblings(APP_INSTANCE_BOT_CLAIM_TYPES))?.length === 0) return [];
  const arns: string[] = [];
  for await (const page of paginateListAppInstanceBots({ client: ctx.clients.chime() }, { AppInstanceArn: props.AppInstanceArn })) {
    for (const b of page.AppInstanceBots ?? []) if (b.AppInstanceBotArn && b.Name === props.Name) arns.push(b.AppInstanceBotArn);
  }
  return Promise.all(arns.map(describe));
}

export const appInstanceBotHandler: ResourceHandler<AppInstanceBotProps> = {
  resourceType: APP_INSTANCE_BOT_TYPE,
  schema,
  create,
  update,
  delete: (ctx, arn) => remove(ctx, arn),
  read,
  cleanupFailedCreate,
  existing,
  claimTypes: APP_INSTANCE_BOT_CLAIM_TYPES,
};
