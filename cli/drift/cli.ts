import { randomUUID } from 'crypto';
import { createServiceClients } from '../../lambda/core/clients';
import { setLogSink } from '../../lambda/core/log';
import { STABLE_STACK } from '../../lambda/core/ownership';
import { checkStack, Reader } from '../../lambda/drift/check';
import { ResourceDrift } from '../../lambda/drift/compare';
import { declaredProperties } from '../../lambda/drift/declared';
import { inProcessReader } from '../../lambda/drift/reader';
import { RepairResult } from '../../lambda/drift/requests';
import { HANDLERS } from '../../lambda/index';
import { Account } from './account';
import { CommandIo, commandOptions, describeFailure, STDIO } from '../command';
import { openTarget } from '../target';
import { allStackNames, DriftCommandError, loadStack, StackToCheck } from './stacks';
import { DriftDocument, exitCodeOf, progressLine, recreateHints, renderTable, StackReport, totalsOf } from './report';

/**
 * `cdk-wickr-chime drift`: checks deployed stacks' Wickr and Chime resources against their
 * templates, with `--fix` brings what was modified back. Exit status 0 when everything is
 * in sync, 1 when anything drifted, 2 on an error (or a resource that could not be checked).
 */
export const DRIFT_USAGE = `usage: cdk-wickr-chime drift [options]

  --stack NAME     a stack to check (repeatable; default: every stack with resources of this library)
  --region R       the region (default: the AWS SDK's: AWS_REGION, the profile)
  --json           one JSON document on stdout instead of the table (progress goes to stderr)
  --fix            bring every MODIFIED resource back to its declared values (never creates,
                   replaces or deletes: a DELETED resource comes back with a deploy that names
                   it in the cdk-wickr-chime:recreate context, as the output says)
  --wide           do not shorten the table's columns to 120 characters (the default when
                   stdout is not a terminal)
  --endpoint URL   check stacks deploy-local deployed into a running emulator
  --state FILE     deploy-local's state file; without --endpoint, the embedded emulator's state
                   kept beside it is checked
  -h, --help       this text

Without --endpoint and --state it checks the account the default credentials reach: it reads
CloudFormation (DescribeStacks, ListStackResources, GetTemplate) and each resource's service
with those credentials, which need read permissions only (the README lists them). --fix also
invokes each stack's provider function (lambda:InvokeFunction), which makes the changes, and
only on a stack that CloudFormation is not changing.
Exit status: 0 when everything is in sync, 1 when anything drifted, 2 on an error, a resource
that could not be checked, or bad arguments.
`;

const OPTIONS = {
  stack: { type: 'string', multiple: true },
  region: { type: 'string' },
  json: { type: 'boolean' },
  fix: { type: 'boolean' },
  wide: { type: 'boolean' },
  endpoint: { type: 'string' },
  state: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const isOurs = (type: string) => Object.prototype.hasOwnProperty.call(HANDLERS, type);

export async function driftCommand(args: string[], io: CommandIo = STDIO): Promise<number> {
  const values = commandOptions('drift', args, OPTIONS, DRIFT_USAGE, io);
  if (typeof values === 'number') return values;
  const target = await openTarget('drift', values, io);
  if (typeof target === 'number') return target;
  // The handlers' reads run here: their log lines would interleave with the report.
  const sink = setLogSink(() => undefined);
  try {
    const names = values.stack ?? (await allStackNames(target.account));
    const reports: StackReport[] = [];
    // One reader per account the stacks are in (the clients it makes carry that account's credentials).
    const readers = new Map<string, Reader>();
    const readerFor = async (accountId: string): Promise<Reader> => {
      let reader = readers.get(accountId);
      if (!reader) {
        const options = await (target.clientOptionsFor?.(accountId) ?? target.account.clientOptions());
        reader = inProcessReader((type) => (isOurs(type) ? HANDLERS[type] : undefined), (observer) => createServiceClients(observer, options));
        readers.set(accountId, reader);
      }
      return reader;
    };
    for (const name of names) {
      const loaded = await loadStack(target.account, name, isOurs);
      if (!loaded.provider) {
        if (values.stack) throw new DriftCommandError(`stack ${name} has no resources of cdk-wickr-chime`);
        continue;
      }
      if (values.fix && !STABLE_STACK.test(loaded.status)) {
        throw new DriftCommandError(
          `stack ${name} is ${loaded.status}: --fix changes nothing while CloudFormation ${/_IN_PROGRESS$/.test(loaded.status) ? 'is changing the stack; wait until it is done' : 'left the stack failed; deploy it again (or continue its rollback) first'}, then run drift --fix again`,
        );
      }
      reports.push(await checkOne(target.account, loaded, await readerFor(loaded.stack.account), Boolean(values.fix), (line) => io.err(`${line}\n`)));
    }
    if (reports.length === 0) throw new DriftCommandError('no stack with resources of cdk-wickr-chime was found');
    const exitCode = exitCodeOf(reports);
    if (values.json) {
      const document: DriftDocument = { stacks: reports, totals: totalsOf(reports), exitCode };
      io.out(`${JSON.stringify(document, null, 2)}\n`);
    } else {
      io.out(`${renderTable(reports, Boolean(values.wide) || !io.isTTY).join('\n')}\n`);
      const t = totalsOf(reports);
      io.out(`\n${t.IN_SYNC} in sync, ${t.MODIFIED} modified, ${t.DELETED} deleted, ${t.NOT_CHECKED} not checked\n`);
      for (const hint of recreateHints(reports, values)) io.out(`${hint}\n`);
    }
    return exitCode;
  } catch (err) {
    io.err(`drift: ${describeFailure(err)}\n`);
    return 2;
  } finally {
    setLogSink(sink);
    await target.close();
  }
}

/** Checks one stack; with `fix`, repairs every MODIFIED resource and checks it again. */
async function checkOne(account: Account, loaded: StackToCheck, reader: Reader, fix: boolean, progress: (line: string) => void): Promise<StackReport> {
  const { stack } = loaded;
  const provider = loaded.provider as string;
  const lives = new Map<string, Record<string, unknown>>();
  const read: Reader = async (request) => {
    const result = await reader(request);
    if (result.Live) lives.set(request.LogicalResourceId, result.Live);
    return result;
  };
  const handlers = (type: string) => (isOurs(type) ? HANDLERS[type] : undefined);
  const results = await checkStack(stack, handlers as never, read, (r) => progress(progressLine(stack.stackName, r)));
  if (!fix) return { stackName: stack.stackName, stackId: stack.stackId, resources: results };
  const fixed: string[] = [];
  const after: ResourceDrift[] = [];
  for (const r of results) {
    if (r.status !== 'MODIFIED') {
      after.push(r);
      continue;
    }
    const repair = await account.invoke<RepairResult>(provider, {
      RequestType: 'Repair',
      ResourceType: r.type,
      LogicalResourceId: r.logicalId,
      PhysicalResourceId: r.physicalId as string,
      ResourceProperties: declaredProperties(stack, r.logicalId).properties,
      LiveProperties: lives.get(r.logicalId) ?? {},
      StackId: stack.stackId,
      RequestId: randomUUID(),
    });
    const [again] = await checkStack(stack, handlers as never, read, undefined, (id) => id === r.logicalId);
    if (repair.Status === 'SUCCESS' && again.status === 'IN_SYNC') fixed.push(r.logicalId);
    progress(`${stack.stackName}  ${repair.Status === 'SUCCESS' ? 'REPAIRED   ' : 'NOT FIXED  '}  ${r.logicalId}  ${repair.Reason ?? again.status}`);
    after.push(repair.Status === 'SUCCESS' ? again : { ...again, reason: repair.Reason });
  }
  return { stackName: stack.stackName, stackId: stack.stackId, resources: after, fixed };
}

