import * as fs from 'fs';
import * as path from 'path';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { keyValue } from '../../cli/args';
import { EmulatorApi } from './aws';

/**
 * `deploy-local --secret NAME=VALUE` or `NAME=@FILE`: secrets the app references by name
 * (`Secret.fromSecretNameV2`), put into the emulator's Secrets Manager before the deploy, as
 * an operator would create them in the account. Through the Secrets Manager API (CreateSecret,
 * or PutSecretValue for a secret that exists), the same way for the embedded emulator and
 * `--endpoint`; the emulator keeps the values sealed at rest (see `emulator/state-file.ts`).
 * A value is never printed: progress names the secret only.
 */

/** `NAME=VALUE` or `NAME=@FILE` (the file's content, one trailing newline dropped, relative to `cwd`), or what is wrong. */
export function parseSecretArgument(text: string, cwd: string): { readonly name: string; readonly value: string } | { readonly error: string } {
  const pair = keyValue(text);
  // The value is never echoed, not even in an error: only the name, or the argument's shape.
  if (!pair) return { error: '--secret takes NAME=VALUE or NAME=@FILE' };
  const [name, raw] = pair;
  if (!/^[a-zA-Z0-9/_+=.@-]{1,512}$/.test(name)) return { error: `--secret ${name}: a secret name is 1 to 512 of letters, digits and /_+=.@-` };
  if (!raw.startsWith('@')) return raw === '' ? { error: `--secret ${name}: the value is empty` } : { name, value: raw };
  const file = path.resolve(cwd, raw.slice(1));
  try {
    const value = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    return value === '' ? { error: `--secret ${name}: ${raw.slice(1)} is empty` } : { name, value };
  } catch (err) {
    return { error: `--secret ${name}: cannot read ${raw.slice(1)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
}

/** Creates each secret in `region`, or gives an existing one the value as its new current version. */
export async function putSecrets(api: EmulatorApi, region: string, secrets: Readonly<Record<string, string>>, line: (text: string) => void): Promise<void> {
  const client = api.secrets(region);
  for (const [name, value] of Object.entries(secrets)) {
    try {
      await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
      line(`secret ${name}: created`);
    } catch (err) {
      if ((err as Error).name !== 'ResourceExistsException') throw new Error(`--secret ${name}: the emulator refused it (${(err as Error).name})`);
      await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
      line(`secret ${name}: new value`);
    }
  }
}
