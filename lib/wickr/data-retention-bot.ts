import { RemovalPolicy } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { ProviderBackedResource } from '../core/base';
import { PropertyValidationError } from '../core/errors';
import { DATA_RETENTION_BOT_TYPE, DataRetentionBotKeys } from '../../lambda/wickr/data-retention-bot.wire';
import { anyNetworkArn } from './arns';
import type { IWickrNetwork } from './network';
import { operationGrants } from '../core/iam';
import { secretWriter } from '../core/secrets';

export interface WickrDataRetentionBotProps {
  /** The network (one data retention bot per network). */
  readonly network: IWickrNetwork;
  /**
   * Turn the data retention service on. It needs the bot software to have signed in
   * with the challenge first, so a new deployment usually sets this in a second deploy.
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * Acknowledge the public-key message the service shows when the bot's key changes.
   * @default false
   */
  readonly acknowledgePublicKeyMessage?: boolean;
  /**
   * Change it to have the service generate a new challenge (written to `challengeSecret`).
   * @default - none
   */
  readonly challengeVersion?: string;
  /**
   * What happens to the bot when it leaves the stack. Retained messages live in your
   * own storage, not in the bot.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

const networksWithBot = new WeakSet<IConstruct>();

/**
 * The network's data retention bot. The service generates the bot's challenge; the
 * handler writes it into `challengeSecret`, a Secrets Manager secret this construct
 * creates, for the bot software to read. The challenge never appears in the template, a
 * response or a log line.
 */
export class WickrDataRetentionBot extends ProviderBackedResource {
  /** The secret the challenge is written to. Grant the bot software read access to it. */
  public readonly challengeSecret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: WickrDataRetentionBotProps) {
    super(scope, id);
    if (networksWithBot.has(props.network)) {
      throw new PropertyValidationError(this, 'network', props.network.node.path, 'has a data retention bot already (one per network)');
    }
    networksWithBot.add(props.network);
    const secret = new secretsmanager.Secret(this, 'Challenge', {
      description: `Challenge of the Wickr data retention bot (${this.node.path}); written by the provider`,
    });
    secretWriter(this, secret);
    this.challengeSecret = secret;
    const resource = this.createResource({
      resourceType: DATA_RETENTION_BOT_TYPE,
      properties: {
        [DataRetentionBotKeys.NetworkId]: props.network.networkId,
        [DataRetentionBotKeys.ChallengeSecretArn]: secret.secretArn,
        [DataRetentionBotKeys.ChallengeVersion]: props.challengeVersion,
        [DataRetentionBotKeys.Enabled]: props.enabled,
        [DataRetentionBotKeys.AcknowledgePublicKeyMessage]: props.acknowledgePublicKeyMessage,
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      grants: operationGrants(
        'wickr',
        ['GetDataRetentionBot', 'CreateDataRetentionBot', 'CreateDataRetentionBotChallenge', 'UpdateDataRetention', 'DeleteDataRetentionBot'],
        [anyNetworkArn(this)],
      ),
    });
    resource.node.addDependency(secret);
  }
}
