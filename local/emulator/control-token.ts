import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * How the commands get a running emulator's control token without anyone typing it (see
 * `gate.ts`): the `emulator` command writes it to
 * `~/.cdk-wickr-chime/emulators/<port>.token`, in a folder only its user may enter (0700),
 * readable by that user only (0600), and removes it when it stops. `deploy-local` and
 * `destroy-local --endpoint URL` read the file of the URL's port. An emulator on another
 * machine: copy its file's content into `CDK_WICKR_CHIME_EMULATOR_TOKEN`, which is used
 * instead. The embedded emulators (`deploy-local` without `--endpoint`, `drift --state`)
 * run in the command's own process and need no file.
 */

/** The environment variable that gives the control token of the emulator at `--endpoint`. */
export const CONTROL_TOKEN_ENV = 'CDK_WICKR_CHIME_EMULATOR_TOKEN';

/** Where the emulator serving `port` on this machine keeps its control token. */
export function controlTokenFile(port: number): string {
  return path.join(process.env.HOME || os.homedir(), '.cdk-wickr-chime', 'emulators', `${port}.token`);
}

/** Writes the token of the emulator serving `port` (mode 0600, in a 0700 folder); returns the file. */
export function publishControlToken(port: number, token: string): string {
  const file = controlTokenFile(port);
  const folder = path.dirname(file);
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  fs.chmodSync(folder, 0o700);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.rmSync(temporary, { force: true });
  fs.writeFileSync(temporary, `${token}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(temporary, file);
  return file;
}

/** Removes the token file of `port` if it still holds `token` (another emulator may have taken the port since). */
export function withdrawControlToken(port: number, token: string): void {
  const file = controlTokenFile(port);
  if (readToken(file) === token) fs.rmSync(file, { force: true });
}

/** The control token for the emulator at `url`: `CDK_WICKR_CHIME_EMULATOR_TOKEN`, else the file of its port. */
export function controlTokenFor(url: string): string | undefined {
  const given = process.env[CONTROL_TOKEN_ENV]?.trim();
  if (given) return given;
  const target = new URL(url);
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  return readToken(controlTokenFile(port));
}

function readToken(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
