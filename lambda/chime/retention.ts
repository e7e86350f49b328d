import { GetAppInstanceRetentionSettingsCommand, PutAppInstanceRetentionSettingsCommand } from '@aws-sdk/client-chime-sdk-identity';
import { definitelyNotApplied } from '../core/calls';
import { describeError, ProviderError } from '../core/errors';
import { changedKeys, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { Existing } from '../core/takeover';
import { APP_INSTANCE_CLAIM_TYPES } from './app-instance.wire';
import { int, struct } from '../core/schema';
import { chimeArn } from './arn-schema';
import { RETENTION_TYPE, retentionPhysicalId } from './retention.wire';
import { RETENTION_DAYS_MAX, RETENTION_DAYS_MIN } from './rules';

export interface RetentionProps {
  readonly AppInstanceArn: string;
  readonly RetentionDays: number;
}

const schema = struct<RetentionProps>({
  AppInstanceArn: chimeArn('an app instance ARN'),
  RetentionDays: int({ min: RETENTION_DAYS_MIN, max: RETENTION_DAYS_MAX }),
});

/**
 * A put of retention settings failed after it may have been applied. The message says
 * whether the settings the app instance had before are back; the put's error is the cause.
 */
export class RetentionPutError extends ProviderError {}

/**
 * Sets (or, with `undefined`, clears) an app instance's channel retention.
 * `PutAppInstanceRetentionSettings` replaces the settings whole, so a repeated call is harmless.
 */
export async function putRetention(ctx: OperationContext, arn: string, days: number | undefined): Promise<void> {
  await ctx.clients.chime().send(
    new PutAppInstanceRetentionSettingsCommand({
      AppInstanceArn: arn,
      AppInstanceRetentionSettings: days === undefined ? {} : { ChannelRetentionSettings: { RetentionDays: days } },
    }),
  );
}

/** An app instance's channel retention in days, `undefined` when none is set. */
export async function retentionDays(ctx: OperationContext, arn: string): Promise<number | undefined> {
  const out = await ctx.clients.chime().send(new GetAppInstanceRetentionSettingsCommand({ AppInstanceArn: arn }));
  return out.AppInstanceRetentionSettings?.ChannelRetentionSettings?.RetentionDays;
}

const inWords = (days: number | undefined) => (days === undefined ? 'none' : `${days} days`);

/**
 * Puts the retention on an instance whose settings are not this resource's yet (a create, or
 * a move to another instance). The settings the instance had are read first and, if the put
 * fails in a way that may have applied it, put back before the error goes on: retention left
 * behind by a failed deployment deletes channel messages once they are older than it. No
 * state crosses invocations, so the Delete CloudFormation sends for the failed create has
 * nothing to undo (and must not clear settings someone set before the create).
 */
async function putRestoring(ctx: OperationContext, arn: string, days: number): Promise<void> {
  const before = await retentionDays(ctx, arn);
  if (before === days) {
    ctx.log.log('info', 'the app instance already has this retention', { appInstanceArn: arn, retentionDays: days });
    return;
  }
  try {
    await putRetention(ctx, arn, days);
  } catch (err) {
    const attempts = (err as { $metadata?: { attempts?: number } }).$metadata?.attempts;
    if (definitelyNotApplied(err, attempts)) throw err;
    try {
      await putRetention(ctx, arn, before);
    } catch (restoreErr) {
      throw new RetentionPutError(
        `${describeError(err)}; putting back the previous retention (${inWords(before)}) failed too (${describeError(restoreErr)}): ` +
          `${arn} may keep a retention of ${days} days`,
        { cause: err },
      );
    }
    throw new RetentionPutError(`${describeError(err)}; the previous retention of ${arn} (${inWords(before)}) was put back`, { cause: err });
  }
}

async function create(ctx: OperationContext, props: RetentionProps): Promise<OperationResult> {
  await putRestoring(ctx, props.AppInstanceArn, props.RetentionDays);
  return { physicalResourceId: retentionPhysicalId(props.AppInstanceArn) };
}

/**
 * Another app instance is another resource (its settings are put, the old ones cleared by the
 * Delete of the old id), unless this one already is its (a rollback). In place, a failed put
 * is undone by CloudFormation's rollback, which puts the old days back.
 */
async function update(ctx: OperationContext, id: string, props: RetentionProps, old: RetentionProps): Promise<OperationResult> {
  if (id !== retentionPhysicalId(props.AppInstanceArn)) return ctx.replacement ? ctx.replacement(props) : create(ctx, props);
  if (changedKeys(old, props).length > 0) await putRetention(ctx, props.AppInstanceArn, props.RetentionDays);
  return { physicalResourceId: id };
}

/** Clears the retention settings: messages are then kept until deleted. Nothing is deleted. */
async function remove(ctx: OperationContext, _id: string, props: RetentionProps): Promise<void> {
  await putRetention(ctx, props.AppInstanceArn, undefined);
}

async function read(ctx: OperationContext, _id: string, props: RetentionProps): Promise<LiveState> {
  const days = await retentionDays(ctx, props.AppInstanceArn);
  return days === undefined ? { exists: false } : { exists: true, properties: { AppInstanceArn: props.AppInstanceArn, RetentionDays: days } };
}

/**
 * Retention of an app instance made elsewhere. It has no `cleanupFailedCreate`: a create (or
 * a move) that fails puts the instance's previous settings back itself (`putRestoring`), so
 * the Delete of a failed create's id changes nothing. Clearing there could remove a retention
 * someone set before the create, which the Delete cannot tell from the create's own.
 */
export const retentionHandler: ResourceHandler<RetentionProps> = {
  resourceType: RETENTION_TYPE,
  schema,
  create,
  update,
  delete: remove,
  read,
  /** Taking over puts the declared days the way a create does: a put that fails puts the previous settings back. */
  async takeOver(ctx, found, props) {
    await putRestoring(ctx, props.AppInstanceArn, props.RetentionDays);
    return { physicalResourceId: found.physicalId };
  },
  /** The instance's retention, when it has one: configuration of the instance, owned by whoever owns the instance. */
  async existing(ctx, props): Promise<Existing[]> {
    const days = await retentionDays(ctx, props.AppInstanceArn);
    if (days === undefined) return [];
    return [{
      physicalId: retentionPhysicalId(props.AppInstanceArn),
      what: `the retention of ${days} days of app instance ${props.AppInstanceArn}`,
      parent: { physicalIds: [props.AppInstanceArn], types: APP_INSTANCE_CLAIM_TYPES },
    }];
  },
};
