import { DeployedStack } from '../../lambda/drift/declared';
import { CommandError } from '../command';
import { resolveValue } from '../../lambda/core/intrinsics';
import { EvaluationContext, Template } from '../../lambda/core/template';
import { Account } from './account';

/** A stack to check, with the provider function that serves its resources. */
export interface StackToCheck {
  readonly stack: DeployedStack;
  /** The stack's status (`UPDATE_COMPLETE`, `UPDATE_IN_PROGRESS`, ...). */
  readonly status: string;
  /** The provider function's name (its physical id), or undefined when the stack has none of ours. */
  readonly provider?: string;
}

/** A stack name that does not exist, or another reason to stop with exit status 2. */
export class DriftCommandError extends CommandError {}

/** Every stack of the account and region that is not deleted, by name (when no --stack is given). */
export async function allStackNames(account: Account): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await account.describeStacks(undefined, nextToken);
    for (const s of page.stacks) if (s.stackName && !/^DELETE_COMPLETE/.test(s.status)) names.push(s.stackName);
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
}

/** The stack's template, parameters and resources (`DescribeStacks`, `ListStackResources`, `GetTemplate`). */
export async function loadStack(account: Account, stackName: string, isOurs: (type: string) => boolean): Promise<StackToCheck> {
  let described;
  try {
    [described] = (await account.describeStacks(stackName)).stacks;
  } catch (err) {
    if ((err as Error).name === 'ValidationError') throw new DriftCommandError(`there is no stack named ${stackName}${account.region ? ` in ${account.region}` : ''} (${(err as Error).message})`);
    throw err;
  }
  if (!described?.stackId) throw new DriftCommandError(`there is no stack named ${stackName}${account.region ? ` in ${account.region}` : ''}`);
  const resources = await account.listResources(described.stackId);
  const template = (await account.template(described.stackId)) as Template;
  const [, , , region, accountId] = described.stackId.split(':');
  const stack: DeployedStack = { stackName, stackId: described.stackId, region, account: accountId, template, parameters: described.parameters, resources };
  return { stack, status: described.status, provider: providerOf(stack, isOurs) };
}

/** The function our resources' `ServiceToken` names (`Fn::GetAtt [Function, Arn]`), as its physical id. */
function providerOf(stack: DeployedStack, isOurs: (type: string) => boolean): string | undefined {
  const byId = new Map(stack.resources.map((r) => [r.logicalId, r]));
  for (const r of stack.resources) {
    if (!isOurs(r.type)) continue;
    const token = stack.template.Resources?.[r.logicalId]?.Properties?.ServiceToken;
    const ctx: EvaluationContext = {
      stackName: stack.stackName,
      stackId: stack.stackId,
      account: stack.account,
      region: stack.region,
      parameters: stack.parameters,
      conditions: {},
      mappings: stack.template.Mappings,
      importValue: () => undefined,
      resource: (id) => {
        const found = byId.get(id);
        return found?.physicalId ? { ref: found.physicalId, attribute: () => found.physicalId } : undefined;
      },
    };
    try {
      const name = resolveValue(token, ctx);
      if (typeof name === 'string' && name) return name.split(':function:').pop();
    } catch {
      // another resource of ours may name it in a way that resolves
    }
  }
  return undefined;
}
