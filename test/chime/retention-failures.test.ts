import { ChimeSDKIdentityClient, PutAppInstanceRetentionSettingsCommand } from '@aws-sdk/client-chime-sdk-identity';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnAppInstance } from 'aws-cdk-lib/aws-chime';
import { ChimeAppInstance, ChimeAppInstanceRetention } from '../../lib';
import { newStack, providerActions } from '../constructs/helpers';
import { Harness, startHarness } from '../harness/handler-harness';

/**
 * ChimeAppInstanceRetention when a put fails after it may have been applied: the settings
 * the app instance had before are put back by the same invocation, and the Delete of a
 * failed create's id never clears a retention (it cannot tell its own from one set before).
 */
let h: Harness;
let chime: ChimeSDKIdentityClient;
const RETENTION = 'Custom::ChimeAppInstanceRetention';
const FAILED = /^wickr-chime:create-failed:/;

beforeAll(async () => {
  h = await startHarness({ seed: 33 });
  // The harness points the SDK at the emulator (AWS_ENDPOINT_URL_CHIME_SDK_IDENTITY).
  chime = new ChimeSDKIdentityClient({ region: 'us-east-1', maxAttempts: 1 });
});
afterAll(async () => {
  chime.destroy();
  await h.close();
});
beforeEach(() => h.emulator.clearFaults());

const newInstance = async (name: string) => (await h.create({ type: 'Custom::ChimeAppInstance', props: { Name: name } })).PhysicalResourceId!;
const days = (arn: string) => h.emulator.services.chime.store.state.instances[arn].retention?.days;
/** Someone outside the stack sets an instance's retention. */
const setElsewhere = (arn: string, d: number) =>
  chime.send(new PutAppInstanceRetentionSettingsCommand({ AppInstanceArn: arn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: d } } }));

describe('a failed create', () => {
  test('the put committed but never answered (drop-after-commit x5): no retention is left, and the Delete of the failed id changes nothing', async () => {
    // given an instance without retention
    const arn = await newInstance('dropped-put');
    // when every attempt of the put commits and its answer is lost
    h.emulator.addFault({ operation: 'PutAppInstanceRetentionSettings', kind: 'drop-after-commit', count: 5 });
    const failed = await h.create({ type: RETENTION, props: { AppInstanceArn: arn, RetentionDays: 3 } });
    // then the create fails and the instance has no retention again
    expect(failed.Status).toBe('FAILED');
    expect(failed.PhysicalResourceId).toMatch(FAILED);
    expect(days(arn)).toBeUndefined();
    expect(failed.Reason).toContain(`the previous retention of ${arn} (none) was put back`);
    // and CloudFormation's Delete of the failed id succeeds without setting anything
    h.emulator.clearFaults();
    expect((await h.remove({ type: RETENTION, props: { AppInstanceArn: arn, RetentionDays: 3 }, physicalId: failed.PhysicalResourceId! })).Status).toBe('SUCCESS');
    expect(days(arn)).toBeUndefined();
  });

  test('a retention someone set before the create is back after the failure, and the Delete of the failed id keeps it', async () => {
    const arn = await newInstance('set-elsewhere');
    await setElsewhere(arn, 10);
    h.emulator.addFault({ operation: 'PutAppInstanceRetentionSettings', kind: 'drop-after-commit', count: 5 });
    const failed = await h.create({ type: RETENTION, props: { AppInstanceArn: arn, RetentionDays: 3 } });
    expect(failed.Status).toBe('FAILED');
    expect(days(arn)).toBe(10);
    h.emulator.clearFaults();
    expect((await h.remove({ type: RETENTION, props: { AppInstanceArn: arn, RetentionDays: 3 }, physicalId: failed.PhysicalResourceId! })).Status).toBe('SUCCESS');
    expect(days(arn)).toBe(10);
  });

  test('a legacy failed id (no made=) is deleted without touching the retention', async () => {
    const arn = await newInstance('legacy-id');
    await setElsewhere(arn, 12);
    const res = await h.remove({ type: RETENTION, props: { AppInstanceArn: arn, RetentionDays: 3 }, physicalId: 'wickr-chime:create-failed:6f1d2c3b-0000-4000-8000-00000000000a' });
    expect(res.Status).toBe('SUCCESS');
    expect(days(arn)).toBe(12);
  });

  test('when putting the previous settings back fails too, the reason says the instance may keep the new retention', async () => {
    const arn = await newInstance('restore-fails');
    // the put's 5 attempts commit and drop; the 5 attempts of the put that restores fail
    h.emulator.addFault({ operation: 'PutAppInstanceRetentionSettings', kind: 'drop-after-commit', count: 5 });
    h.emulator.addFault({ operation: 'PutAppInstanceRetentionSettings', kind: 'error', count: 5, after: 5 });
    const failed = await h.create({ type: RETENTION, props: { AppInstanceArn: arn, RetentionDays: 4 } });
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(/putting back the previous retention \(none\) failed too \(.*ServiceFailureException.*\)/);
    expect(failed.Reason).toContain(`${arn} may keep a retention of 4 days`);
    expect(days(arn)).toBe(4);
  });
});

describe('a failed move to another app instance', () => {
  test('the other instance gets its previous retention back; the rollback keeps the first instance as it was', async () => {
    // given our retention of 5 days on one instance, and another instance with a retention of 20 set elsewhere
    const first = await newInstance('move-from');
    const other = await newInstance('move-to');
    const here = { AppInstanceArn: first, RetentionDays: 5 };
    const there = { AppInstanceArn: other, RetentionDays: 5 };
    const id = (await h.create({ type: RETENTION, props: here })).PhysicalResourceId!;
    await setElsewhere(other, 20);
    // when the move's put commits without an answer
    h.emulator.addFault({ operation: 'PutAppInstanceRetentionSettings', kind: 'drop-after-commit', count: 5 });
    const failed = await h.update({ type: RETENTION, props: there, oldProps: here, physicalId: id });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id });
    // then the other instance has its own retention again
    expect(days(other)).toBe(20);
    expect(days(first)).toBe(5);
    // and CloudFormation's rollback (an update back, in place) leaves both as they were
    h.emulator.clearFaults();
    expect((await h.update({ type: RETENTION, props: here, oldProps: there, physicalId: id })).Status).toBe('SUCCESS');
    expect([days(first), days(other)]).toEqual([5, 20]);
  });

  test('a move to an instance without retention that fails leaves it without retention', async () => {
    const first = await newInstance('move-from-2');
    const other = await newInstance('move-to-2');
    const here = { AppInstanceArn: first, RetentionDays: 7 };
    const id = (await h.create({ type: RETENTION, props: here })).PhysicalResourceId!;
    h.emulator.addFault({ operation: 'PutAppInstanceRetentionSettings', kind: 'drop-after-commit', count: 5 });
    const failed = await h.update({ type: RETENTION, props: { ...here, AppInstanceArn: other }, oldProps: here, physicalId: id });
    expect(failed.Status).toBe('FAILED');
    expect([days(first), days(other)]).toEqual([7, undefined]);
  });
});

test('a create where the instance already has that retention puts nothing', async () => {
  const arn = await newInstance('same-days');
  await setElsewhere(arn, 9);
  h.clearCalls();
  const res = await h.create({ type: RETENTION, props: { AppInstanceArn: arn, RetentionDays: 9 } });
  expect(res.Status).toBe('SUCCESS');
  expect(h.calls('chime').map((c) => c.operation).filter((o) => !o.startsWith('Get'))).toEqual([]);
  expect(days(arn)).toBe(9);
});

test('IAM: the retention construct grants exactly the calls its handler makes (the lookup and the put) on app instances', () => {
  const stack = newStack();
  const native = new CfnAppInstance(stack, 'Native', { name: 'native' });
  new ChimeAppInstanceRetention(stack, 'Retention', { appInstance: ChimeAppInstance.fromCfnAppInstance(native), retention: Duration.days(30) });
  const actions = providerActions(Template.fromStack(stack)).filter((a) => a.startsWith('chime:'));
  expect(actions).toEqual(['chime:GetAppInstanceRetentionSettings', 'chime:PutAppInstanceRetentionSettings']);
});
