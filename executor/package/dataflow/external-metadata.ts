/**
 * Connected validation of a table-bound component (ValidateExternalMetadata = True), as SSIS does
 * it when a task is validated: the component acquires its connection, opens the table its metadata
 * names and compares the table's columns with its external metadata columns.
 * - the connection cannot be acquired: DTS_E_CANNOTACQUIRECONNECTIONFROMCONNECTIONMANAGER;
 * - the table does not exist: the provider's message, then DTS_E_CANNOTGETIROWSET ("Opening a rowset
 *   for … failed. Check that the object exists in the database.") and the component's status
 *   VS_ISBROKEN (DTS_E_INDIVIDUALVALIDATIONSTATUSFAILED);
 * - an external column the table does not have: DTS_W_EXTERNALMETADATACOLUMNSOUTOFSYNC ("… needs to
 *   be removed from the external columns") and the status VS_NEEDSNEWMETADATA; a table column the
 *   metadata does not list is only that warning ("… needs to be added"), as SSIS reports it.
 * Names are compared case-insensitively (SQL Server's catalogs are, in the default collations).
 * A component with no table name (SQL command modes, an empty OpenRowset) is not checked here: the
 * static validation or the run reports it.
 */
import type { ExternalProblem, ExternalValidationHost } from './component.ts';
import { connectionRef } from './component.ts';
import type { ExternalColumn } from './pipeline.ts';
import { databaseProvider } from '../connections/factory.ts';
import type { DbSession } from '../connections/provider.ts';

/** Microsoft.SqlServer.Dts.Runtime.HResults values used by connected validation. */
export const VALIDATION_HRESULT = {
  /** 0xC020801C */
  cannotAcquireConnection: -1071611876,
  /** 0xC02020E8 */
  cannotGetIRowset: -1071636248,
  /** 0xC004706B */
  individualValidationStatusFailed: -1073450901,
  /** 0x80047076 */
  externalMetadataColumnsOutOfSync: -2147192632,
} as const;

/** The table a component names: OpenRowset, or the variable OpenRowsetVariable names ('' when it is not defined). */
export function tableOf(v: ExternalValidationHost, fromVariable: boolean): string {
  const c = v.component;
  if (!fromVariable) return c.properties.OpenRowset ?? '';
  const name = c.properties.OpenRowsetVariable ?? '';
  if (name.trim() === '' || !v.hasVariable(name)) return '';
  const value = v.getVariable(name);
  return value === null || value === undefined ? '' : String(value);
}

/**
 * Checks that `table` exists through the component's connection and has `external` (the external
 * metadata columns of the side that talks to the table: a source's output, a destination's input).
 */
export async function validateTableMetadata(v: ExternalValidationHost, table: string, external: readonly ExternalColumn[]): Promise<ExternalProblem[]> {
  const c = v.component;
  if (table.trim() === '') return [];
  const ref = connectionRef(c);
  if (!ref) return [];
  const cm = v.connection(ref);
  if (!cm) return [];
  const failed = (status: 'VS_ISBROKEN' | 'VS_NEEDSNEWMETADATA'): ExternalProblem => ({
    severity: 'error', code: VALIDATION_HRESULT.individualValidationStatusFailed,
    message: `"${c.name}" failed validation and returned validation status "${status}".`,
  });
  let session: DbSession;
  try {
    session = await databaseProvider(cm).open();
  } catch (err) {
    return [
      { severity: 'error', code: VALIDATION_HRESULT.cannotAcquireConnection, message: `SSIS Error Code DTS_E_CANNOTACQUIRECONNECTIONFROMCONNECTIONMANAGER. The AcquireConnection method call to the connection manager "${cm.name}" failed: ${(err as Error).message}` },
      failed('VS_ISBROKEN'),
    ];
  }
  try {
    let columns: readonly string[];
    try {
      columns = (await session.describeTable(table)).columns.map((x) => x.name);
    } catch (err) {
      return [
        { severity: 'error', code: VALIDATION_HRESULT.cannotGetIRowset, message: `${(err as Error).message}. Opening a rowset for "${table}" failed. Check that the object exists in the database.` },
        failed('VS_ISBROKEN'),
      ];
    }
    const have = new Set(columns.map((x) => x.toLowerCase()));
    const listed = new Set(external.map((x) => x.name.toLowerCase()));
    const problems: ExternalProblem[] = [];
    const outOfSync = (text: string): ExternalProblem => ({
      severity: 'warning', code: VALIDATION_HRESULT.externalMetadataColumnsOutOfSync,
      message: `The external columns for ${c.name} are out of synchronization with the data source columns. ${text}`,
    });
    const missing = external.filter((x) => !have.has(x.name.toLowerCase()));
    for (const x of missing) problems.push(outOfSync(`The external column "${x.name}" needs to be removed from the external columns.`));
    // Only when the component lists external columns at all (a package saved without metadata lists none).
    if (external.length > 0) for (const name of columns.filter((x) => !listed.has(x.toLowerCase()))) problems.push(outOfSync(`The column "${name}" needs to be added to the external columns.`));
    if (missing.length > 0) problems.push(failed('VS_NEEDSNEWMETADATA'));
    return problems;
  } finally {
    await session.close().catch(() => undefined);
  }
}
