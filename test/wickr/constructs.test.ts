import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnNetwork } from 'aws-cdk-lib/aws-wickr';
import { AccessLevel, FederationMode, ReadReceiptStatus, ShredderIntensity, WickrNetwork, WickrNetworkSettings, WickrOidcConfig, WickrSecurityGroup } from '../../lib';
import { customResources, newStack, providerActions } from '../constructs/helpers';

describe('WickrSecurityGroup', () => {
  test('template: network id by Ref, name, settings under the API names; destroyed by default; exact IAM on the network', () => {
    const stack = newStack();
    const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM });
    const group = new WickrSecurityGroup(stack, 'Analysts', {
      network,
      name: 'analysts',
      settings: { federationMode: FederationMode.RESTRICTED, permittedNetworks: ['12345678'], shredder: { intensity: ShredderIntensity.HIGH }, enableFileDownload: false },
    });
    const template = Template.fromStack(stack);
    const [resource] = Object.values(customResources(template, 'Custom::WickrSecurityGroup'));
    expect(resource.Properties).toMatchObject({
      NetworkId: { Ref: expect.stringMatching(/^Ops/) },
      Name: 'analysts',
      Settings: { federationMode: 2, permittedNetworks: ['12345678'], shredder: { intensity: 100 }, enableFileDownload: false },
    });
    expect(resource.DeletionPolicy).toBe('Delete');
    expect(stack.resolve(group.securityGroupId)).toEqual({ Ref: expect.stringMatching(/^Analysts/) });
    expect(providerActions(template)).toEqual(
      expect.arrayContaining(['wickr:CreateSecurityGroup', 'wickr:UpdateSecurityGroup', 'wickr:DeleteSecurityGroup', 'wickr:GetSecurityGroup']),
    );
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const groupStatement = statements.find((s: any) => [].concat(s.Action).includes('wickr:CreateSecurityGroup' as never));
    expect(JSON.stringify(groupStatement.Resource)).toContain(':network/*');
  });

  test('an imported network with a literal id is granted as every network: a move to another network deletes in the old one after the policy changed', () => {
    const stack = newStack();
    new WickrSecurityGroup(stack, 'G', { network: WickrNetwork.fromNetworkId(stack, 'Net', '12345678'), name: 'g' });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(JSON.stringify(statements)).toContain(':network/*');
    expect(JSON.stringify(statements)).not.toContain(':network/12345678');
  });

  test('network settings and the default group attach to a network adopted from AWS::Wickr::Network', () => {
    const stack = newStack();
    const cfn = new CfnNetwork(stack, 'Native', { networkName: 'native', accessLevel: 'STANDARD' });
    const network = WickrNetwork.fromCfnNetwork(cfn);
    new WickrNetworkSettings(stack, 'Settings', { network, settings: { readReceiptConfig: { status: ReadReceiptStatus.FORCE_ENABLED } } });
    new WickrSecurityGroup(stack, 'G', { network, name: 'g' });
    const defaultId = stack.resolve(network.defaultSecurityGroup.securityGroupId);
    const template = Template.fromStack(stack);
    const settings = Object.values(customResources(template, 'Custom::WickrNetworkSettings'))[0];
    expect(settings.Properties.NetworkId).toEqual({ 'Fn::GetAtt': ['Native', 'NetworkId'] });
    expect(settings.Properties.Settings).toEqual({ readReceiptConfig: { status: 'FORCE_ENABLED' } });
    expect(Object.keys(customResources(template, 'Custom::WickrDefaultSecurityGroup'))).toHaveLength(1);
    expect(defaultId).toEqual({ Ref: expect.stringMatching(/DefaultSecurityGroup/) });
    // The same child on every access.
    expect(network.defaultSecurityGroup).toBe(network.defaultSecurityGroup);
  });

  test('WickrNetwork settings prop and configureDefaultSecurityGroup', () => {
    const stack = newStack();
    const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD, settings: { enableClientMetrics: false } });
    new WickrOidcConfig(stack, 'Sso', { network, issuer: 'https://login.example.com', companyId: 'example', scopes: 'openid' }); // ssoMaxIdle needs SSO
    network.configureDefaultSecurityGroup({ settings: { maxTtl: Duration.hours(1), maxNonSsoSession: Duration.hours(12), ssoMaxIdle: Duration.minutes(30), maxBor: Duration.seconds(30) } });
    expect(() => network.configureDefaultSecurityGroup({})).toThrow(/already defined/);
    const template = Template.fromStack(stack);
    expect(Object.values(customResources(template, 'Custom::WickrNetworkSettings'))[0].Properties.Settings).toEqual({ enableClientMetrics: false });
    expect(Object.values(customResources(template, 'Custom::WickrDefaultSecurityGroup'))[0].Properties.Settings).toEqual({ maxTtl: 3600, maxNonSsoSessionMinutes: 720, ssoMaxIdleMinutes: 30, maxBor: 30 });
    expect(stack.resolve(network.defaultSecurityGroupId)).toEqual({ Ref: expect.stringMatching(/^OpsDefaultSecurityGroup/) });
  });
});

describe('rules across resources', () => {
  test('a group with SSO-only settings is deployed after the network OIDC configuration, whichever is declared first', () => {
    const stack = newStack();
    const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM });
    new WickrSecurityGroup(stack, 'Before', { network, name: 'before', settings: { ssoMaxIdle: Duration.minutes(30) } });
    new WickrOidcConfig(stack, 'Sso', { network, issuer: 'https://login.example.com', companyId: 'example', scopes: 'openid' });
    new WickrSecurityGroup(stack, 'After', { network, name: 'after', settings: { showMasterRecoveryKey: true } });
    const template = Template.fromStack(stack);
    const groups = customResources(template, 'Custom::WickrSecurityGroup');
    const oidc = Object.keys(customResources(template, 'Custom::WickrOidcConfig'))[0];
    for (const group of Object.values(groups)) expect((group as { DependsOn?: string[] }).DependsOn).toContain(oidc);
  });
});
