import * as c from '@aws-sdk/client-chime-sdk-identity';
import { Harness, startHarness } from '../harness/handler-harness';
import { driftOf, repairOf, roundTrip as sharedRoundTrip, writesOf } from './harness';

/**
 * Drift of every Chime SDK Identity resource type, as for Wickr: declared values changed by
 * hand are MODIFIED and repaired with what drifted only; what the template does not declare
 * is not drift; a resource deleted (or an admin demoted) by hand is DELETED.
 */
let h: Harness;
let chime: c.ChimeSDKIdentityClient;
let instanceArn: string;
const PINPOINT_APP = 'arn:aws:mobiletargeting:us-east-1:123456789012:apps/0123456789abcdef0123456789abcdef';
const LEX = { LexBotAliasArn: 'arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/KLMNOPQRST', LocaleId: 'en_US', InvokedBy: { StandardMessages: 'MENTIONS' as const, TargetedMessages: 'ALL' as const } };

beforeAll(async () => {
  h = await startHarness({ seed: 43 });
  chime = new c.ChimeSDKIdentityClient({ region: 'us-east-1', maxAttempts: 1 });
  instanceArn = (await h.create({ type: 'Custom::ChimeAppInstance', props: { Name: 'drift-chat' } })).PhysicalResourceId!;
});
afterAll(() => h.close());

const writes = () => writesOf(h, 'chime');

const roundTrip = (type: string, props: Record<string, unknown>, byHand: (id: string) => Promise<unknown>, expected: { paths: string[]; repairCalls: string[] }) =>
  sharedRoundTrip(h, 'chime', type, props, byHand, expected);

test('ChimeAppInstance: metadata, retention and a tag changed by hand; a tag added by hand is not drift', async () => {
  const props = { Name: 'support', Metadata: 'v1', RetentionDays: '365', Tags: [{ Key: 'team', Value: 'platform' }] };
  await roundTrip(
    'Custom::ChimeAppInstance',
    props,
    async (arn) => {
      await chime.send(new c.UpdateAppInstanceCommand({ AppInstanceArn: arn, Name: 'support', Metadata: 'edited' }));
      await chime.send(new c.PutAppInstanceRetentionSettingsCommand({ AppInstanceArn: arn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 30 } } }));
      await chime.send(new c.TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'team', Value: 'other' }, { Key: 'extra', Value: 'x' }] }));
    },
    { paths: ['Metadata', 'RetentionDays', 'Tags[team]'], repairCalls: ['UpdateAppInstance', 'PutAppInstanceRetentionSettings', 'TagResource'] },
  );
});

test('ChimeAppInstanceRetention: retention cleared by hand is drift (null), and repaired', async () => {
  const props = { AppInstanceArn: instanceArn, RetentionDays: '90' };
  const id = (await h.create({ type: 'Custom::ChimeAppInstanceRetention', props })).PhysicalResourceId!;
  await chime.send(new c.PutAppInstanceRetentionSettingsCommand({ AppInstanceArn: instanceArn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 7 } } }));
  expect((await driftOf(h, 'Custom::ChimeAppInstanceRetention', id, props)).drifts).toEqual([{ path: 'RetentionDays', expected: 90, actual: 7 }]);
  h.clearCalls();
  expect(await repairOf(h, 'Custom::ChimeAppInstanceRetention', id, props)).toEqual({ Status: 'SUCCESS' });
  expect(writes()).toEqual(['PutAppInstanceRetentionSettings']);
  expect(await driftOf(h, 'Custom::ChimeAppInstanceRetention', id, props)).toMatchObject({ status: 'IN_SYNC' });
});

test('ChimeAppInstanceUser: name and expiration changed by hand; deleted by hand is DELETED', async () => {
  const props = { AppInstanceArn: instanceArn, AppInstanceUserId: 'ann', Name: 'Ann', ExpirationDays: '365' };
  const arn = await roundTrip(
    'Custom::ChimeAppInstanceUser',
    props,
    async (id) => {
      await chime.send(new c.UpdateAppInstanceUserCommand({ AppInstanceUserArn: id, Name: 'Annie', Metadata: '' }));
      await chime.send(new c.PutAppInstanceUserExpirationSettingsCommand({ AppInstanceUserArn: id, ExpirationSettings: { ExpirationCriterion: 'CREATED_TIMESTAMP', ExpirationDays: 30 } }));
    },
    { paths: ['Name', 'ExpirationDays'], repairCalls: ['UpdateAppInstanceUser', 'PutAppInstanceUserExpirationSettings'] },
  );
  await chime.send(new c.DeleteAppInstanceUserCommand({ AppInstanceUserArn: arn }));
  expect(await driftOf(h, 'Custom::ChimeAppInstanceUser', arn, props)).toMatchObject({ status: 'DELETED', drifts: [] });
});

test('ChimeAppInstanceAdmin: demoted by hand is DELETED', async () => {
  const user = (await h.create({ type: 'Custom::ChimeAppInstanceUser', props: { AppInstanceArn: instanceArn, AppInstanceUserId: 'lead', Name: 'Lead' } })).PhysicalResourceId!;
  const props = { AppInstanceArn: instanceArn, AdminArn: user };
  const id = (await h.create({ type: 'Custom::ChimeAppInstanceAdmin', props })).PhysicalResourceId!;
  expect(await driftOf(h, 'Custom::ChimeAppInstanceAdmin', id, props)).toMatchObject({ status: 'IN_SYNC' });
  await chime.send(new c.DeleteAppInstanceAdminCommand({ AppInstanceArn: instanceArn, AppInstanceAdminArn: user }));
  expect(await driftOf(h, 'Custom::ChimeAppInstanceAdmin', id, props)).toMatchObject({ status: 'DELETED' });
});

test('ChimeAppInstanceBot: metadata and the Lex locale changed by hand', async () => {
  const props = { AppInstanceArn: instanceArn, Name: 'helper', Metadata: 'v1', Lex: LEX };
  await roundTrip(
    'Custom::ChimeAppInstanceBot',
    props,
    (arn) => chime.send(new c.UpdateAppInstanceBotCommand({ AppInstanceBotArn: arn, Name: 'helper', Metadata: 'edited', Configuration: { Lex: { ...LEX, LocaleId: 'de_DE' } } })),
    { paths: ['Metadata', 'Lex.LocaleId'], repairCalls: ['UpdateAppInstanceBot'] },
  );
});

test('ChimeAppInstanceUserEndpoint: allow-messages changed by hand; the device token is never shown', async () => {
  const userArn = (await h.create({ type: 'Custom::ChimeAppInstanceUser', props: { AppInstanceArn: instanceArn, AppInstanceUserId: 'mobile', Name: 'Mobile' } })).PhysicalResourceId!;
  const token = h.emulator.secrets.createSecret({ name: 'device', secretString: 'device-token-8c1f' });
  const props = { AppInstanceUserArn: userArn, Type: 'GCM', ResourceArn: PINPOINT_APP, DeviceToken: { SecretArn: token }, Name: 'phone', AllowMessages: 'ALL' };
  const id = await roundTrip(
    'Custom::ChimeAppInstanceUserEndpoint',
    props,
    (physicalId) => chime.send(new c.UpdateAppInstanceUserEndpointCommand({ AppInstanceUserArn: userArn, EndpointId: physicalId.split('/endpoints/')[1], AllowMessages: 'NONE' })),
    { paths: ['AllowMessages'], repairCalls: ['UpdateAppInstanceUserEndpoint'] },
  );
  expect(JSON.stringify(await driftOf(h, 'Custom::ChimeAppInstanceUserEndpoint', id, props))).not.toContain('device-token-8c1f');
});
