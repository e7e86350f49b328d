import { NotOwnedError } from '../core/ownership';
import { ADOPT_CONTEXT } from '../core/ownership.wire';
import { OperationContext } from '../core/resource';
import { Template } from '../core/template';
import { declaredProperties } from '../drift/declared';
import { USERS_TYPE } from './users.wire';

/**
 * Who manages a username of a network. A `WickrUsers` stands for a set of usernames, not one
 * thing with an id, so CloudFormation's claims of physical ids cannot say it: the own stack's
 * template can. The rule, for usernames:
 *
 * - a username another live `WickrUsers` of the own stack declares (on the same network) is
 *   that resource's: it is never deleted here (a construct renamed, or a user moved from one
 *   `WickrUsers` to another of the stack in one deploy);
 * - a user that exists when this resource starts to declare it is taken over only when the own
 *   stack has another live `WickrUsers` on the network (a rename or a move: the user may be
 *   that resource's), when the deploy asks for adoption, or when the stack rolls back (the old
 *   properties being put back were this resource's); otherwise it is refused, naming the
 *   command that takes it over. So another stack's users are never taken over by accident.
 * - a live `WickrUsers` of the stack whose declarations cannot be read (it is not in the
 *   template CloudFormation answers, as while a renamed construct's deploy rolls back) may
 *   manage any username: then no user is deleted, and the log says so.
 */

/** The usernames (keys) a set of properties declares. */
export type DeclaredKeys = (properties: Record<string, unknown>) => Promise<Set<string>>;

export interface SiblingUsers {
  /** The other live `WickrUsers` of the own stack on the network (logical ids). */
  readonly siblings: readonly string[];
  /** The username keys they declare. */
  readonly keys: ReadonlySet<string>;
  /** Those whose declarations could not be read: any username may be theirs. */
  readonly unreadable: readonly string[];
}

const NONE: SiblingUsers = { siblings: [], keys: new Set(), unreadable: [] };

/** What the own stack's other live `WickrUsers` on `networkId` declare (nothing is read when there are none). */
export async function siblingUsers(ctx: OperationContext, networkId: string, declaredKeys: DeclaredKeys): Promise<SiblingUsers> {
  const ownership = ctx.ownership;
  if (!ownership) return NONE;
  const siblings = await ownership.siblings(USERS_TYPE, `${networkId}/users/`);
  if (siblings.length === 0) return NONE;
  const template = (await ownership.template()) as Template;
  const [, , , region, account] = ownership.stackId.split(':');
  const stack = { stackName: ownership.stackName, stackId: ownership.stackId, region, account, template, parameters: {}, resources: await ownership.resources() };
  const keys = new Set<string>();
  const unreadable: string[] = [];
  for (const sibling of siblings) {
    try {
      const declared = declaredProperties(stack, sibling.logicalId);
      if (Object.keys(declared.unresolved).length > 0) throw new Error(Object.values(declared.unresolved)[0]);
      for (const key of await declaredKeys(declared.properties)) keys.add(key);
    } catch (err) {
      ctx.log.log('warn', 'the users another WickrUsers of this stack declares cannot be read', { logicalId: sibling.logicalId, reason: err instanceof Error ? err.message : String(err) });
      unreadable.push(sibling.logicalId);
    }
  }
  return { siblings: siblings.map((s) => s.logicalId), keys, unreadable };
}

/**
 * Why users that exist may be taken over by this resource (see the module comment), or
 * undefined when they may not. Without the ownership view (a read, a repair) users are
 * converged as before.
 */
export async function mayTakeOverUsers(ctx: OperationContext, networkId: string): Promise<string | undefined> {
  if (!ctx.ownership) return 'no ownership view';
  if (ctx.adopt !== undefined) return 'adoption';
  if (await ctx.ownership.rollingBack()) return 'rollback';
  const siblings = await ctx.ownership.siblings(USERS_TYPE, `${networkId}/users/`);
  return siblings.length > 0 ? `another WickrUsers of this stack on the network (${siblings.map((s) => s.logicalId).join(', ')})` : undefined;
}

/** How many usernames a refusal names. */
const NAMED = 10;

/** The words of a refusal of users that exist (a rollback reads them in the refused update's reason: that update changed nothing). */
export const REFUSED_EXISTING = 'and no WickrUsers of this stack manages them';

/** Refuses users that exist and are not this resource's to take over (`madeNothing`: the request made no user). */
export function refuseExisting(ctx: OperationContext, networkId: string, usernames: readonly string[], madeNothing = false): never {
  const ownership = ctx.ownership;
  const logicalId = ownership?.logicalId ?? ctx.request.LogicalResourceId;
  const shown = usernames.slice(0, NAMED).join(', ') + (usernames.length > NAMED ? ` and ${usernames.length - NAMED} more` : '');
  throw new NotOwnedError(
    `${usernames.length} user(s) already exist in network ${networkId} ${REFUSED_EXISTING}: ${shown}. ` +
      'Another stack may manage them; a user has one owner. To take them over (nothing is deleted; the declared names, groups and suspension are applied), deploy with the adoption context: ' +
      `cdk deploy ${ownership?.stackName ?? '<stack>'} -c ${ADOPT_CONTEXT}=${logicalId} (locally: cdk-wickr-chime deploy-local --context ${ADOPT_CONTEXT}=${logicalId})`,
    { madeNothing },
  );
}

/** The keys among `keys` that this resource may delete: none a sibling declares, and none at all when a sibling cannot be read. */
export function deletable(keys: readonly string[], others: SiblingUsers, ctx: OperationContext): string[] {
  if (others.unreadable.length > 0) {
    if (keys.length > 0) ctx.log.log('warn', 'deleting no user: another WickrUsers of this stack may manage them, and its users cannot be read', { siblings: others.unreadable, kept: keys.length });
    return [];
  }
  const kept = keys.filter((k) => others.keys.has(k));
  if (kept.length > 0) ctx.log.log('info', 'users another WickrUsers of this stack declares are kept', { kept: kept.length, siblings: others.siblings });
  return keys.filter((k) => !others.keys.has(k));
}
