import { LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { Existing } from '../core/takeover';
import { networkParent } from './network';
import { str, struct } from '../core/schema';
import { GetNetworkSettingsCommand, NetworkSettings, UpdateNetworkSettingsCommand } from './client';
import { NETWORK_SETTINGS_TYPE } from './network-settings.wire';
import { changedSettings, isEmpty, settingsDecoder } from './settings';

export interface NetworkSettingsProps {
  readonly NetworkId: string;
  readonly Settings: NetworkSettings;
}

const schema = struct<NetworkSettingsProps>({
  NetworkId: str({ pattern: /^[0-9]{8}$/, patternText: 'an 8-digit network id' }),
  Settings: settingsDecoder<NetworkSettings>('NetworkSettings'),
});

/** Physical id: `<networkId>/settings` (one settings resource per network). */
const physicalId = (networkId: string) => `${networkId}/settings`;

async function apply(ctx: OperationContext, networkId: string, settings: NetworkSettings): Promise<void> {
  if (isEmpty(settings)) return;
  await ctx.clients.wickr().send(new UpdateNetworkSettingsCommand({ networkId, settings }));
}

async function create(ctx: OperationContext, props: NetworkSettingsProps): Promise<OperationResult> {
  await apply(ctx, props.NetworkId, props.Settings);
  return { physicalResourceId: physicalId(props.NetworkId) };
}

/** Another network gets all the settings, unless the resource already is that network's (a rollback); else only what changed. */
async function update(ctx: OperationContext, id: string, props: NetworkSettingsProps, old: NetworkSettingsProps): Promise<OperationResult> {
  if (id !== physicalId(props.NetworkId)) return ctx.replacement ? ctx.replacement(props) : create(ctx, props);
  await apply(ctx, props.NetworkId, changedSettings(old.Settings, props.Settings));
  return { physicalResourceId: physicalId(props.NetworkId) };
}

/** `GetNetworkSettings` answers a list of `{optionName, value}`; only the managed members are compared. */
async function read(ctx: OperationContext, _id: string, props: NetworkSettingsProps): Promise<LiveState> {
  const out = await ctx.clients.wickr().send(new GetNetworkSettingsCommand({ networkId: props.NetworkId }));
  const live = Object.fromEntries(out.settings.map((s) => [s.optionName, settingValue(s.value)]));
  const managed = Object.fromEntries(Object.keys(props.Settings).map((k) => [k, live[k]]));
  return { exists: true, properties: { NetworkId: props.NetworkId, Settings: managed } };
}

/** Values come back as text: `true`, `5`, or JSON for nested settings. */
function settingValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A network always has settings: declaring some takes over the network's (silently when the
 * own stack owns the network, else by adoption). Declaring none manages nothing.
 */
async function existing(ctx: OperationContext, props: NetworkSettingsProps): Promise<Existing[]> {
  if (isEmpty(props.Settings)) return [];
  return [{ physicalId: physicalId(props.NetworkId), what: `the settings of Wickr network ${props.NetworkId}`, parent: networkParent(ctx, props.NetworkId) }];
}

/**
 * Network settings belong to the network: deleting this resource leaves them as they are
 * (there is no "unset"), and a deleted network takes them with it.
 */
export const networkSettingsHandler: ResourceHandler<NetworkSettingsProps> = {
  resourceType: NETWORK_SETTINGS_TYPE,
  schema,
  create,
  update,
  async delete(ctx) {
    ctx.log.log('info', 'network settings stay as they are when the resource is removed');
  },
  read,
  existing,
};
