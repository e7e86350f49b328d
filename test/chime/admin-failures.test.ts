import { ChimeSDKIdentityClient, CreateAppInstanceAdminCommand } from '@aws-sdk/client-chime-sdk-identity';
import { parseFailedCreateId } from '../../lambda/core/calls';
import { CREATE_FAILED_PREFIX } from '../../lambda/core/dispatcher';
import { Harness, startHarness } from '../harness/handler-harness';

/**
 * ChimeAppInstanceAdmin and roles held before the stack: a failed create never demotes a role
 * it did not give, nor does the Delete of a failed id that has no record of its calls.
 */
let h: Harness;
let chime: ChimeSDKIdentityClient;
let instanceArn: string;
const ADMIN = 'Custom::ChimeAppInstanceAdmin';
const LEGACY_FAILED_ID = `${CREATE_FAILED_PREFIX}0b7c9e2a-0000-4000-8000-0000000000c1`;

beforeAll(async () => {
  h = await startHarness({ seed: 34 });
  // The harness points the SDK at the emulator (AWS_ENDPOINT_URL_CHIME_SDK_IDENTITY).
  chime = new ChimeSDKIdentityClient({ region: 'us-east-1', maxAttempts: 1 });
  instanceArn = (await h.create({ type: 'Custom::ChimeAppInstance', props: { Name: 'admins' } })).PhysicalResourceId!;
});
afterAll(async () => {
  chime.destroy();
  await h.close();
});
beforeEach(() => h.emulator.clearFaults());

const admins = () => Object.keys(h.emulator.services.chime.store.state.instances[instanceArn].admins);
const newUser = async (id: string) => (await h.create({ type: 'Custom::ChimeAppInstanceUser', props: { AppInstanceArn: instanceArn, AppInstanceUserId: id, Name: id } })).PhysicalResourceId!;
/** Someone outside the stack promotes a user. */
const promoteElsewhere = (arn: string) => chime.send(new CreateAppInstanceAdminCommand({ AppInstanceArn: instanceArn, AppInstanceAdminArn: arn }));

test('a role held before: CreateAppInstanceAdmin fails once (500, then 409 on the retry) and the confirmation fails; the Delete of the failed id keeps the role', async () => {
  // given a user promoted outside the stack
  const user = await newUser('held-before');
  await promoteElsewhere(user);
  // when the create meets a 500 on the promotion and failures on every look
  h.emulator.addFault({ operation: 'CreateAppInstanceAdmin', kind: 'error', count: 1 });
  h.emulator.addFault({ operation: 'DescribeAppInstanceAdmin', kind: 'error', count: 5 });
  const props = { AppInstanceArn: instanceArn, AdminArn: user };
  const failed = await h.create({ type: ADMIN, props });
  expect(failed.Status).toBe('FAILED');
  // then CloudFormation's Delete of the failed id demotes nobody: the failed id counts no promotion
  h.emulator.clearFaults();
  expect((await h.remove({ type: ADMIN, props, physicalId: failed.PhysicalResourceId! })).Status).toBe('SUCCESS');
  expect(admins()).toContain(user);
  expect(parseFailedCreateId(CREATE_FAILED_PREFIX, failed.PhysicalResourceId!).made.mayHave('CreateAppInstanceAdmin')).toBe(false);
});

test('a role held before is refused unless adopted; adopted, it is taken over without CreateAppInstanceAdmin; deleting the construct demotes it (the construct declares the role)', async () => {
  const user = await newUser('taken-over');
  await promoteElsewhere(user);
  h.clearCalls();
  const props = { AppInstanceArn: instanceArn, AdminArn: user };
  const refused = await h.create({ type: ADMIN, props });
  expect(refused.Status).toBe('FAILED');
  expect(refused.Reason).toContain(`the admin role of ${user} in ${instanceArn} already exists, and no stack owns it`);
  expect(admins()).toContain(user);
  h.clearCalls();
  const id = (await h.create({ type: ADMIN, props: { ...props, AdoptExisting: 'declared' } })).PhysicalResourceId!;
  expect(id).toBe(`${instanceArn}|${user}`);
  expect(h.calls('chime').map((c) => c.operation).filter((o) => !o.startsWith('Describe'))).toEqual([]);
  expect((await h.remove({ type: ADMIN, props, physicalId: id })).Status).toBe('SUCCESS');
  expect(admins()).not.toContain(user);
});

test('the Delete of a legacy failed id (no made=) demotes nobody: it cannot tell a role the create gave from one held before', async () => {
  const user = await newUser('legacy');
  await promoteElsewhere(user);
  const props = { AppInstanceArn: instanceArn, AdminArn: user };
  expect((await h.remove({ type: ADMIN, props, physicalId: LEGACY_FAILED_ID })).Status).toBe('SUCCESS');
  expect(admins()).toContain(user);
  expect(h.logs.some((l) => /leaving the admin role/.test(l))).toBe(true);
});

test('a promotion whose every answer is lost fails, and the Delete of its failed id demotes the role it gave', async () => {
  const user = await newUser('lost-answers');
  const props = { AppInstanceArn: instanceArn, AdminArn: user };
  h.emulator.addFault({ operation: 'CreateAppInstanceAdmin', kind: 'drop-after-commit', count: 5 });
  const failed = await h.create({ type: ADMIN, props });
  expect(failed.Status).toBe('FAILED');
  expect(admins()).toContain(user);
  h.emulator.clearFaults();
  expect((await h.remove({ type: ADMIN, props, physicalId: failed.PhysicalResourceId! })).Status).toBe('SUCCESS');
  expect(admins()).not.toContain(user);
});

test('a failed move to another admin who held the role before: the immediate cleanup demotes nobody', async () => {
  const first = await newUser('move-from');
  const other = await newUser('move-to');
  const here = { AppInstanceArn: instanceArn, AdminArn: first };
  const id = (await h.create({ type: ADMIN, props: here })).PhysicalResourceId!;
  await promoteElsewhere(other);
  h.emulator.addFault({ operation: 'CreateAppInstanceAdmin', kind: 'error', count: 1 });
  h.emulator.addFault({ operation: 'DescribeAppInstanceAdmin', kind: 'error', count: 5 });
  const failed = await h.update({ type: ADMIN, props: { ...here, AdminArn: other }, oldProps: here, physicalId: id });
  expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id });
  expect(admins()).toEqual(expect.arrayContaining([first, other]));
});
