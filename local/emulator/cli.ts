import { startEmulator } from './index';

/**
 * `cdk-wickr-chime emulator [--port N] [--host H] [--state FILE]`: runs the emulator in
 * the foreground until SIGINT or SIGTERM. With `--state`, the state is loaded at start
 * (when the file exists) and saved at exit. Prints one line, `listening on <url>`.
 */

const USAGE = 'usage: cdk-wickr-chime emulator [--port N] [--host H] [--state FILE]\n';

interface CliOptions {
  port: number;
  host: string;
  state?: string;
}

export async function emulatorCommand(args: string[]): Promise<number> {
  const options = parseArgs(args);
  if (typeof options === 'string') {
    process.stderr.write(`${options}\n${USAGE}`);
    return 1;
  }
  const running = await startEmulator({ port: options.port, host: options.host, stateFile: options.state });
  process.stdout.write(`listening on ${running.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  if (options.state) running.emulator.saveState();
  await running.close();
  return 0;
}

/** The options, or what is wrong with the arguments. */
function parseArgs(args: readonly string[]): CliOptions | string {
  const options: CliOptions = { port: 4599, host: '127.0.0.1' };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    if (flag !== '--port' && flag !== '--host' && flag !== '--state') return `unknown argument ${JSON.stringify(flag)}`;
    if (value === undefined || value.startsWith('--')) return `${flag} needs a value`;
    i++;
    if (flag === '--port') {
      if (!/^\d+$/.test(value) || Number(value) > 65535) return `--port must be a port number, not ${JSON.stringify(value)}`;
      options.port = Number(value);
    } else if (flag === '--host') options.host = value;
    else options.state = value;
  }
  return options;
}
