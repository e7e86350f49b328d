import { createServiceClients } from '../../lambda/core/clients';
import { CallTracker } from '../../lambda/core/calls';
import { createLogger, setLogSink } from '../../lambda/core/log';
import { Template } from '../../lambda/core/template';
import { DeployedStack } from '../../lambda/drift/declared';
import { HANDLERS } from '../../lambda/index';
import { keyValues, USAGE_ERROR, usageLine } from '../args';
import { CommandIo, commandOptions, describeFailure, STDIO } from '../command';
import { DriftCommandError, loadStack } from '../drift/stacks';
import { openTarget, Target } from '../target';
import { plannedRequests, PlannedRequest, propertiesChange, resolve } from './events';
import { stagedObjects, withStaged } from './assets';
import { readOnce } from './dry-run';
import { countCreates } from './fresh';
import { exitCodeOf, PlanDocument, renderPlan, StackPlan } from './report';
import { plannedSecrets, withPlannedSecrets } from './planned-secrets';
import { planRequest, PlanEntry } from './resource';
import { PlannedStack } from './view';
import type { ServiceClients } from '../../lambda/core/clients';
import type { StackArtifact } from '../synth';

/**
 * `cdk-wickr-chime plan`: what a deploy of the app would do to the live services, resource
 * by resource, with reads only. Exit status 0 when no call would change anything, 1 when one
 * would, 2 on an error or when the deploy would be refused (a resource BLOCKED).
 */
export const PLAN_USAGE = `usage: cdk-wickr-chime plan [options]

  --stack NAME      a stack of the app to plan (repeatable; default: every stack with resources
                    of this library)
  --app CMD         the app to synthesize (default: cdk.json's "app"), or a cloud assembly directory
  --context K=V     a context value, as cdk -c (repeatable): preview an adoption with
                    --context cdk-wickr-chime:adopt=...
  --parameter K=V   a template parameter value, as cdk deploy --parameters (repeatable;
                    Stack:Name=V for one stack); others keep their deployed value, else
                    the template's default
  --region R        the region (default: the AWS SDK's: AWS_REGION, the profile)
  --json            one JSON document on stdout instead of the table (progress goes to stderr)
  --wide            do not shorten the table's columns to 120 characters (the default when
                    stdout is not a terminal)
  --endpoint URL    plan against a running emulator (what deploy-local --endpoint deploys to)
  --state FILE      deploy-local's state file: plan against the embedded emulator kept beside it
  -h, --help        this text

Each resource of this library gets CREATE, ADOPT (exists; taken over, with the changes that
makes), UPDATE (the changed properties, live -> declared), REPLACE, DELETE, RETAIN, NO CHANGE
or BLOCKED (with why), and the number of calls that change something. It reads CloudFormation
and the services with the caller's credentials (the permissions drift needs) and changes
nothing: the provider's own code runs with every changing call recorded instead of sent.
Exit status: 0 when no call would change anything, 1 when one would, 2 on an error, a
BLOCKED resource, or bad arguments.
`;

const OPTIONS = {
  stack: { type: 'string', multiple: true },
  app: { type: 'string' },
  context: { type: 'string', multiple: true },
  parameter: { type: 'string', multiple: true },
  region: { type: 'string' },
  json: { type: 'boolean' },
  wide: { type: 'boolean' },
  endpoint: { type: 'string' },
  state: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface PlanIo extends CommandIo {
  /** Where the app is synthesized. @default the process's working directory */
  readonly cwd?: string;
}

const isOurs = (type: string) => Object.prototype.hasOwnProperty.call(HANDLERS, type);

export async function planCommand(args: string[], io: PlanIo = STDIO): Promise<number> {
  const values = commandOptions('plan', args, OPTIONS, PLAN_USAGE, io);
  if (typeof values === 'number') return values;
  const contextGiven = keyValues(values.context, 'context');
  const parametersGiven = keyValues(values.parameter, 'parameter', 'NAME=VALUE');
  if ('error' in contextGiven || 'error' in parametersGiven) {
    io.err(usageLine('plan', 'error' in contextGiven ? contextGiven.error : (parametersGiven as { error: string }).error));
    return USAGE_ERROR;
  }
  const context = contextGiven.values;
  const parameters = parametersGiven.values;
  const target = await openTarget('plan', values, io);
  if (typeof target === 'number') return target;
  // The handlers run here: their log lines would interleave with the plan.
  const sink = setLogSink(() => undefined);
  const { synthesize, readAssembly } = await import('../synth');
  let assembly: { dir: string; temporary: boolean } | undefined;
  try {
    io.err('plan: synthesizing...\n');
    assembly = await synthesize({ app: values.app, cwd: io.cwd, context });
    const stacks = readAssembly(assembly.dir).stacks.filter((s) => (values.stack ? values.stack.includes(s.stackName) : Object.values(s.template.Resources ?? {}).some((r) => isOurs(r.Type))));
    const unknown = (values.stack ?? []).filter((n) => !stacks.some((s) => s.stackName === n));
    if (unknown.length > 0) throw new DriftCommandError(`the app has no stack named ${unknown.join(', ')}`);
    if (stacks.length === 0) throw new DriftCommandError('the app has no stack with resources of cdk-wickr-chime');
    let reads = 0;
    // Each stack is read in its own account and region on the local twin (a stage's), as drift does; in an account, with the
    // caller's credentials and region (--region). Once per account and region: its services and its exports (what Fn::ImportValue gives).
    const accounts = new Map<string, Promise<{ live: ServiceClients; exports: ReadonlyMap<string, string> }>>();
    const readerFor = (accountId: string, region: string) => {
      let reader = accounts.get(`${accountId} ${region}`);
      if (!reader) {
        reader = (async () => {
          const options = await (target.clientOptionsFor?.(accountId) ?? target.account.clientOptions());
          const live = readOnce(createServiceClients(readOnly(() => reads++), target.clientOptionsFor ? { ...options, region } : options));
          return { live, exports: (await live.cloudformation().exports?.()) ?? new Map<string, string>() };
        })();
        accounts.set(`${accountId} ${region}`, reader);
      }
      return reader;
    };
    const plans: StackPlan[] = [];
    for (const stack of stacks) {
      io.err(`plan: ${stack.stackName}: reading...\n`);
      const { live, exports } = await readerFor(stack.account, stack.region);
      plans.push(await planStack(target, live, stack, { exports, parameters }, (line) => io.err(`${line}\n`)));
    }
    const exitCode = exitCodeOf(plans);
    if (values.json) {
      const document: PlanDocument = { stacks: plans, reads, exitCode };
      io.out(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      io.out(`${renderPlan(plans, Boolean(values.wide) || !io.isTTY).join('\n')}\n`);
    }
    io.err(`plan: ${reads} read(s); nothing was changed\n`);
    return exitCode;
  } catch (err) {
    io.err(`plan: ${describeFailure(err)}\n`);
    return 2;
  } finally {
    setLogSink(sink);
    if (assembly?.temporary) (await import('fs')).rmSync(assembly.dir, { recursive: true, force: true });
    await target.close();
  }
}

/** An observer of the live clients: counts reads, and refuses any change before it is sent (the dry run records changes before they get here). */
function readOnly(onRead: () => void): CallTracker {
  const tracker = new CallTracker(createLogger({}, () => undefined), { readOnly: true });
  const before = tracker.before.bind(tracker);
  tracker.before = (call) => {
    before(call);
    onRead();
  };
  return tracker;
}

/** The plan of one stack of the app: its requests in the deploy's order, each planned (see `resource.ts`), then the creates counted. */
async function planStack(
  target: Target,
  live: ServiceClients,
  stack: StackArtifact,
  given: { readonly exports: ReadonlyMap<string, string>; readonly parameters: Readonly<Record<string, string>> },
  progress: (line: string) => void,
): Promise<StackPlan> {
  const { stackName, template, account, region } = stack;
  const { exports } = given;
  const loaded = await deployedStack(target, stackName);
  const deployed = loaded && { ...loaded, exports };
  const parameters = parameterValues(template, stackName, deployed?.parameters ?? {}, given.parameters);
  const stackId = deployed?.stackId ?? `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/planned`;
  const view = new PlannedStack(live.cloudformation(), stackId, template, deployed?.resources ?? [], deployed !== undefined);
  // What the deploy stages and the secrets it makes, before any request of the stack (`assets.ts`, `planned-secrets.ts`).
  const staged = stagedObjects(stack);
  const secrets = plannedSecrets(template, new Set((deployed?.resources ?? []).map((r) => r.logicalId)), stackId.split(':')[1] ?? 'aws', region, account);
  for (const [arn, logicalId] of secrets) view.end(logicalId, 'AWS::SecretsManager::Secret', 'Create', arn);
  const reads: ServiceClients = { ...live, s3: () => withStaged(live.s3(), staged), secrets: () => withPlannedSecrets(live.secrets(), secrets) };
  const next = (): DeployedStack => ({ stackName, stackId, region, account, template, parameters, resources: view.resourceList, exports });
  const entries: PlanEntry[] = [];
  const replaced: PlannedRequest[] = [];
  for (const planned of plannedRequests(template, deployed, isOurs)) {
    const request: PlannedRequest = planned.kind === 'Update' && !propertiesChange(deployed!, next(), planned.logicalId) ? { ...planned, kind: 'None' } : planned;
    const properties = request.kind === 'Delete' ? undefined : resolve(next(), request.logicalId);
    const oldProperties = deployed && request.kind !== 'Create' ? resolve(deployed, request.logicalId).properties : undefined;
    const entry = await planRequest({
      request,
      handler: HANDLERS[request.type],
      view,
      stackId,
      live: reads,
      properties: properties?.properties,
      oldProperties,
      unresolved: request.kind === 'Create' || request.kind === 'Update' ? (properties?.unresolved ?? {}) : {},
    });
    if (entry.action === 'REPLACE' && request.physicalId) replaced.push(request);
    entries.push(entryWithOrder(entry, entries));
    progress(`plan: ${stackName}  ${entry.action.padEnd(9)}  ${request.logicalId}`);
  }
  // A replacement's old resource is deleted in the cleanup phase, after every create and update.
  for (const old of replaced) {
    // The old resource of a replacement is deleted in the cleanup phase, unless its UpdateReplacePolicy keeps it (CloudFormation sends no Delete).
    const policy = template.Resources?.[old.logicalId]?.UpdateReplacePolicy;
    const retainedBy = policy === 'Retain' ? 'UpdateReplacePolicy Retain' : undefined;
    const deletion = await planRequest({ request: { ...old, kind: 'Delete', retainedBy }, handler: HANDLERS[old.type], view, stackId, live: reads, oldProperties: resolve(deployed!, old.logicalId).properties, unresolved: {} });
    const entry = entries.find((e) => e.logicalId === old.logicalId)!;
    entry.reason = `${entry.reason ?? 'replaced'}; then the old ${old.physicalId} is ${deletion.action === 'RETAIN' ? `kept (${retainedBy ?? deletion.reason})` : 'deleted'}`;
    entry.deletes = deletion;
  }
  await countNew(entries, stack.assemblyDir, stackName, template, progress);
  return { stackName, stackId: deployed?.stackId, account, region, entries, others: Object.values(template.Resources ?? {}).filter((r) => !isOurs(r.Type)).length };
}

/** The calls of the creates (and replacements) the dry run could not run, from the model of the services (`fresh.ts`). */
async function countNew(entries: PlanEntry[], assemblyDir: string, stackName: string, template: Template, progress: (line: string) => void): Promise<void> {
  const uncounted = entries.filter((e) => e.calls === undefined && (e.action === 'CREATE' || e.action === 'REPLACE'));
  if (uncounted.length === 0) return;
  progress(`plan: ${stackName}: counting the calls of ${uncounted.length} new resource(s) on the model of the services...`);
  const counts = await countCreates(assemblyDir, stackName, template);
  for (const entry of uncounted) {
    const calls = counts.calls.get(entry.logicalId);
    const deletes = entry.deletes?.calls ?? [];
    if (calls) entry.calls = [...calls, ...deletes];
    else entry.reason = [entry.reason, counts.uncounted.get(entry.logicalId) ?? 'its create could not be counted'].filter(Boolean).join('; ');
  }
}

/**
 * A resource BLOCKED by another resource of this stack that this deploy updates (a name it
 * gives up, say): the plan reads the services as they are before the deploy, and
 * CloudFormation runs the two in either order unless one depends on the other. The reason
 * says so.
 */
function entryWithOrder(entry: PlanEntry, before: readonly PlanEntry[]): PlanEntry {
  const other = entry.action === 'BLOCKED' ? /this stack \(logical id ([A-Za-z0-9]+)/.exec(entry.reason ?? '')?.[1] : undefined;
  const updated = other && before.find((e) => e.logicalId === other && (e.action === 'UPDATE' || e.action === 'REPLACE'));
  if (!updated) return entry;
  return {
    ...entry,
    reason: `${entry.reason}. ${other} is ${updated.action === 'UPDATE' ? 'updated' : 'replaced'} in this deploy and may give it up, but the plan reads the services as they are before the deploy, and CloudFormation runs the two in either order unless ${entry.logicalId} depends on ${other} (node.addDependency)`,
  };
}

/**
 * The parameter values the deploy will use, as `cdk deploy` chooses them: the ones given
 * (`Name`, or `Stack:Name` for this stack), else the deployed value, else the template's default.
 */
function parameterValues(template: Template, stackName: string, deployed: Readonly<Record<string, string>>, given: Readonly<Record<string, string>>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, declared] of Object.entries(template.Parameters ?? {})) {
    const value = given[`${stackName}:${name}`] ?? given[name] ?? deployed[name] ?? (declared.Default === undefined ? undefined : String(declared.Default));
    if (value !== undefined) values[name] = value;
  }
  return values;
}

/** The stack as deployed, or undefined when the deploy creates it. */
async function deployedStack(target: Target, stackName: string): Promise<DeployedStack | undefined> {
  try {
    const loaded = await loadStack(target.account, stackName, isOurs);
    return /^(DELETE_COMPLETE|REVIEW_IN_PROGRESS)$/.test(loaded.status) ? undefined : loaded.stack;
  } catch (err) {
    if (err instanceof DriftCommandError) return undefined;
    throw err;
  }
}

