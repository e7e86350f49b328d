import wickrModel from '../../models/wickr-2024-02-01.json';
import { EmulatedService, OperationImpl, RequestContext, ServiceModel } from './service';
import { accountOperations, groupMembers } from './wickr-accounts';
import { configOperations, seedGuests } from './wickr-config';
import { listPage } from './wickr-paging';
import { validateProse } from './wickr-rules';
import {
  AccessLevel,
  badRequest,
  clone,
  defaultNetworkSettings,
  defaultSecurityGroupSettings,
  epochSeconds,
  FREE_TRIAL_DAYS,
  GroupRecord,
  mergeSettings,
  NetworkRecord,
  SecurityGroupSettings,
  StoreOptions,
  WickrState,
  WickrStore,
} from './wickr-state';

/**
 * The AWS Wickr Admin API (44 operations) for the emulator: stateful, with the service's
 * id formats, the prose rules of the API reference (`wickr-rules.ts`), partial batch
 * results, pagination (`wickr-paging.ts`) and 404s for anything unknown.
 *
 * Module map: networks and security groups here; users, devices and bots in
 * `wickr-accounts.ts`; network settings, data retention bot, OIDC, OpenTDF and guest users
 * in `wickr-config.ts`; state, ids and defaults in `wickr-state.ts`.
 *
 * Choices where the API reference is silent (the README repeats them):
 * - Networks are regional: one is found only with the account and region that created it.
 *   Network ids are 8 random digits (no leading 0), unique; duplicate names are allowed
 *   (CreateNetwork has no client token and names are not unique, as in AWS).
 * - A new network has a default security group named `Default` (`isDefault: true`) with
 *   the default settings of `defaultSecurityGroupSettings()`. Security group ids are `sg`
 *   and 10 random lowercase letters or digits.
 * - `enablePremiumFreeTrial` on a PREMIUM network sets `freeTrialExpiration` (ISO-8601,
 *   90 days on); on a STANDARD network it is ignored. `standing` and `migrationState` are
 *   not reported.
 * - Deleting a security group that still has users or bots: 400 BadRequestError (move them
 *   first). Deleting the default group: 400 BadRequestError.
 * - `activeMembers` counts the group's users that are not suspended; `botMembers` its bots.
 * - `UpdateSecurityGroup` is a PATCH (see `mergeSettings`) and answers the whole group.
 */

export const WICKR_MODEL = wickrModel as unknown as ServiceModel;

export type WickrServiceOptions = StoreOptions;

export interface WickrService extends EmulatedService {
  /** The live store (tests and the emulator's tooling read it; requests go through `operations`). */
  readonly store: WickrStore;
  exportState(): WickrState;
}

function networkOut(n: NetworkRecord): Record<string, unknown> {
  return {
    networkId: n.networkId,
    networkName: n.networkName,
    accessLevel: n.accessLevel,
    awsAccountId: n.awsAccountId,
    networkArn: `arn:aws:wickr:${n.region}:${n.awsAccountId}:network/${n.networkId}`,
    encryptionKeyArn: n.encryptionKeyArn,
    freeTrialExpiration: n.freeTrialExpiration,
  };
}

function groupOut(network: NetworkRecord, g: GroupRecord): Record<string, unknown> {
  const members = groupMembers(network, g.id);
  return {
    id: g.id,
    name: g.name,
    isDefault: g.isDefault,
    modified: g.modified,
    activeMembers: members.users.filter((u) => !u.suspended).length,
    botMembers: members.bots.length,
    securityGroupSettings: clone(g.settings),
  };
}

function newGroup(store: WickrStore, name: string, isDefault: boolean, settings: SecurityGroupSettings, ctx: RequestContext): GroupRecord {
  return { id: store.newGroupId(), name, isDefault, modified: epochSeconds(ctx), seq: store.nextSeq(), settings };
}

function networkOperations(store: WickrStore): Record<string, OperationImpl> {
  return {
    CreateNetwork(input, ctx) {
      const now = ctx.now();
      const networkId = store.newNetworkId();
      const accessLevel = input.accessLevel as AccessLevel;
      const network: NetworkRecord = {
        networkId,
        networkName: input.networkName,
        accessLevel,
        awsAccountId: ctx.accountId,
        region: ctx.region,
        encryptionKeyArn: input.encryptionKeyArn,
        freeTrialExpiration:
          input.enablePremiumFreeTrial === true && accessLevel === 'PREMIUM' ? new Date(now.getTime() + FREE_TRIAL_DAYS * 86400_000).toISOString() : undefined,
        created: epochSeconds(ctx),
        seq: store.nextSeq(),
        groups: {},
        users: {},
        bots: {},
        settings: defaultNetworkSettings(),
        guests: seedGuests(networkId, now),
      };
      const group = newGroup(store, 'Default', true, defaultSecurityGroupSettings(), ctx);
      network.groups[group.id] = group;
      store.state.networks[networkId] = network;
      return { networkId, networkName: network.networkName, encryptionKeyArn: network.encryptionKeyArn };
    },

    GetNetwork(input, ctx) {
      return networkOut(store.network(ctx, input.networkId));
    },

    ListNetworks(input, ctx) {
      const items = Object.values(store.state.networks).filter((n) => n.awsAccountId === ctx.accountId && n.region === ctx.region);
      const { page, nextToken } = listPage(
        'ListNetworks',
        items,
        { sortKeys: { networkId: (n) => n.networkId, networkName: (n) => n.networkName }, defaultSort: 'networkId', order: (n) => n.seq },
        input,
      );
      return { networks: page.map(networkOut), nextToken };
    },

    UpdateNetwork(input, ctx) {
      const network = store.network(ctx, input.networkId);
      network.networkName = input.networkName;
      if (input.encryptionKeyArn !== undefined) network.encryptionKeyArn = input.encryptionKeyArn;
      return { message: `Network ${network.networkId} updated` };
    },

    DeleteNetwork(input, ctx) {
      const network = store.network(ctx, input.networkId);
      delete store.state.networks[network.networkId];
      return { message: `Network ${network.networkId} deleted` };
    },

    CreateSecurityGroup(input, ctx) {
      const network = store.network(ctx, input.networkId);
      // Only the federation subset (SecurityGroupSettingsRequest) gets here: the rest are defaults.
      const settings = mergeSettings(defaultSecurityGroupSettings(), input.securityGroupSettings ?? {});
      const group = newGroup(store, input.name, false, settings, ctx);
      network.groups[group.id] = group;
      return { securityGroup: groupOut(network, group) };
    },

    GetSecurityGroup(input, ctx) {
      const network = store.network(ctx, input.networkId);
      return { securityGroup: groupOut(network, store.group(network, input.groupId)) };
    },

    ListSecurityGroups(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const { page, nextToken } = listPage(
        'ListSecurityGroups',
        Object.values(network.groups),
        { sortKeys: { id: (g) => g.id, name: (g) => g.name }, order: (g) => g.seq },
        input,
      );
      return { securityGroups: page.map((g) => groupOut(network, g)), nextToken };
    },

    UpdateSecurityGroup(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const group = store.group(network, input.groupId);
      if (input.name !== undefined) group.name = input.name;
      if (input.securityGroupSettings !== undefined) group.settings = mergeSettings(group.settings, input.securityGroupSettings);
      group.modified = epochSeconds(ctx);
      return { securityGroup: groupOut(network, group) };
    },

    DeleteSecurityGroup(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const group = store.group(network, input.groupId);
      if (group.isDefault) throw badRequest('the default security group cannot be deleted');
      const members = groupMembers(network, group.id);
      if (members.users.length > 0 || members.bots.length > 0) {
        throw badRequest(
          `security group ${group.id} still has ${members.users.length} user(s) and ${members.bots.length} bot(s): move them to another group before deleting it`,
        );
      }
      delete network.groups[group.id];
      return { groupId: group.id, networkId: network.networkId, message: `Security group ${group.id} deleted` };
    },
  };
}

/** The Wickr service for the emulator. `seed` makes generated ids repeatable (secrets stay random). */
export function createWickrService(options: WickrServiceOptions = {}): WickrService {
  const store = new WickrStore(options);
  const operations: Record<string, OperationImpl> = {
    ...networkOperations(store),
    ...accountOperations(store),
    ...configOperations(store),
  };
  return {
    model: WICKR_MODEL,
    operations,
    store,
    validate: (operation, input, ctx) => validateProse(store, operation, input, ctx),
    reset: () => store.reset(),
    exportState: () => store.exportState(),
    importState: (state) => store.importState(state),
  };
}
