import * as fs from 'fs';

/**
 * One run at a time per state file, as CloudFormation allows one operation at a time per
 * stack: `deploy-local` and `destroy-local` hold `<state>.lock` (the holder's pid and what it
 * runs) while they run. Another run on the same state file is refused, naming the file and the
 * holder; a lock whose holder is no longer running (a run that crashed, or was killed) is
 * taken over. The lock is released when the run ends, and when the process exits.
 */
export class StateLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(readonly file: string) {
    process.once('exit', this.onExit);
  }

  /** Takes the lock of `stateFile`, or throws an `Error` naming the state file and the run that holds it. */
  static acquire(stateFile: string, command: string): StateLock {
    const file = `${stateFile}.lock`;
    const content = `${JSON.stringify({ pid: process.pid, command, since: new Date().toISOString() })}\n`;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (tryCreate(file, content)) return new StateLock(file);
      const holder = readHolder(file);
      if (holder && isRunning(holder.pid)) {
        throw new Error(
          `${stateFile} is in use by another run (${holder.command ?? 'deploy-local'}, pid ${holder.pid}${holder.since ? `, since ${holder.since}` : ''}): ` +
            `wait for it to end; if process ${holder.pid} is not such a run, remove ${file}`,
        );
      }
      // Its holder is gone (crashed or killed), or the file is not a lock we wrote: taken over.
      fs.rmSync(file, { force: true });
    }
    throw new Error(`could not take the lock ${file} of ${stateFile}: other runs keep taking it`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    const holder = readHolder(this.file);
    if (holder?.pid === process.pid) fs.rmSync(this.file, { force: true });
  }
}

/** Creates the lock file with its whole content at once (written aside, then linked: fails when it exists). */
function tryCreate(file: string, content: string): boolean {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(temporary, content, { mode: 0o600 });
  try {
    fs.linkSync(temporary, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

function readHolder(file: string): { pid: number; command?: string; since?: string } | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown; command?: unknown; since?: unknown };
    if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid) || parsed.pid <= 0) return undefined;
    return { pid: parsed.pid, command: typeof parsed.command === 'string' ? parsed.command : undefined, since: typeof parsed.since === 'string' ? parsed.since : undefined };
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // it exists, as another user's
  }
}
