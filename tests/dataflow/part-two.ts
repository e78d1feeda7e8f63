/**
 * Building blocks for the issue-12 component tests: an OLE DB Source reading a SQLite query, an
 * OLE DB Destination loading a SQLite table by column name, and references to input columns in
 * the refId form SSDT writes (`#{Package\Data Flow Task\Merge Join.Inputs[Left].Columns[Id]}`).
 */
import Database from 'better-sqlite3';
import type { ColumnSpec, ComponentSpec } from './builder.ts';
import { lineageOf } from './builder.ts';

const TASK = 'Package\\Data Flow Task';

export const inputRef = (component: string, input: string, column: string) => `#{${TASK}\\${component}.Inputs[${input}].Columns[${column}]}`;
export const lineageRefOf = (spec: string) => `#{${lineageOf(spec)}}`;

/** `sorted` marks the output IsSorted (the columns carry their own sortKeyPosition). */
export function sqlSource(name: string, sql: string, columns: ColumnSpec[], sorted = false): ComponentSpec {
  return {
    name, classId: 'Microsoft.OLEDBSource', connection: 'Db', props: { AccessMode: '2', SqlCommand: sql },
    outputs: [{
      name: 'Out', sorted,
      columns: columns.map((c) => ({ ...c, ext: c.name })),
      external: columns.map((c) => ({ name: c.name, dataType: c.dataType, length: c.length, precision: c.precision, scale: c.scale })),
    }],
  };
}

/** Loads `from` (Comp.Out.Col) into `table`, each column into the table column of the same name. */
export function tableDestination(name: string, table: string, from: string[], columns: ColumnSpec[]): ComponentSpec {
  return {
    name, classId: 'Microsoft.OLEDBDestination', connection: 'Db', props: { AccessMode: '3', OpenRowset: `[dbo].[${table}]` },
    inputs: [{ name: 'In', columns: from.map((f) => ({ from: f, ext: f.split('.')[2]! })), external: columns }],
  };
}

export function tableRows(file: string, sql: string): unknown[][] {
  const d = new Database(file, { readonly: true });
  try { return d.prepare(sql).raw(true).all() as unknown[][]; } finally { d.close(); }
}

export function exec(file: string, sql: string): void {
  const d = new Database(file);
  try { d.exec(sql); } finally { d.close(); }
}
