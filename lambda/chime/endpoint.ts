import {
  DeregisterAppInstanceUserEndpointCommand,
  DescribeAppInstanceUserEndpointCommand,
  RegisterAppInstanceUserEndpointCommand,
  UpdateAppInstanceUserEndpointCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { isNotFound } from '../core/errors';
import { changedKeys, CleanupContext, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { oneOf, optional, str, struct, withDefault } from '../core/schema';
import { readSecret, SecretRef, secretRef } from '../core/secrets';
import { ALLOW_MESSAGES, ENDPOINT_NAME_MAX, ENDPOINT_TYPES, endpointPhysicalId, PINPOINT_APP_ARN_PATTERN, USER_ENDPOINT_TYPE } from './endpoint.wire';

export interface UserEndpointProps {
  readonly AppInstanceUserArn: string;
  readonly Type: (typeof ENDPOINT_TYPES)[number];
  readonly ResourceArn: string;
  readonly DeviceToken: SecretRef;
  readonly VoipDeviceToken?: SecretRef;
  readonly TokenVersion?: string;
  readonly Name: string;
  readonly AllowMessages: (typeof ALLOW_MESSAGES)[number];
}

const schema = struct<UserEndpointProps>({
  AppInstanceUserArn: str({ pattern: /^arn:[^:]+:chime:.*\/user\//, patternText: 'an app instance user ARN' }),
  Type: oneOf(...ENDPOINT_TYPES),
  ResourceArn: str({ pattern: PINPOINT_APP_ARN_PATTERN, patternText: 'an Amazon Pinpoint application ARN' }),
  DeviceToken: secretRef(),
  VoipDeviceToken: optional(secretRef()),
  TokenVersion: optional(str()),
  Name: withDefault(str({ maxLength: ENDPOINT_NAME_MAX }), ''),
  AllowMessages: withDefault(oneOf(...ALLOW_MESSAGES), 'ALL'),
});

function split(physicalId: string): { userArn: string; endpointId: string } {
  const at = physicalId.lastIndexOf('/endpoints/');
  return { userArn: physicalId.slice(0, at), endpointId: physicalId.slice(at + '/endpoints/'.length) };
}

/** The registration of a create: sent again with the same token, the service answers the same endpoint. */
async function registerCommand(ctx: OperationContext, props: UserEndpointProps): Promise<RegisterAppInstanceUserEndpointCommand> {
  return new RegisterAppInstanceUserEndpointCommand({
    AppInstanceUserArn: props.AppInstanceUserArn,
    Type: props.Type,
    ResourceArn: props.ResourceArn,
    EndpointAttributes: {
      DeviceToken: await readSecret(ctx, props.DeviceToken),
      VoipDeviceToken: props.VoipDeviceToken ? await readSecret(ctx, props.VoipDeviceToken) : undefined,
    },
    Name: props.Name,
    AllowMessages: props.AllowMessages,
    ClientRequestToken: ctx.token('register-endpoint'),
  });
}

/** The device tokens are read from Secrets Manager here and go nowhere else (the log redacts `EndpointAttributes` members). */
async function create(ctx: OperationContext, props: UserEndpointProps): Promise<OperationResult> {
  const out = await ctx.clients.chime().send(await registerCommand(ctx, props));
  if (!out.EndpointId) throw new Error('RegisterAppInstanceUserEndpoint answered without an EndpointId');
  return { physicalResourceId: endpointPhysicalId(props.AppInstanceUserArn, out.EndpointId) };
}

/** An endpoint whose registration answer was lost and whose request then failed: found by the create's token, deregistered. */
async function cleanupFailedCreate(ctx: CleanupContext, props: UserEndpointProps): Promise<string | void> {
  if (ctx.made.sent('RegisterAppInstanceUserEndpoint') === 0) return;
  const { EndpointId } = await ctx.clients.chime().send(await registerCommand(ctx, props));
  if (!EndpointId) return;
  await remove(ctx, endpointPhysicalId(props.AppInstanceUserArn, EndpointId));
  return `endpoint ${EndpointId}`;
}

const IN_PLACE: ReadonlyArray<keyof UserEndpointProps> = ['Name', 'AllowMessages'];

/**
 * The service keeps one endpoint per user, type, application and device token: when the
 * replacement registers the same device as the old endpoint, it is refused with a
 * `ConflictException`, so the old endpoint (this resource's own, same user) is deregistered
 * first and the registration tried again. CloudFormation's cleanup Delete of the old id then
 * finds it gone, which succeeds.
 */
async function replace(ctx: OperationContext, oldId: string, props: UserEndpointProps, old: UserEndpointProps): Promise<OperationResult> {
  try {
    return await create(ctx, props);
  } catch (err) {
    if ((err as Error).name !== 'ConflictException' || old.AppInstanceUserArn !== props.AppInstanceUserArn) throw err;
    ctx.log.log('info', 'the device is registered by the endpoint being replaced: deregistering it first', { endpoint: oldId });
    await remove(ctx, oldId);
    return create(ctx, props);
  }
}

/** True when the registered endpoint already is the one the properties ask for: same user, type, application and device tokens. */
async function registeredAsAsked(ctx: OperationContext, id: string, props: UserEndpointProps): Promise<boolean> {
  const { userArn, endpointId } = split(id);
  if (userArn !== props.AppInstanceUserArn) return false;
  const live = await ctx.clients
    .chime()
    .send(new DescribeAppInstanceUserEndpointCommand({ AppInstanceUserArn: userArn, EndpointId: endpointId }))
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  const e = live?.AppInstanceUserEndpoint;
  if (!e || e.Type !== props.Type || e.ResourceArn !== props.ResourceArn) return false;
  const voip = props.VoipDeviceToken ? await readSecret(ctx, props.VoipDeviceToken) : undefined;
  return e.EndpointAttributes?.DeviceToken === (await readSecret(ctx, props.DeviceToken)) && e.EndpointAttributes?.VoipDeviceToken === voip;
}

/**
 * Name and `AllowMessages` change in place. Anything else registers a new endpoint, unless
 * the registered one already carries the device, type and application asked for (a rollback
 * of a failed replacement, or a new secret holding the same token): the physical id stays.
 */
async function update(ctx: OperationContext, id: string, props: UserEndpointProps, old: UserEndpointProps): Promise<OperationResult> {
  const changed = changedKeys(old, props);
  if (changed.some((k) => !IN_PLACE.includes(k)) && !(await registeredAsAsked(ctx, id, props))) return replace(ctx, id, props, old);
  if (changed.some((k) => IN_PLACE.includes(k))) {
    const { userArn, endpointId } = split(id);
    await ctx.clients.chime().send(new UpdateAppInstanceUserEndpointCommand({ AppInstanceUserArn: userArn, EndpointId: endpointId, Name: props.Name, AllowMessages: props.AllowMessages }));
  }
  return { physicalResourceId: id };
}

async function remove(ctx: OperationContext, id: string): Promise<void> {
  const { userArn, endpointId } = split(id);
  await ctx.clients.chime().send(new DeregisterAppInstanceUserEndpointCommand({ AppInstanceUserArn: userArn, EndpointId: endpointId }));
}

async function read(ctx: OperationContext, id: string, props: UserEndpointProps): Promise<LiveState> {
  const { userArn, endpointId } = split(id);
  const { AppInstanceUserEndpoint: e } = await ctx.clients.chime().send(new DescribeAppInstanceUserEndpointCommand({ AppInstanceUserArn: userArn, EndpointId: endpointId }));
  return {
    exists: true,
    properties: { AppInstanceUserArn: userArn, Type: e?.Type, ResourceArn: e?.ResourceArn, Name: e?.Name ?? '', AllowMessages: e?.AllowMessages, DeviceToken: props.DeviceToken },
  };
}

export const userEndpointHandler: ResourceHandler<UserEndpointProps> = {
  resourceType: USER_ENDPOINT_TYPE,
  schema,
  create,
  update,
  delete: (ctx, id) => remove(ctx, id),
  read,
  cleanupFailedCreate,
};
