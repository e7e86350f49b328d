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

/**
 * `drift --fix` for the one resource: a Repair request with what the read answered, while the
 * stack is stable (a repair of a stack CloudFormation is changing is refused) and has the resource.
 */
export async function repairOf(h: Harness, type: string, physicalId: string, props: Record<string, unknown>): Promise<RepairResult> {
  const read = (await h.invoke({ RequestType: 'Read', ResourceType: type, LogicalResourceId: 'R', PhysicalResourceId: physicalId, ResourceProperties: props, StackId: STACK_ID })) as ReadResult;
  const status = h.cloudformation.stackStatus;
  h.cloudformation.status('UPDATE_COMPLETE');
  h.cloudformation.resource('R', type, 'UPDATE_COMPLETE', physicalId);
  try {
    return await repairRequest(h, type, physicalId, props, read);
  } finally {
    h.cloudformation.status(status);
  }
}

async function repairRequest(h: Harness, type: string, physicalId: string, props: Record<string, unknown>, read: ReadResult): Promise<RepairResult> {
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

/** The calls of `service` (every service when not given) that change something: what a repair sent. */
export function writesOf(h: Harness, service?: string): string[] {
  return h.calls(service).map((call) => call.operation).filter((op) => !/^(Get|List|Describe)/.test(op));
}

/**
 * One resource's drift round trip through the handler: created and in sync; changed by hand
 * (`byHand`), then MODIFIED at exactly `expected.paths`; repaired with exactly
 * `expected.repairCalls` (of `service`); in sync again. Answers the physical id.
 */
export async function roundTrip(
  h: Harness,
  service: string | undefined,
  type: string,
  props: Record<string, unknown>,
  byHand: (id: string) => Promise<unknown>,
  expected: { paths: string[]; repairCalls: string[] },
): Promise<string> {
  const created = await h.create({ type, props });
  expect([created.Status, created.Reason]).toEqual(['SUCCESS', undefined]);
  const id = created.PhysicalResourceId!;
  expect(await driftOf(h, type, id, props)).toMatchObject({ status: 'IN_SYNC', drifts: [] });
  await byHand(id);
  const drifted = await driftOf(h, type, id, props);
  expect(drifted.status).toBe('MODIFIED');
  expect(drifted.drifts.map((d) => d.path)).toEqual(expected.paths);
  h.clearCalls();
  expect(await repairOf(h, type, id, props)).toEqual({ Status: 'SUCCESS' });
  expect(writesOf(h, service)).toEqual(expected.repairCalls);
  expect(await driftOf(h, type, id, props)).toMatchObject({ status: 'IN_SYNC' });
  return id;
}
