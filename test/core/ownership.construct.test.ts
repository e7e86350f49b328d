import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccessLevel, ChimeAppInstance, WickrNetwork, WickrSecurityGroup } from '../../lib';
import { ADOPT_CONTEXT, ADOPT_PROPERTY, STACK_ID_ENV } from '../../lambda/core/ownership.wire';
import { thrown } from '../constructs/helpers';

/**
 * What the constructs say about ownership at synth: two networks of one name are an error
 * (names are unique in an account and region); the adoption context marks exactly the named
 * resources; the provider knows its own stack.
 */
const ENV = { account: '123456789012', region: 'us-east-1' };

/** The message of the app's synth error (the test fails when synth succeeds). */
function synthErrors(build: (app: App) => void): string {
  const app = new App();
  build(app);
  return thrown(() => app.synth());
}

describe('two networks of one name', () => {
  test('in one stack: the second is a synth error naming the first', () => {
    const errors = synthErrors((app) => {
      const stack = new Stack(app, 'Ops', { env: ENV });
      new WickrNetwork(stack, 'First', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
      new WickrNetwork(stack, 'Second', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM });
    });
    expect(errors).toContain('[Ops/Second] networkName: is also the name of Ops/First (account 123456789012, region us-east-1): Wickr network names are unique in an account and region');
    expect(errors).not.toContain('[Ops/First]');
  });

  test('in two stacks of one account and region too; in other regions, or in stacks of no fixed environment, each its own', () => {
    const errors = synthErrors((app) => {
      new WickrNetwork(new Stack(app, 'A', { env: ENV }), 'Net', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
      new WickrNetwork(new Stack(app, 'B', { env: ENV }), 'Net', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
      new WickrNetwork(new Stack(app, 'C', { env: { ...ENV, region: 'eu-west-1' } }), 'Net', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
      new WickrNetwork(new Stack(app, 'D'), 'Net', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    });
    expect(errors.split('\n').filter((l) => l.includes('networkName'))).toEqual([expect.stringContaining('[B/Net] networkName: is also the name of A/Net')]);
  });

  test('a name given as a token is not compared', () => {
    const app = new App();
    const stack = new Stack(app, 'Ops', { env: ENV });
    const name = new CfnParameter(stack, 'Name').valueAsString;
    new WickrNetwork(stack, 'First', { networkName: name, accessLevel: AccessLevel.STANDARD });
    new WickrNetwork(stack, 'Second', { networkName: name, accessLevel: AccessLevel.STANDARD });
    expect(() => app.synth()).not.toThrow();
  });
});

test('a security group name like the marker of a group being created is refused', () => {
  const errors = synthErrors((app) => {
    const stack = new Stack(app, 'Ops', { env: ENV });
    new WickrSecurityGroup(stack, 'G', { network: WickrNetwork.fromNetworkId(stack, 'Net', '12345678'), name: 'pending-0123456789ab' });
  });
  expect(errors).toContain('[Ops/G] name: must not look like "pending-" and 12 hex digits');
});

describe(`the ${ADOPT_CONTEXT} context`, () => {
  const synth = (context: Record<string, string>) => {
    const app = new App({ context });
    const stack = new Stack(app, 'Ops', { env: ENV });
    new WickrNetwork(stack, 'Net', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    new ChimeAppInstance(stack, 'Chat', { name: 'chat' });
    const template = Template.fromStack(stack).toJSON();
    const adopt = (prefix: string) => Object.entries(template.Resources as Record<string, { Properties?: Record<string, unknown> }>).find(([id]) => id.startsWith(prefix))![1].Properties?.[ADOPT_PROPERTY];
    return { net: adopt('Net'), chat: adopt('Chat') };
  };

  test('names resources by logical id, construct path or *, with an optional id to adopt; the others carry nothing', () => {
    expect(synth({})).toEqual({ net: undefined, chat: undefined });
    expect(synth({ [ADOPT_CONTEXT]: 'Ops/Net' })).toEqual({ net: 'declared', chat: undefined });
    expect(synth({ [ADOPT_CONTEXT]: 'Ops/Net=12345678, Ops/Chat=arn:aws:chime:us-east-1:123456789012:app-instance/abc' })).toEqual({
      net: '12345678',
      chat: 'arn:aws:chime:us-east-1:123456789012:app-instance/abc',
    });
    expect(synth({ [ADOPT_CONTEXT]: '*' })).toEqual({ net: 'declared', chat: 'declared' });
  });

  test('a logical id names its resource', () => {
    const app = new App();
    const stack = new Stack(app, 'Ops', { env: ENV });
    new WickrNetwork(stack, 'Net', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    const logicalId = Object.keys(Template.fromStack(stack).findResources('Custom::WickrNetwork'))[0];
    const again = new App({ context: { [ADOPT_CONTEXT]: logicalId } });
    const named = new Stack(again, 'Ops', { env: ENV });
    new WickrNetwork(named, 'Net', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    expect(Template.fromStack(named).findResources('Custom::WickrNetwork')[logicalId].Properties[ADOPT_PROPERTY]).toBe('declared');
  });
});

// The refusal of another stack's events is tested where they arrive (test/cli/drift/access.test.ts, test/lifecycle/ownership.test.ts).
test('the provider knows its own stack: its function is told the stack id', () => {
  const stack = new Stack(new App(), 'Ops', { env: ENV });
  new WickrNetwork(stack, 'Net', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { [STACK_ID_ENV]: { Ref: 'AWS::StackId' } } } });
});
