/**
 * Integration test case (an app for `npx integ-runner`, not a jest test): a Chime SDK
 * Identity app instance with channel message retention, two users (one with an expiration)
 * and an admin; and `ChimeAppInstanceRetention` on a native `AWS::Chime::AppInstance`
 * (a `ChimeAppInstance` takes its retention as a prop). Assertions read the instances,
 * their admins, users and retention settings back from the service.
 *
 * Everything is deleted with the stack (`RemovalPolicy.DESTROY` on the app instance and the
 * provider's log group, whose defaults keep them), so a run leaves nothing in the account.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnAppInstance } from 'aws-cdk-lib/aws-chime';
import { ChimeAppInstance, ChimeAppInstanceAdmin, ChimeAppInstanceRetention, ChimeAppInstanceUser, WickrChimeProvider } from '../../lib';

const app = new App();
const stack = new Stack(app, 'cdk-wickr-chime-integ-chime-app-instance');

const chat = new ChimeAppInstance(stack, 'Chat', {
  name: 'integ-chat',
  metadata: 'integ',
  retention: Duration.days(30),
  removalPolicy: RemovalPolicy.DESTROY,
});
const lead = new ChimeAppInstanceUser(stack, 'Lead', { appInstance: chat, appInstanceUserId: 'lead', name: 'Lead' });
const agent = new ChimeAppInstanceUser(stack, 'Agent', { appInstance: chat, appInstanceUserId: 'agent-1', name: 'Agent 1', expiration: Duration.days(30) });
new ChimeAppInstanceAdmin(stack, 'LeadIsAdmin', { appInstance: chat, admin: lead });

const native = new CfnAppInstance(stack, 'NativeChat', { name: 'integ-native-chat' });
native.applyRemovalPolicy(RemovalPolicy.DESTROY);
new ChimeAppInstanceRetention(stack, 'NativeRetention', { appInstance: ChimeAppInstance.fromCfnAppInstance(native), retention: Duration.days(90) });

// The provider's log group is kept by default (for reading a failure afterwards): not here.
WickrChimeProvider.of(stack).logGroup.applyRemovalPolicy(RemovalPolicy.DESTROY);

const integ = new IntegTest(app, 'ChimeAppInstanceInteg', { testCases: [stack] });

integ.assertions
  .awsApiCall('ChimeSDKIdentity', 'DescribeAppInstance', { AppInstanceArn: chat.appInstanceArn })
  .expect(ExpectedResult.objectLike({ AppInstance: { AppInstanceArn: chat.appInstanceArn, Name: 'integ-chat', Metadata: 'integ' } }));

integ.assertions
  .awsApiCall('ChimeSDKIdentity', 'ListAppInstanceAdmins', { AppInstanceArn: chat.appInstanceArn })
  .expect(ExpectedResult.objectLike({ AppInstanceAdmins: [{ Admin: { Arn: lead.appInstanceUserArn, Name: 'Lead' } }] }));

integ.assertions
  .awsApiCall('ChimeSDKIdentity', 'DescribeAppInstanceUser', { AppInstanceUserArn: agent.appInstanceUserArn })
  .expect(ExpectedResult.objectLike({
    AppInstanceUser: { Name: 'Agent 1', ExpirationSettings: { ExpirationDays: 30, ExpirationCriterion: 'CREATED_TIMESTAMP' } },
  }));

integ.assertions
  .awsApiCall('ChimeSDKIdentity', 'GetAppInstanceRetentionSettings', { AppInstanceArn: chat.appInstanceArn })
  .expect(ExpectedResult.objectLike({ AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 30 } } }));

integ.assertions
  .awsApiCall('ChimeSDKIdentity', 'GetAppInstanceRetentionSettings', { AppInstanceArn: native.attrAppInstanceArn })
  .expect(ExpectedResult.objectLike({ AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 90 } } }));

app.synth();
