/**
 * The Cache connection manager's data: what a Cache Transform wrote, for Lookups with
 * ConnectionType 1 (Cache) later in the same execution, and, when the connection manager has
 * `UseFile` with a file name, also in that file for later executions.
 *
 * In memory the data is keyed by the execution (System::ExecutionInstanceGUID) and the connection
 * manager, and only the caches of the last `KEPT_EXECUTIONS` executions in this worker thread are
 * kept (SSIS frees the cache when the package ends; components have no package-end hook here).
 * The file is our own format (V8 serialization of the column names and rows), not SSIS's .caw:
 * files are not interchangeable with SSIS.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { ComponentFailure } from './component.ts';
import { SsoError } from '../../../actors/errors.ts';
import type { ConnectionManagerDef } from '../model.ts';
import type { ComponentHost } from './component.ts';

export interface CacheData {
  readonly columns: readonly string[];
  /** Driver-style JS values (as `cellToJs` gives), so the Lookup converts them like database rows. */
  readonly rows: readonly (readonly unknown[])[];
}

export const KEPT_EXECUTIONS = 8;
const store = new Map<string, Map<string, CacheData>>();

function executionOf(host: ComponentHost): string {
  const v = host.hasVariable('System::ExecutionInstanceGUID') ? host.getVariable('System::ExecutionInstanceGUID') : null;
  return typeof v === 'string' && v !== '' ? v : 'no-execution-id';
}

export function cacheConnection(host: ComponentHost, ref: string | undefined): ConnectionManagerDef {
  const cm = ref === undefined ? undefined : host.connection(ref);
  if (!cm) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${host.component.path}: the component has no Cache connection manager (connection '${ref ?? ''}' not found)`);
  if (cm.creationName.toUpperCase() !== 'CACHE') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${host.component.path}: the connection manager '${cm.name}' is a ${cm.creationName} connection, not a Cache connection`);
  return cm;
}

/** Index (key) columns of a Cache connection manager: `DTS:IndexPosition` > 0, in position order. */
export function cacheColumns(cm: ConnectionManagerDef): { name: string; index: number }[] {
  const cols = cm.objectData?.children.find((x) => /CacheColumns$/.test(x.name))?.children ?? [];
  return cols.map((x) => ({ name: x.attrs['DTS:ObjectName'] ?? x.attrs.ObjectName ?? '', index: Number(x.attrs['DTS:IndexPosition'] ?? x.attrs.IndexPosition ?? 0) || 0 }));
}

function fileOf(host: ComponentHost, cm: ConnectionManagerDef): string | undefined {
  const use = (cm.properties.UseFile ?? '').toLowerCase();
  if ((use !== 'true' && use !== '1' && use !== '-1') || cm.connectionString.trim() === '') return undefined;
  const f = cm.connectionString.trim();
  return isAbsolute(f) || !host.workingDirectory ? f : join(host.workingDirectory, f);
}

export function writeCache(host: ComponentHost, cm: ConnectionManagerDef, data: CacheData): void {
  const exec = executionOf(host);
  let m = store.get(exec);
  if (!m) {
    m = new Map();
    store.set(exec, m);
    while (store.size > KEPT_EXECUTIONS) store.delete(store.keys().next().value!);
  }
  m.set(cm.id || cm.name, data);
  const file = fileOf(host, cm);
  if (file) {
    writeFileSync(`${file}.tmp`, serialize({ format: 'scaleout-cache-1', columns: data.columns, rows: data.rows }));
    renameSync(`${file}.tmp`, file);
  }
}

export function readCache(host: ComponentHost, cm: ConnectionManagerDef): CacheData {
  const hit = store.get(executionOf(host))?.get(cm.id || cm.name);
  if (hit) return hit;
  const file = fileOf(host, cm);
  if (file) {
    let raw: { format?: string; columns?: string[]; rows?: unknown[][] };
    try { raw = deserialize(readFileSync(file)) as typeof raw; } catch (err) {
      throw new ComponentFailure(`${host.component.path}: cannot read the cache file '${file}' of the Cache connection manager '${cm.name}': ${(err as Error).message}`);
    }
    if (raw.format !== 'scaleout-cache-1' || !raw.columns || !raw.rows) throw new ComponentFailure(`${host.component.path}: '${file}' is not a cache file written by a Cache Transform here (SSIS .caw files are not readable)`);
    return { columns: raw.columns, rows: raw.rows };
  }
  throw new ComponentFailure(`${host.component.path}: the Cache connection manager '${cm.name}' holds no data: a Cache Transform must fill it earlier in this execution (or set UseFile with a cache file)`);
}
