import { createHash } from 'crypto';
import { DefaultServices, Emulator } from '../../local/emulator';

/**
 * The emulator's Wickr and Chime state in comparable form: what a deployment declares,
 * without generated ids, timestamps or creation order (references by name instead), so
 * two runs that made the same things compare equal, and a duplicate, an orphan or a
 * half-made resource shows as a difference.
 */
export function snapshot(emulator: Emulator<DefaultServices>): unknown {
  const networks = Object.values(emulator.services.wickr.store.state.networks).map((n) => {
    const groupName = (id: string) => Object.values(n.groups).find((g) => g.id === id)?.name ?? `? ${id}`;
    return {
      name: n.networkName,
      accessLevel: n.accessLevel,
      encryptionKeyArn: n.encryptionKeyArn,
      settings: n.settings,
      groups: sorted(Object.values(n.groups).map((g) => ({ name: g.name, isDefault: g.isDefault, settings: g.settings }))),
      bots: sorted(Object.values(n.bots).map((b) => ({ username: b.username, displayName: b.displayName, group: groupName(b.groupId), suspended: b.suspended }))),
      users: sorted(Object.values(n.users).map((u) => ({ username: u.username, firstName: u.firstName, lastName: u.lastName, group: groupName(u.groupId), suspended: u.suspended }))),
      dataRetentionBot: n.dataRetentionBot && { registered: n.dataRetentionBot.registered, pubkeyAcked: n.dataRetentionBot.pubkeyAcked },
      dataRetentionEnabled: n.settings?.dataRetention,
      // the application id, name and redirect URL are the service's, derived from the network id
      oidc: n.oidc && { ...n.oidc, secretDigest: undefined, applicationId: undefined, applicationName: undefined, redirectUrl: undefined },
    };
  });
  const instances = Object.values(emulator.services.chime.store.state.instances)
    .filter((i) => !i.deletion)
    .map((i) => {
      const memberName = (arn: string) =>
        Object.values(i.users).find((u) => u.arn === arn)?.userId ?? Object.values(i.bots).find((b) => b.arn === arn)?.name ?? `? ${arn}`;
      return {
        name: i.name,
        metadata: i.metadata ?? '',
        retentionDays: i.retention?.days,
        tags: sorted(i.tags),
        users: sorted(
          Object.values(i.users).map((u) => ({
            id: u.userId,
            name: u.name,
            metadata: u.metadata ?? '',
            expiration: u.expiration?.ExpirationDays,
            tags: sorted(u.tags),
            // the device token is a secret the stack generates (another value on every run): see the secrets check
            endpoints: sorted(Object.values(u.endpoints).map((e) => ({ name: e.name, type: e.type, resourceArn: e.resourceArn, allowMessages: e.allowMessages }))),
          })),
        ),
        bots: sorted(Object.values(i.bots).map((b) => ({ name: b.name, metadata: b.metadata ?? '', lex: b.configuration.Lex, tags: sorted(b.tags) }))),
        admins: Object.keys(i.admins).map(memberName).sort(),
      };
    });
  return JSON.parse(JSON.stringify({ networks: sorted(networks), instances: sorted(instances) }));
}

/** True when the emulator's salted digest (`sha256:<salt>:<hex>`) is of `value`. */
export function isDigestOf(saltedDigest: string | undefined, value: string | undefined): boolean {
  const [, salt, hex] = (saltedDigest ?? '').split(':');
  return !!salt && value !== undefined && createHash('sha256').update(`${salt}:${value}`).digest('hex') === hex;
}

function sorted<T>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
}
