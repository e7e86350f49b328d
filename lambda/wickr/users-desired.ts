import { RequestRefusedError } from '../core/errors';
import { OperationContext } from '../core/resource';
import { bool, decodeProperties, getOwn, list, oneOf, optional, str, stringMap, struct } from '../core/schema';
import { compare, Desired, keyOf } from './users-calls';
import { readUsersFileText, UsersFileRef } from './users-file-object';
import { parseUsersFile } from './users-file.wire';
import { checkUsers, UserRecord } from './users.wire';

/** `Custom::WickrUsers`'s properties, and the users they declare (inline, or in a users file read from S3). */

export interface UsersProps {
  readonly NetworkId: string;
  readonly Groups: Record<string, string>;
  readonly DefaultGroup: string;
  readonly Users?: UserRecord[];
  readonly UsersFile?: UsersFileRef;
}

export const schema = struct<UsersProps>({
  NetworkId: str({ pattern: /^[0-9]{8}$/, patternText: 'an 8-digit network id' }),
  Groups: stringMap({ minLength: 1 }, { minLength: 1 }),
  DefaultGroup: str({ minLength: 1 }),
  Users: optional(
    list(
      struct<UserRecord>({
        username: str({ minLength: 1 }),
        firstName: optional(str()),
        lastName: optional(str()),
        group: optional(str()),
        suspended: optional(bool()),
      }),
    ),
  ),
  UsersFile: optional(
    struct<UsersFileRef>({
      Bucket: str({ minLength: 1 }),
      Key: str({ minLength: 1 }),
      Format: oneOf('csv', 'json'),
      Sha256: str({ pattern: /^[0-9a-f]{64}$/, patternText: '64 lowercase hex digits' }),
      Archive: optional(str({ minLength: 1 })),
    }),
  ),
});

async function readRecords(ctx: OperationContext, props: UsersProps, check: boolean): Promise<readonly UserRecord[]> {
  if (!props.UsersFile) {
    const records = props.Users ?? [];
    if (check) refuseBadUsers(() => checkUsers(records, (i) => `Users[${i}]`));
    return records;
  }
  const text = await readUsersFileText(ctx, props.UsersFile);
  return refuseBadUsers(() => parseUsersFile(text, props.UsersFile!.Format, { groups: Object.keys(props.Groups ?? {}), check }));
}

function refuseBadUsers<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw new RequestRefusedError(`users: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The users the properties declare, by username key, in username order (so the batches,
 * and their client tokens, are the same on every delivery of a request). `check: false`
 * for properties that describe what exists (old properties, a delete, a read): no rule is
 * enforced, and a user of an unknown group has no group id.
 */
export async function desiredUsers(ctx: OperationContext, props: UsersProps, check = true): Promise<Map<string, Desired>> {
  const records = await readRecords(ctx, props, check);
  const groups = props.Groups ?? {};
  const out = new Map<string, Desired>();
  for (const r of [...records].sort((a, b) => compare(keyOf(a.username), keyOf(b.username)))) {
    const alias = r.group ?? props.DefaultGroup;
    const groupId = getOwn(groups, alias);
    if (!groupId && check) throw new RequestRefusedError(`user ${r.username}: group "${alias}" is not one of ${Object.keys(groups).join(', ')}`);
    out.set(keyOf(r.username), { username: r.username, firstName: r.firstName, lastName: r.lastName, groupId: groupId ?? '', suspended: r.suspended ?? false });
  }
  return out;
}

export function physicalId(ctx: OperationContext, networkId: string): string {
  return `${networkId}/users/${ctx.token('users-id').slice(0, 16)}`;
}
/** The username keys a `WickrUsers`'s properties (as the template has them) declare. */
export const declaredKeys = (ctx: OperationContext) => async (properties: Record<string, unknown>) =>
  new Set((await desiredUsers(ctx, decodeProperties(schema, properties, { lenient: true }), false)).keys());

