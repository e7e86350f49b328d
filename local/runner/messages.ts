/**
 * Messages the console shows besides the progress lines and tables: the one-line summary
 * of a `WickrUsers` update (from the provider's structured log line, so it shows without
 * `--verbose`), the reason of a failed run made readable (an app's uncaught error
 * without its code frame and stack), and the message of a caught error.
 */

/** The part of the provider's `users updated` log line (lambda/wickr/users.ts) the summary reads. */
interface UsersUpdated {
  readonly message: 'users updated';
  readonly logicalId?: string;
  readonly users: Record<'added' | 'changed' | 'removed', { readonly count: number; readonly first: readonly string[] }>;
}

/** Usernames shown for each kind; the rest are counted. */
const SHOWN_USERNAMES = 3;

/**
 * `Staff: users 2 added (carol@example.com, dan@example.com), 1 changed (bob@example.com), 0 removed`
 * for a `users updated` log line, or undefined for any other line. Usernames only: the log
 * line carries nothing else of a user.
 */
export function usersSummary(line: string, logicalId: string): string | undefined {
  if (!line.includes('"users updated"')) return undefined;
  let entry: UsersUpdated;
  try {
    entry = JSON.parse(line) as UsersUpdated;
  } catch {
    return undefined;
  }
  if (entry?.message !== 'users updated' || typeof entry.users !== 'object' || entry.users === null) return undefined;
  const part = (kind: 'added' | 'changed' | 'removed') => {
    const { count = 0, first = [] } = entry.users[kind] ?? {};
    const shown = first.slice(0, SHOWN_USERNAMES);
    const more = count - shown.length;
    const names = shown.length > 0 ? ` (${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''})` : '';
    return `${count} ${kind}${names}`;
  };
  return `${logicalId}: users ${part('added')}, ${part('changed')}, ${part('removed')}`;
}

/**
 * A failure reason as the console shows it: what an app printed when it failed to
 * synthesize, without the frames of an uncaught error's stack or the source line Node.js
 * shows above it, so a ValidationError reads as its message (and CDK's list of
 * construct paths it relates to).
 */
export function readableFailure(reason: string): string {
  const lines = reason.split('\n');
  const dropped = new Set<number>();
  lines.forEach((line, i) => {
    // Node.js's code frame of an uncaught error: "file:line", the source line, the caret under it.
    if (/^\s*\^+\s*$/.test(line) && i >= 2 && /:\d+$/.test(lines[i - 2])) [i - 2, i - 1, i].forEach((n) => dropped.add(n));
    // Stack frames (CDK folds some into "...new Stack in aws-cdk-lib..."), and what Node.js adds.
    if (/^\s+at\s/.test(line) || /^\s+\.\.\..*\.\.\.$/.test(line) || /^Node\.js v\d/.test(line) || /^\(Use `node --trace-/.test(line)) dropped.add(i);
  });
  return lines
    .filter((_, i) => !dropped.has(i))
    .join('\n')
    .trimEnd();
}

/** The message of a caught error (or what was thrown, as a string). */
export function message(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return String((err as Error).message);
  return String(err);
}
