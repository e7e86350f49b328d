import { Duration, Lazy, Stack, Tags, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnAppInstance, CfnAppInstanceBot, CfnAppInstanceUser } from 'aws-cdk-lib/aws-chime';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  ChimeAppInstance,
  ChimeAppInstanceAdmin,
  ChimeAppInstanceBot,
  ChimeAppInstanceMember,
  ChimeAppInstanceRetention,
  ChimeAppInstanceUser,
  ChimeAppInstanceUserEndpoint,
  ChimeEndpointType,
  IChimeAppInstance,
  LexStandardMessages,
  LexTargetedMessages,
} from '../../lib';
import { customResources, newStack, providerActions } from '../constructs/helpers';

const LEX_ALIAS = 'arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/KLMNOPQRST';
const PINPOINT_APP = 'arn:aws:mobiletargeting:us-east-1:123456789012:apps/0123456789abcdef0123456789abcdef';
const INSTANCE_ARN = 'arn:aws:chime:us-east-1:123456789012:app-instance/11111111-2222-4333-8444-555555555555';

function family(stack: Stack) {
  const chat = new ChimeAppInstance(stack, 'Chat', { name: 'chat' });
  const ann = new ChimeAppInstanceUser(stack, 'Ann', { appInstance: chat, appInstanceUserId: 'ann@example.com', name: 'Ann', metadata: '{"role":"lead"}', expiration: Duration.days(365) });
  const admin = new ChimeAppInstanceAdmin(stack, 'AnnAdmin', { appInstance: chat, admin: ann });
  const bot = new ChimeAppInstanceBot(stack, 'Helper', {
    appInstance: chat,
    name: 'helper',
    lex: { botAliasArn: LEX_ALIAS, localeId: 'en_US', invokedBy: { standardMessages: LexStandardMessages.MENTIONS, targetedMessages: LexTargetedMessages.ALL }, welcomeIntent: 'Greet_User' },
  });
  const token = new secretsmanager.Secret(stack, 'DeviceToken');
  const endpoint = new ChimeAppInstanceUserEndpoint(stack, 'Phone', { user: ann, type: ChimeEndpointType.APNS, pinpointApplicationArn: PINPOINT_APP, deviceToken: token, name: 'phone', allowMessages: false });
  return { chat, ann, admin, bot, token, endpoint };
}

describe('Chime family templates', () => {
  test('user: id, name, metadata, expiration in days, tags from Tags.of; deleted with the stack by default', () => {
    const stack = newStack();
    const { ann } = family(stack);
    Tags.of(ann).add('dept', 'ops');
    const [user] = Object.values(customResources(Template.fromStack(stack), 'Custom::ChimeAppInstanceUser'));
    expect(user.Properties).toEqual({
      ServiceToken: expect.anything(),
      ServiceTimeout: '660',
      AppInstanceArn: { Ref: expect.stringMatching(/^Chat/) },
      AppInstanceUserId: 'ann@example.com',
      Name: 'Ann',
      Metadata: '{"role":"lead"}',
      ExpirationDays: 365,
      Tags: [{ Key: 'dept', Value: 'ops' }],
    });
    expect(user.DeletionPolicy).toBe('Delete');
  });

  test('admin names the instance and the user; bot carries the Lex configuration under the API\'s names', () => {
    const stack = newStack();
    family(stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::ChimeAppInstanceAdmin', {
      AppInstanceArn: { Ref: Match.stringLikeRegexp('^Chat') },
      AdminArn: { Ref: Match.stringLikeRegexp('^Ann') },
    });
    template.hasResourceProperties('Custom::ChimeAppInstanceBot', {
      Name: 'helper',
      Lex: { LexBotAliasArn: LEX_ALIAS, LocaleId: 'en_US', InvokedBy: { StandardMessages: 'MENTIONS', TargetedMessages: 'ALL' }, WelcomeIntent: 'Greet_User' },
    });
  });

  test('endpoint: only the secret ARN in the template, the provider may read it; allowMessages false is NONE', () => {
    const stack = newStack();
    const { endpoint } = family(stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::ChimeAppInstanceUserEndpoint', {
      AppInstanceUserArn: { Ref: Match.stringLikeRegexp('^Ann') },
      Type: 'APNS',
      ResourceArn: PINPOINT_APP,
      DeviceToken: { SecretArn: { Ref: Match.stringLikeRegexp('^DeviceToken') } },
      AllowMessages: 'NONE',
      Name: 'phone',
      AttributesVersion: '1',
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      // the one call the handler makes on the secret
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: Match.stringLikeRegexp('^DeviceToken') } })]) },
    });
    // The physical id names the device; the service's endpoint id is an attribute of the answer.
    expect(stack.resolve(endpoint.endpointId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Phone/), 'EndpointId'] });
  });

  test('one provider function; IAM: exactly the actions the handlers call, on the account\'s app instances', () => {
    const stack = newStack();
    family(stack);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(providerActions(template).filter((a) => a.startsWith('chime:'))).toEqual([
      'chime:CreateAppInstance', 'chime:CreateAppInstanceAdmin', 'chime:CreateAppInstanceBot', 'chime:CreateAppInstanceUser',
      'chime:DeleteAppInstance', 'chime:DeleteAppInstanceAdmin', 'chime:DeleteAppInstanceBot', 'chime:DeleteAppInstanceUser',
      'chime:DeregisterAppInstanceUserEndpoint', 'chime:DescribeAppInstance', 'chime:DescribeAppInstanceAdmin', 'chime:DescribeAppInstanceBot',
      'chime:DescribeAppInstanceUser', 'chime:DescribeAppInstanceUserEndpoint', 'chime:GetAppInstanceRetentionSettings', 'chime:ListAppInstanceBots', 'chime:ListAppInstanceUserEndpoints', 'chime:ListAppInstances', 'chime:ListTagsForResource',
      'chime:PutAppInstanceRetentionSettings', 'chime:PutAppInstanceUserExpirationSettings', 'chime:RegisterAppInstanceUserEndpoint', 'chime:TagResource',
      'chime:UntagResource', 'chime:UpdateAppInstance', 'chime:UpdateAppInstanceBot', 'chime:UpdateAppInstanceUser', 'chime:UpdateAppInstanceUserEndpoint',
    ]);
    const byResource = new Map<string, Set<string>>();
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy')) as any[]) {
      for (const s of policy.Properties.PolicyDocument.Statement) {
        for (const a of [].concat(s.Action) as string[]) {
          if (!a.startsWith('chime:')) continue;
          const key = JSON.stringify(s.Resource);
          byResource.set(key, (byResource.get(key) ?? new Set()).add(a));
        }
      }
    }
    const instances = JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':chime:us-east-1:123456789012:app-instance/*']] });
    expect([...byResource.keys()].sort()).toEqual(['"*"', instances].sort());
    // the creates support no resource-level permission (only `*` grants them); nothing else is granted on `*`
    expect([...byResource.get('"*"')!].sort()).toEqual(['chime:CreateAppInstance', 'chime:CreateAppInstanceBot', 'chime:CreateAppInstanceUser']);
    expect([...byResource.get(instances)!].some((a) => a.startsWith('chime:Create') && a !== 'chime:CreateAppInstanceAdmin')).toBe(false);
  });

  test('imports: by ARN and adopted native users, bots and instances attach admins, endpoints and retention', () => {
    const stack = newStack();
    const native = new CfnAppInstance(stack, 'NativeChat', { name: 'native' });
    const chat = ChimeAppInstance.fromCfnAppInstance(native);
    const nativeUser = new CfnAppInstanceUser(stack, 'NativeUser', { appInstanceArn: native.attrAppInstanceArn, appInstanceUserId: 'u1', name: 'U1' });
    const nativeBot = new CfnAppInstanceBot(stack, 'NativeBot', { appInstanceArn: native.attrAppInstanceArn, configuration: { lex: { lexBotAliasArn: LEX_ALIAS, localeId: 'en_US' } } });
    const user = ChimeAppInstanceUser.fromCfnAppInstanceUser(nativeUser);
    expect(ChimeAppInstanceUser.fromCfnAppInstanceUser(nativeUser)).toBe(user);
    new ChimeAppInstanceAdmin(stack, 'Admin', { appInstance: chat, admin: user });
    new ChimeAppInstanceAdmin(stack, 'BotAdmin', { appInstance: chat, admin: ChimeAppInstanceBot.fromCfnAppInstanceBot(nativeBot) });
    new ChimeAppInstanceRetention(stack, 'Retention', { appInstance: chat, retention: Duration.days(90) });
    new ChimeAppInstanceUserEndpoint(stack, 'Ep', { user, type: ChimeEndpointType.GCM, pinpointApplicationArn: PINPOINT_APP, deviceToken: new secretsmanager.Secret(stack, 'T') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::ChimeAppInstanceAdmin', { AdminArn: { 'Fn::GetAtt': ['NativeUser', 'AppInstanceUserArn'] } });
    template.hasResourceProperties('Custom::ChimeAppInstanceAdmin', { AdminArn: { 'Fn::GetAtt': ['NativeBot', 'AppInstanceBotArn'] } });
    template.hasResourceProperties('Custom::ChimeAppInstanceRetention', { AppInstanceArn: { 'Fn::GetAtt': ['NativeChat', 'AppInstanceArn'] }, RetentionDays: 90 });
    const imported = ChimeAppInstanceUser.fromAppInstanceUserArn(stack, 'ByArn', `${INSTANCE_ARN}/user/bob`);
    expect(imported.appInstanceUserArn).toBe(`${INSTANCE_ARN}/user/bob`);
  });
});

/** Synth-time validation: each case fails with the construct path, the prop, the value and the rule. */
type Build = (stack: Stack, chat: IChimeAppInstance, secret: secretsmanager.ISecret) => void;
const user = (over: Partial<ConstructorParameters<typeof ChimeAppInstanceUser>[2]> = {}): Build => (s, chat) =>
  new ChimeAppInstanceUser(s, 'U', { appInstance: chat, appInstanceUserId: 'u1', name: 'U', ...over });
const bot = (lex: Record<string, unknown>, over: Record<string, unknown> = {}): Build => (s, chat) =>
  new ChimeAppInstanceBot(s, 'B', { appInstance: chat, lex: { botAliasArn: LEX_ALIAS, localeId: 'en_US', invokedBy: { standardMessages: 'ALL', targetedMessages: 'ALL' }, ...lex }, ...over } as any);
const endpoint = (over: Record<string, unknown>): Build => (s, _chat, secret) => {
  const u = ChimeAppInstanceUser.fromAppInstanceUserArn(s, 'Imported', `${INSTANCE_ARN}/user/u1`);
  new ChimeAppInstanceUserEndpoint(s, 'E', { user: u, type: ChimeEndpointType.APNS, pinpointApplicationArn: PINPOINT_APP, deviceToken: secret, ...over } as any);
};

const cases: Array<[string, Build, string]> = [
  ['instance name empty', (s) => new ChimeAppInstance(s, 'I', { name: '' }), '[Test/I] name: must be 1 to 256 characters long, got 0'],
  ['instance metadata over 1 KB', (s) => new ChimeAppInstance(s, 'I', { name: 'i', metadata: 'é'.repeat(600) }), '[Test/I] metadata: must be at most 1024 bytes (UTF-8), got 1200'],
  ['instance retention 0 days', (s) => new ChimeAppInstance(s, 'I', { name: 'i', retention: Duration.days(0) }), '[Test/I] retention: must be a whole number from 1 to 5475 (received 0)'],
  ['instance retention over 15 years', (s) => new ChimeAppInstance(s, 'I', { name: 'i', retention: Duration.days(5476) }), 'retention: must be a whole number from 1 to 5475 (received 5476)'],
  ['instance retention in hours', (s) => new ChimeAppInstance(s, 'I', { name: 'i', retention: Duration.hours(36) }), '[Test/I] retention: must be a whole number of days (use Duration.days(n)) (received "1 day 12 hours")'],
  ['user id with a leading dash', user({ appInstanceUserId: '-ann' }), '[Test/U] appInstanceUserId: must be letters, digits and : - _ . @, starting and ending with a letter or digit (received "-ann")'],
  ['user id with a space', user({ appInstanceUserId: 'ann b' }), 'appInstanceUserId: must be letters, digits'],
  ['user id over 64', user({ appInstanceUserId: 'a'.repeat(65) }), '[Test/U] appInstanceUserId: must be 1 to 64 characters long, got 65'],
  ['user name over 100', user({ name: 'n'.repeat(101) }), '[Test/U] name: must be 1 to 100 characters long, got 101'],
  ['user name only spaces', user({ name: '   ' }), '[Test/U] name: must be not only whitespace (received "   ")'],
  ['user metadata over 1 KB', user({ metadata: 'm'.repeat(1025) }), '[Test/U] metadata: must be at most 1024 bytes'],
  ['user expiration 0', user({ expiration: Duration.days(0) }), '[Test/U] expiration: must be a whole number from 1 to 5475 (received 0)'],
  ['user expiration in minutes', user({ expiration: Duration.minutes(90) }), '[Test/U] expiration: must be a whole number of days'],
  ['imported user ARN malformed', (s) => ChimeAppInstanceUser.fromAppInstanceUserArn(s, 'X', 'arn:aws:chime:us-east-1:123456789012:app-instance/abc'), '[Test] appInstanceUserArn: must be an app instance user ARN'],
  ['admin ARN not a member', (s, chat) => new ChimeAppInstanceAdmin(s, 'A', { appInstance: chat, admin: ChimeAppInstanceMember.fromArn('arn:aws:iam::123456789012:user/ann') }), '[Test/A] admin: must be an app instance user or bot ARN'],
  ['admin of another instance (literal)', (s, chat) => new ChimeAppInstanceAdmin(s, 'A', { appInstance: chat, admin: ChimeAppInstanceMember.fromArn('arn:aws:chime:us-east-1:123456789012:app-instance/other/user/ann') }), `[Test/A] admin: must belong to the app instance ${INSTANCE_ARN}`],
  [
    'admin of another instance (constructs)',
    (s) => {
      const a = new ChimeAppInstance(s, 'A1', { name: 'a' });
      const b = new ChimeAppInstance(s, 'B1', { name: 'b' });
      new ChimeAppInstanceAdmin(s, 'A', { appInstance: a, admin: new ChimeAppInstanceUser(s, 'Ub', { appInstance: b, appInstanceUserId: 'x', name: 'x' }) });
    },
    '[Test/A] admin: must belong to the app instance Test/A1 (received "Test/B1")',
  ],
  [
    'admin: a user made on an imported instance, of another imported instance',
    (s, chat) => {
      const other = ChimeAppInstance.fromAppInstanceArn(s, 'Other', 'arn:aws:chime:us-east-1:123456789012:app-instance/other');
      new ChimeAppInstanceAdmin(s, 'A', { appInstance: chat, admin: new ChimeAppInstanceUser(s, 'Ub', { appInstance: other, appInstanceUserId: 'x', name: 'x' }) });
    },
    '[Test/A] admin: must belong to the app instance Test/Chat (received "Test/Other")',
  ],
  ['bot name over 256', bot({}, { name: 'n'.repeat(257) }), '[Test/B] name: must be 1 to 256 characters long, got 257'],
  ['bot metadata over 1 KB', bot({}, { metadata: 'm'.repeat(2000) }), '[Test/B] metadata: must be at most 1024 bytes'],
  ['bot Lex alias ARN is a bot ARN', bot({ botAliasArn: 'arn:aws:lex:us-east-1:123456789012:bot/ABCDEFGHIJ' }), '[Test/B] lex.botAliasArn: must be a Lex V2 bot alias ARN'],
  ['bot locale empty', bot({ localeId: '' }), '[Test/B] lex.localeId: must not be empty (a Lex locale such as en_US) (received "")'],
  ['bot responds-to unknown', bot({ respondsTo: 'EVERYTHING' }), '[Test/B] lex.respondsTo: must be one of LexRespondsTo.STANDARD_MESSAGES (received "EVERYTHING")'],
  ['bot standard messages unknown', bot({ invokedBy: { standardMessages: 'SOME', targetedMessages: 'ALL' } }), 'lex.invokedBy.standardMessages: must be one of LexStandardMessages.AUTO, LexStandardMessages.ALL, LexStandardMessages.MENTIONS, LexStandardMessages.NONE (received "SOME")'],
  ['bot targeted messages unknown', bot({ invokedBy: { standardMessages: 'ALL', targetedMessages: 'MENTIONS' } }), 'lex.invokedBy.targetedMessages: must be one of LexTargetedMessages.ALL, LexTargetedMessages.NONE (received "MENTIONS")'],
  ['bot welcome intent with a digit', bot({ welcomeIntent: 'Greet2' }), '[Test/B] lex.welcomeIntent: must be letters with single underscores between them (received "Greet2")'],
  ['bot welcome intent with double underscore', bot({ welcomeIntent: 'Greet__User' }), 'lex.welcomeIntent: must be letters with single underscores'],
  ['endpoint type unknown', endpoint({ type: 'SMS' }), '[Test/E] type: must be one of ChimeEndpointType.APNS, ChimeEndpointType.APNS_SANDBOX, ChimeEndpointType.GCM (received "SMS")'],
  ['endpoint Pinpoint ARN is an SNS ARN', endpoint({ pinpointApplicationArn: 'arn:aws:sns:us-east-1:123456789012:app/APNS/x' }), '[Test/E] pinpointApplicationArn: must be an Amazon Pinpoint application ARN'],
  ['endpoint name over 1600', endpoint({ name: 'n'.repeat(1601) }), '[Test/E] name: must be 0 to 1600 characters long, got 1601'],
  ['endpoint token field empty', endpoint({ deviceTokenField: '' }), '[Test/E] deviceTokenField: must be 1 to 256 characters long, got 0'],
  ['endpoint token version empty', endpoint({ tokenVersion: '' }), '[Test/E] tokenVersion: must be 1 to 128 characters long, got 0'],
  ['retention on an instance of this library', (s) => new ChimeAppInstanceRetention(s, 'R', { appInstance: new ChimeAppInstance(s, 'I', { name: 'i' }), retention: Duration.days(1) }), '[Test/R] appInstance: a ChimeAppInstance manages its retention itself'],
  ['retention 6000 days', (s, chat) => new ChimeAppInstanceRetention(s, 'R', { appInstance: chat, retention: Duration.days(6000) }), '[Test/R] retention: must be a whole number from 1 to 5475 (received 6000)'],
];

function setup() {
  const stack = newStack();
  const chat = ChimeAppInstance.fromAppInstanceArn(stack, 'Chat', INSTANCE_ARN);
  const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'device');
  return { stack, chat, secret };
}

describe('Chime family synth-time validation', () => {
  test.each(cases)('%s', (_name, build, message) => {
    const { stack, chat, secret } = setup();
    expect(() => {
      build(stack, chat, secret);
      Template.fromStack(stack);
    }).toThrow(message);
  });

  test('tags are checked at synth: a value over 256 characters names the construct', () => {
    const { stack, chat } = setup();
    const u = new ChimeAppInstanceUser(stack, 'U', { appInstance: chat, appInstanceUserId: 'u', name: 'u' });
    Tags.of(u).add('k', 'v'.repeat(257));
    expect(() => Template.fromStack(stack)).toThrow(/\[Test\/U\] tags: value of "k" must be 1 to 256 characters long/);
  });

  test('values known only at deploy time (tokens) pass synth', () => {
    const { stack, chat, secret } = setup();
    const text = (v: string) => Lazy.string({ produce: () => v });
    const days = Duration.days(Token.asNumber(Lazy.number({ produce: () => 0 })));
    const u = new ChimeAppInstanceUser(stack, 'U', { appInstance: chat, appInstanceUserId: text('-bad-'), name: text(''), expiration: days });
    new ChimeAppInstanceAdmin(stack, 'A', { appInstance: chat, admin: ChimeAppInstanceMember.fromArn(text('not an arn')) });
    new ChimeAppInstanceBot(stack, 'B', { appInstance: chat, lex: { botAliasArn: text('x'), localeId: text(''), welcomeIntent: text('1'), invokedBy: { standardMessages: LexStandardMessages.ALL, targetedMessages: LexTargetedMessages.NONE } } });
    new ChimeAppInstanceUserEndpoint(stack, 'E', { user: u, type: ChimeEndpointType.GCM, pinpointApplicationArn: text('x'), deviceToken: secret });
    new ChimeAppInstanceRetention(stack, 'R', { appInstance: chat, retention: days });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});
