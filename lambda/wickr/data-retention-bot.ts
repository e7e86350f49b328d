import { DescribeSecretCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { isNotFound, RequestRefusedError } from '../core/errors';
import { changedKeys, CleanupContext, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { bool, optional, str, struct, withDefault } from '../core/schema';
import { hasVersion, restoreCurrent, writeSecret } from '../core/secrets';
import { converge, Existing, TakeOverMode } from '../core/takeover';
import { networkParent } from './network';
import {
  CreateDataRetentionBotChallengeCommand,
  CreateDataRetentionBotCommand,
  DeleteDataRetentionBotCommand,
  GetDataRetentionBotCommand,
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

/**
 * The staging label of the secret version holding a network's challenge. The secret is one
 * per construct while a replacement briefly has two networks' bots: when the bot of one
 * network is deleted (a rolled-back replacement), the other network's challenge becomes
 * current again, so the secret keeps holding what the remaining bot's service holds.
 */
const networkLabel = (networkId: string) => `wickr-network-${networkId}`;
const NETWORK_LABEL = /^wickr-network-/;

/** The purpose of the secret versions a request's challenges are stored under (see `newChallenge`). */
const challengePurpose = (props: DataRetentionBotProps) => `drb-challenge:${props.ChallengeVersion ?? ''}`;

/** How many times a delivery creates a newer challenge after another delivery of the request stored its own first. */
const CHALLENGE_ROUNDS = 8;

async function botExists(ctx: OperationContext, networkId: string): Promise<boolean> {
  return (await ctx.clients.wickr().send(new GetDataRetentionBotCommand({ networkId }))).botExists === true;
}

/**
 * Creates a challenge and writes it into the secret so that the secret always holds the
 * challenge the service holds, however many deliveries of the request run, one after the
 * other or at once. Each round's secret version id derives from the request and the round:
 *
 * - a delivery that finds round 0 stored (an earlier or concurrent delivery finished it)
 *   creates nothing: the service holds the stored challenge, or a delivery still busy will
 *   store a newer one;
 * - otherwise it creates a challenge and stores it under round 0; if another delivery stored
 *   its own value there first (the service may now hold either), it creates a newer
 *   challenge and stores it under the next round. The last challenge created is always
 *   stored last, by the delivery that created it.
 *
 * The challenge goes from the service's answer straight into the secret; it is never logged or answered.
 */
async function newChallenge(ctx: OperationContext, props: DataRetentionBotProps): Promise<void> {
  const purpose = challengePurpose(props);
  if (await hasVersion(ctx, props.ChallengeSecretArn, purpose, 0)) {
    ctx.log.log('info', 'another delivery of this request already stored the challenge');
    return;
  }
  for (let round = 0; round < CHALLENGE_ROUNDS; round++) {
    const { challenge } = await ctx.clients.wickr().send(new CreateDataRetentionBotChallengeCommand({ networkId: props.NetworkId }));
    if (!challenge) throw new Error('CreateDataRetentionBotChallenge answered without a challenge');
    try {
      await writeSecret(ctx, props.ChallengeSecretArn, challenge, purpose, round, networkLabel(props.NetworkId));
      return;
    } catch (err) {
      if ((err as Error).name !== 'ResourceExistsException') throw err;
      ctx.log.log('info', 'another delivery of this request stored its challenge first; creating a newer one', { round });
    }
  }
  throw new RequestRefusedError(`the challenge could not be stored after ${CHALLENGE_ROUNDS} rounds of concurrent deliveries`);
}

async function setService(ctx: OperationContext, networkId: string, action: 'ENABLE' | 'DISABLE' | 'PUBKEY_MSG_ACK'): Promise<void> {
  await ctx.clients.wickr().send(new UpdateDataRetentionCommand({ networkId, actionType: action }));
}

/**
 * One data retention bot per network, and `CreateDataRetentionBot` has no token: the
 * handler looks first (`GetDataRetentionBot`) and, after any failed create, looks again (a
 * bot there then is one this request's call, or a concurrent delivery of it, made). Then the
 * challenge (`newChallenge`). `ENABLE` needs the bot software to have signed in with the
 * challenge, which is why `enabled` is a separate, later step for a new deployment. A failed
 * create has the bot it made deleted by `cleanupFailedCreate`; a bot it adopted stays.
 *
 * A bot that exists before the create sends anything:
 * - on a Create it is adopted: a redelivery of this create, a bot an earlier stack retained
 *   (`RemovalPolicy.RETAIN`), or one made outside the stack that the construct now declares.
 *   Its challenge is replaced by a new one written to this construct's secret.
 * - on a move to another network (`move`) it is adopted only when this request already
 *   stored its challenge (a redelivery of this move); any other bot there is refused. A move
 *   must not take over a bot someone else holds the challenge of: rotating it would break
 *   their secret, and if the move then failed nothing could give them their challenge back.
 */
async function create(ctx: OperationContext, props: DataRetentionBotProps, move?: { readonly from?: string }): Promise<OperationResult> {
  if (!(await botExists(ctx, props.NetworkId))) {
    try {
      await ctx.clients.wickr().send(new CreateDataRetentionBotCommand({ networkId: props.NetworkId }));
    } catch (err) {
      if (!(await botExists(ctx, props.NetworkId))) throw err;
      ctx.log.log('info', 'CreateDataRetentionBot failed, but the bot exists (another delivery of this request, or the call itself, made it): adopting it');
    }
  } else if (move && !(await hasVersion(ctx, props.ChallengeSecretArn, challengePurpose(props), 0))) {
    const from = move.from ? `network ${move.from}` : 'its network';
    throw new RequestRefusedError(
      `a data retention bot already exists in network ${props.NetworkId}, and this move did not make it: moving the data retention bot ` +
        `from ${from} never takes over another one (its challenge would change under whoever holds it). ` +
        `Delete the data retention bot of network ${props.NetworkId} first, or keep this one on ${from}`,
    );
  } else {
    ctx.log.log('info', move ? 'this move already made the data retention bot: adopting it' : 'the data retention bot exists: adopting it', { networkId: props.NetworkId });
  }
  await newChallenge(ctx, props);
  if (props.AcknowledgePublicKeyMessage) await setService(ctx, props.NetworkId, 'PUBKEY_MSG_ACK');
  if (props.Enabled) await setService(ctx, props.NetworkId, 'ENABLE');
  return { physicalResourceId: physicalId(props.NetworkId) };
}

/**
 * The bot a failed create (or move) may have made: only when it sent `CreateDataRetentionBot`.
 * A failed id from before the record of calls was kept (no `made=`) cannot tell a bot the
 * create made from one that existed before (adopted, or refused on a move): it is left, and
 * the log says why.
 */
async function cleanupFailedCreate(ctx: CleanupContext, props: DataRetentionBotProps): Promise<string | void> {
  if (!ctx.made.known) {
    ctx.log.log('warn', 'leaving the data retention bot: the failed create left no record of its calls, so the bot may have existed before it', { networkId: props.NetworkId });
    return;
  }
  if (!ctx.made.mayHave('CreateDataRetentionBot') || !(await botExists(ctx, props.NetworkId))) return;
  await remove(ctx, physicalId(props.NetworkId), props);
  return `the data retention bot of network ${props.NetworkId}`;
}

/**
 * Makes the secret version holding this network's challenge (its `wickr-network-<id>` label)
 * current, if it is not: a rolled-back move whose bot on the other network could not be
 * deleted (its cleanup failed) left that network's challenge current. Reads no value.
 */
async function networkChallengeCurrent(ctx: OperationContext, props: DataRetentionBotProps): Promise<void> {
  const label = networkLabel(props.NetworkId);
  const { VersionIdsToStages: versions = {} } = await ctx.clients.secrets().send(new DescribeSecretCommand({ SecretId: props.ChallengeSecretArn }));
  const entries = Object.entries(versions);
  const current = entries.find(([, stages]) => stages.includes('AWSCURRENT'));
  const target = entries.find(([, stages]) => stages.includes(label));
  if (!target) {
    ctx.log.log('warn', 'no version of the secret holds this network\'s challenge; leaving the current one', { label });
    return;
  }
  if (current?.[0] === target[0]) return;
  await ctx.clients.secrets().send(
    new UpdateSecretVersionStageCommand({ SecretId: props.ChallengeSecretArn, VersionStage: 'AWSCURRENT', MoveToVersionId: target[0], RemoveFromVersionId: current?.[0] }),
  );
  ctx.log.log('info', 'the challenge of this network is current again', { label });
}

async function update(ctx: OperationContext, id: string, props: DataRetentionBotProps, old: DataRetentionBotProps): Promise<OperationResult> {
  // Another network is another bot, unless this one already is that network's (a rollback of a failed move).
  if (id !== physicalId(props.NetworkId)) return create(ctx, props, { from: old?.NetworkId });
  const changed = changedKeys(old, props);
  if (changed.includes('ChallengeVersion') || changed.includes('ChallengeSecretArn')) await newChallenge(ctx, props);
  // Back from another network (a rollback of a move): the secret must hold this network's challenge again.
  else if (changed.includes('NetworkId')) await networkChallengeCurrent(ctx, props);
  if (changed.includes('AcknowledgePublicKeyMessage') && props.AcknowledgePublicKeyMessage) await setService(ctx, props.NetworkId, 'PUBKEY_MSG_ACK');
  if (changed.includes('Enabled')) await setService(ctx, props.NetworkId, props.Enabled ? 'ENABLE' : 'DISABLE');
  return { physicalResourceId: id };
}

/** Deletes the bot; if the secret's current challenge is this network's, the other network's (a rolled-back replacement) is made current again. */
async function remove(ctx: OperationContext, _id: string, props: DataRetentionBotProps): Promise<void> {
  // A bot already gone (a repeated delete) still has the secret put right.
  await ctx.clients.wickr().send(new DeleteDataRetentionBotCommand({ networkId: props.NetworkId })).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
  });
  const restored = await restoreCurrent(ctx, props.ChallengeSecretArn, networkLabel(props.NetworkId), NETWORK_LABEL).catch((err: unknown) => {
    if (isNotFound(err)) return undefined; // the secret is gone too (the stack is being deleted)
    throw err;
  });
  if (restored) ctx.log.log('info', 'the challenge of the remaining network is current again', { label: restored });
}

async function read(ctx: OperationContext, _id: string, props: DataRetentionBotProps): Promise<LiveState> {
  const bot = await ctx.clients.wickr().send(new GetDataRetentionBotCommand({ networkId: props.NetworkId }));
  if (!bot.botExists) return { exists: false };
  return {
    exists: true,
    properties: { NetworkId: props.NetworkId, Enabled: bot.isDataRetentionServiceEnabled ?? false, AcknowledgePublicKeyMessage: bot.isPubkeyMsgAcked ?? false },
  };
}

/**
 * The network's data retention bot, when one exists that this request did not make (a
 * delivery of this create that stored its challenge made the bot it finds).
 */
async function existing(ctx: OperationContext, props: DataRetentionBotProps): Promise<Existing[]> {
  if (!(await botExists(ctx, props.NetworkId))) return [];
  if (await hasVersion(ctx, props.ChallengeSecretArn, challengePurpose(props), 0)) return [];
  return [{ physicalId: physicalId(props.NetworkId), what: `the data retention bot of Wickr network ${props.NetworkId}`, parent: networkParent(ctx, props.NetworkId) }];
}

/**
 * Takes over an existing bot: `enabled` and the acknowledgment converge. The service never
 * gives a challenge back, so adopting one makes no challenge: the construct's secret holds no
 * challenge until `challengeVersion` changes (the README says so). A construct renamed within
 * the stack gets a new secret, so its bot gets a new challenge there unless the secret holds
 * this network's already: the old secret goes with the old construct.
 */
async function takeOver(ctx: OperationContext, found: Existing, props: DataRetentionBotProps, mode: TakeOverMode): Promise<OperationResult> {
  const result = await converge(dataRetentionBotHandler, ctx, found.physicalId, props, props as unknown as Record<string, unknown>);
  if (mode === 'own' && !(await holdsNetworkChallenge(ctx, props))) await newChallenge(ctx, props);
  return result;
}

/** True when a version of the secret carries this network's challenge label. */
async function holdsNetworkChallenge(ctx: OperationContext, props: DataRetentionBotProps): Promise<boolean> {
  const { VersionIdsToStages: versions = {} } = await ctx.clients.secrets().send(new DescribeSecretCommand({ SecretId: props.ChallengeSecretArn }));
  return Object.values(versions).some((stages) => stages.includes(networkLabel(props.NetworkId)));
}

export const dataRetentionBotHandler: ResourceHandler<DataRetentionBotProps> = {
  resourceType: DATA_RETENTION_BOT_TYPE,
  schema,
  create,
  update,
  delete: remove,
  read,
  cleanupFailedCreate,
  existing,
  takeOver,
};
