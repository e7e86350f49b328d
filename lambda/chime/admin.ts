import { CreateAppInstanceAdminCommand, DeleteAppInstanceAdminCommand, DescribeAppInstanceAdminCommand } from '@aws-sdk/client-chime-sdk-identity';
import { isNotFound } from '../core/errors';
import { CleanupContext, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { Existing } from '../core/takeover';
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
 * A role already held is not promoted here: the dispatcher finds it (`existing`) and takes it
 * over only when the own stack claims it (a construct renamed) or the deploy adopts it, so a
 * role someone else gave is never taken over by accident. A role given since this request
 * began is this request's own (an earlier or concurrent delivery of it): `CreateAppInstanceAdmin`
 * takes no client token and refuses someone who is an admin already (409, sent once, so never
 * counted as maybe applied: the cleanup of a failed create never demotes it); a conflict that
 * `DescribeAppInstanceAdmin` confirms is success. Deleting the construct demotes the admin, a
 * role taken over included: the construct declares the role, and its removal removes it,
 * unless another live resource claims it.
 */
async function promote(ctx: OperationContext, props: AppInstanceAdminProps): Promise<OperationResult> {
  const chime = ctx.clients.chime();
  const input = { AppInstanceArn: props.AppInstanceArn, AppInstanceAdminArn: props.AdminArn };
  try {
    await chime.send(new CreateAppInstanceAdminCommand(input));
  } catch (err) {
    if ((err as Error).name !== 'ConflictException') throw err;
    await chime.send(new DescribeAppInstanceAdminCommand(input));
    ctx.log.log('info', 'CreateAppInstanceAdmin answered a conflict and the role is held: promoted', { admin: props.AdminArn });
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

/**
 * The admin role a failed promotion may have given: only when this request sent
 * `CreateAppInstanceAdmin`, which it does only after finding the role not held (a role held
 * before is never demoted here). A failed id from before the record of calls was kept (no
 * `made=`) cannot tell a role this request gave from one held before: it is left, and the
 * log says why.
 */
async function cleanupFailedCreate(ctx: CleanupContext, props: AppInstanceAdminProps): Promise<string | void> {
  if (!ctx.made.known) {
    ctx.log.log('warn', 'leaving the admin role: the failed create left no record of its calls, so the role may have been held before it', { admin: props.AdminArn });
    return;
  }
  if (!ctx.made.mayHave('CreateAppInstanceAdmin')) return;
  await demote(ctx, props);
  return `the admin role of ${props.AdminArn}`;
}

export const appInstanceAdminHandler: ResourceHandler<AppInstanceAdminProps> = {
  resourceType: APP_INSTANCE_ADMIN_TYPE,
  schema,
  create: promote,
  // Another admin or instance: promote the new one (CloudFormation's cleanup demotes the old), unless the id already is that relation (a rollback).
  update: async (ctx, id, props) => (id === physicalId(props) ? { physicalResourceId: id } : ctx.replacement ? ctx.replacement(props) : promote(ctx, props)),
  delete: (ctx, _id, props) => demote(ctx, props),
  read,
  cleanupFailedCreate,
  /** The role, when the member holds it already (with when it was given: one this request gave is its own). */
  async existing(ctx, props): Promise<Existing[]> {
    try {
      const { AppInstanceAdmin: held } = await ctx.clients.chime().send(new DescribeAppInstanceAdminCommand({ AppInstanceArn: props.AppInstanceArn, AppInstanceAdminArn: props.AdminArn }));
      return [{ physicalId: physicalId(props), what: `the admin role of ${props.AdminArn} in ${props.AppInstanceArn}`, createdAt: held?.CreatedTimestamp?.getTime() }];
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  },
};
