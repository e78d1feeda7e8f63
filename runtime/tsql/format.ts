/**
 * Prints T-SQL outputs the way sqlcmd does: result sets as aligned text tables (header, dashes, rows,
 * then `(N rows affected)`), errors as `Msg n, Level l, State s[, Procedure p], Line n` plus the text,
 * PRINT messages as they are. Also writes result sets as CSV (RFC 4180) for `scaleout sql -o`.
 */
import type { TsqlColumn, TsqlOutput } from './interpreter.ts';

const RIGHT_ALIGNED = new Set(['bigint', 'int', 'smallint', 'tinyint', 'bit', 'decimal', 'numeric', 'money', 'smallmoney', 'float', 'real']);

/** sqlcmd's layout switches: `-W` (no padding: every value trimmed) and `-s` (the column separator). */
export interface TableLayout {
  /** sqlcmd -W: values, names and dashes are not padded to the column width; trailing spaces removed. */
  readonly trim?: boolean;
  /** sqlcmd -s: the column separator. @default ' ' */
  readonly separator?: string;
}

/** One result set as an aligned table: numbers right-aligned, NULL as `NULL`, trailing blanks trimmed. */
export function formatTable(columns: readonly TsqlColumn[], rows: readonly (readonly (string | null)[])[], layout: TableLayout = {}): string {
  const sep = layout.separator ?? ' ';
  const cells = rows.map((r) => r.map((c) => (c === null ? 'NULL' : c.replace(/\r?\n/g, ' '))));
  if (layout.trim) {
    const lines = [
      columns.map((c) => c.name).join(sep),
      columns.map((c) => '-'.repeat(Math.max(c.name.length, 1))).join(sep),
      ...cells.map((r) => r.map((c) => c.trim()).join(sep)),
    ];
    return lines.map((l) => l.replace(/ +$/, '')).join('\n') + '\n';
  }
  const widths = columns.map((c, i) => Math.max(c.name.length, 1, ...cells.map((r) => r[i]!.length)));
  const align = (text: string, i: number) => (RIGHT_ALIGNED.has(columns[i]!.type) ? text.padStart(widths[i]!) : text.padEnd(widths[i]!));
  const lines = [
    columns.map((c, i) => c.name.padEnd(widths[i]!)).join(sep),
    widths.map((w) => '-'.repeat(w)).join(sep),
    ...cells.map((r) => r.map(align).join(sep)),
  ];
  return lines.map((l) => l.replace(/ +$/, '')).join('\n') + '\n';
}

/** The text one output prints as, ending with a newline. */
export function formatOutput(o: TsqlOutput, layout: TableLayout = {}): string {
  switch (o.kind) {
    case 'resultset': return formatTable(o.columns, o.rows, layout);
    case 'rowcount': return `\n(${o.count} ${o.count === 1 ? 'row' : 'rows'} affected)\n`;
    case 'message': return o.text + '\n';
    case 'error': {
      if (o.level <= 10) return o.message + '\n';
      const proc = o.procedure !== undefined ? `, Procedure ${o.procedure}` : '';
      return `Msg ${o.number}, Level ${o.level}, State ${o.state}${proc}, Line ${o.line}\n${o.message}\n`;
    }
  }
}

/** Several outputs, with a blank line after each result set's row count as sqlcmd leaves between sets. */
export function formatOutputs(outputs: readonly TsqlOutput[]): string {
  return outputs.map((o) => formatOutput(o) + (o.kind === 'rowcount' ? '\n' : '')).join('');
}

function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The result sets of `outputs` as CSV (RFC 4180: CRLF line ends, fields with `,` `"` or line breaks
 * quoted, quotes doubled). Each set starts with its header row; sets are separated by an empty line.
 * NULL is an empty field.
 */
export function formatCsv(outputs: readonly TsqlOutput[]): string {
  const sets: string[] = [];
  for (const o of outputs) {
    if (o.kind !== 'resultset') continue;
    const lines = [o.columns.map((c) => csvField(c.name)).join(','), ...o.rows.map((r) => r.map(csvField).join(','))];
    sets.push(lines.join('\r\n') + '\r\n');
  }
  return sets.join('\r\n');
}
