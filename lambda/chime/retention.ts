import { GetAppInstanceRetentionSettingsCommand, PutAppInstanceRetentionSettingsCommand } from '@aws-sdk/client-chime-sdk-identity';
import { changedKeys, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
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

async function create(ctx: OperationContext, props: RetentionProps): Promise<OperationResult> {
  await putRetention(ctx, props.AppInstanceArn, props.RetentionDays);
  return { physicalResourceId: retentionPhysicalId(props.AppInstanceArn) };
}

/** Another app instance is another resource (its settings are put, the old ones cleared in cleanup), unless this one already is its (a rollback). */
async function update(ctx: OperationContext, id: string, props: RetentionProps, old: RetentionProps): Promise<OperationResult> {
  if (id !== retentionPhysicalId(props.AppInstanceArn)) return create(ctx, props);
  if (changedKeys(old, props).length > 0) await putRetention(ctx, props.AppInstanceArn, props.RetentionDays);
  return { physicalResourceId: id };
}

/** Clears the retention settings: messages are then kept until deleted. Nothing is deleted. */
async function remove(ctx: OperationContext, _id: string, props: RetentionProps): Promise<void> {
  await putRetention(ctx, props.AppInstanceArn, undefined);
}

/** An app instance's channel retention in days, `undefined` when none is set. */
export async function retentionDays(ctx: OperationContext, arn: string): Promise<number | undefined> {
  const out = await ctx.clients.chime().send(new GetAppInstanceRetentionSettingsCommand({ AppInstanceArn: arn }));
  return out.AppInstanceRetentionSettings?.ChannelRetentionSettings?.RetentionDays;
}

async function read(ctx: OperationContext, _id: string, props: RetentionProps): Promise<LiveState> {
  const days = await retentionDays(ctx, props.AppInstanceArn);
  return days === undefined ? { exists: false } : { exists: true, properties: { AppInstanceArn: props.AppInstanceArn, RetentionDays: days } };
}

export const retentionHandler: ResourceHandler<RetentionProps> = {
  resourceType: RETENTION_TYPE,
  schema,
  create,
  update,
  delete: remove,
  read,
};
