/**
 * `catalog.add_data_tap`, `catalog.add_data_tap_by_guid` and `catalog.remove_data_tap` on the embedded
 * catalog (table `execution_data_taps`, SQLite migration 5), kept apart from the store so that the
 * store only hooks them into its group-committed writes. Rules, as SSISDB's:
 * - the caller must see the execution (its creator, ssis_admin or sysadmin: READ+MODIFY), else 27103;
 * - taps are added and removed only while the execution is created (status 1), else 27212;
 * - NULL inputs are 27100, empty ones 27102, malformed ones 27101, each naming the parameter;
 * - `max_rows` NULL captures every row; otherwise it is a positive int.
 * Our additions: `data_filename` must be a bare file name (the worker writes it in its own DataDumps
 * folder, so a path could escape it: 27101), one file per execution (27414), and an unknown or
 * invisible tap id is 27413. The task and the path are checked when the package runs, since the
 * catalog does not read packages (nor does SSISDB).
 */
import { catalogError } from '../../actors/catalog-errors.ts';
import type { AddDataTapInput, DataTapSpec, Principal } from '../../actors/ports.ts';
import type { Row } from './catalog-rows.ts';

/** What the procedures need from the store, inside its write transaction. */
export interface DataTapDb {
  get(sql: string, ...params: unknown[]): Row | undefined;
  all(sql: string, ...params: unknown[]): Row[];
  run(sql: string, ...params: unknown[]): { lastInsertRowid: number | bigint };
  /** The execution row (with `status`) if the caller may see it; else throws 27100/27101/27103. */
  visibleExecution(caller: Principal, executionId: unknown): Row;
  /** A GUID parameter in stored form; throws 27100/27101 naming it. */
  guid(name: string, value: unknown): string;
}

const MAX_ID_STRING = 4000;
const MAX_FILE_NAME = 255;
const INT_MAX = 2147483647;

function text(name: string, value: unknown, max: number): string {
  if (value === null || value === undefined) throw catalogError(27100, name);
  if (typeof value !== 'string') throw catalogError(27101, name);
  if (value.trim() === '') throw catalogError(27102, name);
  if (value.length > max) throw catalogError(27101, name);
  return value;
}

/** A file name the worker can create inside its DataDumps folder and nowhere else. */
export function checkDataFilename(value: unknown): string {
  const name = text('data_filename', value, MAX_FILE_NAME);
  // eslint-disable-next-line no-control-regex
  if (/[\\/:*?"<>|\u0000-\u001f]/.test(name) || name === '.' || name === '..' || name !== name.trim()) throw catalogError(27101, 'data_filename');
  return name;
}

export function checkMaxRows(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > INT_MAX) throw catalogError(27101, 'max_rows');
  return n;
}

export function addDataTap(db: DataTapDb, caller: Principal, input: AddDataTapInput): { dataTapId: number } {
  const exec = db.visibleExecution(caller, input?.executionId);
  const byGuid = input.taskPackagePath === undefined;
  let packagePath: string | null = null;
  let taskGuid: string | null = null;
  if (byGuid) taskGuid = db.guid('dataflow_task_guid', input.dataflowTaskGuid);
  else {
    packagePath = text('task_package_path', input.taskPackagePath, 1_000_000);
    if (!packagePath.startsWith('\\')) throw catalogError(27101, 'task_package_path');
  }
  const pathId = text('dataflow_path_id_string', input.dataflowPathIdString, MAX_ID_STRING);
  const fileName = checkDataFilename(input.dataFilename);
  const maxRows = checkMaxRows(input.maxRows);
  if (Number(exec['status']) !== 1) throw catalogError(27212);
  if (db.get('SELECT 1 FROM execution_data_taps WHERE execution_id = ? AND filename = ? COLLATE NOCASE', input.executionId, fileName) !== undefined) {
    throw catalogError(27414, input.executionId, fileName);
  }
  const r = db.run(`INSERT INTO execution_data_taps (execution_id, package_path, dataflow_task_guid, dataflow_path_id_string, max_rows, filename)
    VALUES (?, ?, ?, ?, ?, ?)`, input.executionId, packagePath, taskGuid, pathId, maxRows, fileName);
  return { dataTapId: Number(r.lastInsertRowid) };
}

export function removeDataTap(db: DataTapDb, caller: Principal, input: { dataTapId: number }): void {
  const id = input?.dataTapId as unknown;
  if (id === null || id === undefined) throw catalogError(27100, 'data_tap_id');
  if (typeof id !== 'number' || !Number.isInteger(id)) throw catalogError(27101, 'data_tap_id');
  const tap = db.get('SELECT execution_id FROM execution_data_taps WHERE data_tap_id = ?', id);
  if (tap === undefined) throw catalogError(27413, id);
  let exec: Row;
  try {
    exec = db.visibleExecution(caller, Number(tap['execution_id']));
  } catch {
    throw catalogError(27413, id); // not the caller's: as if it did not exist
  }
  if (Number(exec['status']) !== 1) throw catalogError(27212);
  db.run('DELETE FROM execution_data_taps WHERE data_tap_id = ?', id);
}

/** The taps that travel with the execution's task, in the order they were added. */
export function listDataTaps(db: Pick<DataTapDb, 'all'>, executionId: number): DataTapSpec[] {
  return db.all('SELECT * FROM execution_data_taps WHERE execution_id = ? ORDER BY data_tap_id', executionId).map((r) => ({
    dataTapId: Number(r['data_tap_id']),
    taskPackagePath: r['package_path'] === null ? null : String(r['package_path']),
    dataflowTaskGuid: r['dataflow_task_guid'] === null ? null : String(r['dataflow_task_guid']),
    dataflowPathIdString: String(r['dataflow_path_id_string']),
    dataFilename: String(r['filename']),
    maxRows: r['max_rows'] === null ? null : Number(r['max_rows']),
  }));
}
