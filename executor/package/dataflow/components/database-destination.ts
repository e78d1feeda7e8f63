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
import { outputsOf } from '../component.ts';
import { insertRows, openSession } from '../database.ts';
import type { SsisType } from '../../expressions/types.ts';
import { T } from '../../expressions/types.ts';
import { cellToJs } from '../types.ts';
import type { DbSession } from '../../connections/provider.ts';

export const INSERT_FAILED = -1071607685;

export function databaseDestination(host: ComponentHost, table: () => string): ComponentRuntime {
  const c = host.component;
  const input = c.inputs[0];
  const { error } = outputsOf(c);
  let session: DbSession | undefined;
  let target = '';
  const cols: { name: string; slot: number; type: SsisType }[] = [];
  let count = 0;
  let rowNumber = 0;
  return {
    async prepare() {
      target = table();
      if (target.trim() === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: no destination table is set`);
      for (const col of input?.columns ?? []) {
        const ext = input!.externalColumns.find((e) => e.id === col.externalMetadataColumnId);
        if (!ext) continue; // an input column not mapped to a table column
        cols.push({ name: ext.name, slot: host.slot(col.lineageId), type: col.type ?? host.lineageType(col.lineageId) ?? ext.type ?? T.wstr(4000) });
      }
      session = await openSession(host);
    },
    async receive(_input, rows) {
      const values = rows.map((r) => cols.map((k) => cellToJs(r[k.slot] ?? null, k.type)));
      const first = rowNumber + 1;
      rowNumber += rows.length;
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
    async finish() { host.information(`"${c.name}" wrote ${count} rows.`); },
    async cleanup() { await session?.close().catch(() => undefined); session = undefined; },
  };
}
