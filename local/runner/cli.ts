import { keyValues, parseOptions, USAGE_ERROR, usageLine } from '../../cli/args';
import { deployLocal, destroyLocal, DeployLocalOptions, DEFAULT_STATE_FILE } from './index';
import { parseSecretArgument } from './secrets';

/**
 * `cdk-wickr-chime deploy-local` and `destroy-local`. Exit status 0 when every stack
 * deployed (or was destroyed), 1 otherwise (a failure and its rollback included), 2 for
 * bad arguments (one line on stderr says what is wrong).
 */

/** The usage of `deploy-local` or `destroy-local`. */
export function usage(mode: 'deploy' | 'destroy'): string {
  const deploy = mode === 'deploy';
  const lines = [
    `usage: cdk-wickr-chime ${mode}-local [options]`,
    '',
    deploy
      ? '  --app CMD        the app command (default: "app" of ./cdk.json); a directory is used as the cloud assembly'
      : '  --app CMD        destroy the stacks of this app (synthesized to learn their names; a directory is used as\n' +
        '                   the cloud assembly); default: every stack in the state file',
    `  --state FILE     the runner's state (default: ${DEFAULT_STATE_FILE}); an embedded emulator keeps its`,
    '                   state beside it (emulator-state.json, or NAME.emulator-state.json for NAME.json)',
    '  --endpoint URL   use a running emulator (cdk-wickr-chime emulator) instead of an embedded one',
    `  --stack NAME     only this stack (repeatable)`,
    ...(deploy ? ['  --parameter K=V  a template parameter value (repeatable; Stack:Name=V for one stack)'] : []),
    ...(deploy ? ['  --secret N=V     a secret the app references by name, put into the emulator\'s Secrets Manager first;',
      '                   N=@FILE reads the value from FILE (repeatable; values are never printed)'] : []),
    `  --context K=V    a context value for the app (repeatable), as cdk ${mode} -c K=V`,
    '  --concurrency N  resources run at once when independent (default 4)',
    '  --wide           print the table whole (by default long ids are shortened so lines fit 120 columns)',
    "  -v, --verbose    also print the provider function's log lines",
    '  -h, --help       this text',
    '',
    deploy
      ? 'Exit status: 0 when every stack deployed, 1 when one failed (its rollback included) or the app did not\nsynthesize, 2 for bad arguments.'
      : 'Exit status: 0 when every stack was destroyed, 1 when one was not, 2 for bad arguments.',
    '',
  ];
  return lines.join('\n');
}

const OPTIONS = {
  app: { type: 'string' },
  state: { type: 'string' },
  endpoint: { type: 'string' },
  stack: { type: 'string', multiple: true },
  parameter: { type: 'string', multiple: true },
  secret: { type: 'string', multiple: true },
  context: { type: 'string', multiple: true },
  concurrency: { type: 'string' },
  wide: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type ParsedArgs = { readonly options: DeployLocalOptions } | { readonly help: true } | { readonly error: string };

export function deployLocalCommand(args: string[]): Promise<number> {
  return run('deploy', args);
}

export function destroyLocalCommand(args: string[]): Promise<number> {
  return run('destroy', args);
}

async function run(mode: 'deploy' | 'destroy', args: string[]): Promise<number> {
  const parsed = parseArgs(args, mode);
  if ('error' in parsed) {
    process.stderr.write(usageLine(`${mode}-local`, parsed.error));
    return USAGE_ERROR;
  }
  if ('help' in parsed) {
    process.stdout.write(usage(mode));
    return 0;
  }
  // Progress on stdout; the run's own failure (a synth failure, say) once, on stderr.
  let told = false;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const err = (line: string) => {
    told = true;
    process.stderr.write(`${line}\n`);
  };
  const options = { ...parsed.options, out, err };
  const report = mode === 'deploy' ? await deployLocal(options) : await destroyLocal(options);
  // A stack that failed: its events and table are above; the reason once more, on stderr, as the last line.
  if (!report.success && !told) process.stderr.write(`${mode}-local failed: ${report.reason ?? 'see above'}\n`);
  return report.success ? 0 : 1;
}

/** The options of `deploy-local` / `destroy-local`, `help`, or what is wrong with the arguments. */
export function parseArgs(args: readonly string[], mode: 'deploy' | 'destroy' = 'deploy'): ParsedArgs {
  const { values, error } = parseOptions(args, OPTIONS);
  if (values === undefined) return { error };
  if (values.help) return { help: true };
  if (mode === 'destroy' && (values.parameter || values.secret)) return { error: `--${values.parameter ? 'parameter' : 'secret'} is an option of deploy-local only` };
  const options: Mutable<DeployLocalOptions> = {};
  if (values.app !== undefined) options.app = values.app;
  if (values.state !== undefined) options.stateFile = values.state;
  if (values.endpoint !== undefined) {
    if (!/^https?:\/\//.test(values.endpoint)) return { error: `--endpoint must be a URL (http://host:port), not ${JSON.stringify(values.endpoint)}` };
    options.endpoint = values.endpoint;
  }
  if (values.stack) options.stacks = values.stack;
  for (const [flag, list, shape] of [
    ['parameter', values.parameter, 'NAME=VALUE'],
    ['context', values.context, 'KEY=VALUE'],
  ] as const) {
    if (!list) continue;
    const pairs = keyValues(list, flag, shape);
    if ('error' in pairs) return pairs;
    options[flag === 'parameter' ? 'parameters' : 'context'] = pairs.values;
  }
  if (values.secret) {
    const secrets: Record<string, string> = {};
    for (const item of values.secret) {
      const parsed = parseSecretArgument(item, process.cwd());
      if ('error' in parsed) return { error: parsed.error };
      secrets[parsed.name] = parsed.value;
    }
    options.secrets = secrets;
  }
  if (values.concurrency !== undefined) {
    if (!/^[1-9]\d*$/.test(values.concurrency)) return { error: `--concurrency must be a positive number, not ${JSON.stringify(values.concurrency)}` };
    options.concurrency = Number(values.concurrency);
  }
  if (values.wide) options.wide = true;
  if (values.verbose) options.verbose = true;
  return { options };
}
