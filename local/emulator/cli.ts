import { parseOptions, USAGE_ERROR, usageLine } from '../../cli/args';
import { publishControlToken, withdrawControlToken } from './control-token';
import { exposureWarning } from './gate';
import { startEmulator } from './index';

/**
 * `cdk-wickr-chime emulator [--port N] [--host H] [--allow-host NAME] [--state FILE]`: runs
 * the emulator in the foreground until SIGINT or SIGTERM. With `--state`, the state is
 * loaded at start (when the file exists) and saved at exit. Prints one line on stdout,
 * `listening on <url>`; on stderr where its control token is kept (never the token), and a
 * warning when it listens beyond loopback.
 */

export const EMULATOR_USAGE = `usage: cdk-wickr-chime emulator [options]

  --port N           the port to listen on (default 4599; 0 picks a free one)
  --host H           the address to listen on (default 127.0.0.1; any other is reachable from the network)
  --allow-host NAME  answer requests for this host name too (repeatable; a container's service name)
  --state FILE       load the state from FILE at start (when it exists) and save it there at exit
  -h, --help         this text

Runs in the foreground until SIGINT or SIGTERM and prints one line, "listening on <url>".
Its control endpoints need its control token, which it keeps in a file only its user can
read (~/.cdk-wickr-chime/emulators/<port>.token) for deploy-local and destroy-local --endpoint.
Exit status: 0 after SIGINT or SIGTERM, 2 for bad arguments (one line on stderr says what is wrong).
`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
  state: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface CliOptions {
  readonly port: number;
  readonly host: string;
  readonly allowedHosts?: readonly string[];
  readonly state?: string;
}

type ParsedArgs = { readonly options: CliOptions } | { readonly help: true } | { readonly error: string };

export async function emulatorCommand(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if ('help' in parsed) {
    process.stdout.write(EMULATOR_USAGE);
    return 0;
  }
  if ('error' in parsed) {
    process.stderr.write(usageLine('emulator', parsed.error));
    return USAGE_ERROR;
  }
  const { options } = parsed;
  const running = await startEmulator({ port: options.port, host: options.host, allowedHosts: options.allowedHosts, stateFile: options.state });
  const tokenFile = publishControlToken(running.port, running.controlToken);
  process.stdout.write(`listening on ${running.url}\n`);
  process.stderr.write(`control token in ${tokenFile} (readable by you only; deploy-local and destroy-local --endpoint read it)\n`);
  const warning = exposureWarning(options.host);
  if (warning) process.stderr.write(`${warning}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  withdrawControlToken(running.port, running.controlToken);
  if (options.state) running.emulator.saveState();
  await running.close();
  return 0;
}

/** The options, `help`, or what is wrong with the arguments. */
function parseArgs(args: readonly string[]): ParsedArgs {
  const { values, error } = parseOptions(args, OPTIONS);
  if (values === undefined) return { error };
  if (values.help) return { help: true };
  let port = 4599;
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port) || Number(values.port) > 65535) return { error: `--port must be a port number, not ${JSON.stringify(values.port)}` };
    port = Number(values.port);
  }
  return { options: { port, host: values.host ?? '127.0.0.1', allowedHosts: values['allow-host'], state: values.state } };
}
