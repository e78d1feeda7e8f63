/**
 * The writing half shared by OLE DB Destination, ADO.NET, ODBC and SQL Server Destinations: input
 * columns go to the table columns named by their external metadata; rows are inserted in batched
 * multi-row INSERTs (one statement per ≤1000 rows / ≤2000 parameters) each time a buffer arrives,
 * so a slow database slows the source. When a batch fails and the input redirects errors, the batch
 * is retried row by row and the failing rows go to the error output (ErrorCode -1071607685, no status
 * available, as SSIS's fast load reports).
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentHost, ComponentRuntime } from '../component.ts';
import { outputsOf, destinationColumns } from '../component.ts';
import { insertRows, openSession } from '../database.ts';
import type { SsisType } from '../../expressions/types.ts';
import { T } from '../../expressions/types.ts';
import { cellToJs } from '../types.ts';
import type { DbSession, TableWriter } from '../../connections/provider.ts';

export const INSERT_FAILED = -1071607685;

/** Fast-load settings of an OLE DB Destination (and the bulk options of the other destinations). */
export interface LoadOptions {
  readonly fastLoad: boolean;
  readonly rowsPerBatch?: number;
  readonly maxInsertCommitSize?: number;
  readonly keepIdentity?: boolean;
  readonly keepNulls?: boolean;
  readonly tableLock?: boolean;
  readonly checkConstraints?: boolean;
}

/** `FastLoadOptions` text (`TABLOCK,CHECK_CONSTRAINTS,ROWS_PER_BATCH = 1000`) and the FastLoad* properties. */
export function fastLoadOptions(props: Readonly<Record<string, string>>, fastLoad: boolean): LoadOptions {
  const text = (props.FastLoadOptions ?? '').toUpperCase();
  const rpb = /ROWS_PER_BATCH\s*=\s*(\d+)/.exec(text);
  const commit = Number(props.FastLoadMaxInsertCommitSize ?? '0');
  const bool = (v: string | undefined) => /^(true|1|-1)$/i.test((v ?? '').trim());
  return {
    fastLoad,
    ...(rpb ? { rowsPerBatch: Number(rpb[1]) } : {}),
    ...(Number.isFinite(commit) && commit > 0 && commit < 2147483647 ? { maxInsertCommitSize: commit } : {}),
    keepIdentity: bool(props.FastLoadKeepIdentity),
    keepNulls: bool(props.FastLoadKeepNulls),
    tableLock: /\bTABLOCK\b/.test(text),
    checkConstraints: /\bCHECK_CONSTRAINTS\b/.test(text),
  };
}

export function databaseDestination(host: ComponentHost, table: () => string, load: () => LoadOptions = () => ({ fastLoad: false })): ComponentRuntime {
  const c = host.component;
  const input = c.inputs[0];
  const { error } = outputsOf(c);
  let session: DbSession | undefined;
  let writer: TableWriter | undefined;
  let target = '';
  const cols: { name: string; slot: number; type: SsisType }[] = [];
  let count = 0;
  let rowNumber = 0;
  return {
    async prepare() {
      target = table();
      if (target.trim() === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: no destination table is set`);
      cols.push(...destinationColumns(host, input, T.wstr(4000)));
      session = await openSession(host);
      const disposition = input?.errorDisposition ?? 'fail';
      // Failing rows can only be told apart row by row: a redirecting input uses single-row statements.
      if (disposition !== 'redirect' && disposition !== 'ignore') {
        try {
          writer = await session.openTableWriter(target, cols.map((k) => k.name), { ...load(), valueTypes: cols.map((k) => k.type), signal: host.signal });
        } catch (err) {
          throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: cannot write into ${target}: ${(err as Error).message}`, { cause: err });
        }
      }
    },
    async receive(_input, rows) {
      const first = rowNumber + 1;
      rowNumber += rows.length;
      if (writer) {
        try {
          await writer.write(rows.map((r) => cols.map((k) => r[k.slot] ?? null)));
        } catch (err) {
          throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: inserting rows up to ${rowNumber} into ${target} failed: ${(err as Error).message}`, { cause: err });
        }
        return;
      }
      const values = rows.map((r) => cols.map((k) => cellToJs(r[k.slot] ?? null, k.type)));
      try {
        await insertRows(session!, target, cols.map((k) => k.name), cols.map((k) => k.type), values, host.signal);
        count += rows.length;
        return;
      } catch (err) {
        const disposition = input?.errorDisposition ?? 'fail';
        if (disposition !== 'redirect' && disposition !== 'ignore') {
          throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: inserting rows ${first} to ${rowNumber} into ${target} failed: ${(err as Error).message}`, { cause: err });
        }
      }
      for (let i = 0; i < rows.length; i++) {
        try {
          await insertRows(session!, target, cols.map((k) => k.name), cols.map((k) => k.type), [values[i]!], host.signal);
          count++;
        } catch (err) {
          host.handle(rows[i]!, first + i, { problem: 'error', column: undefined, code: INSERT_FAILED, message: `inserting into ${target} failed: ${(err as Error).message}` }, input!.errorDisposition, error);
        }
      }
      await host.flushErrors();
    },
    async finish() {
      if (writer) {
        try { count = await writer.finish(); } catch (err) { throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: committing the rows into ${target} failed: ${(err as Error).message}`, { cause: err }); }
        writer = undefined;
      }
      host.information(`"${c.name}" wrote ${count} rows.`);
    },
    async cleanup() {
      await writer?.abort().catch(() => undefined);
      writer = undefined;
      await session?.close().catch(() => undefined);
      session = undefined;
    },
  };
}
