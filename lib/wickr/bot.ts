import { RemovalPolicy } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ProviderBackedResource } from '../core/base';
import { secretReference } from '../core/secrets';
import { checkLength, checkPattern } from '../core/validate';
import { BOT_TYPE, BOT_USERNAME_PATTERN, BotKeys } from '../../lambda/wickr/bot.wire';
import { anyNetworkArn } from './arns';
import type { IWickrNetwork } from './network';
import { checkSameNetwork, IWickrSecurityGroup } from './security-group';
import { claimUsernames } from './network-parts';
import { operationGrants } from '../core/iam';
import { checkProps, A_BOOLEAN, A_NETWORK, A_SECRET, A_SECURITY_GROUP, A_STRING } from '../core/props';

export interface WickrBotProps {
  /** The network the bot belongs to. */
  readonly network: IWickrNetwork;
  /** The bot's username; must end in `bot`. A new username means a new bot. */
  readonly username: string;
  /**
   * The name members see.
   * @default - the username
   */
  readonly displayName?: string;
  /**
   * The bot's security group.
   * @default - the network's default security group
   */
  readonly securityGroup?: IWickrSecurityGroup;
  /** The secret holding the bot's challenge (its password); read at deploy time, never put in the template. */
  readonly challenge: secretsmanager.ISecret;
  /**
   * A field of the secret's JSON value that holds the challenge.
   * @default - the whole secret string
   */
  readonly challengeField?: string;
  /**
   * Change it (a date, a counter) to send the secret's current value to the bot again
   * after rotating the secret. A different secret or field is sent on its own.
   * @default - none
   */
  readonly challengeVersion?: string;
  /**
   * The bot is suspended.
   * @default false
   */
  readonly suspended?: boolean;
  /**
   * What happens to the bot when it leaves the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A Wickr bot. Display name, group, challenge and suspension change in place; a new
 * username or network means a new bot. `CreateBot` takes no client token: a username
 * already taken in the network is refused rather than taken over, and after a lost
 * answer the handler looks for the bot it made instead of creating again.
 */
export class WickrBot extends ProviderBackedResource {
  /** The bot's id. @attribute */
  public readonly botId: string;

  constructor(scope: Construct, id: string, props: WickrBotProps) {
    super(scope, id);
    checkProps(this, props, { network: A_NETWORK, username: A_STRING, challenge: A_SECRET }, { securityGroup: A_SECURITY_GROUP, displayName: A_STRING, challengeField: A_STRING, challengeVersion: A_STRING, suspended: A_BOOLEAN });
    checkPattern(this, 'username', props.username, BOT_USERNAME_PATTERN, 'a username ending in "bot"');
    checkLength(this, 'username', props.username, 4, 256);
    checkLength(this, 'displayName', props.displayName, 1, 256);
    claimUsernames(this, props.network, [{ username: props.username, prop: 'username' }]);
    const group = props.securityGroup ?? props.network.defaultSecurityGroup;
    if (props.securityGroup) checkSameNetwork(this, 'securityGroup', props.securityGroup, props.network, 'the bot');
    const resource = this._createResource({
      resourceType: BOT_TYPE,
      properties: {
        [BotKeys.NetworkId]: props.network.networkId,
        [BotKeys.Username]: props.username,
        [BotKeys.DisplayName]: props.displayName,
        [BotKeys.GroupId]: group.securityGroupId,
        [BotKeys.Challenge]: secretReference(this, 'challenge', props.challenge, props.challengeField),
        [BotKeys.ChallengeVersion]: props.challengeVersion,
        [BotKeys.Suspended]: props.suspended,
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      grants: operationGrants('wickr', ['ListBots', 'CreateBot', 'GetBot', 'UpdateBot', 'DeleteBot'], [anyNetworkArn(this)]),
    });
    this.botId = resource.ref;
  }
}
