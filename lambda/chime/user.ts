import {
  CreateAppInstanceUserCommand,
  DeleteAppInstanceUserCommand,
  DescribeAppInstanceUserCommand,
  PutAppInstanceUserExpirationSettingsCommand,
  UpdateAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { isNotFound } from '../core/errors';
import { changedKeys, CleanupContext, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { Existing } from '../core/takeover';
import { int, optional, str, struct, withDefault } from '../core/schema';
import { chimeArn } from './arn-schema';
import { APP_INSTANCE_USER_ID_PATTERN, EXPIRATION_DAYS_MAX, EXPIRATION_DAYS_MIN, METADATA_MAX } from './rules';
import { applyTagDiff, readTags, Tag, tagList } from './tags';
import { APP_INSTANCE_USER_CLAIM_TYPES, APP_INSTANCE_USER_TYPE, USER_NAME_MAX } from './user.wire';

export interface AppInstanceUserProps {
  readonly AppInstanceArn: string;
  readonly AppInstanceUserId: string;
  readonly Name: string;
  readonly Metadata: string;
  readonly ExpirationDays?: number;
  readonly Tags: Tag[];
}

const schema = struct<AppInstanceUserProps>({
  AppInstanceArn: chimeArn('an app instance ARN'),
  AppInstanceUserId: str({ pattern: APP_INSTANCE_USER_ID_PATTERN, patternText: 'an app instance user id (1 to 64 of A-Z a-z 0-9 : - _ . @, starting and ending alphanumeric)' }),
  Name: str({ minLength: 1, maxLength: USER_NAME_MAX }),
  Metadata: withDefault(str({ maxLength: METADATA_MAX }), ''),
  ExpirationDays: optional(int({ min: EXPIRATION_DAYS_MIN, max: EXPIRATION_DAYS_MAX })),
  Tags: withDefault(tagList(), []),
});

const expiration = (days: number | undefined) => (days === undefined ? undefined : { ExpirationCriterion: 'CREATED_TIMESTAMP' as const, ExpirationDays: days });

/**
 * The `CreateAppInstanceUser` of a create: sent again with the same token, the service
 * answers the same user. Without expiration settings and tags: on create they need
 * `chime:PutAppInstanceUserExpirationSettings` and `chime:TagResource` on `*` (the create
 * supports no resource-level permission), so they are set on the new user's ARN.
 */
const createCommand = (ctx: OperationContext, props: AppInstanceUserProps) =>
  new CreateAppInstanceUserCommand({
    AppInstanceArn: props.AppInstanceArn,
    AppInstanceUserId: props.AppInstanceUserId,
    Name: props.Name,
    Metadata: props.Metadata,
    ClientRequestToken: ctx.token('create-app-instance-user'),
  });

/** The create carries the request's `ClientRequestToken`: a retried or duplicated delivery gets the same user. */
async function create(ctx: OperationContext, props: AppInstanceUserProps): Promise<OperationResult> {
  const arn = (await ctx.clients.chime().send(createCommand(ctx, props))).AppInstanceUserArn;
  if (!arn) throw new Error('CreateAppInstanceUser answered without an AppInstanceUserArn');
  if (props.ExpirationDays !== undefined) {
    await ctx.clients.chime().send(new PutAppInstanceUserExpirationSettingsCommand({ AppInstanceUserArn: arn, ExpirationSettings: expiration(props.ExpirationDays) }));
  }
  await applyTagDiff(ctx, arn, [], props.Tags);
  return { physicalResourceId: arn };
}

/** A user whose create answer was lost and whose request then failed: found by the create's token, deleted. */
async function cleanupFailedCreate(ctx: CleanupContext, props: AppInstanceUserProps): Promise<string | void> {
  if (ctx.made.sent('CreateAppInstanceUser') === 0) return;
  const arn = (await ctx.clients.chime().send(createCommand(ctx, props))).AppInstanceUserArn;
  if (!arn) return;
  await remove(ctx, arn);
  return `app instance user ${arn}`;
}

/** The user's ARN names its instance and id: when it already is the user asked for (a rollback), the update is in place. */
async function update(ctx: OperationContext, arn: string, props: AppInstanceUserProps, old: AppInstanceUserProps): Promise<OperationResult> {
  const changed = changedKeys(old, props);
  if (arn !== userArn(props)) return ctx.replacement ? ctx.replacement(props) : create(ctx, props);
  const chime = ctx.clients.chime();
  if (changed.includes('Name') || changed.includes('Metadata')) {
    await chime.send(new UpdateAppInstanceUserCommand({ AppInstanceUserArn: arn, Name: props.Name, Metadata: props.Metadata }));
  }
  if (changed.includes('ExpirationDays')) {
    await chime.send(new PutAppInstanceUserExpirationSettingsCommand({ AppInstanceUserArn: arn, ExpirationSettings: expiration(props.ExpirationDays) }));
  }
  if (changed.includes('Tags')) await applyTagDiff(ctx, arn, old.Tags, props.Tags);
  return { physicalResourceId: arn };
}

async function remove(ctx: OperationContext, arn: string): Promise<void> {
  await ctx.clients.chime().send(new DeleteAppInstanceUserCommand({ AppInstanceUserArn: arn }));
}

async function read(ctx: OperationContext, arn: string, props: AppInstanceUserProps): Promise<LiveState> {
  const { AppInstanceUser: u } = await ctx.clients.chime().send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: arn }));
  return {
    exists: true,
    properties: {
      AppInstanceArn: props.AppInstanceArn,
      AppInstanceUserId: props.AppInstanceUserId,
      Name: u?.Name,
      Metadata: u?.Metadata ?? '',
      ExpirationDays: u?.ExpirationSettings?.ExpirationDays,
      Tags: await readTags(ctx, arn),
    },
  };
}

/** A user's ARN names its instance and id. */
const userArn = (props: AppInstanceUserProps) => `${props.AppInstanceArn}/user/${props.AppInstanceUserId}`;

/** The user a create would take over: the instance's user with the declared id, when there is one. */
async function existing(ctx: OperationContext, props: AppInstanceUserProps): Promise<Existing[]> {
  const arn = userArn(props);
  try {
    const { AppInstanceUser: user } = await ctx.clients.chime().send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: arn }));
    return [{ physicalId: arn, what: `the app instance user ${arn}`, createdAt: user?.CreatedTimestamp?.getTime() }];
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

export const appInstanceUserHandler: ResourceHandler<AppInstanceUserProps> = {
  resourceType: APP_INSTANCE_USER_TYPE,
  schema,
  create,
  update,
  delete: (ctx, arn) => remove(ctx, arn),
  read,
  cleanupFailedCreate,
  existing,
  claimTypes: APP_INSTANCE_USER_CLAIM_TYPES,
};
