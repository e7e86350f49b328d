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

/** The message of a caught error (or what was thrown, as a string). */
export function message(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return String((err as Error).message);
  return String(err);
}
