/**
 * Integration test case (an app for `npx integ-runner`, not a jest test): a Wickr network
 * with a security group, a bot in that group and two users, then assertions that read the
 * network, its groups, its bot and its users back from the Wickr Admin API.
 *
 * Everything is deleted with the stack (`RemovalPolicy.DESTROY` where the default would
 * keep it), so a run leaves nothing in the account.
 *
 * The AWS SDK for JavaScript has no Wickr client, so the assertion provider gets this
 * library's signed Wickr client as `@aws-sdk/client-wickr` in a layer (`wickr-sdk-layer.ts`).
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AccessLevel, WickrBot, WickrChimeProvider, WickrNetwork, WickrSecurityGroup, WickrUsers } from '../../lib';
import { addWickrSdkLayer } from './wickr-sdk-layer';

const app = new App();
const stack = new Stack(app, 'cdk-wickr-chime-integ-wickr-network');

const network = new WickrNetwork(stack, 'Network', {
  networkName: 'integ-wickr',
  accessLevel: AccessLevel.STANDARD,
  removalPolicy: RemovalPolicy.DESTROY,
});
const analysts = new WickrSecurityGroup(stack, 'Analysts', {
  network,
  name: 'integ-analysts',
  settings: { enableFileDownload: false },
  removalPolicy: RemovalPolicy.DESTROY,
});
const challenge = new secretsmanager.Secret(stack, 'BotChallenge', {
  generateSecretString: { passwordLength: 32, excludePunctuation: true },
  removalPolicy: RemovalPolicy.DESTROY,
});
const bot = new WickrBot(stack, 'AlertsBot', {
  network,
  username: 'integalertsbot',
  displayName: 'Integ alerts',
  securityGroup: analysts,
  challenge,
});
new WickrUsers(stack, 'Users', {
  network,
  users: [
    { username: 'ann@example.com', firstName: 'Ann', lastName: 'Integ', securityGroup: analysts },
    { username: 'bob@example.com', firstName: 'Bob', lastName: 'Integ', suspended: true },
  ],
  removalPolicy: RemovalPolicy.DESTROY,
});

// The provider's log group is kept by default (for reading a failure afterwards): not here.
WickrChimeProvider.of(stack).logGroup.applyRemovalPolicy(RemovalPolicy.DESTROY);

const assertionStack = new Stack(app, 'cdk-wickr-chime-integ-wickr-network-assertions');
const integ = new IntegTest(app, 'WickrNetworkInteg', { testCases: [stack], assertionStack });

integ.assertions
  .awsApiCall('Wickr', 'GetNetwork', { networkId: network.networkId })
  .expect(ExpectedResult.objectLike({ networkId: network.networkId, networkName: 'integ-wickr', accessLevel: 'STANDARD' }));

integ.assertions
  .awsApiCall('Wickr', 'ListSecurityGroups', { networkId: network.networkId })
  .expect(ExpectedResult.objectLike({
    securityGroups: Match.arrayWith([
      Match.objectLike({
        id: analysts.securityGroupId,
        name: 'integ-analysts',
        securityGroupSettings: Match.objectLike({ enableFileDownload: false }),
      }),
    ]),
  }));

integ.assertions
  .awsApiCall('Wickr', 'GetBot', { networkId: network.networkId, botId: bot.botId })
  .expect(ExpectedResult.objectLike({ username: 'integalertsbot', displayName: 'Integ alerts', groupId: analysts.securityGroupId }));

integ.assertions
  .awsApiCall('Wickr', 'ListUsers', { networkId: network.networkId, sortFields: 'username', sortDirection: 'ASC' })
  .expect(ExpectedResult.objectLike({
    users: Match.arrayWith([
      Match.objectLike({ username: 'ann@example.com', firstName: 'Ann', securityGroups: [analysts.securityGroupId] }),
      Match.objectLike({ username: 'bob@example.com', firstName: 'Bob', suspended: true }),
    ]),
  }));

addWickrSdkLayer(assertionStack);

app.synth();
