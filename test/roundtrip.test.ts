import { decodeProperties } from '../lambda/core/schema';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import { HANDLERS } from '../lambda/index';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  AccessLevel,
  ChimeAppInstance,
  ChimeAppInstanceBot,
  ChimeAppInstanceUser,
  ChimeAppInstanceUserEndpoint,
  ChimeEndpointType,
  LexStandardMessages,
  LexTargetedMessages,
  WickrNetwork,
} from '../lib';
import { cfnStringify } from './harness/handler-harness';
import { newStack } from './constructs/helpers';

/**
 * For every resource: construct props → template → CloudFormation's stringified event →
 * the handler's decoded properties equal what the API is meant to receive. Generated
 * props, so booleans, numbers, empty strings and odd characters all go through.
 */
interface Case<P> {
  readonly type: string;
  readonly props: fc.Arbitrary<P>;
  build(stack: Stack, props: P): void;
  expected(props: P): Record<string, unknown>;
}

const text = (min: number, max: number) => fc.string({ minLength: min, maxLength: max, unit: 'grapheme-ascii' });

function decodedFromTemplate(stack: Stack, type: string): Record<string, unknown> {
  const resources = Template.fromStack(stack).findResources(type);
  const [resource] = Object.values(resources) as Array<{ Properties: Record<string, unknown> }>;
  const { ServiceToken: _token, ServiceTimeout: _timeout, ...props } = resource.Properties;
  return decodeProperties(HANDLERS[type].schema, cfnStringify(props)) as Record<string, unknown>;
}

const networkCase: Case<{ name: string; level: AccessLevel; trial?: boolean; allow?: boolean }> = {
  type: 'Custom::WickrNetwork',
  props: fc.record(
    {
      name: text(1, 20).filter((n) => !/^pending-[0-9a-f]{12}$/.test(n) && !n.includes('${')),
      level: fc.constantFrom(AccessLevel.STANDARD, AccessLevel.PREMIUM),
      trial: fc.boolean(),
      allow: fc.boolean(),
    },
    { requiredKeys: ['name', 'level'] },
  ),
  build: (stack, p) => new WickrNetwork(stack, 'N', { networkName: p.name, accessLevel: p.level, enablePremiumFreeTrial: p.trial, allowReplacement: p.allow }),
  expected: (p) => ({
    NetworkName: p.name,
    AccessLevel: p.level,
    ...(p.trial === undefined ? {} : { EnablePremiumFreeTrial: p.trial }),
    AllowReplacement: p.allow ?? false,
  }),
};

const appInstanceCase: Case<{ name: string; metadata?: string; days?: number }> = {
  type: 'Custom::ChimeAppInstance',
  props: fc.record({ name: text(1, 40).filter((n) => !n.includes('${')), metadata: text(0, 60).filter((n) => !n.includes('${')), days: fc.integer({ min: 1, max: 5475 }) }, { requiredKeys: ['name'] }),
  build: (stack, p) => new ChimeAppInstance(stack, 'C', { name: p.name, metadata: p.metadata, retention: p.days === undefined ? undefined : Duration.days(p.days) }),
  expected: (p) => ({ Name: p.name, Metadata: p.metadata ?? '', ...(p.days === undefined ? {} : { RetentionDays: p.days }), Tags: [] }),
};

const INSTANCE = 'arn:aws:chime:us-east-1:123456789012:app-instance/abc';
const clean = (min: number, max: number) => text(min, max).filter((n) => !n.includes('${'));

const userCase: Case<{ id: string; name: string; metadata?: string; days?: number }> = {
  type: 'Custom::ChimeAppInstanceUser',
  props: fc.record(
    { id: fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9:\-_.@]{0,20}[A-Za-z0-9])?$/), name: clean(1, 40).filter((n) => /\S/.test(n)), metadata: clean(0, 60), days: fc.integer({ min: 1, max: 5475 }) },
    { requiredKeys: ['id', 'name'] },
  ),
  build: (stack, p) =>
    new ChimeAppInstanceUser(stack, 'U', {
      appInstance: ChimeAppInstance.fromAppInstanceArn(stack, 'I', INSTANCE),
      appInstanceUserId: p.id,
      name: p.name,
      metadata: p.metadata,
      expiration: p.days === undefined ? undefined : Duration.days(p.days),
    }),
  expected: (p) => ({ AppInstanceArn: INSTANCE, AppInstanceUserId: p.id, Name: p.name, Metadata: p.metadata ?? '', ...(p.days === undefined ? {} : { ExpirationDays: p.days }), Tags: [] }),
};

const botCase: Case<{ name?: string; standard: LexStandardMessages; targeted: LexTargetedMessages; intent?: string }> = {
  type: 'Custom::ChimeAppInstanceBot',
  props: fc.record(
    {
      // A bot's name is 1 to 256 characters when given, and its Lex configuration names what invokes it.
      name: clean(1, 40),
      standard: fc.constantFrom(...Object.values(LexStandardMessages)),
      targeted: fc.constantFrom(...Object.values(LexTargetedMessages)),
      intent: fc.stringMatching(/^([A-Za-z]_?){1,20}$/),
    },
    { requiredKeys: ['standard', 'targeted'] },
  ),
  build: (stack, p) =>
    new ChimeAppInstanceBot(stack, 'B', {
      appInstance: ChimeAppInstance.fromAppInstanceArn(stack, 'I', INSTANCE),
      name: p.name,
      lex: {
        botAliasArn: 'arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/KLMNOPQRST',
        localeId: 'en_US',
        invokedBy: { standardMessages: p.standard, targetedMessages: p.targeted },
        welcomeIntent: p.intent,
      },
    }),
  expected: (p) => ({
    AppInstanceArn: INSTANCE,
    Name: p.name ?? '',
    Metadata: '',
    Lex: {
      LexBotAliasArn: 'arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/KLMNOPQRST',
      LocaleId: 'en_US',
      InvokedBy: { StandardMessages: p.standard, TargetedMessages: p.targeted },
      ...(p.intent === undefined ? {} : { WelcomeIntent: p.intent }),
    },
    Tags: [],
  }),
};

const endpointCase: Case<{ type: ChimeEndpointType; name?: string; allow?: boolean; version?: string }> = {
  type: 'Custom::ChimeAppInstanceUserEndpoint',
  props: fc.record(
    { type: fc.constantFrom(...Object.values(ChimeEndpointType)), name: clean(0, 40), allow: fc.boolean(), version: clean(1, 10) },
    { requiredKeys: ['type'] },
  ),
  build: (stack, p) =>
    new ChimeAppInstanceUserEndpoint(stack, 'E', {
      user: ChimeAppInstanceUser.fromAppInstanceUserArn(stack, 'U', `${INSTANCE}/user/u1`),
      type: p.type,
      pinpointApplicationArn: 'arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc123',
      deviceToken: secretsmanager.Secret.fromSecretCompleteArn(stack, 'T', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:device-AbCdEf'),
      name: p.name,
      allowMessages: p.allow,
      tokenVersion: p.version,
    }),
  expected: (p) => ({
    AppInstanceUserArn: `${INSTANCE}/user/u1`,
    Type: p.type,
    ResourceArn: 'arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc123',
    DeviceToken: { SecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:device-AbCdEf' },
    Name: p.name ?? '',
    AllowMessages: p.allow === false ? 'NONE' : 'ALL',
    ...(p.version === undefined ? {} : { TokenVersion: p.version }),
    AttributesVersion: '1',
  }),
};

const cases: Array<Case<any>> = [networkCase, appInstanceCase, userCase, botCase, endpointCase];

test.each(cases.map((c) => [c.type, c]))('%s: props survive the template and the string round trip', (_type, c: Case<any>) => {
  fc.assert(
    fc.property(c.props, (props) => {
      const stack = newStack();
      c.build(stack, props);
      expect(decodedFromTemplate(stack, c.type)).toEqual(c.expected(props));
    }),
    { numRuns: 25 },
  );
});
