#!/usr/bin/env node
/**
 * cdk-wickr-chime command line:
 *   emulator       run the local Wickr + Chime SDK Identity emulator in the foreground
 *   deploy-local   deploy the app's custom resources into the emulator, as CloudFormation would
 *   destroy-local  delete them again
 *   drift          check deployed stacks for drift (and repair it with --fix)
 *   plan           what a deploy of the app would do to the live services (reads only)
 *   import         write a stack that declares live networks and app instances as they are
 */

import { parseArgs } from 'util';
import { argumentError, USAGE_ERROR, usageLine } from '../cli/args';

// The AWS SDK warns once per process, on stderr and in the middle of the progress lines, that
// its releases after January 2027 need Node.js 22 (`@aws-sdk/core` reads this variable). The
// command supports Node.js 20 (package.json "engines"); set the variable to "false" to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `usage: cdk-wickr-chime <command> [options]

commands:
  emulator [--port N] [--host H] [--state FILE]
      run the local emulator of AWS Wickr, Amazon Chime SDK Identity (and the Secrets Manager
      and S3 calls the handler makes) in the foreground
  deploy-local [--app CMD] [--state FILE] [--endpoint URL] [--wide] ...
      synthesize the app and deploy its custom resources into the emulator (embedded unless --endpoint)
  destroy-local [--app CMD] [--state FILE] [--endpoint URL] [--wide] ...
      delete what deploy-local created, in reverse dependency order
  drift [--stack NAME]... [--region R] [--json] [--fix] [--wide] [--endpoint URL] [--state FILE]
      check deployed stacks' Wickr and Chime resources against their templates; exit 1 when
      anything drifted; --fix brings modified resources back
  plan [--stack NAME]... [--app CMD] [--context K=V]... [--json] [--wide] [--endpoint URL] [--state FILE]
      what a deploy of the app would do to the live services, resource by resource, with reads
      only; exit 1 when a call would change something
  import (--network-id ID | --app-instance-arn ARN)... [--region R] [--out DIR] [--name NAME]
         [--force] [--endpoint URL] [--state FILE]
      write a stack (NAME.ts, NAME-app.ts, NAME-users.csv) that declares live Wickr networks and
      Chime SDK Identity app instances exactly as they are, and print the deploy that adopts them

Run "cdk-wickr-chime <command> --help" (or "cdk-wickr-chime help <command>") for a command's
options. Bad arguments exit with status 2 and one line on stderr that says what is wrong.
`;

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  emulator: async (args) => (await import('../local/emulator/cli')).emulatorCommand(args),
  'deploy-local': async (args) => (await import('../local/runner/cli')).deployLocalCommand(args),
  'destroy-local': async (args) => (await import('../local/runner/cli')).destroyLocalCommand(args),
  drift: async (args) => (await import('../cli/drift/cli')).driftCommand(args),
  plan: async (args) => (await import('../cli/plan/cli')).planCommand(args),
  import: async (args) => (await import('../cli/import/cli')).importCommand(args),
};

/** The command, `--help`, and the command's own arguments (which its module parses). */
function dispatch(argv: readonly string[]): { command?: string; help: boolean; rest: string[] } | { error: string } {
  // Options before the command are the dispatcher's (only -h, --help); everything after it is the command's.
  const at = argv.findIndex((arg) => !arg.startsWith('-'));
  try {
    const { values, positionals } = parseArgs({ args: argv.slice(0, at < 0 ? argv.length : at + 1), options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
    return { command: positionals[0], help: values.help ?? false, rest: at < 0 ? [] : argv.slice(at + 1) };
  } catch (err) {
    return { error: argumentError(err) };
  }
}

async function main(argv: string[]): Promise<number> {
  const parsed = dispatch(argv);
  if ('error' in parsed) return usageError(parsed.error);
  let { command, help, rest } = parsed;
  if (command === 'help') [help, command, rest] = [true, rest[0], rest.slice(1)];
  if (command !== undefined && !Object.prototype.hasOwnProperty.call(COMMANDS, command)) return usageError(`unknown command ${JSON.stringify(command)}`);
  if (command !== undefined) return COMMANDS[command](help ? ['--help'] : rest);
  if (help) {
    process.stdout.write(USAGE);
    return 0;
  }
  // No command at all: the list of commands is the useful answer.
  process.stderr.write(`cdk-wickr-chime: no command given\n\n${USAGE}`);
  return USAGE_ERROR;
}

function usageError(problem: string): number {
  process.stderr.write(usageLine(undefined, problem));
  return USAGE_ERROR;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
