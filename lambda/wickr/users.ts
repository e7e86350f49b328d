import { createHash } from 'crypto';
import { PartialFailureError, RequestRefusedError } from '../core/errors';
import { deepEqual, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { bool, decodeProperties, list, oneOf, optional, str, stringMap, struct } from '../core/schema';
import {
  BatchCreateUserCommand,
  BatchDeleteUserCommand,
  BatchToggleUserSuspendStatusCommand,
  ListUsersCommand,
  paginateListUsers,
  UpdateUserCommand,
  User,
} from './client';
import { checkUsers, parseUsersFile, USERS_BATCH_SIZE, USERS_TYPE, UserRecord } from './users.wire';

interface UsersFileRef {
  readonly Bucket: string;
  readonly Key: string;
  readonly Format: 'csv' | 'json';
  readonly Sha256: string;
}

export interface UsersProps {
  readonly NetworkId: string;
  readonly Groups: Record<string, string>;
  readonly DefaultGroup: string;
  readonly Users?: UserRecord[];
  readonly UsersFile?: UsersFileRef;
}

const schema = struct<UsersProps>({
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
    struct<UsersFileRef>({ Bucket: str({ minLength: 1 }), Key: str({ minLength: 1 }), Format: oneOf('csv', 'json'), Sha256: str({ pattern: /^[0-9a-f]{64}$/ }) }),
  ),
});

/** A user as the API wants it: the group resolved to its id. */
interface Desired {
  readonly username: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly groupId: string;
  readonly suspended: boolean;
}

/** The users the properties declare, by username, sorted (so batches, and their tokens, are the same on every delivery). */
async function desiredUsers(ctx: OperationContext, props: UsersProps): Promise<Map<string, Desired>> {
  let records: readonly UserRecord[];
  if (props.UsersFile) {
    const { Bucket, Key, Format, Sha256 } = props.UsersFile;
    const text = await ctx.clients.s3().getObjectText(Bucket, Key);
    const digest = createHash('sha256').update(text).digest('hex');
    if (digest !== Sha256) throw new RequestRefusedError(`users file s3://${Bucket}/${Key} does not match the hash synthesized into the template`);
    records = parseUsersFile(text, Format);
  } else {
    records = props.Users ?? [];
    checkUsers(records, (i) => `Users[${i}]`);
  }
  const out = new Map<string, Desired>();
  for (const r of [...records].sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))) {
    const alias = r.group ?? props.DefaultGroup;
    const groupId = props.Groups[alias];
    if (!groupId) throw new RequestRefusedError(`user ${r.username}: group "${alias}" is not one of ${Object.keys(props.Groups).join(', ')}`);
    out.set(r.username, { username: r.username, firstName: r.firstName, lastName: r.lastName, groupId, suspended: r.suspended ?? false });
  }
  return out;
}

function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += USERS_BATCH_SIZE) out.push(items.slice(i, i + USERS_BATCH_SIZE));
  return out;
}

type Failure = { item: string; field?: string; reason?: string };

/** Creates users in batches of 50, one client token per batch; returns the ids made and the failures. */
async function createUsers(ctx: OperationContext, networkId: string, users: readonly Desired[], purpose: string) {
  const made = new Map<string, string>();
  const failures: Failure[] = [];
  for (const [i, batch] of batches(users).entries()) {
    const out = await ctx.clients.wickr().send(
      new BatchCreateUserCommand({
        networkId,
        users: batch.map((u) => ({ username: u.username, firstName: u.firstName, lastName: u.lastName, securityGroupIds: [u.groupId] })),
        clientToken: ctx.token(purpose, i),
      }),
    );
    for (const u of out.successful ?? []) if (u.userId && u.username) made.set(u.username, u.userId);
    for (const f of out.failed ?? []) failures.push({ item: f.userId, field: f.field, reason: f.reason });
  }
  return { made, failures };
}

async function setSuspended(ctx: OperationContext, networkId: string, userIds: readonly string[], suspend: boolean, purpose: string): Promise<Failure[]> {
  const failures: Failure[] = [];
  for (const [i, batch] of batches(userIds).entries()) {
    const out = await ctx.clients.wickr().send(new BatchToggleUserSuspendStatusCommand({ networkId, suspend, userIds: batch, clientToken: ctx.token(purpose, i) }));
    for (const f of out.failed ?? []) failures.push({ item: f.userId, field: f.field, reason: f.reason });
  }
  return failures;
}

/** Deletes users in batches; users already gone count as deleted. */
async function deleteUsers(ctx: OperationContext, networkId: string, userIds: readonly string[], purpose: string): Promise<Failure[]> {
  const failures: Failure[] = [];
  for (const [i, batch] of batches(userIds).entries()) {
    const out = await ctx.clients.wickr().send(new BatchDeleteUserCommand({ networkId, userIds: batch, clientToken: ctx.token(purpose, i) }));
    for (const f of out.failed ?? []) if (!/not found/i.test(f.reason ?? '')) failures.push({ item: f.userId, field: f.field, reason: f.reason });
  }
  return failures;
}

/**
 * The live users among `usernames`. Few names: one `ListUsers` per name with the username
 * filter (a substring filter, so the match is checked exactly). Many: one listing of the
 * whole network, 100 users per page: whichever takes fewer calls.
 */
async function lookUp(ctx: OperationContext, networkId: string, usernames: readonly string[], managed: number): Promise<Map<string, User>> {
  const wanted = new Set(usernames.map((u) => u.toLowerCase()));
  const found = new Map<string, User>();
  const keep = (u: User) => {
    if (u.username && wanted.has(u.username.toLowerCase())) found.set(u.username.toLowerCase(), u);
  };
  if (usernames.length === 0) return found;
  if (usernames.length < Math.ceil(managed / 100)) {
    for (const username of usernames) {
      const out = await ctx.clients.wickr().send(new ListUsersCommand({ networkId, username, maxResults: 100 }));
      (out.users ?? []).forEach(keep);
    }
  } else {
    for await (const page of paginateListUsers({ client: ctx.clients.wickr(), pageSize: 100 }, { networkId })) (page.users ?? []).forEach(keep);
  }
  return found;
}

function physicalId(ctx: OperationContext, networkId: string): string {
  return `${networkId}/users/${ctx.token('users-id').slice(0, 16)}`;
}

/**
 * Creates every user; a batch's partial failure ends the create FAILED with the per-user
 * reasons, after deleting the users this create made (nothing half-created is left).
 */
async function create(ctx: OperationContext, props: UsersProps): Promise<OperationResult> {
  const desired = [...(await desiredUsers(ctx, props)).values()];
  const { made, failures } = await createUsers(ctx, props.NetworkId, desired, 'create-users');
  if (failures.length === 0) {
    const suspended = desired.filter((u) => u.suspended).map((u) => made.get(u.username)!);
    failures.push(...(await setSuspended(ctx, props.NetworkId, suspended, true, 'suspend-users')));
  }
  if (failures.length > 0) {
    const left = await deleteUsers(ctx, props.NetworkId, [...made.values()], 'cleanup-users');
    if (left.length > 0) ctx.log.log('error', 'could not remove users this failed create made', { userIds: left.map((f) => f.item) });
    throw new PartialFailureError('BatchCreateUser', failures, desired.length);
  }
  return { physicalResourceId: physicalId(ctx, props.NetworkId) };
}

const sameDetails = (a: Desired, b: Desired) => a.firstName === b.firstName && a.lastName === b.lastName && a.groupId === b.groupId;

/**
 * By difference, in an order that destroys nothing until the rest worked: create the new
 * users, update the changed ones, set suspensions, then delete the removed users.
 */
async function update(ctx: OperationContext, id: string, props: UsersProps, old: UsersProps): Promise<OperationResult> {
  if (deepEqual(props, old)) return { physicalResourceId: id };
  if (props.NetworkId !== old.NetworkId) return create(ctx, props);
  const next = await desiredUsers(ctx, props);
  const prev = await desiredUsers(ctx, old);
  const added = [...next.values()].filter((u) => !prev.has(u.username));
  const removed = [...prev.keys()].filter((u) => !next.has(u));
  const changed = [...next.values()].filter((u) => prev.has(u.username) && !sameDetails(prev.get(u.username)!, u));
  const toggled = [...next.values()].filter((u) => prev.has(u.username) && prev.get(u.username)!.suspended !== u.suspended);
  const names = [...new Set([...removed, ...changed.map((u) => u.username), ...toggled.map((u) => u.username)])];
  const live = await lookUp(ctx, props.NetworkId, names, Math.max(next.size, prev.size));
  const idOf = (username: string) => {
    const user = live.get(username.toLowerCase());
    if (!user?.userId) throw new RequestRefusedError(`user ${username} is not in network ${props.NetworkId} any more; it was removed outside this stack`);
    return user.userId;
  };

  const { made, failures } = await createUsers(ctx, props.NetworkId, added, 'add-users');
  if (failures.length > 0) throw new PartialFailureError('BatchCreateUser', failures, added.length);
  for (const u of changed) {
    await ctx.clients.wickr().send(
      new UpdateUserCommand({ networkId: props.NetworkId, userId: idOf(u.username), userDetails: { firstName: u.firstName, lastName: u.lastName, securityGroupIds: [u.groupId] } }),
    );
  }
  const suspend = [...toggled.filter((u) => u.suspended).map((u) => idOf(u.username)), ...added.filter((u) => u.suspended).map((u) => made.get(u.username)!)];
  const resume = toggled.filter((u) => !u.suspended).map((u) => idOf(u.username));
  const toggleFailures = [
    ...(await setSuspended(ctx, props.NetworkId, suspend, true, 'suspend-users')),
    ...(await setSuspended(ctx, props.NetworkId, resume, false, 'resume-users')),
  ];
  if (toggleFailures.length > 0) throw new PartialFailureError('BatchToggleUserSuspendStatus', toggleFailures, suspend.length + resume.length);
  const gone = removed.filter((u) => live.has(u.toLowerCase())).map(idOf);
  const deleteFailures = await deleteUsers(ctx, props.NetworkId, gone, 'remove-users');
  if (deleteFailures.length > 0) throw new PartialFailureError('BatchDeleteUser', deleteFailures, gone.length);
  ctx.log.log('info', 'users updated', { added: added.length, changed: changed.length, toggled: toggled.length, removed: gone.length });
  return { physicalResourceId: id };
}

async function remove(ctx: OperationContext, _id: string, props: UsersProps): Promise<void> {
  const desired = await desiredUsers(ctx, props);
  const live = await lookUp(ctx, props.NetworkId, [...desired.keys()], desired.size);
  const failures = await deleteUsers(ctx, props.NetworkId, [...live.values()].map((u) => u.userId!), 'delete-users');
  if (failures.length > 0) throw new PartialFailureError('BatchDeleteUser', failures, live.size);
}

/** The managed users as they are now; names and groups for drift, suspension too. */
async function read(ctx: OperationContext, _id: string, props: UsersProps): Promise<LiveState> {
  const desired = await desiredUsers(ctx, props);
  const live = await lookUp(ctx, props.NetworkId, [...desired.keys()], desired.size);
  const alias = new Map(Object.entries(props.Groups).map(([a, g]) => [g, a]));
  const users = [...desired.keys()]
    .map((name) => live.get(name.toLowerCase()))
    .filter((u): u is User => u !== undefined)
    .map((u) => ({ username: u.username, firstName: u.firstName, lastName: u.lastName, group: alias.get(u.securityGroups?.[0] ?? '') ?? u.securityGroups?.[0], suspended: u.suspended ?? false }));
  return { exists: users.length > 0, properties: { NetworkId: props.NetworkId, Users: users, Missing: desired.size - users.length } };
}

export const usersHandler: ResourceHandler<UsersProps> = {
  resourceType: USERS_TYPE,
  parse: (raw) => decodeProperties(schema, raw),
  create,
  update,
  delete: remove,
  read,
};
