import { setLogSink } from '../../lambda/core/log';
import { USAGE_ERROR, usageLine } from '../args';
import { CommandIo, commandOptions, describeFailure, STDIO } from '../command';
import { openTarget } from '../target';
import { pascal } from './format';
import { generate } from './generate';
import { checkOutDir, writeFiles } from './out-dir';
import { readAppInstance, ImportedAppInstance } from './read-chime';
import { ImportedNetwork, readNetwork } from './read-wickr';
import { count, readSession } from './session';
import { deployCommand } from './deploy-command';


/**
 * `cdk-wickr-chime import`: writes a stack that declares live Wickr networks and Chime SDK
 * Identity app instances exactly as they are, and prints the deploy that adopts them.
 * Reads only. Exit status 0 when the files were written, 2 on an error (nothing written).
 */
export const IMPORT_USAGE = `usage: cdk-wickr-chime import [options]

  --network-id ID         a Wickr network to import (repeatable)
  --app-instance-arn ARN  a Chime SDK Identity app instance to import (repeatable)
  --region R              the region (default: the AWS SDK's: AWS_REGION, the profile)
  --out DIR               where to write (default: ./imported)
  --name NAME             the construct's class name, its file name (NAME.ts) and the stack's
                          name (default: from the first network's or app instance's name)
  --force                 write into an --out that holds files import did not write
  --endpoint URL          read from a running emulator (the deploy it prints is deploy-local's)
  --state FILE            deploy-local's state file: read the embedded emulator's state kept beside it
  -h, --help              this text

It reads with the default credentials, which need read permissions only (the README lists
them), prints one progress line per kind on stderr, and writes, only once everything was read:
NAME.ts (a Construct declaring every resource), NAME-app.ts (an app with it in a stack named
NAME) and NAME-users.csv (the network's users). Secret values (bot challenges, client secrets,
device tokens) are never written: the code references Secrets Manager secrets to create, each
with a TODO comment. It ends with the one deploy command that adopts everything it declared.
Exit status: 0 when written, 2 on an error or bad arguments (and then nothing is written).
`;

const OPTIONS = {
  'network-id': { type: 'string', multiple: true },
  'app-instance-arn': { type: 'string', multiple: true },
  region: { type: 'string' },
  out: { type: 'string' },
  name: { type: 'string' },
  force: { type: 'boolean' },
  endpoint: { type: 'string' },
  state: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What one run read and wrote, for tests and the benchmark. */
export interface ImportRun {
  readonly code: number;
  /** Calls made, by operation. */
  readonly calls?: ReadonlyMap<string, number>;
  readonly logicalIds?: readonly string[];
  /** The adoption context's entries the printed deploy gives. */
  readonly adopt?: readonly string[];
}

/** Runs `import` with `args`; the exit status. */
export async function importCommand(args: string[], io: CommandIo = STDIO): Promise<number> {
  return (await runImport(args, io)).code;
}

/** `import`, with what it read and declared. */
export async function runImport(args: string[], io: CommandIo = STDIO): Promise<ImportRun> {
  const values = commandOptions('import', args, OPTIONS, IMPORT_USAGE, io);
  if (typeof values === 'number') return { code: values };
  const usage = (problem: string) => {
    io.err(usageLine('import', problem));
    return { code: USAGE_ERROR };
  };
  const networkIds = [...new Set(values['network-id'] ?? [])].sort();
  const arns = [...new Set(values['app-instance-arn'] ?? [])].sort();
  if (networkIds.length === 0 && arns.length === 0) return usage('give at least one --network-id or --app-instance-arn');
  if (values.name !== undefined && !/^[A-Z][A-Za-z0-9]{0,63}$/.test(values.name)) {
    return usage(`--name must be a class name (a capital letter, then letters and digits), not ${JSON.stringify(values.name)}`);
  }
  const outDir = values.out ?? 'imported';
  const fail = (message: string) => {
    io.err(`import: ${message}\n`);
    return { code: 2 };
  };

  const target = await openTarget('import', values, io);
  if (typeof target === 'number') return { code: target };
  // The handlers' reads run here: their log lines would interleave with the progress lines.
  const sink = setLogSink(() => undefined);
  try {
    const session = readSession(await target.account.clientOptions());
    const progress = (line: string) => io.err(`${line}\n`);
    const networks: ImportedNetwork[] = [];
    for (const id of networkIds) networks.push(await readNetwork(session, id, progress));
    const instances: ImportedAppInstance[] = [];
    for (const arn of arns) instances.push(await readAppInstance(session, arn, progress));

    const name = values.name ?? (pascal(networks[0]?.name ?? instances[0]?.name ?? '') || 'Imported');
    const className = /^\d/.test(name) ? `Imported${name}` : name;
    const generated = generate(className, networks, instances);
    checkOutDir(outDir, [...generated.files.keys()], Boolean(values.force));
    writeFiles(outDir, generated.files);

    const totalCalls = [...session.calls.values()].reduce((a, b) => a + b, 0);
    io.err(`wrote ${[...generated.files.keys()].map((f) => `${outDir}/${f}`).join(', ')} (${count(totalCalls)} read calls)\n`);
    if (generated.secrets.length > 0) io.out(`Create these ${generated.secrets.length} secret(s) first (see the TODO comments in ${outDir}/${className}.ts):\n${generated.secrets.map((s) => `  ${s.name}\n`).join('')}\n`);
    io.out(`To adopt everything it declares, deploy with:\n  ${deployCommand({ outDir, name: className, adopt: generated.adopt, endpoint: values.endpoint, state: values.state })}\n`);
    return { code: 0, calls: session.calls, logicalIds: generated.logicalIds, adopt: generated.adopt };
  } catch (err) {
    return fail(describeFailure(err));
  } finally {
    setLogSink(sink);
    await target.close();
  }
}
