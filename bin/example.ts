#!/usr/bin/env node
/** The example app (cdk.json): one ExampleStack. */
import { App } from 'aws-cdk-lib';
import { ExampleStack } from './example-stack';

const app = new App();
new ExampleStack(app, 'WickrChimeExample', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '123456789012', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
});
