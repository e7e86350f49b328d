/**
 * The layout of the tables the command line prints (`deploy-local`, `destroy-local`,
 * `drift`): columns sized to their content, two spaces apart, and each line at most
 * 120 columns unless `wide`. A cell too long for its column is shortened in the middle
 * (`arn:aws:chime:us-e...user/lead`), since ids differ at their ends; the last column is
 * not padded, and a line still too long is cut at the end.
 */

export const TABLE_WIDTH = 120;

export interface TableLayout {
  /** Keep every cell whole, however long the lines get. @default false */
  readonly wide?: boolean;
  /** The longest line. @default 120 */
  readonly width?: number;
  /** The most columns each column (but the last) takes. @default none: sized to the content */
  readonly caps?: ReadonlyArray<number | undefined>;
  /** Columns are not shortened below these widths to make a line fit (unless their content is shorter). @default 12 each */
  readonly floors?: ReadonlyArray<number | undefined>;
  /** The columns kept for the last column when the others are shortened to fit. @default 0 */
  readonly lastColumn?: number;
  /** A row of dashes under the first row (the header). @default false */
  readonly underline?: boolean;
}

const GAP = '  ';
const ELLIPSIS = '...';
const DEFAULT_FLOOR = 12;

/** The lines of a table whose first row is its header. */
export function layout(rows: ReadonlyArray<readonly string[]>, options: TableLayout = {}): string[] {
  const { wide = false, width = TABLE_WIDTH } = options;
  const columns = Math.max(...rows.map((r) => r.length));
  const cell = (row: readonly string[], c: number) => row[c] ?? '';
  const natural = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => cell(r, c).length)));
  const widths = natural.slice(0, columns - 1);
  if (!wide) shrink(widths, natural[columns - 1], width, options);

  const render = (row: readonly string[]) => {
    const cells = row.map((text, c) => (c === columns - 1 ? text : fit(text, widths[c], wide).padEnd(widths[c])));
    const line = cells.join(GAP).trimEnd();
    return wide || line.length <= width ? line : `${line.slice(0, width - ELLIPSIS.length)}${ELLIPSIS}`;
  };
  const lines = rows.map(render);
  if (options.underline && rows.length > 0) {
    const dashes = Array.from({ length: columns }, (_, c) => '-'.repeat(c === columns - 1 ? Math.max(1, cell(rows[0], c).length) : widths[c]));
    lines.splice(1, 0, render(dashes));
  }
  return lines;
}

/**
 * Caps the columns, then takes one column at a time from the widest of those still above
 * their floor until the fixed part of a line, with the room kept for the last column, fits.
 */
function shrink(widths: number[], lastNatural: number, width: number, options: TableLayout): void {
  widths.forEach((w, c) => (widths[c] = Math.min(w, options.caps?.[c] ?? w)));
  const floor = (c: number) => Math.min(widths[c], options.floors?.[c] ?? DEFAULT_FLOOR);
  const floors = widths.map((_, c) => floor(c));
  const last = Math.min(lastNatural, options.lastColumn ?? 0);
  let total = widths.reduce((sum, w) => sum + w + GAP.length, 0) + last;
  while (total > width) {
    let widest = -1;
    widths.forEach((w, c) => {
      if (w > floors[c] && (widest < 0 || w > widths[widest])) widest = c;
    });
    if (widest < 0) return;
    widths[widest]--;
    total--;
  }
}

/** `text` shortened in the middle to `width` columns (whole when `wide` or short enough). */
export function fit(text: string, width: number, wide = false): string {
  if (wide || text.length <= width) return text;
  if (width <= ELLIPSIS.length) return text.slice(0, width);
  const keep = width - ELLIPSIS.length;
  return `${text.slice(0, Math.ceil(keep / 2))}${ELLIPSIS}${text.slice(text.length - Math.floor(keep / 2))}`;
}
