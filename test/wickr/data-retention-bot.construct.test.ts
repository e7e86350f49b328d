import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AccessLevel, WickrDataRetentionBot, WickrNetwork } from '../../lib';
import { newStack, providerActions } from '../constructs/helpers';

/** The provider policy's statements that name a KMS action. */
function kmsStatements(template: Template): unknown[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) =>
    p.Properties.PolicyDocument.Statement.filter((s: { Action: string | string[] }) => [s.Action].flat().some((a) => a.startsWith('kms:'))),
  );
}

const VIA_SECRETS_MANAGER = { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } };

describe('WickrDataRetentionBot challenge secret', () => {
  test('by default the challenge secret is encrypted with the AWS managed key of Secrets Manager: no KmsKeyId, no KMS action for the provider', () => {
    const stack = newStack();
    const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    new WickrDataRetentionBot(stack, 'Retention', { network });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: Match.absent() });
    expect(providerActions(template).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  test('challengeEncryptionKey: the secret is encrypted with the key; the provider may only make data keys with it, through Secrets Manager', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    new WickrDataRetentionBot(stack, 'Retention', { network, challengeEncryptionKey: key });
    const template = Template.fromStack(stack);
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(kmsStatements(template)).toEqual([{ Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] }, Condition: VIA_SECRETS_MANAGER }]);
  });

  test('an imported key: the grant is in the provider\'s own policy (the key policy is its owner\'s)', () => {
    const stack = newStack();
    const arn = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    new WickrDataRetentionBot(stack, 'Retention', { network, challengeEncryptionKey: kms.Key.fromKeyArn(stack, 'Key', arn) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: arn });
    expect(kmsStatements(template)).toEqual([{ Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: arn, Condition: VIA_SECRETS_MANAGER }]);
  });
});
