import { OperationImpl, RequestContext } from './service';
import { listPage, matches } from './wickr-paging';
import {
  badRequest,
  BotRecord,
  DEFAULT_INVITE_DAYS,
  DeviceRecord,
  epochSeconds,
  FREE_TRIAL_USER_LIMIT,
  NetworkRecord,
  secretDigest,
  sha256Hex,
  unameOf,
  UserRecord,
  WickrStore,
} from './wickr-state';

/**
 * Users, their devices, and bots.
 *
 * - User and bot ids come from one increasing sequence (`WickrStore.newAccountId`).
 *   Usernames are unique per network among users and bots, compared without regard to case.
 * - A new user is pending (status 1) with an invitation valid `inviteCodeTtl` days
 *   (default 7); nothing in the emulator accepts invitations, so users stay pending.
 *   `isInviteExpired` follows the emulator clock; `BatchReinviteUser` renews the invitation.
 * - Each user gets 0 to 2 synthetic devices, chosen deterministically from network and
 *   user id, so device calls have data. Resetting a device removes it from the list.
 * - `uname` is a SHA-256 hex digest of network id and case-folded username; it follows a
 *   username change.
 * - Suspended users keep their data, group and devices (devices report `suspend: true`).
 */

const DEVICE_TYPES = ['iOS', 'Android', 'macOS', 'Windows', 'Linux'] as const;
const DAY = 86400;

function seedDevices(networkId: string, userId: string, createdIso: string): DeviceRecord[] {
  const h = sha256Hex(`devices:${networkId}:${userId}`);
  const count = parseInt(h.slice(0, 2), 16) % 3;
  return Array.from({ length: count }, (_, i) => ({
    appId: sha256Hex(`device:${networkId}:${userId}:${i}`).slice(0, 32),
    type: DEVICE_TYPES[parseInt(h.slice(2 + i * 2, 4 + i * 2), 16) % DEVICE_TYPES.length],
    created: createdIso,
    lastLogin: createdIso,
    statusText: 'Active',
  }));
}

function userOut(u: UserRecord, ctx: RequestContext): Record<string, unknown> {
  return {
    userId: u.userId,
    username: u.username,
    firstName: u.firstName,
    lastName: u.lastName,
    securityGroups: [u.groupId],
    status: u.status,
    suspended: u.suspended,
    isAdmin: false,
    isUser: true,
    uname: u.uname,
    otpEnabled: false,
    challengeFailures: 0,
    isInviteExpired: u.status === 1 && epochSeconds(ctx) > u.inviteExpiration,
    inviteCode: u.inviteCode,
    codeValidation: u.codeValidation,
  };
}

function botOut(b: BotRecord): Record<string, unknown> {
  return {
    botId: b.botId,
    username: b.username,
    displayName: b.displayName,
    groupId: b.groupId,
    uname: b.uname,
    status: b.status,
    suspended: b.suspended,
    // A challenge is required to create a bot and is never returned.
    hasChallenge: true,
  };
}

function batchMessage(done: number, total: number, verb: string, noun: string): string {
  return `${done} of ${total} ${noun}${total === 1 ? '' : 's'} ${verb}`;
}

function blank(text: unknown): boolean {
  return typeof text !== 'string' || text.trim() === '';
}

export function accountOperations(store: WickrStore): Record<string, OperationImpl> {
  const newUser = (network: NetworkRecord, item: Record<string, any>, ctx: RequestContext): UserRecord => {
    const now = epochSeconds(ctx);
    const userId = store.newAccountId();
    const user: UserRecord = {
      userId,
      username: item.username,
      uname: unameOf(network.networkId, item.username),
      firstName: item.firstName,
      lastName: item.lastName,
      groupId: item.securityGroupIds[0],
      status: 1,
      suspended: false,
      codeValidation: item.codeValidation,
      inviteCode: item.inviteCode,
      inviteCodeTtl: item.inviteCodeTtl,
      inviteExpiration: now + (item.inviteCodeTtl ?? DEFAULT_INVITE_DAYS) * DAY,
      created: now,
      modified: now,
      seq: store.nextSeq(),
      devices: seedDevices(network.networkId, userId, ctx.now().toISOString()),
    };
    network.users[userId] = user;
    return user;
  };

  return {
    BatchCreateUser(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const successful: Record<string, unknown>[] = [];
      const failed: Array<{ userId: string; field: string; reason: string }> = [];
      const created = new Set<string>();
      for (const item of input.users as Array<Record<string, any>>) {
        const username: string = item.username ?? '';
        const groups: string[] = item.securityGroupIds ?? [];
        // No user id exists for a failed create: the item is identified by its username.
        const fail = (field: string, reason: string) => failed.push({ userId: username, field, reason });
        if (blank(username)) fail('username', 'username must not be empty');
        else if (created.has(username.toLowerCase())) fail('username', 'username appears more than once in this request');
        else if (store.usernameTaken(network, username)) fail('username', 'username already exists');
        else if (groups.length === 0) fail('securityGroupIds', 'a user must belong to exactly one security group');
        else if (groups.length > 1) fail('securityGroupIds', `a user can belong to only one security group (got ${groups.length})`);
        else if (!network.groups[groups[0]]) fail('securityGroupIds', `security group ${groups[0]} not found`);
        else {
          successful.push(userOut(newUser(network, item, ctx), ctx));
          created.add(username.toLowerCase());
        }
      }
      return { message: batchMessage(successful.length, input.users.length, 'created', 'user'), successful, failed };
    },

    BatchDeleteUser(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const successful: Array<{ userId: string }> = [];
      const failed: Array<{ userId: string; field: string; reason: string }> = [];
      for (const userId of input.userIds as string[]) {
        if (network.users[userId]) {
          delete network.users[userId];
          successful.push({ userId });
        } else failed.push({ userId, field: 'userIds', reason: 'user not found' });
      }
      return { message: batchMessage(successful.length, input.userIds.length, 'deleted', 'user'), successful, failed };
    },

    BatchReinviteUser(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const now = epochSeconds(ctx);
      const successful: Array<{ userId: string }> = [];
      const failed: Array<{ userId: string; field: string; reason: string }> = [];
      for (const userId of input.userIds as string[]) {
        const user = network.users[userId];
        if (!user) failed.push({ userId, field: 'userIds', reason: 'user not found' });
        else if (user.status !== 1) failed.push({ userId, field: 'userIds', reason: 'user has no pending invitation' });
        else if (user.suspended) failed.push({ userId, field: 'userIds', reason: 'user is suspended' });
        else {
          user.inviteExpiration = now + (user.inviteCodeTtl ?? DEFAULT_INVITE_DAYS) * DAY;
          user.modified = now;
          successful.push({ userId });
        }
      }
      return { message: batchMessage(successful.length, input.userIds.length, 're-invited', 'user'), successful, failed };
    },

    BatchToggleUserSuspendStatus(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const now = epochSeconds(ctx);
      const successful: Array<{ userId: string }> = [];
      const failed: Array<{ userId: string; field: string; reason: string }> = [];
      for (const userId of input.userIds as string[]) {
        const user = network.users[userId];
        if (!user) {
          failed.push({ userId, field: 'userIds', reason: 'user not found' });
          continue;
        }
        if (user.suspended !== input.suspend) user.modified = now;
        user.suspended = input.suspend;
        successful.push({ userId });
      }
      return {
        message: batchMessage(successful.length, input.userIds.length, input.suspend ? 'suspended' : 'unsuspended', 'user'),
        successful,
        failed,
      };
    },

    BatchLookupUserUname(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const byUname = new Map<string, string>();
      for (const account of [...Object.values(network.users), ...Object.values(network.bots)]) byUname.set(account.uname, account.username);
      const successful: Array<{ uname: string; username: string }> = [];
      const failed: Array<{ uname: string; field: string; reason: string }> = [];
      for (const uname of input.unames as string[]) {
        const username = byUname.get(uname);
        if (username !== undefined) successful.push({ uname, username });
        else failed.push({ uname, field: 'unames', reason: 'uname not found' });
      }
      return { message: batchMessage(successful.length, input.unames.length, 'found', 'uname'), successful, failed };
    },

    BatchResetDevicesForUser(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const user = store.user(network, input.userId);
      const successful: Array<{ appId: string }> = [];
      const failed: Array<{ appId: string; field: string; reason: string }> = [];
      for (const appId of input.appIds as string[]) {
        const index = user.devices.findIndex((d) => d.appId === appId);
        if (index < 0) {
          failed.push({ appId, field: 'appIds', reason: `device not found for user ${user.userId}` });
          continue;
        }
        user.devices.splice(index, 1);
        successful.push({ appId });
      }
      return { message: batchMessage(successful.length, input.appIds.length, 'reset', 'device'), successful, failed };
    },

    GetUser(input, ctx) {
      const user = store.user(store.network(ctx, input.networkId), input.userId);
      // Pending users have never signed in: no lastLogin / lastActivity (startTime/endTime filter nothing).
      return {
        userId: user.userId,
        username: user.username,
        firstName: user.firstName,
        lastName: user.lastName,
        isAdmin: false,
        suspended: user.suspended,
        status: user.status,
        securityGroupIds: [user.groupId],
      };
    },

    ListUsers(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const items = Object.values(network.users).filter(
        (u) =>
          matches(u.username, input.username) &&
          matches(u.firstName, input.firstName) &&
          matches(u.lastName, input.lastName) &&
          (input.status === undefined || u.status === input.status) &&
          (input.groupId === undefined || u.groupId === input.groupId),
      );
      const { page, nextToken } = listPage('ListUsers', items, userSort, input);
      return { users: page.map((u) => userOut(u, ctx)), nextToken };
    },

    ListSecurityGroupUsers(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const group = store.group(network, input.groupId);
      const items = Object.values(network.users).filter((u) => u.groupId === group.id);
      const { page, nextToken } = listPage('ListSecurityGroupUsers', items, userSort, input);
      return { users: page.map((u) => userOut(u, ctx)), nextToken };
    },

    UpdateUser(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const user = store.user(network, input.userId);
      const details: Record<string, any> = input.userDetails ?? {};
      if (details.securityGroupIds !== undefined) store.group(network, details.securityGroupIds[0]);
      if (details.username !== undefined && store.usernameTaken(network, details.username, user.userId)) {
        throw badRequest(`username already exists in network ${network.networkId}`);
      }
      const now = epochSeconds(ctx);
      if (details.username !== undefined) {
        user.username = details.username;
        user.uname = unameOf(network.networkId, details.username);
      }
      if (details.firstName !== undefined) user.firstName = details.firstName;
      if (details.lastName !== undefined) user.lastName = details.lastName;
      if (details.securityGroupIds !== undefined) user.groupId = details.securityGroupIds[0];
      if (details.inviteCode !== undefined) user.inviteCode = details.inviteCode;
      if (details.codeValidation !== undefined) user.codeValidation = details.codeValidation;
      if (details.inviteCodeTtl !== undefined) {
        user.inviteCodeTtl = details.inviteCodeTtl;
        user.inviteExpiration = now + details.inviteCodeTtl * DAY;
      }
      user.modified = now;
      return {
        userId: user.userId,
        networkId: network.networkId,
        securityGroupIds: [user.groupId],
        firstName: user.firstName,
        lastName: user.lastName,
        suspended: user.suspended,
        modified: user.modified,
        status: user.status,
        inviteCode: user.inviteCode,
        inviteExpiration: user.inviteExpiration,
        codeValidation: user.codeValidation,
      };
    },

    GetUsersCount(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const users = Object.values(network.users);
      const pending = users.filter((u) => u.status === 1).length;
      const active = users.filter((u) => u.status === 2).length;
      const total = pending + active;
      // `remaining`: users that can still join while keeping the premium free trial; 0 for networks without a trial.
      const remaining = network.freeTrialExpiration ? Math.max(0, FREE_TRIAL_USER_LIMIT - total) : 0;
      return { pending, active, rejected: 0, remaining, total };
    },

    ListDevicesForUser(input, ctx) {
      const user = store.user(store.network(ctx, input.networkId), input.userId);
      const indexed = user.devices.map((device, index) => ({ device, index }));
      const { page, nextToken } = listPage('ListDevicesForUser', indexed, {
        sortKeys: {
          lastlogin: (d) => d.device.lastLogin,
          type: (d) => d.device.type,
          suspend: () => user.suspended,
          created: (d) => d.device.created,
        },
        order: (d) => d.index,
      }, input);
      return {
        devices: page.map(({ device }) => ({ ...device, suspend: user.suspended, statusText: user.suspended ? 'Suspended' : device.statusText })),
        nextToken,
      };
    },

    CreateBot(input, ctx) {
      const network = store.network(ctx, input.networkId);
      store.group(network, input.groupId);
      if (store.usernameTaken(network, input.username)) throw badRequest(`username already exists in network ${network.networkId}`);
      const now = epochSeconds(ctx);
      const botId = store.newAccountId();
      network.bots[botId] = {
        botId,
        username: input.username,
        uname: unameOf(network.networkId, input.username),
        displayName: input.displayName,
        groupId: input.groupId,
        status: 1,
        suspended: false,
        challengeDigest: secretDigest(input.challenge),
        created: now,
        modified: now,
        seq: store.nextSeq(),
      };
      return {
        botId,
        displayName: input.displayName,
        groupId: input.groupId,
        networkId: network.networkId,
        username: input.username,
        message: 'Bot created',
      };
    },

    GetBot(input, ctx) {
      return botOut(store.bot(store.network(ctx, input.networkId), input.botId));
    },

    ListBots(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const items = Object.values(network.bots).filter(
        (b) =>
          matches(b.username, input.username) &&
          matches(b.displayName, input.displayName) &&
          (input.status === undefined || b.status === input.status) &&
          (input.groupId === undefined || b.groupId === input.groupId),
      );
      const { page, nextToken } = listPage(
        'ListBots',
        items,
        {
          sortKeys: {
            username: (b) => b.username,
            // Bots have no first name: the display name stands in for it.
            firstName: (b) => b.displayName,
            displayName: (b) => b.displayName,
            status: (b) => b.status,
            groupId: (b) => b.groupId,
          },
          order: (b) => b.seq,
        },
        input,
      );
      return { bots: page.map(botOut), nextToken };
    },

    UpdateBot(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const bot = store.bot(network, input.botId);
      if (input.groupId !== undefined) store.group(network, input.groupId);
      if (input.displayName !== undefined) bot.displayName = input.displayName;
      if (input.groupId !== undefined) bot.groupId = input.groupId;
      if (input.challenge !== undefined) bot.challengeDigest = secretDigest(input.challenge);
      if (input.suspend !== undefined) bot.suspended = input.suspend;
      bot.modified = epochSeconds(ctx);
      return { message: `Bot ${bot.botId} updated` };
    },

    DeleteBot(input, ctx) {
      const network = store.network(ctx, input.networkId);
      const bot = store.bot(network, input.botId);
      delete network.bots[bot.botId];
      return { message: `Bot ${bot.botId} deleted` };
    },

    GetBotsCount(input, ctx) {
      const bots = Object.values(store.network(ctx, input.networkId).bots);
      const pending = bots.filter((b) => b.status === 1).length;
      const active = bots.filter((b) => b.status === 2).length;
      return { pending, active, total: bots.length };
    },
  };
}

const userSort = {
  sortKeys: {
    username: (u: UserRecord) => u.username,
    firstName: (u: UserRecord) => u.firstName,
    lastName: (u: UserRecord) => u.lastName,
    status: (u: UserRecord) => u.status,
    groupId: (u: UserRecord) => u.groupId,
  },
  order: (u: UserRecord) => u.seq,
};

/** Members of a group, for the group's counters and for refusing to delete a group in use. */
export function groupMembers(network: NetworkRecord, groupId: string): { users: UserRecord[]; bots: BotRecord[] } {
  return {
    users: Object.values(network.users).filter((u) => u.groupId === groupId),
    bots: Object.values(network.bots).filter((b) => b.groupId === groupId),
  };
}
