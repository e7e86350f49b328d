import { botHandler } from '../../lambda/wickr/bot';
import { paginateListBots, paginateListSecurityGroups, paginateListUsers, SETTINGS_SHAPES } from '../../lambda/wickr/client';
import { dataRetentionBotHandler } from '../../lambda/wickr/data-retention-bot';
import { networkHandler } from '../../lambda/wickr/network';
import { networkSettingsHandler } from '../../lambda/wickr/network-settings';
import { defaultSecurityGroupHandler, securityGroupHandler } from '../../lambda/wickr/security-group';
import { oidcConfigHandler, openTdfConfigHandler } from '../../lambda/wickr/sso';
import { asDesired, compare } from '../../lambda/wickr/users-calls';
import { count, ImportError, parallel, readLive, ReadSession } from './session';

/** A Wickr network as `import` found it: every value the library's constructs can declare. */
export interface ImportedNetwork {
  readonly networkId: string;
  readonly name: string;
  readonly accessLevel: string;
  readonly encryptionKeyArn?: string;
  /** Every network setting the service answered (`NetworkSettings` members). */
  readonly settings: Record<string, unknown>;
  readonly defaultGroup: ImportedGroup;
  /** The other groups, by name (then id). */
  readonly groups: ImportedGroup[];
  readonly bots: ImportedBot[];
  readonly dataRetentionBot?: { readonly enabled: boolean; readonly acknowledgePublicKeyMessage: boolean };
  readonly oidc?: Record<string, unknown>;
  readonly openTdf?: { readonly clientId: string; readonly domain: string; readonly provider: string };
  /** By username. */
  readonly users: ImportedUser[];
}

export interface ImportedGroup {
  readonly id: string;
  readonly name: string;
  /** Every `SecurityGroupSettings` member the service answered. */
  readonly settings: Record<string, unknown>;
}

export interface ImportedBot {
  readonly id: string;
  readonly username: string;
  readonly displayName?: string;
  readonly groupId?: string;
  readonly suspended: boolean;
}

export interface ImportedUser {
  readonly username: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly groupId: string;
  readonly suspended: boolean;
}

/** The members of a settings shape as a declaration of all of them: the handlers' reads answer the members declared. */
const everyMember = (shape: string) => Object.fromEntries(Object.keys(SETTINGS_SHAPES[shape]).map((k) => [k, null]));

/**
 * Reads one network with the handlers' own reads (`read` of each resource type, so import,
 * drift and a deploy see the same values) and lists what they cannot discover: groups,
 * bots and users. `progress` gets one line per kind.
 */
export async function readNetwork(session: ReadSession, networkId: string, progress: (line: string) => void): Promise<ImportedNetwork> {
  const { ctx, step } = session;
  if (!/^[0-9]{8}$/.test(networkId)) throw new ImportError(`--network-id takes an 8-digit Wickr network id, not ${JSON.stringify(networkId)}`);
  const network = await step(`Wickr network ${networkId}`, () => readLive(networkHandler, ctx, networkId, {}));
  if (!network) throw new ImportError(`there is no Wickr network ${networkId} in this account and region`);
  const where = `network ${networkId}`;
  const settings = await step(`the settings of ${where}`, async () => (await readLive(networkSettingsHandler, ctx, `${networkId}/settings`, { NetworkId: networkId, Settings: everyMember('NetworkSettings') }))?.Settings);

  const listed = await step(`the security groups of ${where}`, async () => {
    const out = [];
    for await (const page of paginateListSecurityGroups({ client: ctx.clients.wickr() }, { networkId })) out.push(...(page.securityGroups ?? []));
    return out;
  });
  const readGroup = async (g: { id?: string; isDefault?: boolean }): Promise<ImportedGroup> => {
    const handler = g.isDefault ? defaultSecurityGroupHandler : securityGroupHandler;
    const p = await step(`security group ${g.id} of ${where}`, () => readLive(handler, ctx, g.id as string, { NetworkId: networkId, Settings: everyMember('SecurityGroupSettings') }));
    return { id: g.id as string, name: String(p?.Name ?? ''), settings: present(p?.Settings) };
  };
  const groups = await parallel(listed.filter((g) => g.id), readGroup);
  const defaultGroup = groups.find((g) => listed.find((l) => l.id === g.id)?.isDefault);
  if (!defaultGroup) throw new ImportError(`${where} has no default security group`);
  progress(`${where}: security groups: ${count(groups.length)} read`);

  const botIds = await step(`the bots of ${where}`, async () => {
    const out: string[] = [];
    for await (const page of paginateListBots({ client: ctx.clients.wickr() }, { networkId })) for (const b of page.bots ?? []) if (b.botId) out.push(b.botId);
    return out;
  });
  const bots = await parallel(botIds, async (id): Promise<ImportedBot> => {
    const p = await step(`bot ${id} of ${where}`, () => readLive(botHandler, ctx, id, { NetworkId: networkId }));
    return { id, username: String(p?.Username ?? ''), displayName: p?.DisplayName as string | undefined, groupId: p?.GroupId as string | undefined, suspended: p?.Suspended === true };
  });
  progress(`${where}: bots: ${count(bots.length)} read`);

  const retention = await step(`the data retention bot of ${where}`, () => readLive(dataRetentionBotHandler, ctx, `${networkId}/data-retention-bot`, { NetworkId: networkId }));
  progress(`${where}: data retention bot: ${retention ? 1 : 0} read`);
  const oidc = await step(`the OIDC configuration of ${where}`, () => readLive(oidcConfigHandler, ctx, `${networkId}/oidc`, { NetworkId: networkId }));
  const tdf = await step(`the OpenTDF configuration of ${where}`, () => readLive(openTdfConfigHandler, ctx, `${networkId}/opentdf`, { NetworkId: networkId }));
  progress(`${where}: SSO and OpenTDF configuration: ${(oidc?.Issuer ? 1 : 0) + (tdf?.ClientId ? 1 : 0)} read`);

  const users = await step(`the users of ${where}`, async () => {
    const out: ImportedUser[] = [];
    for await (const page of paginateListUsers({ client: ctx.clients.wickr() }, { networkId })) {
      for (const u of page.users ?? []) {
        if (!u.username) continue;
        const d = asDesired(u);
        out.push({ username: d.username, firstName: d.firstName || undefined, lastName: d.lastName || undefined, groupId: d.groupId, suspended: d.suspended });
      }
    }
    return out;
  });
  progress(`${where}: users: ${count(users.length)} read`);

  const byName = (a: ImportedGroup, b: ImportedGroup) => compare(a.name, b.name) || compare(a.id, b.id);
  return {
    networkId,
    name: String(network.NetworkName ?? ''),
    accessLevel: String(network.AccessLevel ?? ''),
    encryptionKeyArn: (network.EncryptionKeyArn as string | undefined) || undefined,
    settings: present(settings),
    defaultGroup,
    groups: groups.filter((g) => g !== defaultGroup).sort(byName),
    bots: bots.sort((a, b) => compare(a.username.toLowerCase(), b.username.toLowerCase())),
    dataRetentionBot: retention ? { enabled: retention.Enabled === true, acknowledgePublicKeyMessage: retention.AcknowledgePublicKeyMessage === true } : undefined,
    oidc: oidc?.Issuer ? present(oidc) : undefined,
    openTdf: tdf?.ClientId ? { clientId: String(tdf.ClientId), domain: String(tdf.Domain ?? ''), provider: String(tdf.Provider ?? '') } : undefined,
    users: users.sort((a, b) => compare(a.username.toLowerCase(), b.username.toLowerCase())),
  };
}

/** The members with a value (the reads answer `undefined` for what the service does not have). */
function present(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null));
}
