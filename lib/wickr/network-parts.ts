import { Construct, IConstruct } from 'constructs';
import { ProviderBackedResource } from '../core/base';
import { isUnresolved, report } from '../core/errors';
import type { IWickrNetwork } from './network';

/**
 * What the constructs of an app put on one network, for the rules across resources that
 * synth can know: usernames are unique in a network among users and bots (ignoring case),
 * and settings that only apply with SSO need the network's OIDC configuration, deployed
 * first. Keyed by the network object: two imports of one id are not recognised as one
 * network (the service then has the last word at deploy time).
 */
interface NetworkParts {
  oidc?: Construct;
  /** Constructs deployed after the OIDC configuration (groups with SSO-only settings). */
  readonly afterOidc: Construct[];
  /** Username (lower case) → the construct path and property that declare it. */
  readonly usernames: Map<string, string>;
}

const PARTS = new WeakMap<IWickrNetwork, NetworkParts>();

function partsOf(network: IWickrNetwork): NetworkParts {
  let parts = PARTS.get(network);
  if (!parts) {
    parts = { afterOidc: [], usernames: new Map() };
    PARTS.set(network, parts);
  }
  return parts;
}

/** A network made in this app (not an import): it starts without SSO, bots or users. */
export function madeInApp(network: IWickrNetwork): boolean {
  return network instanceof ProviderBackedResource;
}

/** Records the network's OIDC configuration; what waits for SSO is deployed after it. */
export function registerOidc(config: Construct, network: IWickrNetwork): void {
  const parts = partsOf(network);
  parts.oidc = config;
  for (const waiting of parts.afterOidc) waiting.node.addDependency(config);
}

/**
 * `members` (SSO-only settings) of `scope` need SSO on the network: `scope` is deployed after
 * the network's `WickrOidcConfig`, and a network made in this app without one fails synth
 * (a new network has no SSO). An imported network may have SSO already: the service decides.
 */
export function requireSso(scope: Construct, network: IWickrNetwork, members: readonly string[]): void {
  if (members.length === 0) return;
  const parts = partsOf(network);
  if (parts.oidc) scope.node.addDependency(parts.oidc);
  else parts.afterOidc.push(scope);
  scope.node.addValidation({
    validate: () =>
      parts.oidc || !madeInApp(network)
        ? []
        : members.map((m) => `settings.${m}: applies only to a network with SSO, and ${network.node.path} has no WickrOidcConfig in this app: add one for the network, or remove settings.${m}`),
  });
}

/**
 * Claims usernames in the network for `scope`; one that another construct of the app
 * claimed already (a user or a bot, ignoring case) is reported on `scope`.
 */
export function claimUsernames(scope: IConstruct, network: IWickrNetwork, claims: ReadonlyArray<{ readonly username: string; readonly prop: string }>): void {
  const taken = partsOf(network).usernames;
  for (const { username, prop } of claims) {
    if (isUnresolved(username)) continue;
    const key = username.toLowerCase();
    const owner = taken.get(key);
    if (owner === undefined) taken.set(key, `${scope.node.path} (${prop})`);
    else if (!owner.startsWith(`${scope.node.path} (`)) {
      report(scope, `${prop}: the username "${username}" is declared by ${owner} too; usernames are unique in a network among users and bots, ignoring case: keep it in one place`);
    }
  }
}
