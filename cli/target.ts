import * as path from 'path';
import { TEST_CREDENTIALS, testCredentialsFor } from '../local/emulator/sigv4';
import type { ClientOptions } from '../lambda/core/clients';
import { USAGE_ERROR, usageLine } from './args';
import { describeFailure } from './command';
import { Account, connectAccount } from './drift/account';

/**
 * Where the commands that run against an account (`drift`, `import`, `plan`) read: the
 * account the default credentials reach, or, for `--endpoint` and `--state`, the local twin.
 * This module is the one place those commands reach into `local/`, and they load the
 * emulator only for `--state`.
 */

export interface Target {
  readonly account: Account;
  /**
   * How to reach the services of the account a stack is in. An account's credentials reach that
   * account only, so this is `account.clientOptions()`; the local twin's test credentials act in the
   * account they name (`test-<account>`), so each stack is read in its own account, as one
   * would run the command with each stage's credentials.
   * @default account.clientOptions()
   */
  clientOptionsFor?(accountId: string): Promise<ClientOptions>;
  close(): Promise<void>;
}

/**
 * `connectTarget` for a command: a bad `--endpoint` is a usage error (the line on stderr, exit
 * 2), a failure to connect one line naming the command (exit 2). The target, or the exit status.
 */
export async function openTarget(command: string, values: { region?: string; endpoint?: string; state?: string }, io: { err(text: string): unknown }): Promise<Target | number> {
  if (values.endpoint && !/^https?:\/\//.test(values.endpoint)) {
    io.err(usageLine(command, `--endpoint must be a URL (http://host:port), not ${JSON.stringify(values.endpoint)}`));
    return USAGE_ERROR;
  }
  try {
    return await connectTarget(values);
  } catch (err) {
    io.err(`${command}: ${describeFailure(err)}\n`);
    return 2;
  }
}

/** The account, a running emulator (`--endpoint`), or the embedded emulator beside a state file (`--state`). */
export async function connectTarget(values: { region?: string; endpoint?: string; state?: string }): Promise<Target> {
  if (!values.endpoint && !values.state) {
    const account = connectAccount({ region: values.region });
    return { account, close: async () => account.close() };
  }
  // The emulator's unrestricted test principal stands for the operator, unless the environment names a principal
  // (one registered with the emulator, to check what a role with exactly these permissions can do).
  const fromEnvironment = process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY ? { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY } : undefined;
  const local = { region: values.region ?? 'us-east-1', credentials: fromEnvironment ?? TEST_CREDENTIALS };
  const clientOptionsFor = (account: Account) => async (accountId: string): Promise<ClientOptions> => {
    const options = await account.clientOptions();
    // A principal named by the environment stays itself; the test credentials act in the stack's account.
    return local.credentials.accessKeyId === TEST_CREDENTIALS.accessKeyId ? { ...options, credentials: testCredentialsFor(accountId) } : options;
  };
  if (values.endpoint) {
    const account = connectAccount({ ...local, endpoint: values.endpoint });
    return { account, clientOptionsFor: clientOptionsFor(account), close: async () => account.close() };
  }
  const { startEmulator } = await import('../local/emulator');
  const { emulatorStateFileFor, registerStacksFromState } = await import('../local/runner');
  const stateFile = path.resolve(values.state as string);
  const emulatorState = emulatorStateFileFor(stateFile);
  const running = await startEmulator({ port: 0, stateFile: emulatorState });
  await registerStacksFromState(running.emulator, stateFile);
  const account = connectAccount({ ...local, endpoint: running.url });
  return {
    account,
    clientOptionsFor: clientOptionsFor(account),
    close: async () => {
      account.close();
      running.emulator.saveState(emulatorState);
      await running.close();
    },
  };
}

