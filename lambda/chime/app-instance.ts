import {
  CreateAppInstanceCommand,
  DeleteAppInstanceCommand,
  DescribeAppInstanceCommand,
  paginateListAppInstances,
  UpdateAppInstanceCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { RequestRefusedError } from '../core/errors';
import { ADOPT_BY_DECLARATION } from '../core/ownership.wire';
import { Existing } from '../core/takeover';
import { CleanupContext, OperationContext, OperationResult, ResourceHandler, changedKeys, LiveState } from '../core/resource';
import { int, optional, str, struct, withDefault } from '../core/schema';
import { APP_INSTANCE_CLAIM_TYPES, APP_INSTANCE_TYPE } from './app-instance.wire';
import { putRetention, retentionDays } from './retention';
import { METADATA_MAX, NAME_MAX, RETENTION_DAYS_MAX, RETENTION_DAYS_MIN } from './rules';
import { Tag, applyTagDiff, readTags, tagList } from './tags';

export interface AppInstanceProps {
  readonly Name: string;
  readonly Metadata: string;
  readonly RetentionDays?: number;
  readonly Tags: Tag[];
}

const schema = struct<AppInstanceProps>({
  Name: str({ minLength: 1, maxLength: NAME_MAX }),
  Metadata: withDefault(str({ maxLength: METADATA_MAX }), ''),
  RetentionDays: optional(int({ min: RETENTION_DAYS_MIN, max: RETENTION_DAYS_MAX })),
  Tags: withDefault(tagList(), []),
});

/**
 * The `CreateAppInstance` of a create: sent again with the same token, the service answers
 * the same instance. Without tags: tagging on create needs `chime:TagResource` on `*` (the
 * create supports no resource-level permission), so the tags are added to the new ARN.
 */
const createCommand = (ctx: OperationContext, props: AppInstanceProps) =>
  new CreateAppInstanceCommand({ Name: props.Name, Metadata: props.Metadata, ClientRequestToken: ctx.token('create-app-instance') });

async function create(ctx: OperationContext, props: AppInstanceProps): Promise<OperationResult> {
  const arn = (await ctx.clients.chime().send(createCommand(ctx, props))).AppInstanceArn;
  if (!arn) throw new Error('CreateAppInstance answered without an AppInstanceArn');
  await applyTagDiff(ctx, arn, [], props.Tags);
  if (props.RetentionDays !== undefined) await putRetention(ctx, arn, props.RetentionDays);
  return { physicalResourceId: arn };
}

/** The instance a failed create made (its retention could not be set): found by the create's token, deleted. */
async function cleanupFailedCreate(ctx: CleanupContext, props: AppInstanceProps): Promise<string | void> {
  if (ctx.made.sent('CreateAppInstance') === 0) return;
  const arn = (await ctx.clients.chime().send(createCommand(ctx, props))).AppInstanceArn;
  if (!arn) return;
  await ctx.clients.chime().send(new DeleteAppInstanceCommand({ AppInstanceArn: arn }));
  return `app instance ${arn}`;
}

async function update(ctx: OperationContext, arn: string, props: AppInstanceProps, old: AppInstanceProps): Promise<OperationResult> {
  const changed = changedKeys(old, props);
  if (changed.includes('Name') || changed.includes('Metadata')) {
    await ctx.clients.chime().send(new UpdateAppInstanceCommand({ AppInstanceArn: arn, Name: props.Name, Metadata: props.Metadata }));
  }
  if (changed.includes('RetentionDays')) await putRetention(ctx, arn, props.RetentionDays);
  if (changed.includes('Tags')) await applyTagDiff(ctx, arn, old.Tags, props.Tags);
  return { physicalResourceId: arn };
}

async function remove(ctx: OperationContext, arn: string): Promise<void> {
  await ctx.clients.chime().send(new DeleteAppInstanceCommand({ AppInstanceArn: arn }));
}

async function read(ctx: OperationContext, arn: string): Promise<LiveState> {
  const { AppInstance } = await ctx.clients.chime().send(new DescribeAppInstanceCommand({ AppInstanceArn: arn }));
  return {
    exists: true,
    properties: {
      Name: AppInstance?.Name,
      Metadata: AppInstance?.Metadata ?? '',
      RetentionDays: await retentionDays(ctx, arn),
      Tags: await readTags(ctx, arn),
    },
  };
}

/**
 * The app instance a create would take over: the one the adoption context names by ARN, else
 * those of the declared name, looked up when adoption is asked or the stack has another app
 * instance resource (a construct renamed keeps its instance). Chime allows several instances
 * of one name, and a name is not how a stack knows its instance: otherwise the create makes a
 * new one, as `CreateAppInstance` does (one another stack owns is that stack's).
 */
async function existing(ctx: OperationContext, props: AppInstanceProps, adopt?: string): Promise<Existing[]> {
  // With when it was made (one made since this request began is its own: a redelivery finds its instance again by its token).
  const describe = async (arn: string): Promise<Existing> => {
    const { AppInstance: i } = await ctx.clients.chime().send(new DescribeAppInstanceCommand({ AppInstanceArn: arn }));
    return { physicalId: arn, what: `the app instance ${arn} ("${i?.Name ?? ''}")`, namesRepeat: true, createdAt: i?.CreatedTimestamp?.getTime() };
  };
  if (adopt !== undefined && adopt !== ADOPT_BY_DECLARATION) {
    if (!adopt.startsWith('arn:')) throw new RequestRefusedError(`the adoption context names ${JSON.stringify(adopt)} for an app instance: give its ARN`);
    return [await describe(adopt)];
  }
  if (adopt === undefined && (await ctx.ownership?.siblings(APP_INSTANCE_CLAIM_TYPES))?.length === 0) return [];
  const arns: string[] = [];
  for await (const page of paginateListAppInstances({ client: ctx.clients.chime() }, {})) {
    for (const i of page.AppInstances ?? []) if (i.AppInstanceArn && i.Name === props.Name) arns.push(i.AppInstanceArn);
  }
  return Promise.all(arns.map(describe));
}

export const appInstanceHandler: ResourceHandler<AppInstanceProps> = {
  resourceType: APP_INSTANCE_TYPE,
  schema,
  create,
  update,
  delete: (ctx, arn) => remove(ctx, arn),
  read: (ctx, arn) => read(ctx, arn),
  cleanupFailedCreate,
  existing,
  claimTypes: APP_INSTANCE_CLAIM_TYPES,
};
