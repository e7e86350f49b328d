#!/usr/bin/env node
/**
 * cdk-wickr-chime command line:
 *   emulator       run the local Wickr + Chime SDK Identity emulator in the foreground
 *   deploy-local   deploy the app's custom resources into the emulator, as CloudFormation would
 *   destroy-local  delete them again
 *   drift          check deployed stacks for drift (and repair it with --fix)
 */
const USAGE = `usage: cdk-wickr-chime <command> [options]

commands:
  emulator [--port N] [--host H] [--state FILE]
      run the local emulator of AWS Wickr, Amazon Chime SDK Identity (and the Secrets Manager
      and S3 calls the handler makes) in the foreground
  deploy-local [--app CMD] [--state FILE] [--endpoint URL]
      synthesize the app and deploy its custom resources into the emulator (embedded unless --endpoint)
  destroy-local [--app CMD] [--state FILE] [--endpoint URL]
      delete what deploy-local created, in reverse dependency order
  drift [--stack NAME]... [--region R] [--json] [--fix] [--endpoint URL] [--state FILE]
      check deployed stacks' Wickr and Chime resources against their templates; exit 1 when
      anything drifted; --fix brings modified resources back

Run "cdk-wickr-chime <command> --help" for a command's options.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'emulator':
      return (await import('../local/emulator/cli')).emulatorCommand(rest);
    case 'deploy-local':
      return (await import('../local/runner/cli')).deployLocalCommand(rest);
    case 'destroy-local':
      return (await import('../local/runner/cli')).destroyLocalCommand(rest);
    case 'drift':
      return (await import('../local/drift/cli')).driftCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command ? 0 : 1;
    default:
      process.stderr.write(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 1;
  }
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
