import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { isRecord, PLAIN_SECRETS, SecretValues } from './protocol';

/**
 * The emulator's state file, and how secret values travel in it.
 *
 * The file must be reloadable: the embedded emulator of `deploy-local` saves its state
 * after a run and loads it on the next, whose handler then reads its secrets
 * (GetSecretValue) from it. So the values cannot be dropped or replaced by a one-way
 * hash. Neither may they sit in the file in the clear: it is a file a person opens,
 * attaches to a bug report or commits by mistake. So each secret value is sealed with
 * AES-256-GCM under a key kept in a separate file beside the state (`<name>.key`, e.g.
 * `emulator-state.key`, created with mode 0600 on the first save that has a secret to
 * seal, and reused afterwards). The state file alone reveals no value; with its key
 * beside it, a reload brings every value back. Deleting the key makes the sealed values
 * unreadable, and loading then fails with a message naming the key file.
 *
 * A state file written before values were sealed (plain strings) still loads; the next
 * save seals them.
 */

/** A secret value as the state file holds it. */
export interface SealedValue {
  readonly sealed: 'aes-256-gcm';
  /** Base64: 12-byte nonce, 16-byte authentication tag, ciphertext. */
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

/** The key file of a state file: the same name with `.key` instead of `.json`. */
export function keyFileFor(stateFile: string): string {
  return stateFile.endsWith('.json') ? `${stateFile.slice(0, -'.json'.length)}.key` : `${stateFile}.key`;
}

/** Writes a state atomically (temporary file, then rename); `exportWith` receives how to seal its secret values. */
export function writeStateFile(file: string, exportWith: (secrets: SecretValues) => unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const key = new KeyFile(keyFileFor(file));
  const state = exportWith({ conceal: (value) => seal(key.get(true), value), reveal: (held) => PLAIN_SECRETS.reveal(held) });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(state));
  fs.renameSync(temporary, file);
}

/** Reads a state file; `importWith` receives the state and how to open its sealed values. */
export function readStateFile(file: string, importWith: (state: unknown, secrets: SecretValues) => void): void {
  let state: unknown;
  try {
    state = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new Error(`${file} is not valid JSON (${err.message}); the file was left untouched: repair it, or move it away to start from an empty emulator`);
  }
  const key = new KeyFile(keyFileFor(file));
  importWith(state, {
    conceal: (value) => value,
    reveal: (held) => (isSealed(held) ? open(key.get(false), held, key.file) : PLAIN_SECRETS.reveal(held)),
  });
}

/** The key, read once; created (mode 0600) only when a value is sealed and there is none yet. */
class KeyFile {
  private key?: Buffer;

  constructor(readonly file: string) {}

  get(create: boolean): Buffer {
    if (this.key) return this.key;
    if (fs.existsSync(this.file)) {
      const text = fs.readFileSync(this.file, 'utf8').trim();
      if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`${this.file} is not an emulator state key (64 hex digits)`);
      this.key = Buffer.from(text, 'hex');
    } else if (create) {
      const key = randomBytes(32);
      fs.writeFileSync(this.file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      this.key = key;
    } else {
      throw new Error(`the state holds sealed secret values, but their key file ${this.file} is missing: they cannot be opened`);
    }
    return this.key;
  }
}

function seal(key: Buffer, value: string): SealedValue {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { sealed: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

function open(key: Buffer, held: SealedValue, keyFile: string): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(held.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(held.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(held.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(`a sealed secret value of the state does not open with the key in ${keyFile} (another key, or the value was changed)`);
  }
}

function isSealed(held: unknown): held is SealedValue {
  return isRecord(held) && held.sealed === 'aes-256-gcm' && typeof held.iv === 'string' && typeof held.tag === 'string' && typeof held.data === 'string';
}
