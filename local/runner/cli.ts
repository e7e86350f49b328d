import { deployLocal, destroyLocal, DeployLocalOptions, DEFAULT_STATE_FILE } from './index';

/**
 * `cdk-wickr-chime deploy-local` and `destroy-local`. Exit status 0 when every stack
 * deployed (or was destroyed), 1 otherwise (a failure and its rollback included).
 */

const USAGE = `usage: cdk-wickr-chime deploy-local|destroy-local [options]

  --app CMD        the app command (default: "app" of ./cdk.json); a directory is used as the cloud assembly
  --state FILE     the runner's state (default: ${DEFAULT_STATE_FILE}); an embedded emulator keeps its
                   state beside it (emulator-state.json)
  --endpoint URL   use a running emulator (cdk-wickr-chime emulator) instead of an embedded one
  --stack NAME     only this stack (repeatable)
  --parameter K=V  a template parameter value (repeatable; Stack:Name=V for one stack)
  --context K=V    a context value for the app (repeatable), as cdk deploy -c K=V
  --concurrency N  resources run at once when independent (default 4)
  --verbose        also print the provider function's log lines
`;

type ParsedArgs = { readonly options: DeployLocalOptions } | { readonly help: true } | { readonly error: string };

export function deployLocalCommand(args: string[]): Promise<number> {
  return run('deploy', args);
}

export function destroyLocalCommand(args: string[]): Promise<number> {
  return run('destroy', args);
}

async function run(mode: 'deploy' | 'destroy', args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if ('error' in parsed) {
    process.stderr.write(`${parsed.error}\n\n${USAGE}`);
    return 1;
  }
  if ('help' in parsed) {
    process.stdout.write(USAGE);
    return 0;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const report = mode === 'deploy' ? await deployLocal({ ...parsed.options, out }) : await destroyLocal({ ...parsed.options, out });
  if (!report.success) process.stderr.write(`${mode}-local failed: ${report.reason ?? 'see above'}\n`);
  return report.success ? 0 : 1;
}

export function parseArgs(args: readonly string[]): ParsedArgs {
  const options: { -readonly [K in keyof DeployLocalOptions]: DeployLocalOptions[K] } = {};
  const stacks: string[] = [];
  const parameters: Record<string, string> = {};
  const context: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '-h' || flag === '--help') return { help: true };
    if (flag === '--verbose' || flag === '-v') {
      options.verbose = true;
      continue;
    }
    const value = args[i + 1];
    if (!['--app', '--state', '--endpoint', '--stack', '--parameter', '--context', '--concurrency'].includes(flag)) return { error: `unknown argument ${JSON.stringify(flag)}` };
    if (value === undefined || value.startsWith('--')) return { error: `${flag} needs a value` };
    i++;
    switch (flag) {
      case '--app':
        options.app = value;
        break;
      case '--state':
        options.stateFile = value;
        break;
      case '--endpoint':
        if (!/^https?:\/\//.test(value)) return { error: `--endpoint must be a URL (http://host:port), not ${JSON.stringify(value)}` };
        options.endpoint = value;
        break;
      case '--stack':
        stacks.push(value);
        break;
      case '--parameter': {
        const eq = value.indexOf('=');
        if (eq <= 0) return { error: `--parameter takes NAME=VALUE, not ${JSON.stringify(value)}` };
        parameters[value.slice(0, eq)] = value.slice(eq + 1);
        break;
      }
      case '--context': {
        const eq = value.indexOf('=');
        if (eq <= 0) return { error: `--context takes KEY=VALUE, not ${JSON.stringify(value)}` };
        context[value.slice(0, eq)] = value.slice(eq + 1);
        break;
      }
      case '--concurrency':
        if (!/^[1-9]\d*$/.test(value)) return { error: `--concurrency must be a positive number, not ${JSON.stringify(value)}` };
        options.concurrency = Number(value);
        break;
    }
  }
  if (stacks.length > 0) options.stacks = stacks;
  if (Object.keys(parameters).length > 0) options.parameters = parameters;
  if (Object.keys(context).length > 0) options.context = context;
  return { options };
}
