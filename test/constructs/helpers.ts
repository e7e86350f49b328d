import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

export function newStack(): Stack {
  const app = new App();
  return new Stack(app, 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
}

/** The message of what `run` throws (synth errors, say); fails the test when it throws nothing. */
export function thrown(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

/** The template's custom resources of one type, by logical id. */
export function customResources(template: Template, type: string): Record<string, { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }> {
  return template.findResources(type) as any;
}

/** Every IAM action the provider role is allowed, flattened. */
export function providerActions(template: Template): string[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const actions = new Set<string>();
  for (const policy of Object.values(policies) as any[]) {
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      for (const a of [].concat(statement.Action)) actions.add(a);
    }
  }
  return [...actions].sort();
}
