/**
 * The master's store of data tap files (`catalog.add_data_tap`): each worker uploads the CSV files of
 * its attempt's taps when the attempt ends (`PUT /agent/v1/data-taps/<TaskId>/<attempt>/<file>`), and
 * they are kept as `<folder>/<execution>/attempt-<n>/<file>` for the API and `scaleout data-tap`.
 * File names are bare names (the catalog refuses paths in `@data_filename`); they are checked again
 * here so that no request can reach outside the folder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Largest data tap file a worker uploads (its uploader cuts a longer file at a row boundary). */
export const MAX_DATA_TAP_BYTES = 64 * 1024 * 1024;

/** A bare file name: no separators, no control characters, not `.` or `..`. */
// eslint-disable-next-line no-control-regex
export const DATA_TAP_FILE_RE = /^(?!\.{1,2}$)[^\\/:*?"<>|\u0000-\u001f]{1,260}$/;

function attempts(folder: string, executionId: number): number[] {
  const dir = join(folder, String(executionId));
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => { const m = /^attempt-(\d+)$/.exec(n); return m ? [Number(m[1])] : []; }).sort((a, b) => a - b);
}

export function listDataTapFiles(folder: string, executionId: number): { attempt: number; file: string; bytes: number }[] {
  return attempts(folder, executionId).flatMap((attempt) => {
    const dir = join(folder, String(executionId), `attempt-${attempt}`);
    return readdirSync(dir).filter((f) => DATA_TAP_FILE_RE.test(f) && !f.endsWith('.partial')).sort()
      .map((file) => ({ attempt, file, bytes: statSync(join(dir, file)).size }));
  });
}

/** The file of the given attempt, or of the newest attempt that has it. */
export function readDataTapFile(folder: string, executionId: number, file: string, attempt?: number): { attempt: number; bytes: Buffer } | null {
  if (!DATA_TAP_FILE_RE.test(file)) return null;
  const candidates = attempt === undefined ? attempts(folder, executionId).reverse() : [attempt];
  for (const a of candidates) {
    const path = join(folder, String(executionId), `attempt-${a}`, file);
    if (existsSync(path)) return { attempt: a, bytes: readFileSync(path) };
  }
  return null;
}

/** Stores an uploaded file whole or not at all (written aside, then renamed). */
export function saveDataTapFile(folder: string, executionId: number, attempt: number, file: string, bytes: Uint8Array): string {
  if (!DATA_TAP_FILE_RE.test(file)) throw new Error(`'${file}' is not a bare file name`);
  const dir = join(folder, String(executionId), `attempt-${attempt}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, file);
  writeFileSync(`${path}.partial`, bytes, { mode: 0o600 });
  renameSync(`${path}.partial`, path);
  return path;
}
