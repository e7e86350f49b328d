/**
 * The services' lists and gets are eventually consistent: what a call just made may be
 * missing from them for a while (seconds, at times). A handler that must find what it made
 * by a list (a network or bot under its creation marker) reads again until it shows, and
 * learns from the wait how stale the reads are.
 */

/** The longest a handler waits for what it made to show in a read. */
export const MAX_STALENESS_WAIT_MS = 30_000;
/** The first pause between reads; each next one doubles, up to `MAX_POLL_MS`. */
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1_000;

/** What `untilSeen` found, and how long it waited for it. */
export interface Seen<T> {
  /** What the read gave when it first showed the thing (undefined: not within the limit). */
  readonly value: T | undefined;
  /** From the first read to the start of the read that showed it (0: the first one did), in ms: the staleness observed, or a little more. */
  readonly waitedMs: number;
}

/** Reads until `read` gives a value (not undefined), for at most `limitMs`. */
export async function untilSeen<T>(read: () => Promise<T | undefined>, limitMs = MAX_STALENESS_WAIT_MS): Promise<Seen<T>> {
  const started = Date.now();
  for (let pause = FIRST_POLL_MS, first = true; ; pause = Math.min(pause * 2, MAX_POLL_MS), first = false) {
    const at = Date.now();
    const value = await read();
    if (value !== undefined) return { value, waitedMs: first ? 0 : at - started };
    const left = limitMs - (Date.now() - started);
    if (left <= 0) return { value: undefined, waitedMs: Date.now() - started };
    await sleep(Math.min(pause, left));
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
