import { changedKeys, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { bool, decodeProperties, optional, str, struct, withDefault } from '../core/schema';
import { writeSecret } from '../core/secrets';
import {
  CreateDataRetentionBotChallengeCommand,
  CreateDataRetentionBotCommand,
  DeleteDataRetentionBotCommand,
  GetDataRetentionBotCommand,
  isAmbiguousFailure,
  UpdateDataRetentionCommand,
} from './client';
import { DATA_RETENTION_BOT_TYPE } from './data-retention-bot.wire';

export interface DataRetentionBotProps {
  readonly NetworkId: string;
  readonly ChallengeSecretArn: string;
  readonly ChallengeVersion?: string;
  readonly Enabled: boolean;
  readonly AcknowledgePublicKeyMessage: boolean;
}

const schema = struct<DataRetentionBotProps>({
  NetworkId: str({ pattern: /^[0-9]{8}$/, patternText: 'an 8-digit network id' }),
  ChallengeSecretArn: str({ pattern: /^arn:[a-z-]+:secretsmanager:/, patternText: 'a Secrets Manager secret ARN' }),
  ChallengeVersion: optional(str()),
  Enabled: withDefault(bool(), false),
  AcknowledgePublicKeyMessage: withDefault(bool(), false),
});

const physicalId = (networkId: string) => `${networkId}/data-retention-bot`;

async function botExists(ctx: OperationContext, networkId: string): Promise<boolean> {
  return (await ctx.clients.wickr().send(new GetDataRetentionBotCommand({ networkId }))).botExists === true;
}

/** A new challenge from the service goes straight into the secret; it is never logged or answered. */
async function newChallenge(ctx: OperationContext, props: DataRetentionBotProps): Promise<void> {
  const { challenge } = await ctx.clients.wickr().send(new CreateDataRetentionBotChallengeCommand({ networkId: props.NetworkId }));
  if (!challenge) throw new Error('CreateDataRetentionBotChallenge answered without a challenge');
  await writeSecret(ctx, props.ChallengeSecretArn, challenge, `drb-challenge:${props.ChallengeVersion ?? ''}`);
}

async function setService(ctx: OperationContext, networkId: string, action: 'ENABLE' | 'DISABLE' | 'PUBKEY_MSG_ACK'): Promise<void> {
  await ctx.clients.wickr().send(new UpdateDataRetentionCommand({ networkId, actionType: action }));
}

/**
 * One data retention bot per network, and `CreateDataRetentionBot` has no token: the
 * handler looks first (`GetDataRetentionBot`), adopts a bot that an earlier delivery made,
 * and after an ambiguous failure looks again. Then it creates the challenge and writes it
 * into the secret. `ENABLE` needs the bot software to have signed in with the challenge,
 * which is why `enabled` is a separate, later step for a new deployment.
 */
async function create(ctx: OperationContext, props: DataRetentionBotProps): Promise<OperationResult> {
  const wickr = ctx.clients.wickr();
  const existed = await botExists(ctx, props.NetworkId);
  if (!existed) {
    try {
      await wickr.send(new CreateDataRetentionBotCommand({ networkId: props.NetworkId }));
    } catch (err) {
      if (!isAmbiguousFailure(err) || !(await botExists(ctx, props.NetworkId))) throw err;
    }
  }
  try {
    await newChallenge(ctx, props);
    if (props.AcknowledgePublicKeyMessage) await setService(ctx, props.NetworkId, 'PUBKEY_MSG_ACK');
    if (props.Enabled) await setService(ctx, props.NetworkId, 'ENABLE');
  } catch (err) {
    if (existed) throw err;
    await wickr.send(new DeleteDataRetentionBotCommand({ networkId: props.NetworkId })).catch((cleanup) =>
      ctx.log.log('error', 'could not remove the data retention bot this failed create made', { error: cleanup }),
    );
    throw err;
  }
  return { physicalResourceId: physicalId(props.NetworkId) };
}

async function update(ctx: OperationContext, id: string, props: DataRetentionBotProps, old: DataRetentionBotProps): Promise<OperationResult> {
  const changed = changedKeys(old, props);
  if (changed.includes('NetworkId')) return create(ctx, props);
  if (changed.includes('ChallengeVersion') || changed.includes('ChallengeSecretArn')) await newChallenge(ctx, props);
  if (changed.includes('AcknowledgePublicKeyMessage') && props.AcknowledgePublicKeyMessage) await setService(ctx, props.NetworkId, 'PUBKEY_MSG_ACK');
  if (changed.includes('Enabled')) await setService(ctx, props.NetworkId, props.Enabled ? 'ENABLE' : 'DISABLE');
  return { physicalResourceId: id };
}

async function remove(ctx: OperationContext, _id: string, props: DataRetentionBotProps): Promise<void> {
  await ctx.clients.wickr().send(new DeleteDataRetentionBotCommand({ networkId: props.NetworkId }));
}

async function read(ctx: OperationContext, _id: string, props: DataRetentionBotProps): Promise<LiveState> {
  const bot = await ctx.clients.wickr().send(new GetDataRetentionBotCommand({ networkId: props.NetworkId }));
  if (!bot.botExists) return { exists: false };
  return {
    exists: true,
    properties: { NetworkId: props.NetworkId, Enabled: bot.isDataRetentionServiceEnabled ?? false, AcknowledgePublicKeyMessage: bot.isPubkeyMsgAcked ?? false },
  };
}

export const dataRetentionBotHandler: ResourceHandler<DataRetentionBotProps> = {
  resourceType: DATA_RETENTION_BOT_TYPE,
  parse: (raw) => decodeProperties(schema, raw),
  create,
  update,
  delete: remove,
  read,
};
