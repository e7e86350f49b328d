import { OperationContext, OperationResult, ResourceHandler, changedKeys, LiveState } from '../core/resource';
import { bool, decodeProperties, oneOf, optional, str, struct, withDefault } from '../core/schema';
import { ReplacementRefusedError, RequestRefusedError } from '../core/errors';
import { WickrClient, isAmbiguousFailure, paginateListNetworks } from './client';
import { CreateNetworkCommand, DeleteNetworkCommand, GetNetworkCommand, Network, UpdateNetworkCommand } from './model.generated';
import { ACCESS_LEVELS, NETWORK_NAME_MAX, NETWORK_TYPE } from './network.wire';

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
 *    hex characters of the request's token) was made by an earlier delivery of the
 *    same request: adopt it. A network already carrying the requested name (other than
 *    the one being replaced) is refused: names managed by this library are unique, so
 *    a later delivery of a request that already finished cannot create a second one.
 * 2. `CreateNetwork` with the marker as its name. It is never retried blindly: after an
 *    ambiguous failure (connection dropped after sending, 5xx) the handler lists again
 *    and adopts the marker network if the call had in fact committed.
 * 3. `UpdateNetwork` gives the network its real name (this call has a client token).
 *    If that fails, the new network is deleted: a failed create leaves nothing behind.
 * 4. If every look after an ambiguous CreateNetwork fails too, the create answers FAILED;
 *    the Delete CloudFormation then sends for the failed create finds the marker network
 *    by the create's token and deletes it (`cleanupFailedCreate`).
 *
 * A delivery of the same request that arrives after the first one finished finds the
 * network under its real name and is refused; CloudFormation keeps the first answer and
 * ignores later ones, so nothing changes. Two deliveries running at the very same time
 * could each create a marker network: the service offers no atomic check, which is why
 * the names of managed networks must be unique (step 1) and the README lists this limit.
 */
export function markerName(token: string): string {
  return `pending-${token.slice(0, 12)}`;
}

async function listAllNetworks(client: WickrClient): Promise<Network[]> {
  const all: Network[] = [];
  for await (const page of paginateListNetworks({ client, pageSize: 100 }, {})) all.push(...(page.networks ?? []));
  return all;
}

async function create(ctx: OperationContext, props: NetworkProps): Promise<OperationResult> {
  const client = ctx.clients.wickr();
  const marker = markerName(ctx.token('create-network'));
  const replacing = ctx.request.RequestType === 'Update' ? ctx.request.PhysicalResourceId : undefined;
  const existing = await listAllNetworks(client);
  let networkId = existing.find((n) => n.networkName === marker)?.networkId;
  if (networkId) {
    ctx.log.log('info', 'adopting the network an earlier delivery of this request created', { networkId });
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
        new CreateNetworkCommand({
          networkName: marker,
          accessLevel: props.AccessLevel,
          encryptionKeyArn: props.EncryptionKeyArn,
          enablePremiumFreeTrial: props.EnablePremiumFreeTrial,
        }),
      );
      networkId = out.networkId;
    } catch (err) {
      if (!isAmbiguousFailure(err)) throw err;
      ctx.log.log('warn', 'CreateNetwork outcome unknown; looking for the request marker', { marker });
      networkId = (await listAllNetworks(client)).find((n) => n.networkName === marker)?.networkId;
      if (!networkId) throw err;
    }
  }
  if (!networkId) throw new Error('CreateNetwork answered without a networkId');
  try {
    await client.send(
      new UpdateNetworkCommand({
        networkId,
        networkName: props.NetworkName,
        encryptionKeyArn: props.EncryptionKeyArn,
        clientToken: ctx.token('name-network'),
      }),
    );
  } catch (err) {
    await removeQuietly(ctx, networkId);
    throw err;
  }
  return { physicalResourceId: networkId };
}

async function removeQuietly(ctx: OperationContext, networkId: string): Promise<void> {
  try {
    await ctx.clients.wickr().send(new DeleteNetworkCommand({ networkId, clientToken: ctx.token('cleanup-network') }));
  } catch (err) {
    ctx.log.log('error', 'could not remove the network this failed create made', { networkId, error: err });
  }
}

async function update(ctx: OperationContext, networkId: string, props: NetworkProps, old: NetworkProps): Promise<OperationResult> {
  const changed = changedKeys(old, props);
  if (changed.includes('AccessLevel')) {
    if (!props.AllowReplacement) {
      throw new ReplacementRefusedError(
        `changing AccessLevel from ${old.AccessLevel} to ${props.AccessLevel} needs a new network: UpdateNetwork cannot change it. ` +
          `Replacing network ${networkId} loses its users, groups, bots and messages (unless the removal policy retains the old network). ` +
          'Set allowReplacement: true on the WickrNetwork to allow it',
      );
    }
    return create(ctx, props);
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
      new UpdateNetworkCommand({
        networkId,
        networkName: props.NetworkName,
        encryptionKeyArn: props.EncryptionKeyArn,
        clientToken: ctx.token('update-network'),
      }),
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

/** A network the failed create made under its marker name (CreateNetwork committed, every look after it failed). */
async function cleanupFailedCreate(ctx: OperationContext, createToken: (purpose: string) => string): Promise<void> {
  const marker = markerName(createToken('create-network'));
  const left = (await listAllNetworks(ctx.clients.wickr())).find((n) => n.networkName === marker);
  if (!left?.networkId) return;
  ctx.log.log('warn', 'removing the network a failed create left behind', { networkId: left.networkId, marker });
  await remove(ctx, left.networkId);
}

export const networkHandler: ResourceHandler<NetworkProps> = {
  resourceType: NETWORK_TYPE,
  parse: (raw) => decodeProperties(schema, raw),
  create,
  update,
  delete: (ctx, id) => remove(ctx, id),
  read: (ctx, id) => read(ctx, id),
  cleanupFailedCreate: (ctx, createToken) => cleanupFailedCreate(ctx, createToken),
};
