import { RemovalPolicy, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CfnNetwork } from 'aws-cdk-lib/aws-wickr';
import { AccessLevel, ChimeAppInstance, WickrNetwork } from '../../lib';
import { newStack, providerActions } from './helpers';

describe('WickrNetwork', () => {
  test('synthesizes a Custom::WickrNetwork with one readable key per setting, retained by default', () => {
    const stack = newStack();
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM, enablePremiumFreeTrial: true });
    const template = Template.fromStack(stack);
    template.hasResource('Custom::WickrNetwork', {
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WickrChimeProviderHandler'), 'Arn'] },
        ServiceTimeout: '660',
        NetworkName: 'ops',
        AccessLevel: 'PREMIUM',
        EnablePremiumFreeTrial: true,
      },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    const props = Object.values(template.findResources('Custom::WickrNetwork'))[0].Properties;
    expect(Object.keys(props).sort()).toEqual(['AccessLevel', 'EnablePremiumFreeTrial', 'NetworkName', 'ServiceTimeout', 'ServiceToken']);
  });

  test('removal policy DESTROY and allowReplacement are explicit choices', () => {
    const stack = newStack();
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD, allowReplacement: true, removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource('Custom::WickrNetwork', {
      Properties: Match.objectLike({ AllowReplacement: true }),
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  test('one Node.js 24 arm64 provider function serves every resource of the stack', () => {
    const stack = newStack();
    new WickrNetwork(stack, 'A', { networkName: 'a', accessLevel: AccessLevel.STANDARD });
    new WickrNetwork(stack, 'B', { networkName: 'b', accessLevel: AccessLevel.STANDARD });
    new ChimeAppInstance(stack, 'Chat', { name: 'chat' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', Timeout: 600 });
    for (const resource of Object.values(template.findResources('Custom::WickrNetwork')) as any[]) {
      expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^WickrChimeProviderHandlerServiceRoleDefaultPolicy/)]));
    }
  });

  test('the provider may call exactly the network actions, scoped to the account\'s networks', () => {
    const stack = newStack();
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    const template = Template.fromStack(stack);
    // UpdateNetwork is authorized by wickr:UpdateNetworkDetails (there is no wickr:UpdateNetwork action)
    // (and writing to its own log group: logs:CreateLogStream, logs:PutLogEvents)
    // (and every provider's ownership reads: its stack's status, resources and template, and which stack claims a physical id)
    expect(providerActions(template)).toEqual([
      'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStackResources', 'cloudformation:DescribeStacks', 'cloudformation:GetTemplate',
      'logs:CreateLogStream', 'logs:PutLogEvents', 'wickr:CreateNetwork', 'wickr:DeleteNetwork', 'wickr:GetNetwork', 'wickr:ListNetworks', 'wickr:UpdateNetworkDetails',
    ]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['wickr:CreateNetwork', 'wickr:UpdateNetworkDetails', 'wickr:DeleteNetwork', 'wickr:GetNetwork'],
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':wickr:us-east-1:123456789012:network/*']] },
          }),
          // ListNetworks supports no resource type: only `*` grants it
          Match.objectLike({ Action: 'wickr:ListNetworks', Resource: '*' }),
        ]),
      },
    });
  });

  test('a KMS key travels as its ARN and the provider may use it', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD, encryptionKey: key });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::WickrNetwork', { EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    expect(providerActions(template)).toEqual(expect.arrayContaining(['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey']));
  });

  test('attributes: networkId is the physical id, networkArn is derived from it', () => {
    const stack = newStack();
    const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    expect(stack.resolve(network.networkId)).toEqual({ Ref: expect.stringMatching(/^Ops/) });
    expect(stack.resolve(network.networkArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':wickr:us-east-1:123456789012:network/', { Ref: expect.stringMatching(/^Ops/) }]],
    });
  });

  test('imports by id and adopts a native AWS::Wickr::Network', () => {
    const stack = newStack();
    const imported = WickrNetwork.fromNetworkId(stack, 'Imported', '12345678');
    expect(imported.networkId).toBe('12345678');
    expect(stack.resolve(imported.networkArn)).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':wickr:us-east-1:123456789012:network/12345678']] });
    const cfn = new CfnNetwork(stack, 'Native', { networkName: 'native', accessLevel: 'STANDARD' });
    const adopted = WickrNetwork.fromCfnNetwork(cfn);
    expect(stack.resolve(adopted.networkId)).toEqual({ 'Fn::GetAtt': ['Native', 'NetworkId'] });
    expect(stack.resolve(adopted.networkArn)).toEqual({ 'Fn::GetAtt': ['Native', 'NetworkArn'] });
    expect(WickrNetwork.fromCfnNetwork(cfn)).toBe(adopted);
  });

  test.each([
    [{ networkName: '' }, '[Test/Ops] networkName: must be 1 to 20 characters long, got 0 (received "")'],
    [{ networkName: 'x'.repeat(21) }, '[Test/Ops] networkName: must be 1 to 20 characters long, got 21 (received "xxxxxxxxxxxxxxxxxxxxx")'],
    [{ accessLevel: 'GOLD' as AccessLevel }, '[Test/Ops] accessLevel: must be one of AccessLevel.STANDARD, AccessLevel.PREMIUM (received "GOLD")'],
    [{ networkName: 'pending-0123456789ab' }, '[Test/Ops] networkName: must not look like "pending-" and 12 hex digits'],
  ])('rejects bad props at synth: %j', (bad, message) => {
    const stack = newStack();
    new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD, ...bad });
    expect(() => Template.fromStack(stack)).toThrow(message);
  });

  test('tokens skip synth-time validation', () => {
    const stack = newStack();
    const name = Token.asString({ Ref: 'NameParam' });
    expect(() => new WickrNetwork(stack, 'Ops', { networkName: name, accessLevel: Token.asString({ Ref: 'Level' }) as AccessLevel })).not.toThrow();
  });
});

describe('removal policies', () => {
  const warning = Match.stringLikeRegexp('removalPolicy RETAIN also keeps whatever a failed first create made');
  test('RETAIN warns at synth that a failed first create keeps what it made; the default RETAIN_ON_UPDATE_OR_DELETE does not', () => {
    const stack = newStack();
    new WickrNetwork(stack, 'Kept', { networkName: 'kept', accessLevel: AccessLevel.STANDARD, removalPolicy: RemovalPolicy.RETAIN });
    const later = new WickrNetwork(stack, 'Later', { networkName: 'later', accessLevel: AccessLevel.STANDARD });
    new WickrNetwork(stack, 'Default', { networkName: 'default', accessLevel: AccessLevel.STANDARD });
    later.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findWarning('/Test/Kept', warning)).toHaveLength(1);
    expect(annotations.findWarning('/Test/Later', warning)).toHaveLength(1);
    expect(annotations.findWarning('/Test/Default', warning)).toHaveLength(0);
    expect(Template.fromStack(stack).findResources('Custom::WickrNetwork', { DeletionPolicy: 'RetainExceptOnCreate' })).not.toEqual({});
  });
});
