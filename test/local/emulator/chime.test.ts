import { createChimeService } from '../../../local/emulator/chime';
import { DAY_MS } from '../../../local/emulator/chime-state';
import { ACCOUNT, harness, Harness, LEX, LEX_ALIAS, PINPOINT_APP, REGION, token } from './chime-fixtures';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const INSTANCE_ARN = new RegExp(`^arn:aws:chime:${REGION}:${ACCOUNT}:app-instance/${UUID}$`);

let h: Harness;
beforeEach(() => {
  h = harness();
});

describe('app instances', () => {
  test('CreateAppInstance: a UUID ARN in the caller account and region; Describe shows name, metadata and timestamps', () => {
    const created = h.call('CreateAppInstance', { Name: 'support chat', Metadata: '{"team":"ops"}', ClientRequestToken: token() });
    expect(created).toEqual({ AppInstanceArn: expect.stringMatching(INSTANCE_ARN) });
    expect(h.call('DescribeAppInstance', { AppInstanceArn: created.AppInstanceArn })).toEqual({
      AppInstance: {
        AppInstanceArn: created.AppInstanceArn,
        Name: 'support chat',
        Metadata: '{"team":"ops"}',
        CreatedTimestamp: new Date(h.clock.ms),
        LastUpdatedTimestamp: new Date(h.clock.ms),
      },
    });
  });

  test('names need not be unique; each create is a new instance; tags given at create are stored', () => {
    const a = h.instance('same', { Tags: [{ Key: 'env', Value: 'dev' }] });
    const b = h.instance('same');
    expect(a).not.toBe(b);
    expect(h.call('ListTagsForResource', { ResourceARN: a })).toEqual({ Tags: [{ Key: 'env', Value: 'dev' }] });
    expect(h.call('ListTagsForResource', { ResourceARN: b })).toEqual({ Tags: [] });
  });

  test('model and prose rules: name 1..256, metadata at most 1024 characters, a client token, tag rules', () => {
    const base = { Name: 'n', ClientRequestToken: token() };
    expect(h.fail('CreateAppInstance', { ...base, Name: '' }).code).toBe('BadRequestException');
    expect(h.fail('CreateAppInstance', { ...base, Name: 'x'.repeat(257) }).message).toContain("Value at 'Name'");
    h.call('CreateAppInstance', { ...base, Name: '😀'.repeat(256), Metadata: '€'.repeat(1024) });
    expect(h.fail('CreateAppInstance', { ...base, Metadata: 'x'.repeat(1025) }).message).toContain("Value at 'Metadata'");
    expect(h.fail('CreateAppInstance', { Name: 'n' }).message).toContain("Value at 'ClientRequestToken'");
    expect(h.fail('CreateAppInstance', { ...base, Tags: [{ Key: 'aws:owner', Value: 'x' }] }).message).toContain('reserved prefix');
    expect(h.fail('CreateAppInstance', { ...base, Tags: [{ Key: 'k', Value: 'a' }, { Key: 'k', Value: 'b' }] }).message).toContain('Duplicate tag key');
    expect(h.fail('CreateAppInstance', { ...base, Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }).code).toBe('BadRequestException');
    expect(h.fail('CreateAppInstance', { ...base, Tags: [{ Key: 'k', Value: '' }] }).code).toBe('BadRequestException');
  });

  test('UpdateAppInstance needs Name and Metadata; it moves LastUpdatedTimestamp only', () => {
    const arn = h.instance('a', { Metadata: 'm1' });
    const created = h.clock.ms;
    expect(h.fail('UpdateAppInstance', { AppInstanceArn: arn, Name: 'b' }).message).toContain("Value at 'Metadata'");
    h.clock.advance(5000);
    expect(h.call('UpdateAppInstance', { AppInstanceArn: arn, Name: 'b', Metadata: '' })).toEqual({ AppInstanceArn: arn });
    expect(h.call('DescribeAppInstance', { AppInstanceArn: arn }).AppInstance).toEqual({
      AppInstanceArn: arn,
      Name: 'b',
      Metadata: '',
      CreatedTimestamp: new Date(created),
      LastUpdatedTimestamp: new Date(created + 5000),
    });
  });

  test('ARNs: another account is ForbiddenException, another region or an unknown instance is not found, a user ARN is not an instance ARN', () => {
    const arn = h.instance();
    const other = h.fail('DescribeAppInstance', { AppInstanceArn: arn.replace(ACCOUNT, '210987654321') });
    expect(other.code).toBe('ForbiddenException');
    const region = h.fail('DescribeAppInstance', { AppInstanceArn: arn.replace(REGION, 'eu-west-1') });
    expect(region).toMatchObject({ code: 'BadRequestException', message: expect.stringContaining('not found') });
    expect(h.fail('DescribeAppInstance', { AppInstanceArn: arn }, h.ctx({ region: 'eu-west-1' })).message).toContain('not found');
    const unknown = h.fail('DescribeAppInstance', { AppInstanceArn: `arn:aws:chime:${REGION}:${ACCOUNT}:app-instance/00000000-0000-4000-8000-000000000000` });
    expect(unknown).toMatchObject({ code: 'BadRequestException', message: expect.stringMatching(/^AppInstance .* not found$/) });
    const userArn = h.user(arn, 'u1');
    expect(h.fail('DescribeAppInstance', { AppInstanceArn: userArn }).message).toContain('must be the ARN of an AppInstance');
    expect(h.fail('DescribeAppInstance', { AppInstanceArn: 'arn:aws:s3:::bucket/x' }).code).toBe('BadRequestException');
  });

  test('ListAppInstances: creation order, caller account and region only, MaxResults default 10, opaque NextToken', () => {
    const arns = Array.from({ length: 23 }, (_, i) => h.instance(`i${i}`));
    h.instance('elsewhere', {});
    h.call('CreateAppInstance', { Name: 'other-region', ClientRequestToken: token() }, h.ctx({ region: 'eu-west-1' }));
    h.call('CreateAppInstance', { Name: 'other-account', ClientRequestToken: token() }, h.ctx({ accountId: '210987654321' }));
    const first = h.call('ListAppInstances', {});
    expect(first.AppInstances).toHaveLength(10);
    expect(first.AppInstances[0]).toEqual({ AppInstanceArn: arns[0], Name: 'i0' });
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const out = h.call('ListAppInstances', { MaxResults: 7, NextToken: next });
      seen.push(...out.AppInstances.map((i: any) => i.Name));
      next = out.NextToken;
      pages++;
    } while (next);
    expect(pages).toBe(4);
    expect(seen).toEqual([...arns.map((_, i) => `i${i}`), 'elsewhere']);
    expect(h.call('ListAppInstances', {}, h.ctx({ region: 'eu-west-1' })).AppInstances.map((i: any) => i.Name)).toEqual(['other-region']);
  });

  test('pagination: items deleted or created between pages are neither repeated nor skipped; bad tokens and MaxResults are BadRequestException', () => {
    const arns = Array.from({ length: 6 }, (_, i) => h.instance(`i${i}`));
    const one = h.call('ListAppInstances', { MaxResults: 3 });
    h.call('DeleteAppInstance', { AppInstanceArn: arns[0] });
    h.clock.advance(2000);
    h.instance('late');
    const two = h.call('ListAppInstances', { MaxResults: 3, NextToken: one.NextToken });
    expect(two.AppInstances.map((i: any) => i.Name)).toEqual(['i3', 'i4', 'i5']);
    const three = h.call('ListAppInstances', { MaxResults: 3, NextToken: two.NextToken });
    expect(three).toEqual({ AppInstances: [{ AppInstanceArn: expect.any(String), Name: 'late' }] });

    expect(h.fail('ListAppInstances', { NextToken: 'garbage' }).message).toContain('Invalid NextToken');
    const forged = Buffer.from(JSON.stringify({ a: 1, c: 'x' })).toString('base64url');
    expect(h.fail('ListAppInstances', { NextToken: forged }).code).toBe('BadRequestException');
    for (let i = 0; i < 3; i++) h.user(arns[1], `u${i}`);
    const userToken = h.call('ListAppInstanceUsers', { AppInstanceArn: arns[1], MaxResults: 1 }).NextToken;
    expect(h.fail('ListAppInstances', { NextToken: userToken }).message).toContain('Invalid NextToken');
    expect(h.fail('ListAppInstanceUsers', { AppInstanceArn: arns[2], NextToken: userToken }).message).toContain('Invalid NextToken');
    expect(h.fail('ListAppInstances', { MaxResults: 0 }).code).toBe('BadRequestException');
    expect(h.fail('ListAppInstances', { MaxResults: 51 }).code).toBe('BadRequestException');
    expect(h.call('ListAppInstances', { MaxResults: 50 }).AppInstances).toHaveLength(6);
  });

  test('quota: app instances per account and region → ResourceLimitExceededException', () => {
    h = harness({ limits: { appInstances: 2 } });
    h.instance('a');
    h.instance('b');
    expect(h.fail('CreateAppInstance', { Name: 'c', ClientRequestToken: token() }).code).toBe('ResourceLimitExceededException');
    h.call('CreateAppInstance', { Name: 'c', ClientRequestToken: token() }, h.ctx({ region: 'eu-west-1' }));
  });
});

describe('asynchronous app instance deletion', () => {
  function populated(): { arn: string; userArn: string; botArn: string; endpointId: string } {
    const arn = h.instance('doomed', { Tags: [{ Key: 'k', Value: 'v' }] });
    const userArn = h.user(arn, 'alice');
    const botArn = h.bot(arn);
    h.call('CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: userArn });
    h.call('PutAppInstanceRetentionSettings', { AppInstanceArn: arn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 30 } } });
    const endpointId = h.call('RegisterAppInstanceUserEndpoint', {
      AppInstanceUserArn: userArn,
      Type: 'GCM',
      ResourceArn: PINPOINT_APP,
      EndpointAttributes: { DeviceToken: 'device-1' },
      ClientRequestToken: token(),
    }).EndpointId;
    return { arn, userArn, botArn, endpointId };
  }

  test('during the delay reads still answer, writes are refused, a second delete succeeds; after it everything is gone', () => {
    const { arn, userArn, botArn, endpointId } = populated();
    const keeper = h.instance('keeper');
    h.call('DeleteAppInstance', { AppInstanceArn: arn });

    // Reads still see the instance and its data.
    expect(h.call('DescribeAppInstance', { AppInstanceArn: arn }).AppInstance.Name).toBe('doomed');
    expect(h.call('ListAppInstances', {}).AppInstances.map((i: any) => i.AppInstanceArn)).toEqual([arn, keeper]);
    expect(h.call('DescribeAppInstanceUser', { AppInstanceUserArn: userArn }).AppInstanceUser.Name).toBe('alice');
    expect(h.call('ListTagsForResource', { ResourceARN: arn }).Tags).toEqual([{ Key: 'k', Value: 'v' }]);

    // Writes: ConflictException where the model lists it, else BadRequestException.
    const conflicts: Array<[string, Record<string, any>]> = [
      ['UpdateAppInstance', { AppInstanceArn: arn, Name: 'x', Metadata: '' }],
      ['CreateAppInstanceUser', { AppInstanceArn: arn, AppInstanceUserId: 'bob', Name: 'bob', ClientRequestToken: token() }],
      ['UpdateAppInstanceUser', { AppInstanceUserArn: userArn, Name: 'x', Metadata: '' }],
      ['DeleteAppInstanceUser', { AppInstanceUserArn: userArn }],
      ['PutAppInstanceUserExpirationSettings', { AppInstanceUserArn: userArn }],
      ['CreateAppInstanceBot', { AppInstanceArn: arn, Configuration: { Lex: LEX }, ClientRequestToken: token() }],
      ['UpdateAppInstanceBot', { AppInstanceBotArn: botArn, Name: 'x', Metadata: '' }],
      ['DeleteAppInstanceBot', { AppInstanceBotArn: botArn }],
      ['CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: botArn }],
      ['DeleteAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: userArn }],
      ['RegisterAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, Type: 'GCM', ResourceArn: PINPOINT_APP, EndpointAttributes: { DeviceToken: 'd2' }, ClientRequestToken: token() }],
      ['UpdateAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, EndpointId: endpointId, Name: 'x' }],
    ];
    for (const [operation, input] of conflicts) {
      expect(h.fail(operation, input)).toMatchObject({ code: 'ConflictException', message: expect.stringContaining('is being deleted') });
    }
    const badRequests: Array<[string, Record<string, any>]> = [
      ['PutAppInstanceRetentionSettings', { AppInstanceArn: arn, AppInstanceRetentionSettings: {} }],
      ['TagResource', { ResourceARN: arn, Tags: [{ Key: 'a', Value: 'b' }] }],
      ['UntagResource', { ResourceARN: userArn, TagKeys: ['a'] }],
      ['DeregisterAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, EndpointId: endpointId }],
    ];
    for (const [operation, input] of badRequests) {
      expect(h.fail(operation, input)).toMatchObject({ code: 'BadRequestException', message: expect.stringContaining('is being deleted') });
    }

    h.clock.advance(1500);
    expect(h.call('DeleteAppInstance', { AppInstanceArn: arn })).toEqual({}); // idempotent, deadline unchanged
    h.clock.advance(499);
    expect(h.call('DescribeAppInstance', { AppInstanceArn: arn }).AppInstance.AppInstanceArn).toBe(arn);

    h.clock.advance(1);
    expect(h.fail('DescribeAppInstance', { AppInstanceArn: arn }).message).toMatch(/not found/);
    expect(h.call('ListAppInstances', {}).AppInstances.map((i: any) => i.AppInstanceArn)).toEqual([keeper]);
    expect(h.fail('DescribeAppInstanceUser', { AppInstanceUserArn: userArn }).message).toMatch(/not found/);
    expect(h.fail('DescribeAppInstanceBot', { AppInstanceBotArn: botArn }).code).toBe('NotFoundException');
    expect(h.fail('ListTagsForResource', { ResourceARN: arn }).message).toMatch(/not found/);
    expect(h.fail('GetAppInstanceRetentionSettings', { AppInstanceArn: arn }).message).toMatch(/not found/);
    expect(h.fail('DeleteAppInstance', { AppInstanceArn: arn })).toMatchObject({ code: 'BadRequestException', message: expect.stringMatching(/not found/) });
    expect(Object.keys(h.svc.store.state.instances)).toEqual([keeper]);
  });

  test('deletionDelayMs is configurable; 0 deletes at once', () => {
    h = harness({ deletionDelayMs: 0 });
    const arn = h.instance();
    h.call('DeleteAppInstance', { AppInstanceArn: arn });
    expect(h.fail('DescribeAppInstance', { AppInstanceArn: arn }).message).toMatch(/not found/);
    h = harness({ deletionDelayMs: 60_000 });
    const slow = h.instance();
    h.call('DeleteAppInstance', { AppInstanceArn: slow });
    h.clock.advance(59_999);
    h.call('DescribeAppInstance', { AppInstanceArn: slow });
    h.clock.advance(1);
    h.fail('DescribeAppInstance', { AppInstanceArn: slow });
  });

  test('a pending deletion survives an export/import round trip and completes afterwards', () => {
    const { arn } = populated();
    h.call('DeleteAppInstance', { AppInstanceArn: arn });
    const copy = harness();
    copy.clock.ms = h.clock.ms;
    copy.svc.importState(JSON.parse(JSON.stringify(h.svc.exportState())));
    expect(copy.call('DescribeAppInstance', { AppInstanceArn: arn }).AppInstance.Name).toBe('doomed');
    expect(copy.fail('UpdateAppInstance', { AppInstanceArn: arn, Name: 'x', Metadata: '' }).code).toBe('ConflictException');
    copy.clock.advance(2000);
    expect(copy.fail('DescribeAppInstance', { AppInstanceArn: arn }).message).toMatch(/not found/);
  });
});

describe('retention settings', () => {
  test('none set: empty settings; Put returns the settings and the time the deletion starts; Get repeats them; {} clears', () => {
    const arn = h.instance();
    expect(h.call('GetAppInstanceRetentionSettings', { AppInstanceArn: arn })).toEqual({ AppInstanceRetentionSettings: {} });
    h.clock.advance(1000);
    const put = h.call('PutAppInstanceRetentionSettings', { AppInstanceArn: arn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 365 } } });
    const expected = { AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 365 } }, InitiateDeletionTimestamp: new Date(h.clock.ms) };
    expect(put).toEqual(expected);
    h.clock.advance(1000);
    expect(h.call('GetAppInstanceRetentionSettings', { AppInstanceArn: arn })).toEqual(expected);
    expect(h.call('PutAppInstanceRetentionSettings', { AppInstanceArn: arn, AppInstanceRetentionSettings: {} })).toEqual({ AppInstanceRetentionSettings: {} });
    expect(h.call('GetAppInstanceRetentionSettings', { AppInstanceArn: arn })).toEqual({ AppInstanceRetentionSettings: {} });
  });

  test('RetentionDays 1..5475; the settings member is required', () => {
    const arn = h.instance();
    for (const days of [1, 5475]) h.call('PutAppInstanceRetentionSettings', { AppInstanceArn: arn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: days } } });
    for (const days of [0, 5476]) {
      expect(h.fail('PutAppInstanceRetentionSettings', { AppInstanceArn: arn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: days } } }).code).toBe(
        'BadRequestException',
      );
    }
    expect(h.fail('PutAppInstanceRetentionSettings', { AppInstanceArn: arn }).message).toContain('AppInstanceRetentionSettings');
    expect(h.fail('GetAppInstanceRetentionSettings', { AppInstanceArn: arn.replace(/.{4}$/, '0000') }).message).toMatch(/not found/);
  });
});

describe('users', () => {
  test('CreateAppInstanceUser: ARN {instance}/user/{id}; Describe shows everything; an id already used is ConflictException', () => {
    const arn = h.instance();
    const expiration = { ExpirationDays: 30, ExpirationCriterion: 'CREATED_TIMESTAMP' };
    const out = h.call('CreateAppInstanceUser', {
      AppInstanceArn: arn,
      AppInstanceUserId: 'alice@example.com',
      Name: 'Alice',
      Metadata: 'm',
      ClientRequestToken: token(),
      ExpirationSettings: expiration,
      Tags: [{ Key: 'role', Value: 'agent' }],
    });
    expect(out).toEqual({ AppInstanceUserArn: `${arn}/user/alice@example.com` });
    expect(h.call('DescribeAppInstanceUser', { AppInstanceUserArn: out.AppInstanceUserArn })).toEqual({
      AppInstanceUser: {
        AppInstanceUserArn: out.AppInstanceUserArn,
        Name: 'Alice',
        Metadata: 'm',
        CreatedTimestamp: new Date(h.clock.ms),
        LastUpdatedTimestamp: new Date(h.clock.ms),
        ExpirationSettings: expiration,
      },
    });
    expect(h.call('ListTagsForResource', { ResourceARN: out.AppInstanceUserArn }).Tags).toEqual([{ Key: 'role', Value: 'agent' }]);
    const dup = h.fail('CreateAppInstanceUser', { AppInstanceArn: arn, AppInstanceUserId: 'alice@example.com', Name: 'Other', ClientRequestToken: token() });
    expect(dup).toMatchObject({ code: 'ConflictException', message: expect.stringContaining('already exists') });
    // The same id in another instance is another user.
    expect(h.user(h.instance('b'), 'alice@example.com')).not.toBe(out.AppInstanceUserArn);
  });

  test('user id 1..64 of the pattern, name 1..100 with a non-blank character, unknown instance', () => {
    const arn = h.instance();
    const base = { AppInstanceArn: arn, Name: 'n', ClientRequestToken: token() };
    h.call('CreateAppInstanceUser', { ...base, AppInstanceUserId: 'a' });
    h.call('CreateAppInstanceUser', { ...base, AppInstanceUserId: `a${'b'.repeat(62)}c` });
    for (const id of ['', '-a', 'a-', 'a/b', 'a b', `a${'b'.repeat(63)}c`]) {
      expect(h.fail('CreateAppInstanceUser', { ...base, AppInstanceUserId: id }).message).toContain("Value at 'AppInstanceUserId'");
    }
    expect(h.fail('CreateAppInstanceUser', { ...base, AppInstanceUserId: 'x', Name: '   ' }).message).toContain("Value at 'Name'");
    expect(h.fail('CreateAppInstanceUser', { ...base, AppInstanceUserId: 'x', Name: 'n'.repeat(101) }).message).toContain("Value at 'Name'");
    const missing = h.fail('CreateAppInstanceUser', { ...base, AppInstanceArn: arn.replace(/.{4}$/, '0000'), AppInstanceUserId: 'x' });
    expect(missing).toMatchObject({ code: 'BadRequestException', message: expect.stringMatching(/^AppInstance .* not found$/) });
  });

  test('ListAppInstanceUsers pages in creation order; UpdateAppInstanceUser needs Name and Metadata', () => {
    const arn = h.instance();
    const arns = ['c', 'a', 'b'].map((id) => h.user(arn, id, { Metadata: `m-${id}` }));
    const first = h.call('ListAppInstanceUsers', { AppInstanceArn: arn, MaxResults: 2 });
    expect(first.AppInstanceArn).toBe(arn);
    expect(first.AppInstanceUsers).toEqual([
      { AppInstanceUserArn: arns[0], Name: 'c', Metadata: 'm-c' },
      { AppInstanceUserArn: arns[1], Name: 'a', Metadata: 'm-a' },
    ]);
    const second = h.call('ListAppInstanceUsers', { AppInstanceArn: arn, MaxResults: 2, NextToken: first.NextToken });
    expect(second).toEqual({ AppInstanceArn: arn, AppInstanceUsers: [{ AppInstanceUserArn: arns[2], Name: 'b', Metadata: 'm-b' }] });

    expect(h.fail('UpdateAppInstanceUser', { AppInstanceUserArn: arns[0], Name: 'x' }).message).toContain("Value at 'Metadata'");
    h.clock.advance(10);
    expect(h.call('UpdateAppInstanceUser', { AppInstanceUserArn: arns[0], Name: 'Carol', Metadata: 'new' })).toEqual({ AppInstanceUserArn: arns[0] });
    const user = h.call('DescribeAppInstanceUser', { AppInstanceUserArn: arns[0] }).AppInstanceUser;
    expect(user).toMatchObject({ Name: 'Carol', Metadata: 'new', LastUpdatedTimestamp: new Date(h.clock.ms), CreatedTimestamp: new Date(h.clock.ms - 10) });
  });

  test('DeleteAppInstanceUser removes the user, its endpoints, its tags and its admin role; deleting it again fails', () => {
    const arn = h.instance();
    const userArn = h.user(arn, 'alice', { Tags: [{ Key: 'a', Value: 'b' }] });
    h.call('CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: userArn });
    h.call('RegisterAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, Type: 'APNS', ResourceArn: PINPOINT_APP, EndpointAttributes: { DeviceToken: 'd' }, ClientRequestToken: token() });
    expect(h.call('DeleteAppInstanceUser', { AppInstanceUserArn: userArn })).toEqual({});
    expect(h.fail('DescribeAppInstanceUser', { AppInstanceUserArn: userArn }).message).toMatch(/not found/);
    expect(h.call('ListAppInstanceAdmins', { AppInstanceArn: arn }).AppInstanceAdmins).toEqual([]);
    expect(h.fail('ListAppInstanceUserEndpoints', { AppInstanceUserArn: userArn }).message).toMatch(/not found/);
    expect(h.fail('ListTagsForResource', { ResourceARN: userArn }).message).toMatch(/not found/);
    expect(h.fail('DeleteAppInstanceUser', { AppInstanceUserArn: userArn }).code).toBe('BadRequestException');
    // The id is free again: a new user, not the old one.
    expect(h.user(arn, 'alice')).toBe(userArn);
    expect(h.call('ListTagsForResource', { ResourceARN: userArn }).Tags).toEqual([]);
  });

  test('expiration: Put sets and (without settings) removes it; an expired user is deleted, new settings are honoured', () => {
    const arn = h.instance();
    const userArn = h.user(arn, 'temp', { ExpirationSettings: { ExpirationDays: 2, ExpirationCriterion: 'CREATED_TIMESTAMP' } });
    const keep = h.user(arn, 'keep');
    h.clock.advance(DAY_MS);
    const longer = { ExpirationDays: 3, ExpirationCriterion: 'CREATED_TIMESTAMP' };
    expect(h.call('PutAppInstanceUserExpirationSettings', { AppInstanceUserArn: userArn, ExpirationSettings: longer })).toEqual({
      AppInstanceUserArn: userArn,
      ExpirationSettings: longer,
    });
    h.clock.advance(DAY_MS + 1); // past the old expiration (2 days), before the new one (3 days from creation)
    expect(h.call('DescribeAppInstanceUser', { AppInstanceUserArn: userArn }).AppInstanceUser.ExpirationSettings).toEqual(longer);
    h.clock.advance(DAY_MS);
    expect(h.fail('DescribeAppInstanceUser', { AppInstanceUserArn: userArn }).message).toMatch(/not found/);
    expect(h.call('ListAppInstanceUsers', { AppInstanceArn: arn }).AppInstanceUsers.map((u: any) => u.AppInstanceUserArn)).toEqual([keep]);

    const other = h.user(arn, 'other', { ExpirationSettings: { ExpirationDays: 1, ExpirationCriterion: 'CREATED_TIMESTAMP' } });
    expect(h.call('PutAppInstanceUserExpirationSettings', { AppInstanceUserArn: other })).toEqual({ AppInstanceUserArn: other });
    expect(h.call('DescribeAppInstanceUser', { AppInstanceUserArn: other }).AppInstanceUser.ExpirationSettings).toBeUndefined();
    h.clock.advance(10 * DAY_MS);
    h.call('DescribeAppInstanceUser', { AppInstanceUserArn: other });

    for (const days of [0, 5476]) {
      expect(h.fail('PutAppInstanceUserExpirationSettings', { AppInstanceUserArn: other, ExpirationSettings: { ExpirationDays: days, ExpirationCriterion: 'CREATED_TIMESTAMP' } }).code).toBe(
        'BadRequestException',
      );
    }
    expect(h.fail('PutAppInstanceUserExpirationSettings', { AppInstanceUserArn: other, ExpirationSettings: { ExpirationDays: 1, ExpirationCriterion: 'LAST_ACTIVE' } }).code).toBe(
      'BadRequestException',
    );
  });

  test('expirationDelayMs postpones the removal of expired users', () => {
    h = harness({ expirationDelayMs: 6 * 3600_000 });
    const arn = h.instance();
    const userArn = h.user(arn, 'temp', { ExpirationSettings: { ExpirationDays: 1, ExpirationCriterion: 'CREATED_TIMESTAMP' } });
    h.clock.advance(DAY_MS + 6 * 3600_000 - 1);
    h.call('DescribeAppInstanceUser', { AppInstanceUserArn: userArn });
    h.clock.advance(1);
    h.fail('DescribeAppInstanceUser', { AppInstanceUserArn: userArn });
  });

  test('quota: users per app instance', () => {
    h = harness({ limits: { usersPerAppInstance: 1 } });
    const arn = h.instance();
    h.user(arn, 'a');
    expect(h.fail('CreateAppInstanceUser', { AppInstanceArn: arn, AppInstanceUserId: 'b', Name: 'b', ClientRequestToken: token() }).code).toBe('ResourceLimitExceededException');
  });
});

describe('admins', () => {
  test('promote a user: Create answers the identity; Describe and List show it; promoting again is ConflictException', () => {
    const arn = h.instance();
    const userArn = h.user(arn, 'alice', { Name: 'Alice' });
    expect(h.call('CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: userArn })).toEqual({
      AppInstanceAdmin: { Arn: userArn, Name: 'Alice' },
      AppInstanceArn: arn,
    });
    expect(h.call('DescribeAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: userArn })).toEqual({
      AppInstanceAdmin: { Admin: { Arn: userArn, Name: 'Alice' }, AppInstanceArn: arn, CreatedTimestamp: new Date(h.clock.ms) },
    });
    expect(h.call('ListAppInstanceAdmins', { AppInstanceArn: arn })).toEqual({ AppInstanceArn: arn, AppInstanceAdmins: [{ Admin: { Arn: userArn, Name: 'Alice' } }] });
    expect(h.fail('CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: userArn }).code).toBe('ConflictException');
    // The admin's name follows the user's.
    h.call('UpdateAppInstanceUser', { AppInstanceUserArn: userArn, Name: 'Alice B', Metadata: '' });
    expect(h.call('ListAppInstanceAdmins', { AppInstanceArn: arn }).AppInstanceAdmins).toEqual([{ Admin: { Arn: userArn, Name: 'Alice B' } }]);
  });

  test('DeleteAppInstanceAdmin demotes: the user remains; demoting again or describing the role fails', () => {
    const arn = h.instance();
    const userArn = h.user(arn, 'alice');
    h.call('CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: userArn });
    expect(h.call('DeleteAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: userArn })).toEqual({});
    expect(h.call('DescribeAppInstanceUser', { AppInstanceUserArn: userArn }).AppInstanceUser.AppInstanceUserArn).toBe(userArn);
    expect(h.call('ListAppInstanceAdmins', { AppInstanceArn: arn }).AppInstanceAdmins).toEqual([]);
    expect(h.fail('DescribeAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: userArn })).toMatchObject({
      code: 'BadRequestException',
      message: expect.stringContaining('is not an AppInstanceAdmin'),
    });
    expect(h.fail('DeleteAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: userArn }).code).toBe('BadRequestException');
    // Promote again works.
    h.call('CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: userArn });
  });

  test('a bot can be promoted; deleting the bot removes the role; only members of this instance qualify', () => {
    const arn = h.instance();
    const botArn = h.bot(arn, { Name: 'Helper' });
    expect(h.call('CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: botArn }).AppInstanceAdmin).toEqual({ Arn: botArn, Name: 'Helper' });
    h.call('DeleteAppInstanceBot', { AppInstanceBotArn: botArn });
    expect(h.call('ListAppInstanceAdmins', { AppInstanceArn: arn }).AppInstanceAdmins).toEqual([]);

    const otherUser = h.user(h.instance('other'), 'bob');
    expect(h.fail('CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: otherUser }).message).toContain('of the AppInstance in AppInstanceArn');
    expect(h.fail('CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: arn }).message).toContain('AppInstanceUser or AppInstanceBot');
    expect(h.fail('CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: `${arn}/user/ghost` }).message).toMatch(/not found/);
  });

  test('ListAppInstanceAdmins pages; quota: admins per app instance', () => {
    h = harness({ limits: { adminsPerAppInstance: 3 } });
    const arn = h.instance();
    const users = ['a', 'b', 'c', 'd'].map((id) => h.user(arn, id));
    for (const u of users.slice(0, 3)) h.call('CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: u });
    expect(h.fail('CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: users[3] }).code).toBe('ResourceLimitExceededException');
    const one = h.call('ListAppInstanceAdmins', { AppInstanceArn: arn, MaxResults: 2 });
    const two = h.call('ListAppInstanceAdmins', { AppInstanceArn: arn, MaxResults: 2, NextToken: one.NextToken });
    expect([...one.AppInstanceAdmins, ...two.AppInstanceAdmins].map((a: any) => a.Admin.Arn)).toEqual(users.slice(0, 3));
    expect(two.NextToken).toBeUndefined();
  });
});

describe('bots', () => {
  test('Create: ARN {instance}/bot/{uuid}; Describe shows name, metadata, configuration and timestamps', () => {
    const arn = h.instance();
    const config = { Lex: { ...LEX, WelcomeIntent: 'Welcome_Intent' } };
    const out = h.call('CreateAppInstanceBot', { AppInstanceArn: arn, Name: 'Helper', Metadata: 'm', Configuration: config, ClientRequestToken: token(), Tags: [{ Key: 'k', Value: 'v' }] });
    expect(out.AppInstanceBotArn).toMatch(new RegExp(`^${arn}/bot/${UUID}$`));
    expect(h.call('DescribeAppInstanceBot', { AppInstanceBotArn: out.AppInstanceBotArn })).toEqual({
      AppInstanceBot: {
        AppInstanceBotArn: out.AppInstanceBotArn,
        Name: 'Helper',
        Metadata: 'm',
        Configuration: config,
        CreatedTimestamp: new Date(h.clock.ms),
        LastUpdatedTimestamp: new Date(h.clock.ms),
      },
    });
    expect(h.call('ListTagsForResource', { ResourceARN: out.AppInstanceBotArn }).Tags).toEqual([{ Key: 'k', Value: 'v' }]);
  });

  test('Lex configuration: exactly one of InvokedBy and the deprecated RespondsTo; the model checks the alias ARN and enums', () => {
    const arn = h.instance();
    const create = (lex: Record<string, unknown>) => ({ AppInstanceArn: arn, Configuration: { Lex: lex }, ClientRequestToken: token() });
    h.call('CreateAppInstanceBot', create({ LexBotAliasArn: LEX_ALIAS, LocaleId: 'en_US', RespondsTo: 'STANDARD_MESSAGES' }));
    expect(h.fail('CreateAppInstanceBot', create({ LexBotAliasArn: LEX_ALIAS, LocaleId: 'en_US' })).message).toContain("Value at 'Configuration.Lex'");
    expect(h.fail('CreateAppInstanceBot', create({ ...LEX, RespondsTo: 'STANDARD_MESSAGES' })).message).toContain('not both');
    expect(h.fail('CreateAppInstanceBot', create({ ...LEX, LexBotAliasArn: 'arn:aws:lex:us-east-1:1:bot/x' })).message).toContain('LexBotAliasArn');
    expect(h.fail('CreateAppInstanceBot', create({ ...LEX, InvokedBy: { StandardMessages: 'SOME', TargetedMessages: 'ALL' } })).code).toBe('BadRequestException');
    expect(h.fail('CreateAppInstanceBot', { AppInstanceArn: arn, ClientRequestToken: token() }).message).toContain("Value at 'Configuration'");
    expect(h.fail('CreateAppInstanceBot', { ...create(LEX), Name: '' }).message).toContain("Value at 'Name'");
  });

  test('Update needs Name and Metadata; Configuration replaces the old one when given and stays when not; List pages', () => {
    const arn = h.instance();
    const botArn = h.bot(arn, { Name: 'one', Metadata: 'a' });
    h.bot(arn, { Name: 'two' });
    expect(h.fail('UpdateAppInstanceBot', { AppInstanceBotArn: botArn, Name: 'x' }).message).toContain("Value at 'Metadata'");
    h.clock.advance(7);
    expect(h.call('UpdateAppInstanceBot', { AppInstanceBotArn: botArn, Name: 'uno', Metadata: 'b' })).toEqual({ AppInstanceBotArn: botArn });
    expect(h.call('DescribeAppInstanceBot', { AppInstanceBotArn: botArn }).AppInstanceBot).toMatchObject({
      Name: 'uno',
      Metadata: 'b',
      Configuration: { Lex: LEX },
      LastUpdatedTimestamp: new Date(h.clock.ms),
    });
    const replaced = { Lex: { LexBotAliasArn: LEX_ALIAS, LocaleId: 'de_DE', RespondsTo: 'STANDARD_MESSAGES' } };
    h.call('UpdateAppInstanceBot', { AppInstanceBotArn: botArn, Name: 'uno', Metadata: 'b', Configuration: replaced });
    expect(h.call('DescribeAppInstanceBot', { AppInstanceBotArn: botArn }).AppInstanceBot.Configuration).toEqual(replaced);

    const page1 = h.call('ListAppInstanceBots', { AppInstanceArn: arn, MaxResults: 1 });
    expect(page1.AppInstanceBots).toEqual([{ AppInstanceBotArn: botArn, Name: 'uno', Metadata: 'b' }]);
    const page2 = h.call('ListAppInstanceBots', { AppInstanceArn: arn, MaxResults: 1, NextToken: page1.NextToken });
    expect(page2).toEqual({ AppInstanceArn: arn, AppInstanceBots: [{ AppInstanceBotArn: expect.any(String), Name: 'two' }] });
  });

  test('Delete; afterwards DescribeAppInstanceBot is NotFoundException (the one operation that lists it), the others BadRequestException', () => {
    const arn = h.instance();
    const botArn = h.bot(arn);
    expect(h.call('DeleteAppInstanceBot', { AppInstanceBotArn: botArn })).toEqual({});
    expect(h.fail('DescribeAppInstanceBot', { AppInstanceBotArn: botArn })).toMatchObject({ code: 'NotFoundException', message: expect.stringMatching(/not found/) });
    expect(h.fail('UpdateAppInstanceBot', { AppInstanceBotArn: botArn, Name: 'x', Metadata: '' }).code).toBe('BadRequestException');
    expect(h.fail('DeleteAppInstanceBot', { AppInstanceBotArn: botArn }).code).toBe('BadRequestException');
    expect(h.call('ListAppInstanceBots', { AppInstanceArn: arn }).AppInstanceBots).toEqual([]);
  });

  test('quota: bots per app instance', () => {
    h = harness({ limits: { botsPerAppInstance: 1 } });
    const arn = h.instance();
    h.bot(arn);
    expect(h.fail('CreateAppInstanceBot', { AppInstanceArn: arn, Configuration: { Lex: LEX }, ClientRequestToken: token() }).code).toBe('ResourceLimitExceededException');
  });
});

describe('user endpoints', () => {
  function setup() {
    const arn = h.instance();
    const userArn = h.user(arn, 'alice');
    return { arn, userArn };
  }
  const register = (userArn: string, extra: Record<string, any> = {}) =>
    h.call('RegisterAppInstanceUserEndpoint', {
      AppInstanceUserArn: userArn,
      Name: 'phone',
      Type: 'APNS',
      ResourceArn: PINPOINT_APP,
      EndpointAttributes: { DeviceToken: 'device-token', VoipDeviceToken: 'voip-token' },
      ClientRequestToken: token(),
      ...extra,
    });

  test('Register: a 64-hex id; Describe returns everything, device tokens included; ACTIVE; AllowMessages defaults to ALL', () => {
    const { userArn } = setup();
    const out = register(userArn);
    expect(out).toEqual({ AppInstanceUserArn: userArn, EndpointId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(h.call('DescribeAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, EndpointId: out.EndpointId })).toEqual({
      AppInstanceUserEndpoint: {
        AppInstanceUserArn: userArn,
        EndpointId: out.EndpointId,
        Name: 'phone',
        Type: 'APNS',
        ResourceArn: PINPOINT_APP,
        EndpointAttributes: { DeviceToken: 'device-token', VoipDeviceToken: 'voip-token' },
        CreatedTimestamp: new Date(h.clock.ms),
        LastUpdatedTimestamp: new Date(h.clock.ms),
        AllowMessages: 'ALL',
        EndpointState: { Status: 'ACTIVE' },
      },
    });
  });

  test('a ResourceArn that is no Pinpoint application ARN: the endpoint is INACTIVE with INVALID_PINPOINT_ARN', () => {
    const { userArn } = setup();
    const { EndpointId } = register(userArn, { ResourceArn: 'arn:aws:sns:us-east-1:123456789012:app/GCM/x', Type: 'GCM', EndpointAttributes: { DeviceToken: 'g' } });
    expect(h.call('ListAppInstanceUserEndpoints', { AppInstanceUserArn: userArn }).AppInstanceUserEndpoints).toEqual([
      { AppInstanceUserArn: userArn, EndpointId, Name: 'phone', Type: 'GCM', AllowMessages: 'ALL', EndpointState: { Status: 'INACTIVE', StatusReason: 'INVALID_PINPOINT_ARN' } },
    ]);
  });

  test('the same device token twice for one user is ConflictException; VOIP tokens only for APNS; enums and required members', () => {
    const { arn, userArn } = setup();
    register(userArn);
    expect(register.bind(null, userArn)).toThrow(/already registered/);
    expect(h.fail('RegisterAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, Type: 'APNS', ResourceArn: PINPOINT_APP, EndpointAttributes: { DeviceToken: 'device-token' }, ClientRequestToken: token() }).code).toBe(
      'ConflictException',
    );
    // Another user may register the same device.
    register(h.user(arn, 'bob'));
    // A different type is another endpoint.
    register(userArn, { Type: 'APNS_SANDBOX' });
    const base = { AppInstanceUserArn: userArn, ResourceArn: PINPOINT_APP, ClientRequestToken: token() };
    expect(h.fail('RegisterAppInstanceUserEndpoint', { ...base, Type: 'GCM', EndpointAttributes: { DeviceToken: 'x', VoipDeviceToken: 'v' } }).message).toContain('VoipDeviceToken');
    expect(h.fail('RegisterAppInstanceUserEndpoint', { ...base, Type: 'WNS', EndpointAttributes: { DeviceToken: 'x' } }).message).toContain("Value at 'Type'");
    expect(h.fail('RegisterAppInstanceUserEndpoint', { ...base, Type: 'GCM', EndpointAttributes: {} }).message).toContain('DeviceToken');
    expect(h.fail('RegisterAppInstanceUserEndpoint', { ...base, Type: 'GCM', EndpointAttributes: { DeviceToken: 'x' }, AllowMessages: 'SOME' }).code).toBe('BadRequestException');
  });

  test('Update changes Name and AllowMessages; List pages; Deregister removes; deregistering again fails', () => {
    const { userArn } = setup();
    const ids = ['a', 'b', 'c'].map((t) => register(userArn, { EndpointAttributes: { DeviceToken: t } }).EndpointId);
    h.clock.advance(3);
    expect(h.call('UpdateAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, EndpointId: ids[0], AllowMessages: 'NONE' })).toEqual({ AppInstanceUserArn: userArn, EndpointId: ids[0] });
    h.call('UpdateAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, EndpointId: ids[1], Name: 'tablet' });
    const one = h.call('DescribeAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, EndpointId: ids[0] }).AppInstanceUserEndpoint;
    expect(one).toMatchObject({ Name: 'phone', AllowMessages: 'NONE', LastUpdatedTimestamp: new Date(h.clock.ms) });
    const page1 = h.call('ListAppInstanceUserEndpoints', { AppInstanceUserArn: userArn, MaxResults: 2 });
    expect(page1.AppInstanceUserEndpoints.map((e: any) => [e.EndpointId, e.Name, e.AllowMessages])).toEqual([
      [ids[0], 'phone', 'NONE'],
      [ids[1], 'tablet', 'ALL'],
    ]);
    const page2 = h.call('ListAppInstanceUserEndpoints', { AppInstanceUserArn: userArn, MaxResults: 2, NextToken: page1.NextToken });
    expect(page2.AppInstanceUserEndpoints.map((e: any) => e.EndpointId)).toEqual([ids[2]]);
    expect(page2.NextToken).toBeUndefined();

    expect(h.call('DeregisterAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, EndpointId: ids[1] })).toEqual({});
    expect(h.fail('DescribeAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, EndpointId: ids[1] }).message).toMatch(/not found/);
    expect(h.fail('DeregisterAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, EndpointId: ids[1] })).toMatchObject({ code: 'BadRequestException' });
    expect(h.fail('UpdateAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, EndpointId: 'nope', Name: 'x' }).code).toBe('BadRequestException');
    expect(h.fail('DescribeAppInstanceUserEndpoint', { AppInstanceUserArn: 'not-an-arn', EndpointId: ids[0] }).code).toBe('BadRequestException');
  });

  test('quota: 10 endpoints per user by default → ResourceLimitExceededException', () => {
    const { userArn } = setup();
    for (let i = 0; i < 10; i++) register(userArn, { EndpointAttributes: { DeviceToken: `d${i}` } });
    expect(
      h.fail('RegisterAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, Type: 'GCM', ResourceArn: PINPOINT_APP, EndpointAttributes: { DeviceToken: 'd10' }, ClientRequestToken: token() }).code,
    ).toBe('ResourceLimitExceededException');
  });
});

describe('tags', () => {
  test('TagResource adds and overwrites, UntagResource ignores missing keys, on instances, users and bots', () => {
    const arn = h.instance('i', { Tags: [{ Key: 'a', Value: '1' }] });
    for (const resource of [arn, h.user(arn, 'u'), h.bot(arn)]) {
      h.call('TagResource', { ResourceARN: resource, Tags: [{ Key: 'b', Value: '2' }, { Key: 'c', Value: '3' }] });
      h.call('TagResource', { ResourceARN: resource, Tags: [{ Key: 'b', Value: '20' }] });
      h.call('UntagResource', { ResourceARN: resource, TagKeys: ['c', 'missing'] });
      const tags = h.call('ListTagsForResource', { ResourceARN: resource }).Tags;
      expect(tags).toEqual(resource === arn ? [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '20' }] : [{ Key: 'b', Value: '20' }]);
    }
  });

  test('at most 50 tags per resource → ResourceLimitExceededException; overwriting does not count twice', () => {
    const arn = h.instance();
    const tags = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${from + i}`, Value: 'v' }));
    h.call('TagResource', { ResourceARN: arn, Tags: tags(0, 49) });
    h.call('TagResource', { ResourceARN: arn, Tags: tags(0, 50) });
    expect(h.fail('TagResource', { ResourceARN: arn, Tags: tags(50, 1) })).toMatchObject({ code: 'ResourceLimitExceededException', message: expect.stringContaining('at most 50') });
    expect(h.call('ListTagsForResource', { ResourceARN: arn }).Tags).toHaveLength(50);
    expect(h.fail('TagResource', { ResourceARN: arn, Tags: tags(100, 51) }).code).toBe('BadRequestException');
  });

  test('unknown, foreign and untaggable ARNs; reserved and duplicate keys', () => {
    const arn = h.instance();
    expect(h.fail('ListTagsForResource', { ResourceARN: `${arn}/user/ghost` }).message).toMatch(/not found/);
    expect(h.fail('TagResource', { ResourceARN: arn.replace(ACCOUNT, '111111111111'), Tags: [{ Key: 'a', Value: 'b' }] }).code).toBe('ForbiddenException');
    expect(h.fail('ListTagsForResource', { ResourceARN: 'arn:aws:sns:us-east-1:123456789012:topic' }).message).toContain('must be the ARN of an AppInstance or AppInstanceUser or AppInstanceBot');
    expect(h.fail('TagResource', { ResourceARN: arn, Tags: [{ Key: 'AWS:x', Value: 'b' }] }).message).toContain('reserved prefix');
    expect(h.fail('UntagResource', { ResourceARN: arn, TagKeys: ['a', 'a'] }).message).toContain('Duplicate tag key');
    expect(h.fail('UntagResource', { ResourceARN: arn, TagKeys: [] }).code).toBe('BadRequestException');
  });
});

describe('options', () => {
  test("notFound: 'NotFoundException' answers 404 for every lookup", () => {
    h = harness({ notFound: 'NotFoundException' }, false);
    const arn = h.instance();
    expect(h.fail('DescribeAppInstanceUser', { AppInstanceUserArn: `${arn}/user/ghost` }).code).toBe('NotFoundException');
    expect(h.fail('DeleteAppInstance', { AppInstanceArn: arn.replace(/.{4}$/, '0000') }).code).toBe('NotFoundException');
  });

  test('a seed makes ids repeatable; ids never repeat after an import', () => {
    const a = harness({ seed: 7 });
    const b = harness({ seed: 7 });
    const first = a.instance();
    expect(b.instance()).toBe(first);
    expect(a.bot(first)).toBe(b.bot(first));
    const c = harness({ seed: 7 });
    c.svc.importState(a.svc.exportState());
    expect(c.instance()).not.toBe(first);
    expect(harness({ seed: 8 }).instance()).not.toBe(first);
  });
});

describe('state', () => {
  test('export → JSON → import round-trips everything; reset empties; bad states are refused', () => {
    const arn = h.instance('i', { Metadata: 'm', Tags: [{ Key: 'k', Value: 'v' }] });
    const userArn = h.user(arn, 'alice', { ExpirationSettings: { ExpirationDays: 5, ExpirationCriterion: 'CREATED_TIMESTAMP' } });
    const botArn = h.bot(arn);
    h.call('CreateAppInstanceAdmin', { AppInstanceArn: arn, AppInstanceAdminArn: botArn });
    h.call('PutAppInstanceRetentionSettings', { AppInstanceArn: arn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 9 } } });
    const { EndpointId } = h.call('RegisterAppInstanceUserEndpoint', {
      AppInstanceUserArn: userArn,
      Type: 'GCM',
      ResourceArn: PINPOINT_APP,
      EndpointAttributes: { DeviceToken: 'd' },
      ClientRequestToken: token(),
    });
    const reads = (x: Harness) => ({
      instance: x.call('DescribeAppInstance', { AppInstanceArn: arn }),
      user: x.call('DescribeAppInstanceUser', { AppInstanceUserArn: userArn }),
      bot: x.call('DescribeAppInstanceBot', { AppInstanceBotArn: botArn }),
      admins: x.call('ListAppInstanceAdmins', { AppInstanceArn: arn }),
      retention: x.call('GetAppInstanceRetentionSettings', { AppInstanceArn: arn }),
      endpoint: x.call('DescribeAppInstanceUserEndpoint', { AppInstanceUserArn: userArn, EndpointId }),
      tags: x.call('ListTagsForResource', { ResourceARN: arn }),
    });
    const exported = h.svc.exportState();
    const text = JSON.stringify(exported);
    expect(JSON.parse(text)).toEqual(exported); // plain JSON: no Dates, no undefined surprises
    const copy = harness();
    copy.clock.ms = h.clock.ms;
    copy.svc.importState(JSON.parse(text));
    expect(reads(copy)).toEqual(reads(h));
    // The import is a copy: changing one does not change the other.
    copy.call('UpdateAppInstance', { AppInstanceArn: arn, Name: 'changed', Metadata: '' });
    expect(h.call('DescribeAppInstance', { AppInstanceArn: arn }).AppInstance.Name).toBe('i');

    h.svc.reset();
    expect(h.call('ListAppInstances', {})).toEqual({ AppInstances: [] });
    copy.svc.importState(undefined);
    expect(copy.svc.exportState()).toEqual({ version: 1, seq: 0, ids: 0, instances: {} });
    expect(() => copy.svc.importState({ version: 2 })).toThrow(/not a Chime SDK Identity emulator state/);
    expect(() => copy.svc.importState('x')).toThrow();
  });

  test('the service is what createEmulator uses: the model, all 30 operations, validate and tick', () => {
    const svc = createChimeService();
    expect(Object.keys(svc.operations).sort()).toEqual(Object.keys(svc.model.operations).sort());
    expect(Object.keys(svc.operations)).toHaveLength(30);
    expect(typeof svc.validate).toBe('function');
    expect(typeof svc.tick).toBe('function');
  });
});
