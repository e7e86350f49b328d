import { harness, Harness, reasonFields } from './wickr-fixtures';

let h: Harness;
let networkId: string;
let groupId: string;
beforeEach(() => {
  h = harness();
  ({ networkId, defaultGroupId: groupId } = h.network());
});

const createUsers = (...usernames: string[]) =>
  h.call('BatchCreateUser', { networkId, users: usernames.map((username) => ({ username, securityGroupIds: [groupId] })) }).successful as Array<{
    userId: string;
    uname: string;
    username: string;
  }>;

describe('BatchCreateUser', () => {
  test('creates pending users with numeric ids and hash unames, answered as full User objects', () => {
    const out = h.call('BatchCreateUser', {
      networkId,
      users: [
        { username: 'ann@example.com', firstName: 'Ann', lastName: 'Lee', securityGroupIds: [groupId] },
        { username: 'bob@example.com', securityGroupIds: [groupId] },
      ],
    });
    expect(out.failed).toEqual([]);
    expect(out.message).toBe('2 of 2 users created');
    expect(out.successful[0]).toMatchObject({
      userId: expect.stringMatching(/^[0-9]{1,10}$/),
      username: 'ann@example.com',
      firstName: 'Ann',
      lastName: 'Lee',
      securityGroups: [groupId],
      status: 1,
      suspended: false,
      isAdmin: false,
      isInviteExpired: false,
      uname: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(Number(out.successful[1].userId)).toBe(Number(out.successful[0].userId) + 1);
    expect(h.call('GetUser', { networkId, userId: out.successful[0].userId })).toEqual({
      userId: out.successful[0].userId,
      username: 'ann@example.com',
      firstName: 'Ann',
      lastName: 'Lee',
      isAdmin: false,
      suspended: false,
      status: 1,
      securityGroupIds: [groupId],
    });
  });

  test('partial failure: duplicates (in the network, case-insensitive, or in the batch), unknown or several groups', () => {
    createUsers('taken@example.com');
    h.call('CreateBot', { networkId, username: 'helperbot', groupId, challenge: 'pw' });
    const other = h.call('CreateSecurityGroup', { networkId, name: 'other', securityGroupSettings: {} }).securityGroup.id;
    const out = h.call('BatchCreateUser', {
      networkId,
      users: [
        { username: 'ok@example.com', securityGroupIds: [groupId] },
        { username: 'TAKEN@example.com', securityGroupIds: [groupId] },
        { username: 'HelperBot', securityGroupIds: [groupId] },
        { username: 'twice@example.com', securityGroupIds: [groupId] },
        { username: 'twice@example.com', securityGroupIds: [other] },
        { username: 'lost@example.com', securityGroupIds: ['sgdoesnotexist'] },
        { username: 'greedy@example.com', securityGroupIds: [groupId, other] },
        { username: 'none@example.com', securityGroupIds: [] },
      ],
    });
    expect(out.successful.map((u: any) => u.username)).toEqual(['ok@example.com', 'twice@example.com']);
    expect(out.failed).toEqual([
      { userId: 'TAKEN@example.com', field: 'username', reason: 'username already exists' },
      { userId: 'HelperBot', field: 'username', reason: 'username already exists' },
      { userId: 'twice@example.com', field: 'username', reason: 'username appears more than once in this request' },
      { userId: 'lost@example.com', field: 'securityGroupIds', reason: 'security group sgdoesnotexist not found' },
      { userId: 'greedy@example.com', field: 'securityGroupIds', reason: expect.stringContaining('only one security group') },
      { userId: 'none@example.com', field: 'securityGroupIds', reason: expect.stringContaining('exactly one') },
    ]);
    expect(out.message).toBe('2 of 8 users created');
    expect(h.call('GetUsersCount', { networkId })).toEqual({ pending: 3, active: 0, rejected: 0, remaining: 0, total: 3 });
  });

  test('at most 50 users per call (422 on users), at least one; unknown network 404', () => {
    const users = (n: number) => Array.from({ length: n }, (_, i) => ({ username: `u${i}@x.com`, securityGroupIds: [groupId] }));
    expect(h.call('BatchCreateUser', { networkId, users: users(50) }).successful).toHaveLength(50);
    const err = h.fail('BatchCreateUser', { networkId, users: users(51) });
    expect(err.fields.reasons).toEqual([{ field: 'users', reason: expect.stringContaining('at most 50') }]);
    expect(reasonFields(h.fail('BatchCreateUser', { networkId, users: [] }))).toEqual(['users']);
    expect(h.fail('BatchCreateUser', { networkId: '99999999', users: users(1) })).toMatchObject({ code: 'ResourceNotFoundError', message: expect.stringContaining('99999999') });
  });

  test('free trial networks report the seats left', () => {
    const trial = h.network('trial', { accessLevel: 'PREMIUM', enablePremiumFreeTrial: true });
    h.call('BatchCreateUser', { networkId: trial.networkId, users: [{ username: 'a@x.com', securityGroupIds: [trial.defaultGroupId] }] });
    expect(h.call('GetUsersCount', { networkId: trial.networkId })).toMatchObject({ total: 1, remaining: 29 });
  });
});

describe('other batch user calls', () => {
  test('BatchDeleteUser: known ids deleted, unknown ones failed', () => {
    const [a, b] = createUsers('a@x.com', 'b@x.com');
    const out = h.call('BatchDeleteUser', { networkId, userIds: [a.userId, '1', a.userId] });
    expect(out).toEqual({
      message: '1 of 3 users deleted',
      successful: [{ userId: a.userId }],
      failed: [
        { userId: '1', field: 'userIds', reason: 'user not found' },
        { userId: a.userId, field: 'userIds', reason: 'user not found' },
      ],
    });
    expect(h.fail('GetUser', { networkId, userId: a.userId })).toMatchObject({ code: 'ResourceNotFoundError', message: expect.stringContaining(a.userId) });
    expect(h.call('ListUsers', { networkId }).users.map((u: any) => u.userId)).toEqual([b.userId]);
    expect(reasonFields(h.fail('BatchDeleteUser', { networkId, userIds: Array.from({ length: 51 }, (_, i) => String(i + 1)) }))).toEqual(['userIds']);
  });

  test('BatchToggleUserSuspendStatus: suspended users keep their data; unsuspend restores', () => {
    const [a] = createUsers('a@x.com');
    const out = h.call('BatchToggleUserSuspendStatus', { networkId, suspend: true, userIds: [a.userId, '5'] });
    expect(out.successful).toEqual([{ userId: a.userId }]);
    expect(out.failed).toEqual([{ userId: '5', field: 'userIds', reason: 'user not found' }]);
    expect(h.call('GetUser', { networkId, userId: a.userId })).toMatchObject({ suspended: true, username: 'a@x.com', securityGroupIds: [groupId] });
    expect(h.call('GetSecurityGroup', { networkId, groupId }).securityGroup.activeMembers).toBe(0);
    h.call('BatchToggleUserSuspendStatus', { networkId, suspend: false, userIds: [a.userId] });
    expect(h.call('GetUser', { networkId, userId: a.userId }).suspended).toBe(false);
    expect(reasonFields(h.fail('BatchToggleUserSuspendStatus', { networkId, suspend: true, userIds: [] }))).toEqual(['userIds']);
  });

  test('BatchReinviteUser renews an expired invitation; suspended users are refused', () => {
    const [a, b] = createUsers('a@x.com', 'b@x.com');
    h.clock.advanceDays(8);
    expect(h.call('ListUsers', { networkId }).users.every((u: any) => u.isInviteExpired)).toBe(true);
    h.call('BatchToggleUserSuspendStatus', { networkId, suspend: true, userIds: [b.userId] });
    const out = h.call('BatchReinviteUser', { networkId, userIds: [a.userId, b.userId] });
    expect(out.successful).toEqual([{ userId: a.userId }]);
    expect(out.failed).toEqual([{ userId: b.userId, field: 'userIds', reason: 'user is suspended' }]);
    const users = h.call('ListUsers', { networkId, sortFields: 'username', sortDirection: 'ASC' }).users;
    expect(users.map((u: any) => u.isInviteExpired)).toEqual([false, true]);
  });

  test('BatchLookupUserUname maps unames of users and bots to usernames', () => {
    const [a] = createUsers('a@x.com');
    h.call('CreateBot', { networkId, username: 'opsbot', groupId, challenge: 'pw' });
    const bot = h.call('ListBots', { networkId }).bots[0];
    const out = h.call('BatchLookupUserUname', { networkId, unames: [a.uname, bot.uname, 'f'.repeat(64)] });
    expect(out.successful).toEqual([
      { uname: a.uname, username: 'a@x.com' },
      { uname: bot.uname, username: 'opsbot' },
    ]);
    expect(out.failed).toEqual([{ uname: 'f'.repeat(64), field: 'unames', reason: 'uname not found' }]);
  });

  test('devices: 0 to 2 per user, deterministic; BatchResetDevicesForUser resets known ones, fails unknown ones', () => {
    const users = createUsers(...Array.from({ length: 12 }, (_, i) => `u${i}@x.com`));
    const counts = users.map((u) => h.call('ListDevicesForUser', { networkId, userId: u.userId }).devices.length);
    expect(new Set(counts).size).toBeGreaterThan(1);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    const index = counts.indexOf(2);
    const user = users[index];
    const devices = h.call('ListDevicesForUser', { networkId, userId: user.userId, sortFields: 'type', sortDirection: 'ASC' }).devices;
    expect(devices[0]).toEqual({
      appId: expect.stringMatching(/^[0-9a-f]{32}$/),
      type: expect.any(String),
      created: new Date(h.clock.ms).toISOString(),
      lastLogin: new Date(h.clock.ms).toISOString(),
      statusText: 'Active',
      suspend: false,
    });
    const out = h.call('BatchResetDevicesForUser', { networkId, userId: user.userId, appIds: [devices[0].appId, 'nope'] });
    expect(out.successful).toEqual([{ appId: devices[0].appId }]);
    expect(out.failed).toEqual([{ appId: 'nope', field: 'appIds', reason: expect.stringContaining('device not found') }]);
    expect(h.call('ListDevicesForUser', { networkId, userId: user.userId }).devices.map((d: any) => d.appId)).toEqual([devices[1].appId]);
    expect(h.fail('ListDevicesForUser', { networkId, userId: '42' }).code).toBe('ResourceNotFoundError');
    expect(h.fail('BatchResetDevicesForUser', { networkId, userId: '42', appIds: ['x'] }).code).toBe('ResourceNotFoundError');
    expect(reasonFields(h.fail('BatchResetDevicesForUser', { networkId, userId: user.userId, appIds: Array(51).fill('x') }))).toEqual(['appIds']);
  });
});

describe('ListUsers, UpdateUser', () => {
  test('filters (case-insensitive substring on names, exact status and group) and sorting', () => {
    const other = h.call('CreateSecurityGroup', { networkId, name: 'other', securityGroupSettings: {} }).securityGroup.id;
    h.call('BatchCreateUser', {
      networkId,
      users: [
        { username: 'carol@x.com', firstName: 'Carol', lastName: 'Zed', securityGroupIds: [groupId] },
        { username: 'alice@x.com', firstName: 'Alice', lastName: 'Young', securityGroupIds: [other] },
        { username: 'malice@y.com', firstName: 'Mal', lastName: 'Xu', securityGroupIds: [groupId] },
      ],
    });
    const names = (input: Record<string, unknown>) => h.call('ListUsers', { networkId, ...input }).users.map((u: any) => u.username);
    expect(names({ username: 'ALICE' })).toEqual(['malice@y.com', 'alice@x.com']); // default: newest first
    expect(names({ groupId: other })).toEqual(['alice@x.com']);
    expect(names({ lastName: 'zed' })).toEqual(['carol@x.com']);
    expect(names({ status: 2 })).toEqual([]);
    expect(names({ sortFields: 'lastName', sortDirection: 'ASC' })).toEqual(['malice@y.com', 'alice@x.com', 'carol@x.com']);
    const byGroupThenName = [
      [groupId, 'carol@x.com'],
      [other, 'alice@x.com'],
      [groupId, 'malice@y.com'],
    ]
      .sort(([g1, u1], [g2, u2]) => (g1 === g2 ? (u1 < u2 ? -1 : 1) : g1 < g2 ? -1 : 1))
      .map(([, username]) => username);
    expect(names({ sortFields: 'groupId+username', sortDirection: 'ASC' })).toEqual(byGroupThenName);
  });

  test('UpdateUser patches names, group (exactly one) and username (unique); answers the updated user', () => {
    const [a, b] = createUsers('a@x.com', 'b@x.com');
    const other = h.call('CreateSecurityGroup', { networkId, name: 'other', securityGroupSettings: {} }).securityGroup.id;
    h.clock.advanceDays(1);
    const out = h.call('UpdateUser', { networkId, userId: a.userId, userDetails: { firstName: 'Ann', securityGroupIds: [other], username: 'ann@x.com' } });
    expect(out).toEqual({
      userId: a.userId,
      networkId,
      securityGroupIds: [other],
      firstName: 'Ann',
      suspended: false,
      modified: Math.floor(h.clock.ms / 1000),
      status: 1,
      inviteExpiration: expect.any(Number),
    });
    const user = h.call('ListUsers', { networkId, username: 'ann@' }).users[0];
    expect(user).toMatchObject({ userId: a.userId, username: 'ann@x.com', securityGroups: [other] });
    expect(user.uname).not.toBe(a.uname);

    expect(h.fail('UpdateUser', { networkId, userId: a.userId, userDetails: { username: 'B@X.COM' } })).toMatchObject({ code: 'BadRequestError' });
    expect(reasonFields(h.fail('UpdateUser', { networkId, userId: a.userId, userDetails: { securityGroupIds: [groupId, other] } }))).toEqual([
      'userDetails.securityGroupIds',
    ]);
    expect(reasonFields(h.fail('UpdateUser', { networkId, userId: a.userId, userDetails: { securityGroupIds: [] } }))).toEqual(['userDetails.securityGroupIds']);
    expect(h.fail('UpdateUser', { networkId, userId: a.userId, userDetails: { securityGroupIds: ['sgmissing'] } })).toMatchObject({
      code: 'ResourceNotFoundError',
      message: expect.stringContaining('sgmissing'),
    });
    expect(h.fail('UpdateUser', { networkId, userId: '77', userDetails: { firstName: 'x' } }).code).toBe('ResourceNotFoundError');
    // Keeping one's own username (other case) is not a clash.
    expect(h.call('UpdateUser', { networkId, userId: b.userId, userDetails: { username: 'B@x.com' } }).userId).toBe(b.userId);
  });
});

describe('bots', () => {
  test('CreateBot, GetBot (challenge never returned), ListBots, UpdateBot, DeleteBot, GetBotsCount', () => {
    const created = h.call('CreateBot', { networkId, username: 'alertbot', displayName: 'Alerts', groupId, challenge: 's3cret!' });
    expect(created).toEqual({ botId: expect.stringMatching(/^[0-9]{1,10}$/), displayName: 'Alerts', groupId, networkId, username: 'alertbot', message: expect.any(String) });
    const bot = h.call('GetBot', { networkId, botId: created.botId });
    expect(bot).toEqual({
      botId: created.botId,
      username: 'alertbot',
      displayName: 'Alerts',
      groupId,
      uname: expect.stringMatching(/^[0-9a-f]{64}$/),
      status: 1,
      suspended: false,
      hasChallenge: true,
    });
    expect(JSON.stringify(bot)).not.toContain('s3cret!');
    expect(JSON.stringify(h.svc.exportState())).not.toContain('s3cret!');
    expect(h.call('GetBotsCount', { networkId })).toEqual({ pending: 1, active: 0, total: 1 });

    const other = h.call('CreateSecurityGroup', { networkId, name: 'bots', securityGroupSettings: {} }).securityGroup.id;
    expect(h.call('UpdateBot', { networkId, botId: created.botId, displayName: 'Alerting', groupId: other, suspend: true, challenge: 'new' })).toEqual({
      message: expect.any(String),
    });
    expect(h.call('GetBot', { networkId, botId: created.botId })).toMatchObject({ displayName: 'Alerting', groupId: other, suspended: true });
    expect(h.fail('UpdateBot', { networkId, botId: created.botId, groupId: 'sgnothere' }).code).toBe('ResourceNotFoundError');

    h.call('CreateBot', { networkId, username: 'buildbot', groupId, challenge: 'pw' });
    expect(h.call('ListBots', { networkId, groupId: other }).bots.map((b: any) => b.username)).toEqual(['alertbot']);
    expect(h.call('ListBots', { networkId, displayName: 'alert' }).bots.map((b: any) => b.username)).toEqual(['alertbot']);
    expect(h.call('ListBots', { networkId, sortFields: 'username', sortDirection: 'ASC', maxResults: 1 }).bots.map((b: any) => b.username)).toEqual(['alertbot']);

    expect(h.call('DeleteBot', { networkId, botId: created.botId })).toEqual({ message: expect.any(String) });
    expect(h.fail('GetBot', { networkId, botId: created.botId })).toMatchObject({ code: 'ResourceNotFoundError', message: expect.stringContaining(created.botId) });
    expect(h.fail('DeleteBot', { networkId, botId: created.botId }).code).toBe('ResourceNotFoundError');
    expect(h.call('GetBotsCount', { networkId }).total).toBe(1);
  });

  test('bot usernames end in bot (422 on username) and are unique among users and bots (400)', () => {
    expect(h.fail('CreateBot', { networkId, username: 'alerts', groupId, challenge: 'pw' }).fields.reasons).toEqual([
      { field: 'username', reason: "bot usernames must end in 'bot'" },
    ]);
    expect(reasonFields(h.fail('CreateBot', { networkId, username: 'okbot', groupId, challenge: '' }))).toEqual(['challenge']);
    h.call('CreateBot', { networkId, username: 'opsbot', groupId, challenge: 'pw' });
    expect(h.fail('CreateBot', { networkId, username: 'OpsBot', groupId, challenge: 'pw' })).toMatchObject({ code: 'BadRequestError', message: expect.stringContaining('username already exists') });
    createUsers('userbot');
    expect(h.fail('CreateBot', { networkId, username: 'userbot', groupId, challenge: 'pw' }).code).toBe('BadRequestError');
    expect(h.fail('CreateBot', { networkId, username: 'newbot', groupId: 'sgunknown', challenge: 'pw' })).toMatchObject({
      code: 'ResourceNotFoundError',
      message: expect.stringContaining('sgunknown'),
    });
  });

  test('bots and users share one id space', () => {
    const [user] = createUsers('a@x.com');
    const { botId } = h.call('CreateBot', { networkId, username: 'abot', groupId, challenge: 'pw' });
    expect(botId).not.toBe(user.userId);
    expect(h.fail('GetUser', { networkId, userId: botId }).code).toBe('ResourceNotFoundError');
    expect(h.fail('GetBot', { networkId, botId: user.userId }).code).toBe('ResourceNotFoundError');
  });
});
