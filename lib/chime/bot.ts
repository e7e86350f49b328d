import { IResource, ITaggable, Lazy, RemovalPolicy, Resource, TagManager, TagType } from 'aws-cdk-lib';
import { CfnAppInstanceBot } from 'aws-cdk-lib/aws-chime';
import { Construct } from 'constructs';
import { adoptOnce, ProviderBackedResource } from '../core/base';
import { checkLength, checkMaxBytes, checkOneOf, checkPattern, checkRule } from '../core/validate';
import {
  APP_INSTANCE_BOT_TYPE,
  AppInstanceBotKeys,
  LEX_BOT_ALIAS_ARN_PATTERN,
  RESPONDS_TO,
  STANDARD_MESSAGES,
  TARGETED_MESSAGES,
  WELCOME_INTENT_PATTERN,
} from '../../lambda/chime/bot.wire';
import { METADATA_MAX, NAME_MAX } from '../../lambda/chime/rules';
import { IChimeAppInstance } from './app-instance';
import { IChimeAppInstanceMember } from './member';
import { anyAppInstanceArn } from './arns';
import { TAG_OPERATIONS, validateTags } from './tags';
import { operationGrants } from '../core/iam';
import { aReference, checkProps, A_STRING, AN_APP_INSTANCE, aStructure } from '../core/props';

const A_LEX = aReference('a Lex configuration', 'botAliasArn', '{ botAliasArn, localeId }');

/** An app instance bot, created here or imported. */
export interface IChimeAppInstanceBot extends IResource, IChimeAppInstanceMember {
  /**
   * The bot's ARN: `arn:aws:chime:<region>:<account>:app-instance/<id>/bot/<bot id>`.
   * @attribute
   */
  readonly appInstanceBotArn: string;
}

/** Which standard (non-targeted) channel messages invoke the bot. */
export enum LexStandardMessages {
  /** Messages in a channel with exactly two members (the bot and one user), and messages that mention the bot. */
  AUTO = 'AUTO',
  /** Every standard message. */
  ALL = 'ALL',
  /** Messages that mention the bot. */
  MENTIONS = 'MENTIONS',
  /** None. */
  NONE = 'NONE',
}

/** Which targeted messages invoke the bot. */
export enum LexTargetedMessages {
  /** Every targeted message. */
  ALL = 'ALL',
  /** None. */
  NONE = 'NONE',
}

/** What the Lex bot responds to. */
export enum LexRespondsTo {
  /** Standard channel messages. */
  STANDARD_MESSAGES = 'STANDARD_MESSAGES',
}

/** Which messages invoke a Lex bot. */
export interface LexInvokedBy {
  /** Standard messages that invoke the bot. */
  readonly standardMessages: LexStandardMessages;
  /** Targeted messages that invoke the bot. */
  readonly targetedMessages: LexTargetedMessages;
}

/** The Amazon Lex V2 bot behind an app instance bot. */
export interface ChimeLexConfiguration {
  /**
   * The Lex V2 bot alias ARN: `arn:aws:lex:<region>:<account>:bot-alias/<bot id>/<alias id>`.
   */
  readonly botAliasArn: string;
  /** The bot's locale, for example `en_US`. */
  readonly localeId: string;
  /**
   * What the bot responds to (deprecated by the service in favour of `invokedBy`). Give
   * exactly one of `respondsTo` and `invokedBy`.
   * @default - not set: `invokedBy` is given
   */
  readonly respondsTo?: LexRespondsTo;
  /**
   * Which messages invoke the bot. Give exactly one of `invokedBy` and `respondsTo`: a bot
   * with neither is never invoked, and the service refuses it.
   * @default - not set: `respondsTo` is given
   */
  readonly invokedBy?: LexInvokedBy;
  /**
   * The intent run when a user first joins a channel with the bot, 1 to 100 letters,
   * single underscores between them.
   * @default - no welcome intent
   */
  readonly welcomeIntent?: string;
}

export interface ChimeAppInstanceBotProps {
  /** The app instance the bot belongs to. Another instance means another bot (replacement). */
  readonly appInstance: IChimeAppInstance;
  /**
   * The bot's name, at most 256 characters. Changes in place.
   * @default - no name
   */
  readonly name?: string;
  /**
   * Metadata, at most 1 KB. Changes in place.
   * @default - no metadata
   */
  readonly metadata?: string;
  /** The Lex V2 bot that answers. Changes in place (`UpdateAppInstanceBot`). */
  readonly lex: ChimeLexConfiguration;
  /**
   * What happens to the bot when it leaves the stack or is replaced.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A bot of an Amazon Chime SDK app instance, backed by an Amazon Lex V2 bot.
 *
 * Name, metadata, the Lex configuration and tags change in place; another app instance
 * means a new bot. The create carries a `ClientRequestToken` derived from the
 * CloudFormation request, so a duplicated delivery never makes a second bot. The Lex
 * bot's resource policy must let `messaging.chime.amazonaws.com` call it; that policy is
 * the Lex bot's, not part of this construct.
 */
export class ChimeAppInstanceBot extends ProviderBackedResource implements IChimeAppInstanceBot, ITaggable {
  /** Imports a bot by ARN. */
  public static fromAppInstanceBotArn(scope: Construct, id: string, appInstanceBotArn: string): IChimeAppInstanceBot {
    class Import extends Resource implements IChimeAppInstanceBot {
      public readonly appInstanceBotArn = appInstanceBotArn;
      public readonly appInstanceMemberArn = appInstanceBotArn;
    }
    return new Import(scope, id);
  }

  /** Adopts a bot created with the native `AWS::Chime::AppInstanceBot` (`aws_chime.CfnAppInstanceBot`). */
  public static fromCfnAppInstanceBot(cfnBot: CfnAppInstanceBot): IChimeAppInstanceBot {
    return adoptOnce(cfnBot, '@FromCfnAppInstanceBot', (scope, id) => ChimeAppInstanceBot.fromAppInstanceBotArn(scope, id, cfnBot.attrAppInstanceBotArn));
  }

  public readonly appInstanceBotArn: string;
  /** The bot's ARN, as an app instance member (an admin names it). */
  public readonly appInstanceMemberArn: string;
  /** The app instance the bot belongs to. */
  public readonly appInstance: IChimeAppInstance;
  /** Tags, set with `Tags.of(...)`; changes are applied by tag/untag difference. */
  public readonly tags = new TagManager(TagType.KEY_VALUE, APP_INSTANCE_BOT_TYPE);

  constructor(scope: Construct, id: string, props: ChimeAppInstanceBotProps) {
    super(scope, id);
    checkProps(this, props, { appInstance: AN_APP_INSTANCE, lex: A_LEX }, { name: A_STRING, metadata: A_STRING });
    checkProps(this, props.lex, { botAliasArn: A_STRING, localeId: A_STRING }, { welcomeIntent: A_STRING, invokedBy: aStructure('the messages that invoke the bot (LexInvokedBy)') }, 'lex.');
    checkLength(this, 'name', props.name, 1, NAME_MAX);
    checkMaxBytes(this, 'metadata', props.metadata, METADATA_MAX);
    const lex = props.lex;
    checkPattern(this, 'lex.botAliasArn', lex.botAliasArn, LEX_BOT_ALIAS_ARN_PATTERN, 'a Lex V2 bot alias ARN (arn:aws:lex:<region>:<account>:bot-alias/<10 of A-Z 0-9>/<10 of A-Z 0-9>)');
    checkRule(this, 'lex.localeId', lex.localeId, lex.localeId !== '', 'must not be empty (a Lex locale such as en_US)');
    checkOneOf(this, 'lex.respondsTo', lex.respondsTo, RESPONDS_TO, { name: 'LexRespondsTo', members: LexRespondsTo });
    checkOneOf(this, 'lex.invokedBy.standardMessages', lex.invokedBy?.standardMessages, STANDARD_MESSAGES, { name: 'LexStandardMessages', members: LexStandardMessages });
    checkOneOf(this, 'lex.invokedBy.targetedMessages', lex.invokedBy?.targetedMessages, TARGETED_MESSAGES, { name: 'LexTargetedMessages', members: LexTargetedMessages });
    checkRule(this, 'lex.invokedBy', lex.invokedBy, (lex.invokedBy === undefined) !== (lex.respondsTo === undefined),
      lex.invokedBy === undefined ? 'is required: give lex.invokedBy (or the deprecated lex.respondsTo), or the bot is never invoked' : 'give lex.invokedBy or lex.respondsTo (deprecated), not both');
    checkLength(this, 'lex.welcomeIntent', lex.welcomeIntent, 1, 100);
    checkPattern(this, 'lex.welcomeIntent', lex.welcomeIntent, WELCOME_INTENT_PATTERN, 'letters with single underscores between them');
    this.node.addValidation({ validate: () => validateTags(this, this.tags) });

    this.appInstance = props.appInstance;
    const resource = this._createResource({
      resourceType: APP_INSTANCE_BOT_TYPE,
      properties: {
        [AppInstanceBotKeys.AppInstanceArn]: props.appInstance.appInstanceArn,
        [AppInstanceBotKeys.Name]: props.name,
        [AppInstanceBotKeys.Metadata]: props.metadata,
        [AppInstanceBotKeys.Lex]: {
          LexBotAliasArn: lex.botAliasArn,
          LocaleId: lex.localeId,
          RespondsTo: lex.respondsTo,
          InvokedBy: lex.invokedBy && { StandardMessages: lex.invokedBy.standardMessages, TargetedMessages: lex.invokedBy.targetedMessages },
          WelcomeIntent: lex.welcomeIntent,
        },
        [AppInstanceBotKeys.Tags]: Lazy.any({ produce: () => this.tags.renderTags() }),
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      grants: operationGrants('chime-sdk-identity', ['ListAppInstanceBots', 'CreateAppInstanceBot', 'DescribeAppInstanceBot', 'UpdateAppInstanceBot', 'DeleteAppInstanceBot', ...TAG_OPERATIONS], [anyAppInstanceArn(this)]),
    });
    this.appInstanceBotArn = resource.ref;
    this.appInstanceMemberArn = resource.ref;
  }
}
