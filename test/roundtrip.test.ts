import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import { HANDLERS } from '../lambda/index';
import { AccessLevel, ChimeAppInstance, WickrNetwork } from '../lib';
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
  return HANDLERS[type].parse(cfnStringify(props) as Record<string, unknown>) as Record<string, unknown>;
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

const cases: Array<Case<any>> = [networkCase, appInstanceCase];

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
