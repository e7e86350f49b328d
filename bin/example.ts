#!/usr/bin/env node
/**
 * The example stack: what `npm run demo` deploys into the embedded emulator and what
 * `npx cdk synth` synthesizes.
 */
import { App, CfnOutput, Duration, Stack, Tags } from 'aws-cdk-lib';
import { AccessLevel, ChimeAppInstance, WickrNetwork } from '../lib';

const app = new App();
const stack = new Stack(app, 'WickrChimeExample', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '123456789012', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
});
Tags.of(stack).add('team', 'platform');

const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM });
const chat = new ChimeAppInstance(stack, 'Chat', { name: 'support-chat', retention: Duration.days(365) });

new CfnOutput(stack, 'NetworkId', { value: network.networkId });
new CfnOutput(stack, 'AppInstanceArn', { value: chat.appInstanceArn });
