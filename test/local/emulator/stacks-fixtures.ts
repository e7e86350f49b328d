import * as fs from 'fs';
import * as path from 'path';
import type { StackSpec } from '../../../local/emulator';
import { StateStore } from '../../../local/runner/state';

/** A stack registration for the emulator's CloudFormation and Lambda tests. */

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Ops/5b3f9f40-0c5e-11ef-9f4e-0a1b2c3d4e5f`;

/** A template whose strings hold every character XML must escape. */
export const TEMPLATE = {
  Description: 'Ops <network> & "friends" \'here\'\r\nsecond line',
  Parameters: { Stage: { Type: 'String' }, Token: { Type: 'String', NoEcho: true } },
  Resources: {
    Network: { Type: 'Custom::WickrNetwork', Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:Provider', NetworkName: 'a<b>&c' } },
    Provider: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler' } },
  },
  Outputs: { NetworkId: { Value: { Ref: 'Network' }, Description: 'the network' } },
};

export function stackSpec(overrides: Partial<StackSpec> = {}): StackSpec {
  return {
    stackId: STACK_ID,
    stackName: 'Ops',
    region: REGION,
    accountId: ACCOUNT,
    status: 'CREATE_COMPLETE',
    template: TEMPLATE,
    parameters: { Stage: 'prod', Token: 'not-shown' },
    resources: [
      { logicalId: 'Network', type: 'Custom::WickrNetwork', physicalId: '12345678', status: 'CREATE_COMPLETE', lastUpdated: '2024-05-01T10:00:00.000Z' },
      { logicalId: 'Provider', type: 'AWS::Lambda::Function', physicalId: 'Provider', status: 'UPDATE_COMPLETE' },
    ],
    functions: [],
    outputs: { NetworkId: '12345678' },
    ...overrides,
  };
}

/** Stages `files` as deploy-local stages a function's code (beside a state file in `root`); returns the code directory. */
export function stageCode(root: string, files: Readonly<Record<string, string>>): string {
  const source = fs.mkdtempSync(path.join(root, 'source-'));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(source, name), content);
  return path.join(root, new StateStore(path.join(root, 'state.json')).storeCode(source));
}
