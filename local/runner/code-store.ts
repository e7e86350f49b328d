import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Function code as the runner keeps it: every function's code directory, copied from the
 * cloud assembly the runner synthesized (or written from a template's inline code), lives in
 * `<state>.functions/<name>/`, where the name is the start of the SHA-256 of the
 * directory's content. The emulator's Lambda runs only such a directory whose content still
 * matches its name (`stagedCodeProblem`): not any directory a registration names, nor code
 * changed after the runner staged it.
 */

/** The folder beside a state file that holds its functions' code (`state.json` → `state.functions`). */
export const CODE_ROOT_SUFFIX = '.functions';

/** The name a code directory is kept under: the start of its content hash. */
export function codeDirName(dir: string): string {
  return hashDirectory(dir).slice(0, 32);
}

/** Why `dir` is not function code the runner staged (intact), or undefined when it is. */
export function stagedCodeProblem(dir: string): string | undefined {
  const problem = `codeDir ${JSON.stringify(dir)} is not function code deploy-local staged from a cloud assembly`;
  const name = path.basename(dir);
  if (!path.basename(path.dirname(dir)).endsWith(CODE_ROOT_SUFFIX) || !/^[0-9a-f]{32}$/.test(name)) {
    return `${problem} (<state>${CODE_ROOT_SUFFIX}/<content hash>)`;
  }
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return `${problem}: it does not exist`;
  return codeDirName(dir) === name ? undefined : `${problem}: its content changed after it was staged`;
}

/** SHA-256 over a directory's file names, sizes and bytes, in name order (links followed, as the copy does). */
function hashDirectory(dir: string): string {
  const hash = createHash('sha256');
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name);
      const stat = fs.statSync(full);
      if (stat.isDirectory()) {
        hash.update(`d:${path.relative(dir, full)}\n`);
        walk(full);
      } else {
        hash.update(`f:${path.relative(dir, full)}:${stat.size}\n`);
        hash.update(fs.readFileSync(full));
      }
    }
  };
  walk(dir);
  return hash.digest('hex');
}
