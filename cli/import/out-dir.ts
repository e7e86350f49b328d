import * as fs from 'fs';
import * as path from 'path';
import { GENERATED_MARKER } from './generate';
import { USERS_CSV_HEADER } from './generate-wickr';
import { ImportError } from './session';

/** True when `import` wrote the file: its TypeScript starts with the marker, its users file with the header. */
function writtenByImport(file: string): boolean {
  const first = fs.readFileSync(file, 'utf8').split('\n', 1)[0];
  return file.endsWith('.csv') ? first === USERS_CSV_HEADER : first === GENERATED_MARKER;
}

/**
 * Refuses an output directory that holds files `import` did not write (another name's
 * files, a file of the same name written by hand), unless `force`: import never overwrites
 * someone's work by accident. Its own files from an earlier run are replaced.
 */
export function checkOutDir(dir: string, names: readonly string[], force: boolean): void {
  if (force || !fs.existsSync(dir)) return;
  if (!fs.statSync(dir).isDirectory()) throw new ImportError(`--out ${dir} is a file, not a directory`);
  const ours = new Set(names);
  const foreign = fs
    .readdirSync(dir)
    .filter((f) => {
      const full = path.join(dir, f);
      return !ours.has(f) || !fs.statSync(full).isFile() || !writtenByImport(full);
    })
    .sort();
  if (foreign.length > 0) {
    throw new ImportError(`--out ${dir} holds files import did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}): give an empty or new directory, or --force to write there anyway`);
  }
}

/** Writes the files, each to a temporary name first and then renamed, so none is left half written. */
export function writeFiles(dir: string, files: ReadonlyMap<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of files) {
    const target = path.join(dir, name);
    const temporary = `${target}.import-${process.pid}`;
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, target);
  }
}
