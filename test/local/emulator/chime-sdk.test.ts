import {
  BadRequestException,
  ChimeSDKIdentityClient,
  ConflictException,
  CreateAppInstanceAdminCommand,
  CreateAppInstanceBotCommand,
  CreateAppInstanceCommand,
  CreateAppInstanceUserCommand,
  DeleteAppInstanceAdminCommand,
  DeleteAppInstanceBotCommand,
  DeleteAppInstanceCommand,
  DeleteAppInstanceUserCommand,
  DeregisterAppInstanceUserEndpointCommand,
  DescribeAppInstanceAdminCommand,
  DescribeAppInstanceBotCommand,
  DescribeAppInstanceCommand,
  DescribeAppInstanceUserCommand,
  DescribeAppInstanceUserEndpointCommand,
  ForbiddenException,
  GetAppInstanceRetentionSettingsCommand,
  ListAppInstanceAdminsCommand,
  ListAppInstanceBotsCommand,
  ListAppInstancesCommand,
  ListAppInstanceUserEndpointsCommand,
  ListAppInstanceUsersCommand,
  ListTagsForResourceCommand,
  NotFoundException,
  paginateListAppInstanceUsers,
  PutAppInstanceRetentionSettingsCommand,
  PutAppInstanceUserExpirationSettingsCommand,
  RegisterAppInstanceUserEndpointCommand,
  ResourceLimitExceededException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAppInstanceBotCommand,
  UpdateAppInstanceCommand,
  UpdateAppInstanceUserCommand,
  UpdateAppInstanceUserEndpointCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator/index';
import { LEX, LEX_ALIAS, PINPOINT_APP } from './chime-fixtures';

/**
 * The official client against the emulator over HTTP, unchanged but for the endpoint:
 * every one of the 30 operations, the decoded outputs (Dates, nested structures) and the
 * typed exceptions, client-token replay, and asynchronous deletion on the emulator clock.
 */

let running: RunningEmulator<DefaultServices>;
let chime: ChimeSDKIdentityClient;

beforeAll(async () => {
  running = await startEmulator({ port: 0 });
  chime = new ChimeSDKIdentityClient({ region: 'us-east-1', endpoint: running.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});
afterAll(async () => {
  chime.destroy();
  await running.close();
});
beforeEach(() => running.emulator.reset());

/** Operations that went through the client (from the emulator's call log), for the coverage test at the end. */
const exercised = new Set<string>();
afterEach(() => {
  for (const call of running.emulator.calls()) if (call.service === 'chime' && call.status < 500) exercised.add(call.operation);
});

const now = () => running.emulator.clock.now().getTime();
const failure = (promise: Promise<unknown>) => promise.then(
  () => {
    throw new Error('expected the call to fail');
  },
  (err: unknown) => err as Error & { $metadata: { httpStatusCode?: number }; Code?: string },
);

async function createInstance(name = 'chat', token = `tok-${name}`) {
  return (await chime.send(new CreateAppInstanceCommand({ Name: name, Metadata: 'meta', ClientRequestToken: token, Tags: [{ Key: 'env', Value: 'test' }] }))).AppInstanceArn!;
}

test('app instances: Create, Describe, List, Update, retention Put and Get, Delete (asynchronous)', async () => {
  const before = now();
  const arn = await createInstance('chat');
  expect(arn).toMatch(/^arn:aws:chime:us-east-1:123456789012:app-instance\/[0-9a-f-]{36}$/);

  const described = (await chime.send(new DescribeAppInstanceCommand({ AppInstanceArn: arn }))).AppInstance!;
  expect(described).toEqual({ AppInstanceArn: arn, Name: 'chat', Metadata: 'meta', CreatedTimestamp: expect.any(Date), LastUpdatedTimestamp: expect.any(Date) });
  expect(described.CreatedTimestamp!.getTime()).toBeGreaterThanOrEqual(before);
  expect(described.CreatedTimestamp!.getTime()).toBeLessThanOrEqual(now());

  const second = await createInstance('second');
  const page1 = await chime.send(new ListAppInstancesCommand({ MaxResults: 1 }));
  expect(page1.AppInstances).toEqual([{ AppInstanceArn: arn, Name: 'chat', Metadata: 'meta' }]);
  const page2 = await chime.send(new ListAppInstancesCommand({ MaxResults: 1, NextToken: page1.NextToken }));
  expect(page2.AppInstances?.map((i) => i.AppInstanceArn)).toEqual([second]);
  expect(page2.NextToken).toBeUndefined();

  expect((await chime.send(new UpdateAppInstanceCommand({ AppInstanceArn: arn, Name: 'renamed', Metadata: '' }))).AppInstanceArn).toBe(arn);
  expect((await chime.send(new DescribeAppInstanceCommand({ AppInstanceArn: arn }))).AppInstance).toMatchObject({ Name: 'renamed', Metadata: '' });

  expect((await chime.send(new GetAppInstanceRetentionSettingsCommand({ AppInstanceArn: arn }))).AppInstanceRetentionSettings).toEqual({});
  const put = await chime.send(new PutAppInstanceRetentionSettingsCommand({ AppInstanceArn: arn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 90 } } }));
  expect(put.AppInstanceRetentionSettings).toEqual({ ChannelRetentionSettings: { RetentionDays: 90 } });
  expect(put.InitiateDeletionTimestamp).toBeInstanceOf(Date);
  const got = await chime.send(new GetAppInstanceRetentionSettingsCommand({ AppInstanceArn: arn }));
  expect(got.AppInstanceRetentionSettings).toEqual({ ChannelRetentionSettings: { RetentionDays: 90 } });
  expect(got.InitiateDeletionTimestamp).toEqual(put.InitiateDeletionTimestamp);

  const deleted = await chime.send(new DeleteAppInstanceCommand({ AppInstanceArn: arn }));
  expect(deleted.$metadata.httpStatusCode).toBe(204);
  // Still visible while the deletion runs; writes conflict.
  expect((await chime.send(new DescribeAppInstanceCommand({ AppInstanceArn: arn }))).AppInstance?.Name).toBe('renamed');
  const busy = await failure(chime.send(new UpdateAppInstanceCommand({ AppInstanceArn: arn, Name: 'x', Metadata: '' })));
  expect(busy).toBeInstanceOf(ConflictException);
  expect(busy).toMatchObject({ Code: 'Conflict', $metadata: { httpStatusCode: 409 } });
  await chime.send(new DeleteAppInstanceCommand({ AppInstanceArn: arn })); // again: fine

  running.emulator.clock.advance(2000);
  const gone = await failure(chime.send(new DescribeAppInstanceCommand({ AppInstanceArn: arn })));
  expect(gone).toBeInstanceOf(BadRequestException);
  expect(gone).toMatchObject({ Code: 'BadRequest', $metadata: { httpStatusCode: 400 }, message: expect.stringMatching(/not found/) });
  expect((await chime.send(new ListAppInstancesCommand({}))).AppInstances?.map((i) => i.AppInstanceArn)).toEqual([second]);
});

test('client tokens: the same token and input replays the first answer; another input with the token is ConflictException', async () => {
  const a = await createInstance('same', 'tok-same');
  const b = await createInstance('same', 'tok-same');
  expect(b).toBe(a);
  expect(Object.keys(running.emulator.services.chime.store.state.instances)).toEqual([a]);
  expect(running.emulator.calls().map((c) => [c.operation, c.status, c.replayed])).toEqual([
    ['CreateAppInstance', 201, undefined],
    ['CreateAppInstance', 201, true],
  ]);
  const clash = await failure(chime.send(new CreateAppInstanceCommand({ Name: 'different', ClientRequestToken: 'tok-same' })));
  expect(clash).toBeInstanceOf(ConflictException);

  const u1 = await chime.send(new CreateAppInstanceUserCommand({ AppInstanceArn: a, AppInstanceUserId: 'u', Name: 'U', ClientRequestToken: 'tok-user' }));
  const u2 = await chime.send(new CreateAppInstanceUserCommand({ AppInstanceArn: a, AppInstanceUserId: 'u', Name: 'U', ClientRequestToken: 'tok-user' }));
  expect(u2.AppInstanceUserArn).toBe(u1.AppInstanceUserArn);
  // A new token for an existing user id: the service's own conflict.
  const dup = await failure(chime.send(new CreateAppInstanceUserCommand({ AppInstanceArn: a, AppInstanceUserId: 'u', Name: 'U', ClientRequestToken: 'tok-user-2' })));
  expect(dup).toBeInstanceOf(ConflictException);
  expect(dup.message).toContain('already exists');
});

test('users, expiration settings and admins: Create, Describe, List (paginator), Update, Put expiration, promote, demote, Delete', async () => {
  const arn = await createInstance();
  const userId = 'alice@example.com:1';
  const { AppInstanceUserArn: alice } = await chime.send(
    new CreateAppInstanceUserCommand({
      AppInstanceArn: arn,
      AppInstanceUserId: userId,
      Name: 'Alice',
      Metadata: 'm',
      ClientRequestToken: 'tok-alice',
      ExpirationSettings: { ExpirationDays: 30, ExpirationCriterion: 'CREATED_TIMESTAMP' },
    }),
  );
  expect(alice).toBe(`${arn}/user/${userId}`);
  const user = (await chime.send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: alice }))).AppInstanceUser!;
  expect(user).toEqual({
    AppInstanceUserArn: alice,
    Name: 'Alice',
    Metadata: 'm',
    CreatedTimestamp: expect.any(Date),
    LastUpdatedTimestamp: expect.any(Date),
    ExpirationSettings: { ExpirationDays: 30, ExpirationCriterion: 'CREATED_TIMESTAMP' },
  });

  for (let i = 0; i < 12; i++) await chime.send(new CreateAppInstanceUserCommand({ AppInstanceArn: arn, AppInstanceUserId: `user-${i}`, Name: `User ${i}`, ClientRequestToken: `tok-u${i}` }));
  const names: string[] = [];
  for await (const page of paginateListAppInstanceUsers({ client: chime, pageSize: 5 }, { AppInstanceArn: arn })) {
    expect(page.AppInstanceArn).toBe(arn);
    names.push(...(page.AppInstanceUsers ?? []).map((u) => u.Name!));
  }
  expect(names).toEqual(['Alice', ...Array.from({ length: 12 }, (_, i) => `User ${i}`)]);
  expect((await chime.send(new ListAppInstanceUsersCommand({ AppInstanceArn: arn }))).AppInstanceUsers).toHaveLength(10);

  expect((await chime.send(new UpdateAppInstanceUserCommand({ AppInstanceUserArn: alice, Name: 'Alice B', Metadata: 'n' }))).AppInstanceUserArn).toBe(alice);
  const expiration = await chime.send(new PutAppInstanceUserExpirationSettingsCommand({ AppInstanceUserArn: alice }));
  expect(expiration).toMatchObject({ AppInstanceUserArn: alice });
  expect(expiration.ExpirationSettings).toBeUndefined();
  expect((await chime.send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: alice }))).AppInstanceUser).toMatchObject({ Name: 'Alice B', Metadata: 'n' });

  const promoted = await chime.send(new CreateAppInstanceAdminCommand({ AppInstanceArn: arn, AppInstanceAdminArn: alice }));
  expect(promoted).toMatchObject({ AppInstanceAdmin: { Arn: alice, Name: 'Alice B' }, AppInstanceArn: arn });
  const admin = (await chime.send(new DescribeAppInstanceAdminCommand({ AppInstanceArn: arn, AppInstanceAdminArn: alice }))).AppInstanceAdmin!;
  expect(admin).toEqual({ Admin: { Arn: alice, Name: 'Alice B' }, AppInstanceArn: arn, CreatedTimestamp: expect.any(Date) });
  expect((await chime.send(new ListAppInstanceAdminsCommand({ AppInstanceArn: arn }))).AppInstanceAdmins).toEqual([{ Admin: { Arn: alice, Name: 'Alice B' } }]);
  expect(await failure(chime.send(new CreateAppInstanceAdminCommand({ AppInstanceArn: arn, AppInstanceAdminArn: alice })))).toBeInstanceOf(ConflictException);

  await chime.send(new DeleteAppInstanceAdminCommand({ AppInstanceArn: arn, AppInstanceAdminArn: alice }));
  expect((await chime.send(new ListAppInstanceAdminsCommand({ AppInstanceArn: arn }))).AppInstanceAdmins).toEqual([]);
  expect((await chime.send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: alice }))).AppInstanceUser?.AppInstanceUserArn).toBe(alice); // demoted, not deleted

  await chime.send(new DeleteAppInstanceUserCommand({ AppInstanceUserArn: alice }));
  expect(await failure(chime.send(new DescribeAppInstanceUserCommand({ AppInstanceUserArn: alice })))).toBeInstanceOf(BadRequestException);
});

test('bots: Create, Describe, List, Update, Delete; a missing bot is NotFoundException', async () => {
  const arn = await createInstance();
  const { AppInstanceBotArn: bot } = await chime.send(
    new CreateAppInstanceBotCommand({ AppInstanceArn: arn, Name: 'Helper', Metadata: 'm', ClientRequestToken: 'tok-bot', Configuration: { Lex: { ...LEX, WelcomeIntent: 'Hello' } } }),
  );
  expect(bot).toMatch(new RegExp(`^${arn}/bot/[0-9a-f-]{36}$`));
  expect((await chime.send(new DescribeAppInstanceBotCommand({ AppInstanceBotArn: bot }))).AppInstanceBot).toEqual({
    AppInstanceBotArn: bot,
    Name: 'Helper',
    Metadata: 'm',
    Configuration: { Lex: { ...LEX, WelcomeIntent: 'Hello' } },
    CreatedTimestamp: expect.any(Date),
    LastUpdatedTimestamp: expect.any(Date),
  });
  expect((await chime.send(new ListAppInstanceBotsCommand({ AppInstanceArn: arn })))).toMatchObject({ AppInstanceArn: arn, AppInstanceBots: [{ AppInstanceBotArn: bot, Name: 'Helper', Metadata: 'm' }] });
  const config = { Lex: { LexBotAliasArn: LEX_ALIAS, LocaleId: 'en_GB', RespondsTo: 'STANDARD_MESSAGES' as const } };
  expect((await chime.send(new UpdateAppInstanceBotCommand({ AppInstanceBotArn: bot, Name: 'H2', Metadata: '', Configuration: config }))).AppInstanceBotArn).toBe(bot);
  expect((await chime.send(new DescribeAppInstanceBotCommand({ AppInstanceBotArn: bot }))).AppInstanceBot).toMatchObject({ Name: 'H2', Metadata: '', Configuration: config });

  const bad = await failure(chime.send(new CreateAppInstanceBotCommand({ AppInstanceArn: arn, ClientRequestToken: 'tok-bad', Configuration: { Lex: { LexBotAliasArn: LEX_ALIAS, LocaleId: 'en_US' } } })));
  expect(bad).toBeInstanceOf(BadRequestException);
  expect(bad.message).toContain('InvokedBy');

  await chime.send(new DeleteAppInstanceBotCommand({ AppInstanceBotArn: bot }));
  const missing = await failure(chime.send(new DescribeAppInstanceBotCommand({ AppInstanceBotArn: bot })));
  expect(missing).toBeInstanceOf(NotFoundException);
  expect(missing).toMatchObject({ Code: 'NotFound', $metadata: { httpStatusCode: 404 } });
});

test('endpoints: Register, Describe (device tokens returned), List, Update, Deregister; a duplicate device is ConflictException', async () => {
  const arn = await createInstance();
  const { AppInstanceUserArn: user } = await chime.send(new CreateAppInstanceUserCommand({ AppInstanceArn: arn, AppInstanceUserId: 'bob', Name: 'Bob', ClientRequestToken: 'tok-bob' }));
  const registered = await chime.send(
    new RegisterAppInstanceUserEndpointCommand({
      AppInstanceUserArn: user,
      Name: 'iPhone',
      Type: 'APNS',
      ResourceArn: PINPOINT_APP,
      EndpointAttributes: { DeviceToken: 'apns-token', VoipDeviceToken: 'voip-token' },
      ClientRequestToken: 'tok-ep',
    }),
  );
  expect(registered).toMatchObject({ AppInstanceUserArn: user, EndpointId: expect.stringMatching(/^[0-9a-f]{64}$/) });
  const EndpointId = registered.EndpointId!;
  expect((await chime.send(new DescribeAppInstanceUserEndpointCommand({ AppInstanceUserArn: user, EndpointId }))).AppInstanceUserEndpoint).toEqual({
    AppInstanceUserArn: user,
    EndpointId,
    Name: 'iPhone',
    Type: 'APNS',
    ResourceArn: PINPOINT_APP,
    EndpointAttributes: { DeviceToken: 'apns-token', VoipDeviceToken: 'voip-token' },
    CreatedTimestamp: expect.any(Date),
    LastUpdatedTimestamp: expect.any(Date),
    AllowMessages: 'ALL',
    EndpointState: { Status: 'ACTIVE' },
  });
  const dup = await failure(
    chime.send(new RegisterAppInstanceUserEndpointCommand({ AppInstanceUserArn: user, Type: 'APNS', ResourceArn: PINPOINT_APP, EndpointAttributes: { DeviceToken: 'apns-token' }, ClientRequestToken: 'tok-ep2' })),
  );
  expect(dup).toBeInstanceOf(ConflictException);

  expect(await chime.send(new UpdateAppInstanceUserEndpointCommand({ AppInstanceUserArn: user, EndpointId, Name: 'old iPhone', AllowMessages: 'NONE' }))).toMatchObject({ AppInstanceUserArn: user, EndpointId });
  expect((await chime.send(new ListAppInstanceUserEndpointsCommand({ AppInstanceUserArn: user }))).AppInstanceUserEndpoints).toEqual([
    { AppInstanceUserArn: user, EndpointId, Name: 'old iPhone', Type: 'APNS', AllowMessages: 'NONE', EndpointState: { Status: 'ACTIVE' } },
  ]);
  await chime.send(new DeregisterAppInstanceUserEndpointCommand({ AppInstanceUserArn: user, EndpointId }));
  expect((await chime.send(new ListAppInstanceUserEndpointsCommand({ AppInstanceUserArn: user }))).AppInstanceUserEndpoints).toEqual([]);
  expect(await failure(chime.send(new DeregisterAppInstanceUserEndpointCommand({ AppInstanceUserArn: user, EndpointId })))).toBeInstanceOf(BadRequestException);
});

test('tags: TagResource, UntagResource, ListTagsForResource; more than 50 is ResourceLimitExceededException; another account is ForbiddenException', async () => {
  const arn = await createInstance();
  await chime.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'team', Value: 'ops' }, { Key: 'env', Value: 'prod' }] }));
  await chime.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['team'] }));
  expect((await chime.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: 'env', Value: 'prod' }]);

  const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
  const limit = await failure(chime.send(new TagResourceCommand({ ResourceARN: arn, Tags: many })));
  expect(limit).toBeInstanceOf(ResourceLimitExceededException);
  expect(limit).toMatchObject({ Code: 'ResourceLimitExceeded', $metadata: { httpStatusCode: 400 } });
  expect((await chime.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toHaveLength(1);

  const foreign = await failure(chime.send(new ListTagsForResourceCommand({ ResourceARN: arn.replace('123456789012', '999999999999') })));
  expect(foreign).toBeInstanceOf(ForbiddenException);
  expect(foreign.$metadata.httpStatusCode).toBe(403);
});

test('bad input is BadRequestException: model constraints and prose rules alike', async () => {
  const arn = await createInstance();
  const tooMany = await failure(chime.send(new ListAppInstanceUsersCommand({ AppInstanceArn: arn, MaxResults: 51 })));
  expect(tooMany).toBeInstanceOf(BadRequestException);
  const token = await failure(chime.send(new ListAppInstanceUsersCommand({ AppInstanceArn: arn, NextToken: 'not-a-token' })));
  expect(token).toBeInstanceOf(BadRequestException);
  const reserved = await failure(chime.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'aws:cloudformation:stack-name', Value: 'x' }] })));
  expect(reserved).toBeInstanceOf(BadRequestException);
  const retention = await failure(chime.send(new PutAppInstanceRetentionSettingsCommand({ AppInstanceArn: arn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 5476 } } })));
  expect(retention).toBeInstanceOf(BadRequestException);
});

test('every one of the 30 operations went through the official client in this file', () => {
  const all = Object.keys(running.emulator.services.chime.model.operations).sort();
  expect(all).toHaveLength(30);
  expect([...exercised].sort()).toEqual(all);
});
