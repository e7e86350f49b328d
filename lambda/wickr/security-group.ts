import { RequestRefusedError } from '../core/errors';
import { changedKeys, CleanupContext, exists, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { optional, str, struct, withDefault } from '../core/schema';
import {
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  GetSecurityGroupCommand,
  paginateListSecurityGroups,
  SecurityGroupSettings,
  UpdateSecurityGroupCommand,
} from './client';
import { changedSettings, isEmpty, settingsDecoder } from './settings';
import { CREATE_SETTINGS_MEMBERS, DEFAULT_SECURITY_GROUP_TYPE, SECURITY_GROUP_NAME_MAX, SECURITY_GROUP_TYPE } from './security-group.wire';

const NETWORK_ID = str({ pattern: /^[0-9]{8}$/, patternText: 'an 8-digit network id' });

export interface SecurityGroupProps {
  readonly NetworkId: string;
  readonly Name: string;
  readonly Settings: SecurityGroupSettings;
}

const groupSchema = struct<SecurityGroupProps>({
  NetworkId: NETWORK_ID,
  Name: str({ minLength: 1, maxLength: SECURITY_GROUP_NAME_MAX }),
  Settings: withDefault(settingsDecoder<SecurityGroupSettings>('SecurityGroupSettings'), {}),
});

/** The federation members `CreateSecurityGroup` accepts; the rest only `UpdateSecurityGroup` applies. */
function createSubset(settings: SecurityGroupSettings): SecurityGroupSettings {
  const subset: Record<string, unknown> = {};
  for (const key of CREATE_SETTINGS_MEMBERS) if (settings[key] !== undefined) subset[key] = settings[key];
  return subset;
}

/** The `CreateSecurityGroup` call of a create: a repeated delivery (or the cleanup) sends the same call with the same token and gets the same group. */
function createCommand(ctx: OperationContext, props: SecurityGroupProps): CreateSecurityGroupCommand {
  return new CreateSecurityGroupCommand({
    networkId: props.NetworkId,
    name: props.Name,
    securityGroupSettings: createSubset(props.Settings),
    clientToken: ctx.token('create-security-group'),
  });
}

/**
 * `CreateSecurityGroup` (federation subset, client token) then `UpdateSecurityGroup` with
 * the full settings. If the update fails, the create fails and the dispatcher's cleanup
 * deletes the group: a group is never left half-configured.
 */
async function createGroup(ctx: OperationContext, props: SecurityGroupProps): Promise<OperationResult> {
  const wickr = ctx.clients.wickr();
  const groupId = (await wickr.send(createCommand(ctx, props))).securityGroup.id;
  if (!groupId) throw new Error('CreateSecurityGroup answered without a group id');
  const rest = Object.keys(props.Settings).filter((k) => !(CREATE_SETTINGS_MEMBERS as readonly string[]).includes(k));
  if (rest.length > 0) await wickr.send(new UpdateSecurityGroupCommand({ networkId: props.NetworkId, groupId, securityGroupSettings: props.Settings }));
  return { physicalResourceId: groupId };
}

/** The group a failed create made: its `CreateSecurityGroup`, sent again with the same token, names it. */
async function cleanupGroup(ctx: CleanupContext, props: SecurityGroupProps): Promise<string | void> {
  if (ctx.made.sent('CreateSecurityGroup') === 0) return;
  const groupId = (await ctx.clients.wickr().send(createCommand(ctx, props))).securityGroup.id;
  if (!groupId) return;
  await ctx.clients.wickr().send(new DeleteSecurityGroupCommand({ networkId: props.NetworkId, groupId }));
  return `security group ${groupId}`;
}

/** Another network means another group, unless the group already is in it (a rollback of a failed move). */
async function updateGroup(ctx: OperationContext, groupId: string, props: SecurityGroupProps, old: SecurityGroupProps): Promise<OperationResult> {
  if (props.NetworkId !== old.NetworkId && !(await exists(() => ctx.clients.wickr().send(new GetSecurityGroupCommand({ networkId: props.NetworkId, groupId }))))) {
    return createGroup(ctx, props);
  }
  return updateInPlace(ctx, groupId, props, old);
}

/** Sends what changed (a new name, changed settings) in one `UpdateSecurityGroup`; nothing changed, no call. */
async function updateInPlace(ctx: OperationContext, groupId: string, props: DefaultSecurityGroupProps, old: DefaultSecurityGroupProps): Promise<OperationResult> {
  const settings = changedSettings(old.Settings, props.Settings);
  const renamed = props.Name !== undefined && props.Name !== old.Name;
  if (renamed || !isEmpty(settings)) {
    await ctx.clients.wickr().send(
      new UpdateSecurityGroupCommand({
        networkId: props.NetworkId,
        groupId,
        name: renamed ? props.Name : undefined,
        securityGroupSettings: isEmpty(settings) ? undefined : settings,
      }),
    );
  }
  return { physicalResourceId: groupId };
}

async function deleteGroup(ctx: OperationContext, groupId: string, props: SecurityGroupProps): Promise<void> {
  await ctx.clients.wickr().send(new DeleteSecurityGroupCommand({ networkId: props.NetworkId, groupId }));
}

/** The live group, with only the settings the properties manage (drift is about those). */
async function readGroup(ctx: OperationContext, groupId: string, props: { NetworkId: string; Settings: SecurityGroupSettings }): Promise<LiveState> {
  const { securityGroup } = await ctx.clients.wickr().send(new GetSecurityGroupCommand({ networkId: props.NetworkId, groupId }));
  const live = (securityGroup.securityGroupSettings ?? {}) as Record<string, unknown>;
  const managed = Object.fromEntries(Object.keys(props.Settings).map((k) => [k, live[k]]));
  return { exists: true, properties: { NetworkId: props.NetworkId, Name: securityGroup.name, Settings: managed } };
}

export const securityGroupHandler: ResourceHandler<SecurityGroupProps> = {
  resourceType: SECURITY_GROUP_TYPE,
  schema: groupSchema,
  create: createGroup,
  update: updateGroup,
  delete: deleteGroup,
  read: readGroup,
  cleanupFailedCreate: cleanupGroup,
};

export interface DefaultSecurityGroupProps {
  readonly NetworkId: string;
  readonly Name?: string;
  readonly Settings: SecurityGroupSettings;
}

const defaultSchema = struct<DefaultSecurityGroupProps>({
  NetworkId: NETWORK_ID,
  Name: optional(str({ minLength: 1, maxLength: SECURITY_GROUP_NAME_MAX })),
  Settings: withDefault(settingsDecoder<SecurityGroupSettings>('SecurityGroupSettings'), {}),
});

async function findDefaultGroup(ctx: OperationContext, networkId: string): Promise<string> {
  for await (const page of paginateListSecurityGroups({ client: ctx.clients.wickr() }, { networkId })) {
    const found = page.securityGroups?.find((g) => g.isDefault);
    if (found?.id) return found.id;
  }
  throw new RequestRefusedError(`network ${networkId} has no default security group`);
}

/**
 * Every network has a default security group, made with the network, which cannot be
 * deleted. This resource finds it (its physical id is the group id, so `Ref` gives the
 * id) and applies the settings and name it is given. Deleting the resource leaves the
 * group as it is.
 */
async function adoptDefault(ctx: OperationContext, props: DefaultSecurityGroupProps): Promise<OperationResult> {
  const groupId = await findDefaultGroup(ctx, props.NetworkId);
  if (props.Name !== undefined || !isEmpty(props.Settings)) {
    await ctx.clients.wickr().send(
      new UpdateSecurityGroupCommand({
        networkId: props.NetworkId,
        groupId,
        name: props.Name,
        securityGroupSettings: isEmpty(props.Settings) ? undefined : props.Settings,
      }),
    );
  }
  return { physicalResourceId: groupId };
}

export const defaultSecurityGroupHandler: ResourceHandler<DefaultSecurityGroupProps> = {
  resourceType: DEFAULT_SECURITY_GROUP_TYPE,
  schema: defaultSchema,
  create: adoptDefault,
  async update(ctx, groupId, props, old) {
    if (changedKeys(old, props).includes('NetworkId')) return adoptDefault(ctx, props);
    return updateInPlace(ctx, groupId, props, old);
  },
  async delete(ctx) {
    ctx.log.log('info', 'the default security group cannot be deleted; it keeps its current name and settings');
  },
  read: readGroup,
};
