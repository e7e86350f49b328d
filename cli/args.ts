/**
 * What the subcommands share about their arguments, which each parses with `node:util`
 * `parseArgs` (strict, no positionals): the exit status of bad arguments, the one line
 * they print, and a short sentence for what `parseArgs` refused.
 */

import { parseArgs, ParseArgsConfig } from 'util';

/** A subcommand's option declarations, as `parseArgs` takes them. */
export type Options = NonNullable<ParseArgsConfig['options']>;
/** The values `parseArgs` gives for `T`. */
export type OptionValues<T extends Options> = ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'];
type Parsed<T extends Options> =
  | { readonly values: OptionValues<T>; readonly error?: undefined }
  | { readonly values: undefined; readonly error: string };

/** The exit status of bad arguments, for every subcommand. */
export const USAGE_ERROR = 2;

/**
 * The one line bad arguments print on stderr: the command, the problem, and where the
 * options are. `cdk-wickr-chime deploy-local: unknown option "--nope" (see "cdk-wickr-chime deploy-local --help")`
 */
export function usageLine(command: string | undefined, problem: string): string {
  const name = command ? `cdk-wickr-chime ${command}` : 'cdk-wickr-chime';
  return `${name}: ${problem} (see "${name} --help")\n`;
}

/** A subcommand's options, parsed strictly with no positionals, or the one line for what is wrong with them. */
export function parseOptions<T extends Options>(args: readonly string[], options: T): Parsed<T> {
  try {
    return { values: parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values };
  } catch (err) {
    return { error: argumentError(err), values: undefined };
  }
}

/** One line for an error `parseArgs` threw: `unknown option "--x"`, `--app needs a value`. */
export function argumentError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = (e?.message ?? String(err)).split('\n')[0];
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  const option = /--[\w-]+/.exec(quoted)?.[0] ?? quoted.split(' ')[0];
  switch (e?.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${JSON.stringify(quoted)}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted)}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      // A missing value, or the next option taken for one ("--app --state x").
      if (/argument missing|ambiguous/.test(message)) return `${option} needs a value`;
      if (/does not take an argument/.test(message)) return `${option} takes no value`;
      return message;
    default:
      return message;
  }
}

/** `KEY=VALUE` split at the first `=`, or undefined when there is no key. */
export function keyValue(text: string): [string, string] | undefined {
  const eq = text.indexOf('=');
  return eq > 0 ? [text.slice(0, eq), text.slice(eq + 1)] : undefined;
}

/** The `KEY=VALUE` entries of a repeatable option, or the usage problem of the first that is not one. */
export function keyValues(entries: readonly string[] | undefined, option: string, shape = 'KEY=VALUE'): { values: Record<string, string> } | { error: string } {
  const values: Record<string, string> = {};
  for (const entry of entries ?? []) {
    const pair = keyValue(entry);
    if (!pair) return { error: `--${option} takes ${shape}, not ${JSON.stringify(entry)}` };
    values[pair[0]] = pair[1];
  }
  return { values };
}
