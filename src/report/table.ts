/**
 * A table as data: one column spec (heading, alignment, cell formatter) rendered to the terminal
 * (fixed width), Markdown and HTML by the three small functions below, so a column is added,
 * renamed or reformatted in one place for every output.
 */

export type TableFormat = 'terminal' | 'markdown' | 'html';

export interface Column<Row> {
  /** The heading (the terminal prints it in lower case, as the rest of its output). */
  header: string;
  /** The terminal's heading where lower case would lose a meaning (sides named A and B). */
  terminalHeader?: string;
  /** Numbers right, words left. */
  align: 'left' | 'right';
  /** The cell as plain text. */
  text: (row: Row) => string;
  /** The HTML cell's content when it is more than the escaped text (e.g. spans a test reads back). */
  html?: (row: Row) => string;
  /** A class on the column's HTML cells, e.g. "seed" to shade the seed report's values. */
  htmlClass?: string;
  /** The outputs that show this column (default: all three), e.g. a wide column kept off the terminal. */
  in?: readonly TableFormat[];
}

export type TableSpec<Row> = readonly Column<Row>[];

const columnsFor = <Row>(spec: TableSpec<Row>, format: TableFormat) => spec.filter((c) => !c.in || c.in.includes(format));

/** Fixed-width columns two spaces apart, a rule under the headings. */
export function terminalTable<Row>(spec: TableSpec<Row>, rows: readonly Row[]): string {
  const columns = columnsFor(spec, 'terminal');
  const head = columns.map((c) => c.terminalHeader ?? c.header.toLowerCase());
  const body = rows.map((row) => columns.map((c) => c.text(row)));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (columns[i].align === 'left' ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** A GitHub-flavoured Markdown table (no trailing newline). */
export function markdownTable<Row>(spec: TableSpec<Row>, rows: readonly Row[]): string {
  const columns = columnsFor(spec, 'markdown');
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(columns.map((c) => c.header)),
    `|${columns.map((c) => (c.align === 'right' ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => line(columns.map((c) => c.text(row)))),
  ].join('\n');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** An HTML table; the first column heads its row. Cells are right-aligned unless their column says left (class "left"). */
export function htmlTable<Row>(spec: TableSpec<Row>, rows: readonly Row[], table: { id: string; className?: string; caption?: string }): string {
  const columns = columnsFor(spec, 'html');
  const classOf = (c: Column<Row>) => {
    const names = [c.align === 'left' ? 'left' : '', c.htmlClass ?? ''].filter(Boolean);
    return names.length ? ` class="${names.join(' ')}"` : '';
  };
  const head = columns.map((c) => `<th${classOf(c)}>${escapeHtml(c.header)}</th>`).join('');
  const body = rows.map((row) => {
    const cells = columns.map((c, i) => {
      const content = c.html ? c.html(row) : escapeHtml(c.text(row));
      return i === 0 ? `<th scope="row"${classOf(c)}>${content}</th>` : `<td${classOf(c)}>${content}</td>`;
    });
    return `<tr>${cells.join('')}</tr>`;
  });
  const className = table.className ? ` class="${table.className}"` : '';
  const caption = table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : '';
  return `<table id="${table.id}"${className}>${caption}<thead><tr>${head}</tr></thead>
<tbody>${body.join('\n')}</tbody></table>`;
}

/** summary.json stores NaN as null (JSON has no NaN): both mean "no finished round". */
export const isNumber = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** 72032 → "72,032"; no value → "–". */
export const thousands = (n: number | null | undefined): string => (isNumber(n) ? n.toLocaleString('en-US') : '–');

/** "9.44 ± 1.23"; "–" when there is no mean (no finished round). */
export const plusMinus = (mean: number, std: number): string => (isNumber(mean) ? `${mean.toFixed(2)} ± ${std.toFixed(2)}` : '–');

/** A difference with its sign: "+0.42", "-1.30". */
export const signed = (v: number): string => (v >= 0 ? '+' : '') + v.toFixed(2);
