import { randomUUID } from 'crypto';
import { ReadRequest, ReadResult } from '../../lambda/core/event';
import { checkStack } from '../../lambda/drift/check';
import { ResourceDrift } from '../../lambda/drift/compare';
import { DeployedStack } from '../../lambda/drift/declared';
import { RepairResult } from '../../lambda/drift/requests';
import { HANDLERS } from '../../lambda/index';
import { Harness, STACK_ID } from '../harness/handler-harness';

/**
 * Drift of one resource made through the handler harness: the "deployed template" declares
 * `props` for logical id `R`, so the check and the repair see exactly what the drift
 * command would see for it.
 */
export function oneResourceStack(type: string, physicalId: string, props: Record<string, unknown>): DeployedStack {
  return {
    stackName: 'HarnessStack',
    stackId: STACK_ID,
    region: 'us-east-1',
    account: '123456789012',
    template: { Resources: { R: { Type: type, Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider', ...props } } } },
    parameters: {},
    resources: [{ logicalId: 'R', type, physicalId, status: 'CREATE_COMPLETE' }],
  };
}

const handlerOf = (type: string) => (Object.prototype.hasOwnProperty.call(HANDLERS, type) ? HANDLERS[type] : undefined);

/** The drift of the one resource, as the drift command reports it. */
export async function driftOf(h: Harness, type: string, physicalId: string, props: Record<string, unknown>): Promise<ResourceDrift> {
  const [drift] = await checkStack(oneResourceStack(type, physicalId, props), handlerOf as never, (request: ReadRequest) => h.invoke(request as never) as Promise<ReadResult>);
  return drift;
}

/** `drift --fix` for the one resource: a Repair request with what the read answered. */
export async function repairOf(h: Harness, type: string, physicalId: string, props: Record<string, unknown>): Promise<RepairResult> {
  const read = (await h.invoke({ RequestType: 'Read', ResourceType: type, LogicalResourceId: 'R', PhysicalResourceId: physicalId, ResourceProperties: props, StackId: STACK_ID })) as ReadResult;
  return (await h.invoke({
    RequestType: 'Repair',
    ResourceType: type,
    LogicalResourceId: 'R',
    PhysicalResourceId: physicalId,
    ResourceProperties: props,
    LiveProperties: read.Live ?? {},
    StackId: STACK_ID,
    RequestId: randomUUID(),
  })) as RepairResult;
}
