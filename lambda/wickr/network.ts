import { Ownership } from '../core/ownership';
import { CleanupContext, OperationContext, OperationResult, ResourceHandler, changedKeys, LiveState } from '../core/resource';
import { ADOPT_BY_DECLARATION } from '../core/ownership.wire';
import { Existing } from '../core/takeover';
import { bool, oneOf, optional, str, struct, withDefault } from '../core/schema';
import { ReplacementRefusedError, RequestRefusedError } from '../core/errors';
import { sleep, untilSeen } from '../core/eventual';
import { WickrClient, isAmbiguousFailure, paginateListNetworks } from './client';
import { CreateNetworkCommand, DeleteNetworkCommand, GetNetworkCommand, Network, UpdateNetworkCommand } from './model.generated';
import { ACCESS_LEVELS, NETWORK_CLAIM_TYPES, NETWORK_NAME_MAX, NETWORK_TYPE } from './network.wire';

export interface NetworkProps {
  readonly NetworkName: string;
  readonly AccessLevel: (typeof ACCESS_LEVELS)[number];
  readonly EncryptionKeyArn?: string;
  readonly EnablePremiumFreeTrial?: boolean;
  readonly AllowReplacement: boolean;
}

const schema = struct<NetworkProps>({
  NetworkName: str({ minLength: 1, maxLength: NETWORK_NAME_MAX }),
  AccessLevel: oneOf(...ACCESS_LEVELS),
  EncryptionKeyArn: optional(str({ minLength: 1 })),
  EnablePremiumFreeTrial: optional(bool()),
  AllowReplacement: withDefault(bool(), false),
});

/**
 * `CreateNetwork` takes no client token, so a retried or duplicated request could
 * create a second network. The handler never does, with a request marker:
 *
 * 1. `ListNetworks`. A network named after this request's marker (`pending-` and 12
 *    hex characters of the request's token) was made by an earlier or concurrent
 *    delivery of the same request: adopt it. A network already carrying the requested
 *    name (other than the one being replaced) is refused: names of networks this library
 *    manages are unique, so a delivery that arrives after the request finished cannot
 *    make a second network.
 * 2. `CreateNetwork` with the marker as its name. It is never retried blindly: after an
 *    ambiguous failure (connection dropped after sending, 5xx) the handler lists again
 *    and adopts the marker network if the call had in fact committed.
 * 3. `ListNetworks` again: two deliveries that listed at the same moment each made a
 *    marker network; both now see both and keep the lowest network id, the other
 *    delivery's network is deleted, so both answer the same network. Lists are eventually
 *    consistent, so this list waits until they show what was made (`afterCreate`); by then
 *    the other delivery may have answered and renamed its network (step 5), which is
 *    therefore recognised by the requested name too (no other network had it in step 1).
 * 4. The answer names the network, which still carries the marker: a delivery of the same
 *    request that comes after an answer that could not be delivered adopts it (step 1).
 * 5. Only after CloudFormation has the answer does `UpdateNetwork` give the network its
 *    real name (`finish`). So a network with the real name always has its answer
 *    delivered: a later delivery that is refused in step 1 answers after the answer
 *    CloudFormation keeps, and changes nothing.
 *
 * A create that fails leaves the marker, by which `cleanupFailedCreate` finds the network.
 * Two deliveries can still make two networks if one of them waits, between its first list
 * and its create, longer than the other takes to create and list again: the service
 * offers no atomic check-and-create (the README lists this limit).
 */
export function markerName(token: string): string {
  return `pending-${token.slice(0, 12)}`;
}

async function listAllNetworks(client: WickrClient): Promise<Network[]> {
  const all: Network[] = [];
  for await (const page of paginateListNetworks({ client, pageSize: 100 }, {})) all.push(...(page.networks ?? []));
  return all;
}

const withMarker = (networks: readonly Network[], marker: string) =>
  networks.filter((n) => n.networkName === marker && n.networkId).map((n) => n.networkId as string).sort();

async function create(ctx: OperationContext, props: NetworkProps): Promise<OperationResult> {
  const client = ctx.clients.wickr();
  const marker = markerName(ctx.token('create-network'));
  const replacing = ctx.request.RequestType === 'Update' ? ctx.request.PhysicalResourceId : undefined;
  const existing = takeListing(ctx) ?? (await listAllNetworks(client));
  let networkId: string | undefined = withMarker(existing, marker)[0];
  if (networkId) {
    ctx.log.log('info', 'adopting the network another delivery of this request created', { networkId });
  } else {
    const clash = existing.find((n) => n.networkName === props.NetworkName && n.networkId !== replacing);
    if (clash) {
      throw new RequestRefusedError(
        `a Wickr network named "${props.NetworkName}" already exists (network ${clash.networkId}). ` +
          'Names of networks this library manages must be unique, so that a retried create can never make a second network: ' +
          'import the existing network with WickrNetwork.fromNetworkId, or choose another networkName',
      );
    }
    try {
      const out = await client.send(
        new CreateNetworkCommand({ networkName: marker, accessLevel: props.AccessLevel, encryptionKeyArn: props.EncryptionKeyArn, enablePremiumFreeTrial: props.EnablePremiumFreeTrial }),
      );
      networkId = out.networkId;
    } catch (err) {
      if (!isAmbiguousFailure(err)) throw err;
      ctx.log.log('warn', 'CreateNetwork outcome unknown; looking for the request marker', { marker });
    }
    // This request's networks: under its marker, or already renamed by another delivery's `finish` (no other network had the name above).
    const ofRequest = (networks: readonly Network[]) =>
      networks.filter((n) => n.networkId && (n.networkName === marker || (n.networkName === props.NetworkName && n.networkId !== replacing))).map((n) => n.networkId as string).sort();
    const ours = networkId ? await afterCreate(ctx, client, networkId, ofRequest) : ofRequest(await listAllNetworks(client));
    if (!networkId) {
      networkId = ours[0];
      if (!networkId) throw new Error('CreateNetwork failed and made no network');
    } else if (ours.length > 1 && ours[0] !== networkId) {
      ctx.log.log('warn', 'another delivery of this request made a network too; keeping the lowest id', { kept: ours[0], deleted: networkId });
      await client.send(new DeleteNetworkCommand({ networkId, clientToken: ctx.token('yield-network') }));
      networkId = ours[0];
    }
  }
  const id = networkId;
  return { physicalResourceId: id, finish: (finishCtx) => rename(finishCtx, id, props) };
}

/**
 * This request's networks (`ofRequest`), once lists are sure to show every one that another
 * delivery made while this one was creating (step 3). Lists are eventually consistent: it
 * lists until its own network shows; the time that took is the staleness observed, and a
 * network another delivery made up to then may stay hidden about as long, so it waits that
 * much again before the list that decides. With consistent lists the first list shows its
 * own network: no wait, no further call.
 */
async function afterCreate(ctx: OperationContext, client: WickrClient, networkId: string, ofRequest: (networks: readonly Network[]) => string[]): Promise<string[]> {
  const seen = await untilSeen(async () => {
    const networks = await listAllNetworks(client);
    return networks.some((n) => n.networkId === networkId) ? ofRequest(networks) : undefined;
  });
  // Shown at once (consistent lists), or not within the limit (nothing to measure): decide by what is known.
  if (seen.waitedMs === 0 || !seen.value) return seen.value ?? ofRequest(await listAllNetworks(client));
  ctx.log.log('info', 'lists showed the new network late; waiting as long again for another delivery\'s', { networkId, staleMs: seen.waitedMs });
  await sleep(seen.waitedMs + STALENESS_MARGIN_MS);
  return ofRequest(await listAllNetworks(client));
}

/** Waited beyond the staleness observed: the time between another delivery's list and its create. */
const STALENESS_MARGIN_MS = 250;

/** Gives the network its real name (and key). Same token for every delivery: a rename that committed is replayed, not repeated. */
async function rename(ctx: OperationContext, networkId: string, props: NetworkProps): Promise<void> {
  await ctx.clients.wickr().send(
    new UpdateNetworkCommand({ networkId, networkName: props.NetworkName, encryptionKeyArn: props.EncryptionKeyArn, clientToken: ctx.token('name-network') }),
  );
}

/**
 * In place when the live network already has the access level asked for (also a rollback
 * after a failed replacement: the network answered is the old one); a new access level
 * needs a new network, which only `AllowReplacement` permits.
 */
async function update(ctx: OperationContext, networkId: string, props: NetworkProps, old: NetworkProps): Promise<OperationResult> {
  const changed = changedKeys(old, props);
  if (changed.includes('AccessLevel')) {
    const live = await ctx.clients.wickr().send(new GetNetworkCommand({ networkId }));
    if (live.accessLevel !== props.AccessLevel) {
      if (!props.AllowReplacement) {
        throw new ReplacementRefusedError(
          `changing AccessLevel from ${live.accessLevel} to ${props.AccessLevel} needs a new network: UpdateNetwork cannot change it. ` +
            `Replacing network ${networkId} loses its users, groups, bots and messages (unless the removal policy retains the old network). ` +
            'Set allowReplacement: true on the WickrNetwork to allow it',
        );
      }
      return create(ctx, props);
    }
  }
  if (old.EncryptionKeyArn && !props.EncryptionKeyArn) {
    throw new RequestRefusedError(
      `encryptionKey cannot be removed from network ${networkId}: UpdateNetwork can only set another key. Keep the key or set a different one`,
    );
  }
  if (changed.includes('EnablePremiumFreeTrial')) {
    ctx.log.log('info', 'EnablePremiumFreeTrial only applies when a network is created; nothing to change');
  }
  if (changed.includes('NetworkName') || changed.includes('EncryptionKeyArn')) {
    await ctx.clients.wickr().send(
      new UpdateNetworkCommand({ networkId, networkName: props.NetworkName, encryptionKeyArn: props.EncryptionKeyArn, clientToken: ctx.token('update-network') }),
    );
  }
  return { physicalResourceId: networkId };
}

async function remove(ctx: OperationContext, networkId: string): Promise<void> {
  await ctx.clients.wickr().send(new DeleteNetworkCommand({ networkId, clientToken: ctx.token('delete-network') }));
}

async function read(ctx: OperationContext, networkId: string): Promise<LiveState> {
  const n = await ctx.clients.wickr().send(new GetNetworkCommand({ networkId }));
  return {
    exists: true,
    properties: { NetworkName: n.networkName, AccessLevel: n.accessLevel, EncryptionKeyArn: n.encryptionKeyArn },
  };
}

/** The physical ids that name a network: its id (this library's) and its ARN (the native type's). */
export function networkIds(networkId: string, ownership: Ownership): string[] {
  return [networkId, ownership.arn('wickr', `network/${networkId}`)];
}

/** A network as the parent of configuration (its settings, default group, data retention bot, SSO): owned by whoever owns the network. */
export function networkParent(ctx: OperationContext, networkId: string): Existing['parent'] {
  return ctx.ownership && { physicalIds: networkIds(networkId, ctx.ownership), types: NETWORK_CLAIM_TYPES };
}

/**
 * The listing the ownership check just made, which the create that follows it (no network had
 * the name) uses instead of listing again; taken once, so a create retried lists afresh.
 */
const listings = new WeakMap<OperationContext, Network[]>();
function takeListing(ctx: OperationContext): Network[] | undefined {
  const listed = listings.get(ctx);
  listings.delete(ctx);
  return listed;
}

/**
 * The network a create would take over: the one the adoption context names by id, else the
 * one with the declared name (names are unique in an account and region). A network still
 * named after a request's marker is a create in progress, found by the create itself.
 */
async function existing(ctx: OperationContext, props: NetworkProps, adopt?: string): Promise<Existing[]> {
  const networks = await listAllNetworks(ctx.clients.wickr());
  listings.set(ctx, networks);
  const byId = adopt !== undefined && adopt !== ADOPT_BY_DECLARATION;
  if (byId && !/^[0-9]{8}$/.test(adopt)) throw new RequestRefusedError(`the adoption context names ${JSON.stringify(adopt)} for a network: give its 8-digit network id`);
  const found = byId ? networks.find((n) => n.networkId === adopt) : networks.find((n) => n.networkName === props.NetworkName);
  if (byId && !found) throw new RequestRefusedError(`the adoption context names network ${adopt}, and there is no such network in this account and region`);
  if (!found?.networkId) return [];
  const id = found.networkId;
  return [{ physicalId: id, alsoKnownAs: ctx.ownership ? networkIds(id, ctx.ownership).slice(1) : [], what: `the Wickr network ${id} ("${found.networkName}")` }];
}

/** The network the failed request made still carries its marker name (the rename waits for a delivered answer). */
async function cleanupFailedCreate(ctx: CleanupContext): Promise<string | void> {
  if (!ctx.made.mayHave('CreateNetwork')) return;
  const marker = markerName(ctx.token('create-network'));
  const left = withMarker(await listAllNetworks(ctx.clients.wickr()), marker);
  for (const networkId of left) await ctx.clients.wickr().send(new DeleteNetworkCommand({ networkId, clientToken: ctx.token(`cleanup-network:${networkId}`) }));
  return left.length > 0 ? `network ${left.join(', ')} (named ${marker})` : undefined;
}

export const networkHandler: ResourceHandler<NetworkProps> = {
  resourceType: NETWORK_TYPE,
  schema,
  create,
  update,
  delete: (ctx, id) => remove(ctx, id),
  read: (ctx, id) => read(ctx, id),
  cleanupFailedCreate,
  existing,
  claimTypes: NETWORK_CLAIM_TYPES,
  alsoKnownAs: (id, ownership) => networkIds(id, ownership).slice(1),
};
