import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AccessLevel, ChimeAppInstance, WickrChimeProvider, WickrNetwork } from '../../lib';
import { newStack } from '../constructs/helpers';

/** The logical id of the only resource of a type. */
function logicalId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('WickrChimeProvider', () => {
  test('by default: Node.js 24 on arm64, a log group kept 90 days under the CloudWatch Logs key, and a role with no managed policy that may write to that log group only', () => {
    const stack = newStack();
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    const template = Template.fromStack(stack);
    const logGroup = logicalId(template, 'AWS::Logs::LogGroup');
    const role = logicalId(template, 'AWS::IAM::Role');

    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90, KmsKeyId: Match.absent() });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Role: { 'Fn::GetAtt': [role, 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: logGroup } },
    });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent(), Policies: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: role }],
      PolicyDocument: {
        Statement: Match.arrayWith([{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } }]),
      },
    });
  });

  test("configure({ logGroupEncryptionKey }): the log group is encrypted with the key, whose policy lets CloudWatch Logs of the stack's region use it for the account's log groups", () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const provider = WickrChimeProvider.configure(stack, { logGroupEncryptionKey: key });
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    new ChimeAppInstance(stack, 'Chat', { name: 'chat' });

    expect(WickrChimeProvider.of(stack)).toBe(provider);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    const keyId = logicalId(template, 'AWS::KMS::Key');
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
            Resource: '*',
            Condition: {
              ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:123456789012:log-group:*']] } },
            },
          },
        ]),
      },
    });
  });

  test('an imported key encrypts the log group as it is: its policy is its owner\'s', () => {
    const stack = newStack();
    const arn = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    WickrChimeProvider.configure(stack, { logGroupEncryptionKey: kms.Key.fromKeyArn(stack, 'Key', arn) });
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: arn });
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  test('configure after the first construct of the library throws, naming the construct the provider was made for and the fix', () => {
    const stack = newStack();
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    const key = new kms.Key(stack, 'Key');
    expect(() => WickrChimeProvider.configure(stack, { logGroupEncryptionKey: key })).toThrow(
      '[Test] WickrChimeProvider.configure: the provider of stack Test exists already (made for Test/Ops); ' +
        'call configure once, before the first construct of cdk-wickr-chime in the stack',
    );
  });

  test('configure twice throws too, naming where the first call was made', () => {
    const stack = newStack();
    WickrChimeProvider.configure(stack, {});
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    expect(() => WickrChimeProvider.configure(stack.node.findChild('Ops'), {})).toThrow(/^\[Test\/Ops\] WickrChimeProvider\.configure: .*\(made for Test\); call configure once/);
  });
});
