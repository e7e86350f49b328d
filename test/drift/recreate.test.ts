import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccessLevel, ChimeAppInstance, ChimeAppInstanceUser, WickrNetwork } from '../../lib';
import { RECREATE_CONTEXT, RECREATE_PROPERTY } from '../../lambda/drift/recreate.wire';

/** The `cdk-wickr-chime:recreate` context puts `RecreateIfMissing` on exactly the resources it names. */
function synth(context?: string): Record<string, Record<string, unknown>> {
  const app = new App({ context: context === undefined ? {} : { [RECREATE_CONTEXT]: context } });
  const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'us-east-1' } });
  new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM });
  const chat = new ChimeAppInstance(stack, 'Chat', { name: 'chat' });
  new ChimeAppInstanceUser(stack, 'Agent', { appInstance: chat, appInstanceUserId: 'agent-1', name: 'Agent 1' });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  return Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type.startsWith('Custom::')).map(([id, r]) => [id, r.Properties]));
}

const marked = (resources: Record<string, Record<string, unknown>>) => Object.keys(resources).filter((id) => resources[id][RECREATE_PROPERTY] === 'missing').sort();

test('without the context no resource carries the property', () => {
  expect(marked(synth())).toEqual([]);
});

test('named by logical id or construct path (of it or of a construct above it), or all with *', () => {
  const agent = Object.keys(synth()).find((id) => id.startsWith('Agent'))!;
  expect(marked(synth(agent))).toEqual([agent]);
  expect(marked(synth('S/Agent'))).toEqual([agent]);
  expect(marked(synth(`S/Ops, ${agent}`))).toEqual([Object.keys(synth()).find((id) => id.startsWith('Ops'))!, agent].sort());
  expect(marked(synth('*'))).toEqual(Object.keys(synth()).sort());
  // a path names everything under it
  expect(marked(synth('S'))).toEqual(Object.keys(synth()).sort());
});
