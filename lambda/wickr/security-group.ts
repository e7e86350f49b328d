import { RequestRefusedError } from '../core/errors';
import { changedKeys, CleanupContext, exists, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { ADOPT_BY_DECLARATION } from '../core/ownership.wire';
import { Existing } from '../core/takeover';
import { networkParent } from './network';
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

/** The name a group carries while this request creates it (until the answer is delivered). */
const markerName = (ctx: OperationContext) => `pending-${ctx.token('create-security-group').slice(0, 12)}`;

/** The `CreateSecurityGroup` call of a create: a repeated delivery (or the cleanup) sends the same call with the same token and gets the same group. */
function createCommand(ctx: OperationContext, props: SecurityGroupProps): CreateSecurityGroupCommand {
  return new CreateSecurityGroupCommand({
    networkId: props.NetworkId,
    name: markerName(ctx),
    securityGroupSettings: createSubset(props.Settings),
    clientToken: ctx.token('create-security-group'),
  });
}

/**
 * `CreateSecurityGroup` (federation subset, client token) then `UpdateSecurityGroup` with
 * the full settings. If the update fails, the create fails and the dispatcher's cleanup
 * deletes the group: a group is never left half-configured. The group is made under this
 * request's marker name and gets its real name once CloudFormation has the answer
 * (`finish`): a group carrying the declared name is then always claimed in the stack, so a
 * later delivery of the request knows it as its own, and one that is not claimed existed
 * before (see `existingGroup`).
 */
async function createGroup(ctx: OperationContext, props: SecurityGroupProps): Promise<OperationResult> {
  const wickr = ctx.clients.wickr();
  const groupId = (await wickr.send(createCommand(ctx, props))).securityGroup.id;
  if (!groupId) throw new Error('CreateSecurityGroup answered without a group id');
  const rest = Object.keys(props.Settings).filter((k) => !(CREATE_SETTINGS_MEMBERS as readonly string[]).includes(k));
  if (rest.length > 0) await wickr.send(new UpdateSecurityGroupCommand({ networkId: props.NetworkId, groupId, securityGroupSettings: props.Settings }));
  return {
    physicalResourceId: groupId,
    finish: (finishCtx) => finishCtx.clients.wickr().send(new UpdateSecurityGroupCommand({ networkId: props.NetworkId, groupId, name: props.Name })).then(() => undefined),
  };
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
    return ctx.replacement ? ctx.replacement(props) : createGroup(ctx, props);
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

/** The groups of a network (every page). */
async function listGroups(ctx: OperationContext, networkId: string) {
  const groups = [];
  for await (const page of paginateListSecurityGroups({ client: ctx.clients.wickr() }, { networkId })) groups.push(...(page.securityGroups ?? []));
  return groups;
}

/** The group a create would take over: the one the adoption context names by id, else the network's group of the declared name. */
async function existingGroup(ctx: OperationContext, props: SecurityGroupProps, adopt?: string): Promise<Existing[]> {
  const groups = await listGroups(ctx, props.NetworkId);
  const byId = adopt !== undefined && adopt !== ADOPT_BY_DECLARATION;
  const found = groups.filter((g) => !g.isDefault && g.id && (byId ? g.id === adopt : g.name === props.Name));
  if (byId && found.length === 0) throw new RequestRefusedError(`the adoption context names security group ${adopt}, which network ${props.NetworkId} does not have`);
  return found.map((g) => ({ physicalId: g.id as string, what: `the security group ${g.id} ("${g.name}") of Wickr network ${props.NetworkId}` }));
}

export const securityGroupHandler: ResourceHandler<SecurityGroupProps> = {
  resourceType: SECURITY_GROUP_TYPE,
  schema: groupSchema,
  create: createGroup,
  update: updateGroup,
  delete: deleteGroup,
  read: readGroup,
  cleanupFailedCreate: cleanupGroup,
  existing: existingGroup,
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
  const found = (await listGroups(ctx, networkId)).find((g) => g.isDefault);
  if (found?.id) return found.id;
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
    if (changedKeys(old, props).includes('NetworkId')) return ctx.replacement ? ctx.replacement(props) : adoptDefault(ctx, props);
    return updateInPlace(ctx, groupId, props, old);
  },
  /** Every network has its default group: declaring a name or settings for it takes it over; declaring neither only looks it up. */
  async existing(ctx, props) {
    if (props.Name === undefined && isEmpty(props.Settings)) return [];
    const groupId = await findDefaultGroup(ctx, props.NetworkId);
    return [{ physicalId: groupId, what: `the default security group ${groupId} of Wickr network ${props.NetworkId}`, parent: networkParent(ctx, props.NetworkId) }];
  },
  claimTypes: [DEFAULT_SECURITY_GROUP_TYPE],
  async delete(ctx) {
    ctx.log.log('info', 'the default security group cannot be deleted; it keeps its current name and settings');
  },
  read: readGroup,
};
