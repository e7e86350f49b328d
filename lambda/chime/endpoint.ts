import {
  AppInstanceUserEndpoint,
  DeregisterAppInstanceUserEndpointCommand,
  DescribeAppInstanceUserEndpointCommand,
  ListAppInstanceUserEndpointsCommand,
  RegisterAppInstanceUserEndpointCommand,
  UpdateAppInstanceUserEndpointCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { isTransient } from '../core/calls';
import { describeError, isNotFound } from '../core/errors';
import { changedKeys, CleanupContext, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { oneOf, optional, str, struct, withDefault } from '../core/schema';
import { readSecret, SecretRef, secretRef } from '../core/secrets';
import { Existing } from '../core/takeover';
import { ALLOW_MESSAGES, ENDPOINT_NAME_MAX, ENDPOINT_TYPES, endpointPhysicalId, PINPOINT_APP_ARN_PATTERN, USER_ENDPOINT_TYPE, UserEndpointData } from './endpoint.wire';

/**
 * `ChimeAppInstanceUserEndpoint`: a user's device registered for push notifications.
 *
 * The service keeps one endpoint per user, type, Pinpoint application and device token (a second
 * registration is a `ConflictException`) and generates a new `EndpointId` at every registration.
 * The physical id is `<user ARN>/endpoints/<endpoint id>` of the endpoint registered when the id
 * was first answered, and it keeps naming the device when the device is registered again under
 * the same id (a new VoIP token, a rollback): the live endpoint id is the `EndpointId` of `Data`.
 *
 * An id is resolved by its endpoint id first, which needs no secret (CloudFormation's cleanup
 * Delete of a replaced or removed endpoint runs after the provider's policy lost the grant on its
 * secret). Once that endpoint was registered again, the device is found by listing the user's
 * endpoints (the listing has neither application nor tokens), describing those of the type (the
 * description has the `EndpointAttributes`) and matching the application and the device token
 * read from its secret; if that secret can no longer be read, a Delete cannot find it and leaves
 * it registered (logged). Tokens are compared in memory only: no id, `Data`, reason or log line
 * has one (the log redacts `EndpointAttributes`).
 *
 * A new id is answered only for a replacement whose old endpoint stays until CloudFormation's
 * Delete of the old id (another device, type, application or user, a rotated token): never when
 * the same device was registered again, since that Delete would then find the new registration
 * by its device. So a rollback answers the id it is sent.
 */
export interface UserEndpointProps {
  readonly AppInstanceUserArn: string;
  readonly Type: (typeof ENDPOINT_TYPES)[number];
  readonly ResourceArn: string;
  readonly DeviceToken: SecretRef;
  readonly VoipDeviceToken?: SecretRef;
  readonly TokenVersion?: string;
  readonly Name: string;
  readonly AllowMessages: (typeof ALLOW_MESSAGES)[number];
  readonly AttributesVersion?: string;
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
  AttributesVersion: optional(str()),
});

/** Changing one of these registers the device (or another one) again; the rest changes in place. */
const REGISTRATION: ReadonlyArray<keyof UserEndpointProps> = ['AppInstanceUserArn', 'Type', 'ResourceArn', 'DeviceToken', 'VoipDeviceToken', 'TokenVersion'];
const REGISTER = 'RegisterAppInstanceUserEndpoint';

type Endpoint = AppInstanceUserEndpoint & { readonly EndpointId: string };
type Tokens = { readonly DeviceToken: string; readonly VoipDeviceToken?: string };
/** The endpoint a physical id names; `exact` when found by the id's own endpoint id. */
type Located = { readonly endpoint: Endpoint; readonly exact: boolean };

function split(physicalId: string): { userArn: string; endpointId: string } {
  const at = physicalId.lastIndexOf('/endpoints/');
  return { userArn: physicalId.slice(0, at), endpointId: physicalId.slice(at + '/endpoints/'.length) };
}

const answer = (id: string, endpointId: string): OperationResult => ({ physicalResourceId: id, data: { [UserEndpointData.EndpointId]: endpointId } });

async function tokensOf(ctx: OperationContext, p: UserEndpointProps): Promise<Tokens> {
  return { DeviceToken: await readSecret(ctx, p.DeviceToken), VoipDeviceToken: p.VoipDeviceToken ? await readSecret(ctx, p.VoipDeviceToken) : undefined };
}

/**
 * A token of properties that describe what exists, or undefined when it cannot be read for
 * good: the secret or field is gone, or the policy no longer grants it (the policy follows the
 * template and is updated before the resources, so a cleanup Delete runs without the grant).
 * Transient failures are let through.
 */
async function readable(ctx: OperationContext, ref: SecretRef): Promise<string | undefined> {
  try {
    return await readSecret(ctx, ref);
  } catch (err) {
    if (isTransient(err)) throw err;
    ctx.log.log('warn', 'a token secret of the old properties cannot be read', { secret: ref.SecretArn, reason: describeError(err) });
    return undefined;
  }
}

async function describe(ctx: OperationContext, userArn: string, endpointId: string): Promise<Endpoint | undefined> {
  try {
    const { AppInstanceUserEndpoint: e } = await ctx.clients.chime().send(new DescribeAppInstanceUserEndpointCommand({ AppInstanceUserArn: userArn, EndpointId: endpointId }));
    return e?.EndpointId ? (e as Endpoint) : undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The user's endpoint of the type and application with the device token (every page of the listing). */
async function findDevice(ctx: OperationContext, userArn: string, p: UserEndpointProps, token: string): Promise<Endpoint | undefined> {
  let NextToken: string | undefined;
  do {
    let page;
    try {
      page = await ctx.clients.chime().send(new ListAppInstanceUserEndpointsCommand({ AppInstanceUserArn: userArn, NextToken }));
    } catch (err) {
      // A user (or app instance) not shown yet (made a moment ago: lists are eventually consistent) has no device yet.
      if (isNotFound(err)) return undefined;
      throw err;
    }
    for (const summary of page.AppInstanceUserEndpoints ?? []) {
      const e = summary.Type === p.Type && summary.EndpointId ? await describe(ctx, userArn, summary.EndpointId) : undefined;
      if (e?.ResourceArn === p.ResourceArn && e.EndpointAttributes?.DeviceToken === token) return e;
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}

/** The endpoint `id` names: by its endpoint id, else (registered again since) by the device of `p`, whose token `token` reads (undefined: unknown). */
async function locate(ctx: OperationContext, id: string, p: UserEndpointProps, token: () => Promise<string | undefined>): Promise<Located | undefined> {
  const { userArn, endpointId } = split(id);
  const exact = await describe(ctx, userArn, endpointId);
  if (exact) return { endpoint: exact, exact: true };
  const deviceToken = await token();
  const found = deviceToken === undefined ? undefined : await findDevice(ctx, userArn, p, deviceToken);
  return found && { endpoint: found, exact: false };
}

/** Registers the device; a repeated delivery of the request sends the same token and gets the same endpoint. */
async function register(ctx: OperationContext, p: UserEndpointProps, tokens: Tokens, purpose = 'register-endpoint'): Promise<string> {
  const out = await ctx.clients.chime().send(
    new RegisterAppInstanceUserEndpointCommand({
      AppInstanceUserArn: p.AppInstanceUserArn,
      Type: p.Type,
      ResourceArn: p.ResourceArn,
      EndpointAttributes: { DeviceToken: tokens.DeviceToken, VoipDeviceToken: tokens.VoipDeviceToken },
      Name: p.Name,
      AllowMessages: p.AllowMessages,
      ClientRequestToken: ctx.token(purpose),
    }),
  );
  if (!out.EndpointId) throw new Error(`${REGISTER} answered without an EndpointId`);
  return out.EndpointId;
}

async function deregister(ctx: OperationContext, userArn: string, endpointId: string): Promise<void> {
  await ctx.clients.chime().send(new DeregisterAppInstanceUserEndpointCommand({ AppInstanceUserArn: userArn, EndpointId: endpointId }));
}

/** Sets the name and allow-messages asked for, when the live endpoint has others. */
async function converge(ctx: OperationContext, e: Endpoint, p: UserEndpointProps): Promise<void> {
  if ((e.Name ?? '') === p.Name && e.AllowMessages === p.AllowMessages) return;
  await ctx.clients.chime().send(new UpdateAppInstanceUserEndpointCommand({ AppInstanceUserArn: p.AppInstanceUserArn, EndpointId: e.EndpointId, Name: p.Name, AllowMessages: p.AllowMessages }));
}

/** The device tokens are read from Secrets Manager and go to the service only. */
async function create(ctx: OperationContext, p: UserEndpointProps): Promise<OperationResult> {
  const endpointId = await register(ctx, p, await tokensOf(ctx, p));
  return answer(endpointPhysicalId(p.AppInstanceUserArn, endpointId), endpointId);
}

/**
 * What a failed create, or the registration of a failed update, may have registered: only when
 * a registration may have been applied, and found by listing (registering again to learn the
 * endpoint would register it). It must carry the device and both tokens asked for: the same
 * device with other tokens is the old registration, which a failed update restores. Tokens that
 * can no longer be read (the Delete of a failed create may come after the policy lost the
 * grant) leave it registered, logged.
 */
async function cleanupFailedCreate(ctx: CleanupContext, p: UserEndpointProps): Promise<string | void> {
  if (ctx.made.sent(REGISTER) === 0) return;
  const deviceToken = await readable(ctx, p.DeviceToken);
  const voip = p.VoipDeviceToken ? await readable(ctx, p.VoipDeviceToken) : null; // null: none asked for
  if (deviceToken === undefined || voip === undefined) {
    ctx.log.log('warn', 'what the failed request may have registered cannot be looked for: it may stay registered');
    return;
  }
  const e = await findDevice(ctx, p.AppInstanceUserArn, p, deviceToken);
  if (!e || e.EndpointAttributes?.VoipDeviceToken !== (voip ?? undefined)) return;
  await deregister(ctx, p.AppInstanceUserArn, e.EndpointId);
  return `endpoint ${e.EndpointId}`;
}

/**
 * The same device registered with other tokens, deregistered so that it can be registered with
 * the new ones (the service keeps one endpoint per device). If that fails, the old tokens are
 * registered again before failing, so that the device keeps its notifications.
 */
async function registerInstead(ctx: OperationContext, old: Endpoint, p: UserEndpointProps, tokens: Tokens): Promise<string> {
  ctx.log.log('info', 'the device is registered with other tokens: deregistering it to register it again', { endpointId: old.EndpointId });
  await deregister(ctx, p.AppInstanceUserArn, old.EndpointId);
  try {
    return await register(ctx, p, tokens, 'register-endpoint-again');
  } catch (err) {
    const { Type, ResourceArn, EndpointAttributes, Name, AllowMessages } = old;
    const restore = { AppInstanceUserArn: p.AppInstanceUserArn, Type, ResourceArn, EndpointAttributes, Name, AllowMessages, ClientRequestToken: ctx.token('restore-endpoint') };
    await ctx.clients
      .chime()
      .send(new RegisterAppInstanceUserEndpointCommand(restore))
      .then(
        (out) => ctx.log.log('info', 'registered the device with its old tokens again', { endpointId: out.EndpointId }),
        (restoreErr: unknown) => ctx.log.log('warn', 'registering the device with its old tokens again failed; the rollback registers it', { reason: describeError(restoreErr) }),
      );
    throw err;
  }
}

/**
 * A registration change (user, type, application, a token secret, the token version). The
 * endpoint asked for is kept when it is registered already (a rollback, the same token under a
 * new version or secret), registered otherwise, after deregistering the same device's
 * registration with other tokens when it is the one this id names. A new id (of the new
 * endpoint) only for another user, or when the old endpoint stays and the id names it by its
 * endpoint id: CloudFormation's Delete of the old id then removes exactly that one.
 */
async function reregister(ctx: OperationContext, id: string, p: UserEndpointProps, old: UserEndpointProps, tokens: Tokens): Promise<OperationResult> {
  const { userArn } = split(id);
  const before = await locate(ctx, id, old, () => readable(ctx, old.DeviceToken));
  const sameDevice = (e: Endpoint) => userArn === p.AppInstanceUserArn && e.Type === p.Type && e.ResourceArn === p.ResourceArn && e.EndpointAttributes?.DeviceToken === tokens.DeviceToken;
  const mine = before && sameDevice(before.endpoint) ? before.endpoint : undefined;
  const current = mine ?? (await findDevice(ctx, p.AppInstanceUserArn, p, tokens.DeviceToken));
  let endpointId: string;
  let beforeRemoved = false;
  if (current && current.EndpointAttributes?.VoipDeviceToken === tokens.VoipDeviceToken) {
    await converge(ctx, current, p);
    endpointId = current.EndpointId;
  } else {
    try {
      endpointId = await register(ctx, p, tokens);
    } catch (err) {
      if ((err as Error).name !== 'ConflictException' || !mine) throw err;
      endpointId = await registerInstead(ctx, mine, p, tokens);
      beforeRemoved = true;
    }
  }
  const left = before && !beforeRemoved && before.endpoint.EndpointId !== endpointId ? before : undefined;
  if (userArn !== p.AppInstanceUserArn || left?.exact) return answer(endpointPhysicalId(p.AppInstanceUserArn, endpointId), endpointId);
  if (left) ctx.log.log('warn', 'an endpoint of the old properties stays registered: the id does not name it, so it is not known to be this resource\'s', { endpointId: left.endpoint.EndpointId });
  return answer(id, endpointId);
}

/** Name and allow-messages change in place; a device no longer registered is registered again. A no-op makes no call. */
async function update(ctx: OperationContext, id: string, p: UserEndpointProps, old: UserEndpointProps): Promise<OperationResult> {
  const changed = changedKeys(old, p);
  if (changed.length === 0) return { physicalResourceId: id };
  const tokens = await tokensOf(ctx, p);
  if (changed.some((k) => REGISTRATION.includes(k))) return reregister(ctx, id, p, old, tokens);
  const live = await locate(ctx, id, p, async () => tokens.DeviceToken);
  if (!live) return answer(id, await register(ctx, p, tokens));
  await converge(ctx, live.endpoint, p);
  return answer(id, live.endpoint.EndpointId);
}

async function remove(ctx: OperationContext, id: string, p: UserEndpointProps): Promise<void> {
  const found = await locate(ctx, id, p, () => readable(ctx, p.DeviceToken));
  if (found) await deregister(ctx, split(id).userArn, found.endpoint.EndpointId);
  else ctx.log.log('info', 'no endpoint of this id is registered');
}

async function read(ctx: OperationContext, id: string, p: UserEndpointProps): Promise<LiveState> {
  const found = await locate(ctx, id, p, () => readSecret(ctx, p.DeviceToken));
  if (!found) return { exists: false };
  const e = found.endpoint;
  return {
    exists: true,
    properties: { AppInstanceUserArn: split(id).userArn, Type: e.Type, ResourceArn: e.ResourceArn, Name: e.Name ?? '', AllowMessages: e.AllowMessages, DeviceToken: p.DeviceToken },
  };
}

/** The device's registration, when the user has one of the declared type, application and device token (made when: one this request made is its own). */
async function existing(ctx: OperationContext, p: UserEndpointProps): Promise<Existing[]> {
  const e = await findDevice(ctx, p.AppInstanceUserArn, p, await readSecret(ctx, p.DeviceToken));
  if (!e) return [];
  return [{ physicalId: endpointPhysicalId(p.AppInstanceUserArn, e.EndpointId), what: `the endpoint ${e.EndpointId} of ${p.AppInstanceUserArn}`, createdAt: e.CreatedTimestamp?.getTime() }];
}

export const userEndpointHandler: ResourceHandler<UserEndpointProps> = {
  resourceType: USER_ENDPOINT_TYPE,
  schema,
  create,
  update,
  delete: remove,
  read,
  cleanupFailedCreate,
  existing,
};
