/**
 * The reading half shared by OLE DB Source, ADO.NET Source and ODBC Source: runs the table query or
 * SQL command (with `?` parameters bound from variables), maps result columns to output columns
 * by external-metadata name, converts each value to the output column's type and sends buffers.
 * Conversion failures and truncation follow the output column's dispositions.
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentHost, ComponentRuntime, Row } from '../component.ts';
import { HRESULT, outputsOf } from '../component.ts';
import { openSession } from '../database.ts';
import type { PipelineColumn } from '../pipeline.ts';
import { CellError, convertCell } from '../types.ts';
import { checkpoint } from '../runtime.ts';
import type { DbSession, Row as DbRow, RowReader } from '../../connections/provider.ts';
import { findMarkers } from '../../connections/sql-text.ts';
import type { SsisType } from '../../expressions/types.ts';

export interface SourceQuery {
  /** A table or view name (quoted for the dialect here), or a SQL command. */
  readonly table?: string;
  readonly sql?: string;
  /** Variable names bound to the `?` markers in order. */
  readonly parameters?: readonly string[];
}

/** `"Parameter0:Input",{GUID};"Parameter1:Input",{GUID};` → variable references in marker order. */
export function parseParameterMapping(text: string, host: Pick<ComponentHost, 'variableNameById'>): string[] {
  const out: { index: number; name: string }[] = [];
  const re = /"([^"]*)"\s*,\s*([^;]*);?/g;
  let m: RegExpExecArray | null;
  let k = 0;
  while ((m = re.exec(text))) {
    const label = m[1]!.split(':')[0]!.trim();
    const ref = m[2]!.trim();
    const name = /^\{[0-9A-F-]+\}$/i.test(ref) ? host.variableNameById(ref) ?? ref : ref.replace(/^@\[?|\]$/g, '');
    const idx = /^Parameter(\d+)$/i.exec(label);
    out.push({ index: idx ? Number(idx[1]) : k, name });
    k++;
  }
  return out.sort((a, b) => a.index - b.index).map((x) => x.name);
}

export function databaseSource(host: ComponentHost, query: () => SourceQuery, connectionName?: string): ComponentRuntime {
  const c = host.component;
  const { normal, error } = outputsOf(c);
  const output = normal[0];
  let session: DbSession | undefined;
  return {
    async prepare() { session = await openSession(host, connectionName); },
    async produce() {
      const q = query();
      let sql: string;
      const params: unknown[] = [];
      if (q.table !== undefined) {
        if (q.table.trim() === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: no table or view name is set`);
        // The table as the destinations find it (describeTable: schema and name matched as the engine
        // matches them, case-insensitively when there is one such table), so `[stg].[Users]` reads the
        // table an unquoted `CREATE TABLE stg.Users` made on PostgreSQL (`stg.users`), as SQL Server's
        // case-insensitive catalog would.
        let quoted: string;
        try {
          quoted = (await session!.describeTable(q.table)).quotedName;
        } catch (err) {
          throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: cannot read the table ${q.table}: ${(err as Error).message}`, { cause: err });
        }
        sql = `SELECT * FROM ${quoted}`;
      } else {
        if ((q.sql ?? '').trim() === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the SQL command is empty`);
        sql = q.sql!;
        const count = findMarkers(sql).filter((m) => m.kind === 'positional').length;
        const names = q.parameters ?? [];
        if (count > names.length) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the SQL command has ${count} ? parameters but ParameterMapping maps ${names.length}`);
        for (let i = 0; i < count; i++) params.push(host.getVariable(names[i]!));
      }
      let reader: RowReader;
      try {
        reader = await session!.openReader(sql, params, { batchRows: host.bufferRows, signal: host.signal });
      } catch (err) {
        throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: the query failed: ${(err as Error).message} (SQL: ${sql.length > 200 ? sql.slice(0, 200) + '…' : sql})`, { cause: err });
      }
      try {
        if (!output) return;
        const lower = reader.columns.map((k) => k.name.toLowerCase());
        const plans: { col: PipelineColumn; index: number; slot: number; from: SsisType }[] = [];
        for (const col of output.columns) {
          const ext = output.externalColumns.find((e) => e.id === col.externalMetadataColumnId)?.name ?? col.name;
          let index = lower.indexOf(ext.toLowerCase());
          if (index < 0) index = lower.indexOf(col.name.toLowerCase());
          if (index < 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: output column '${col.name}' reads the column '${ext}', which the query does not return (it returns ${reader.columns.map((k) => k.name).join(', ') || 'no columns'})`);
          plans.push({ col, index, slot: host.slot(col.lineageId), from: reader.columns[index]!.type });
        }
        let rowNumber = 0;
        for (;;) {
          checkpoint(host.signal);
          let batch: readonly DbRow[] | null;
          try {
            batch = await reader.next();
          } catch (err) {
            throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: ${(err as Error).message}`, { cause: err });
          }
          if (batch === null) break;
          const rows: Row[] = [];
          for (const src of batch) {
            rowNumber++;
            const row = host.newRow();
            let keep = true;
            for (const p of plans) {
              try {
                row[p.slot] = convertCell(src[p.index] ?? null, p.from, p.col.type!);
              } catch (err) {
                if (!(err instanceof CellError)) throw err;
                const trunc = err.problem === 'truncation';
                const r = host.handle(row, rowNumber, { problem: err.problem, column: p.col, code: trunc ? HRESULT.oledbSourceTruncated : HRESULT.oledbSourceCantConvert, message: `the value of column "${p.col.name}" cannot be converted: ${err.message}` }, trunc ? p.col.truncationDisposition : p.col.errorDisposition, error);
                if (r === 'redirect') { keep = false; break; }
                row[p.slot] = null;
              }
            }
            if (keep) rows.push(row);
          }
          await host.send(output, rows);
          await host.flushErrors();
        }
      } finally {
        await reader.close().catch(() => undefined);
      }
    },
    async cleanup() { await session?.close().catch(() => undefined); session = undefined; },
  };
}
