import { Duration, Tags, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnAppInstance } from 'aws-cdk-lib/aws-chime';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App } from 'aws-cdk-lib';
import { ChimeAppInstance } from '../../lib';
import { newStack, providerActions } from './helpers';

describe('ChimeAppInstance', () => {
  test('synthesizes name, metadata, retention in days and tags from Tags.of, retained by default', () => {
    const stack = newStack();
    const chat = new ChimeAppInstance(stack, 'Chat', { name: 'support-chat', metadata: '{"tier":"gold"}', retention: Duration.days(365) });
    Tags.of(stack).add('team', 'platform');
    Tags.of(chat).add('cost-center', '42');
    Template.fromStack(stack).hasResource('Custom::ChimeAppInstance', {
      Properties: {
        ServiceToken: Match.anyValue(),
        ServiceTimeout: '660',
        Name: 'support-chat',
        Metadata: '{"tier":"gold"}',
        RetentionDays: 365,
        Tags: [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'platform' }],
      },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('IAM: exactly the app instance actions, on the account\'s app instances', () => {
    const stack = newStack();
    new ChimeAppInstance(stack, 'Chat', { name: 'chat' });
    const template = Template.fromStack(stack);
    expect(providerActions(template)).toEqual([
      'chime:CreateAppInstance', 'chime:DeleteAppInstance', 'chime:DescribeAppInstance', 'chime:GetAppInstanceRetentionSettings', 'chime:ListAppInstances',
      'chime:ListTagsForResource', 'chime:PutAppInstanceRetentionSettings', 'chime:TagResource', 'chime:UntagResource', 'chime:UpdateAppInstance',
      'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStackResources', 'cloudformation:DescribeStacks', 'cloudformation:GetTemplate', // ownership: every provider's
      'logs:CreateLogStream', 'logs:PutLogEvents', // its own log group
    ]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':chime:us-east-1:123456789012:app-instance/*']] } })]) },
    });
  });

  test('grant scopes actions to the instance and everything in it', () => {
    const stack = newStack();
    const chat = new ChimeAppInstance(stack, 'Chat', { name: 'chat' });
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    chat.grant(role, 'chime:SendChannelMessage');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^App') }],
      PolicyDocument: { Statement: [{ Action: 'chime:SendChannelMessage', Effect: 'Allow', Resource: [{ Ref: Match.stringLikeRegexp('^Chat') }, { 'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('^Chat') }, '/*']] }] }] },
    });
  });

  test('imports by ARN and adopts a native AWS::Chime::AppInstance', () => {
    const stack = newStack();
    const arn = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc';
    expect(ChimeAppInstance.fromAppInstanceArn(stack, 'I', arn).appInstanceArn).toBe(arn);
    const cfn = new CfnAppInstance(stack, 'Native', { name: 'native' });
    expect(stack.resolve(ChimeAppInstance.fromCfnAppInstance(cfn).appInstanceArn)).toEqual({ 'Fn::GetAtt': ['Native', 'AppInstanceArn'] });
  });

  test.each([
    [{ name: '' }, '[Test/Chat] name: must be 1 to 256 characters long, got 0'],
    [{ name: 'n'.repeat(257) }, '[Test/Chat] name: must be 1 to 256 characters long, got 257'],
    [{ metadata: 'é'.repeat(600) }, '[Test/Chat] metadata: must be at most 1024 bytes (UTF-8), got 1200'],
    [{ retention: Duration.days(0) }, '[Test/Chat] retention: must be a whole number from 1 to 5475 (received 0)'],
    [{ retention: Duration.days(5476) }, '[Test/Chat] retention: must be a whole number from 1 to 5475 (received 5476)'],
    [{ retention: Duration.hours(36) }, '[Test/Chat] retention: must be a whole number of days (use Duration.days(n)) (received "1 day 12 hours")'],
  ])('rejects %j at synth', (bad, message) => {
    const stack = newStack();
    new ChimeAppInstance(stack, 'Chat', { name: 'chat', ...bad });
    expect(() => Template.fromStack(stack)).toThrow(message);
  });

  test('tags that break the service limits fail synth', () => {
    const app = new App();
    const stack = newStack();
    const chat = new ChimeAppInstance(stack, 'Chat', { name: 'chat' });
    Tags.of(chat).add('k'.repeat(129), 'v');
    expect(() => app.synth() && Template.fromStack(stack)).toThrow(/\[Test\/Chat\] tags: key "k{129}" must be 1 to 128 characters long/);
  });

  test('tokens skip synth-time validation', () => {
    const stack = newStack();
    expect(() => new ChimeAppInstance(stack, 'Chat', { name: Token.asString({ Ref: 'N' }), retention: Duration.days(Token.asNumber({ Ref: 'D' })) })).not.toThrow();
  });
});
