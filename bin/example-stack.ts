import { CfnOutput, Duration, Stack, StackProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AccessLevel, ChimeAppInstance, WickrNetwork } from '../lib';

/**
 * The example stack: what `npm run demo` deploys into the embedded emulator, what
 * `npx cdk synth` synthesizes, and what the validation-plugin test checks.
 */
export class ExampleStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    Tags.of(this).add('team', 'platform');

    const network = new WickrNetwork(this, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM });
    const chat = new ChimeAppInstance(this, 'Chat', { name: 'support-chat', retention: Duration.days(365) });

    new CfnOutput(this, 'NetworkId', { value: network.networkId });
    new CfnOutput(this, 'AppInstanceArn', { value: chat.appInstanceArn });
  }
}
