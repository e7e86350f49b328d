import { CreateAppInstanceAdminCommand, DeleteAppInstanceAdminCommand, DescribeAppInstanceAdminCommand } from '@aws-sdk/client-chime-sdk-identity';
import { CleanupContext, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { struct } from '../core/schema';
import { chimeArn } from './arn-schema';
import { APP_INSTANCE_ADMIN_TYPE } from './admin.wire';

export interface AppInstanceAdminProps {
  readonly AppInstanceArn: string;
  readonly AdminArn: string;
}

const schema = struct<AppInstanceAdminProps>({ AppInstanceArn: chimeArn('an app instance ARN'), AdminArn: chimeArn('an app instance user or bot ARN') });

/** Physical id: `<app instance ARN>|<admin ARN>` (an admin is a relation, not a thing of its own). */
const physicalId = (p: AppInstanceAdminProps) => `${p.AppInstanceArn}|${p.AdminArn}`;

/**
 * `CreateAppInstanceAdmin` takes no client token and refuses someone who is an admin
 * already (409). After a lost answer or a duplicate delivery that someone is the admin this
 * request made, so a conflict confirmed by `DescribeAppInstanceAdmin` is success. (An admin
 * promoted outside the stack is taken over the same way; deleting the construct demotes them.)
 */
async function promote(ctx: OperationContext, props: AppInstanceAdminProps): Promise<OperationResult> {
  const chime = ctx.clients.chime();
  const input = { AppInstanceArn: props.AppInstanceArn, AppInstanceAdminArn: props.AdminArn };
  try {
    await chime.send(new CreateAppInstanceAdminCommand(input));
  } catch (err) {
    if ((err as Error).name !== 'ConflictException') throw err;
    await chime.send(new DescribeAppInstanceAdminCommand(input));
    ctx.log.log('info', 'already an admin: taken over', { admin: props.AdminArn });
  }
  return { physicalResourceId: physicalId(props) };
}

/**
 * Demotes the admin to a user; `DeleteAppInstanceAdmin` deletes nobody. Someone no longer an
 * admin is answered with a 400 that `isNotFound` recognises, so the dispatcher counts it done.
 */
async function demote(ctx: OperationContext, props: AppInstanceAdminProps): Promise<void> {
  await ctx.clients.chime().send(new DeleteAppInstanceAdminCommand({ AppInstanceArn: props.AppInstanceArn, AppInstanceAdminArn: props.AdminArn }));
}

async function read(ctx: OperationContext, _id: string, props: AppInstanceAdminProps): Promise<LiveState> {
  await ctx.clients.chime().send(new DescribeAppInstanceAdminCommand({ AppInstanceArn: props.AppInstanceArn, AppInstanceAdminArn: props.AdminArn }));
  return { exists: true, properties: { ...props } };
}

/** The admin role a failed promotion may have given (never one that was already held: that answer is a definite 409). */
async function cleanupFailedCreate(ctx: CleanupContext, props: AppInstanceAdminProps): Promise<string | void> {
  if (!ctx.made.mayHave('CreateAppInstanceAdmin')) return;
  await demote(ctx, props);
  return `the admin role of ${props.AdminArn}`;
}

export const appInstanceAdminHandler: ResourceHandler<AppInstanceAdminProps> = {
  resourceType: APP_INSTANCE_ADMIN_TYPE,
  schema,
  create: promote,
  // Another admin or instance: promote the new one (CloudFormation's cleanup demotes the old), unless the id already is that relation (a rollback).
  update: async (ctx, id, props) => (id === physicalId(props) ? { physicalResourceId: id } : promote(ctx, props)),
  delete: (ctx, _id, props) => demote(ctx, props),
  read,
  cleanupFailedCreate,
};
