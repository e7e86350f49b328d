import { Options, OptionValues, parseOptions, USAGE_ERROR, usageLine } from './args';

/**
 * What the commands run against an account (`drift`, `import`, `plan`) share: where they
 * write, how they end at once (`--help`, bad arguments), and the one line a failure prints.
 */

/** Where a command writes: stdout and stderr, or what a test captures. */
export interface CommandIo {
  out(text: string): unknown;
  err(text: string): unknown;
  /** `out` is a terminal: tables keep to 120 columns there; a pipe or a file gets whole lines, as with `--wide`. @default false */
  readonly isTTY?: boolean;
}

export const STDIO: CommandIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), isTTY: process.stdout.isTTY };

/** A reason to stop with exit status 2 that is already the sentence to print (a stack that does not exist, an id that is not there). */
export class CommandError extends Error {}

/**
 * The options of `command`, or the exit status it ends with at once: 0 after printing
 * `usage` for `--help`, 2 after the one line for bad arguments.
 */
export function commandOptions<T extends Options>(command: string, args: readonly string[], options: T, usage: string, io: CommandIo): OptionValues<T> | number {
  const { values, error } = parseOptions(args, options);
  if (values === undefined) {
    io.err(usageLine(command, error ?? 'bad arguments'));
    return USAGE_ERROR;
  }
  if ((values as { help?: boolean }).help) {
    io.out(usage);
    return 0;
  }
  return values;
}

/** The one line for a failure: a `CommandError`'s sentence, missing credentials or region said plainly, else the error's name and message. */
export function describeFailure(err: unknown): string {
  const e = err as { name?: string; message?: string };
  if (err instanceof CommandError) return err.message;
  if (e?.name === 'CredentialsProviderError') return 'no AWS credentials: the default credential chain found none (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)';
  if (/Region is missing/i.test(e?.message ?? '')) return 'no region: give --region, or set AWS_REGION (or a region in the AWS profile)';
  return `${e?.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e?.message ?? String(err)}`;
}

/** A word for a POSIX shell: as it is when it needs no quoting, else in single quotes (the commands print commands to run). */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
