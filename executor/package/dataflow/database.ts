/**
 * What the database components share: opening a session on a component's connection (through the
 * providers in connections/; table names are quoted by the session for its dialect), binding `?` markers, the parameter type of a buffer column, reading a query
 * into typed buffers, and batched multi-row INSERTs.
 */
import { SsoError } from '../../../actors/errors.ts';
import { databaseProvider } from '../connections/factory.ts';
import type { DbSession, Dialect, ParamType, QueryParam } from '../connections/provider.ts';
import { findMarkers, replaceMarkers } from '../connections/sql-text.ts';
import type { SsisType } from '../expressions/types.ts';
import type { ComponentHost } from './component.ts';
import { connectionRef } from './component.ts';

export async function openSession(host: ComponentHost, connectionName?: string): Promise<DbSession> {
  const c = host.component;
  const ref = connectionRef(c, connectionName);
  if (!ref) throw new SsoError('SSO_ERR_CONNECTION', `${c.path}: the component has no connection manager`);
  const cm = host.connection(ref);
  if (!cm) throw new SsoError('SSO_ERR_CONNECTION', `${c.path}: the connection manager '${ref}' is not defined`);
  try {
    return await databaseProvider(cm).open();
  } catch (err) {
    throw new SsoError('SSO_ERR_CONNECTION', `${c.path}: ${(err as Error).message}`, { cause: err });
  }
}

export function quoteColumn(name: string, dialect: Dialect): string {
  return dialect === 'mssql' ? `[${name.replace(/]/g, ']]')}]` : `"${name.replace(/"/g, '""')}"`;
}

/** Replaces `?` markers with the session's placeholders. */
export function bindMarkers(sql: string, session: DbSession): { sql: string; count: number } {
  const markers = findMarkers(sql).filter((m) => m.kind === 'positional');
  const text = replaceMarkers(sql, markers, (_m, index) => session.placeholder(index));
  return { sql: text, count: markers.length };
}

/** The provider parameter name of the `index`-th positional placeholder. */
export function paramName(session: DbSession, index: number): string {
  return session.placeholder(index).replace(/^[@$:]/, '');
}

export function paramTypeOf(t: SsisType): ParamType {
  switch (t.name) {
    case 'DT_WSTR': case 'DT_NTEXT': return 'string';
    case 'DT_STR': case 'DT_TEXT': return 'ansiString';
    case 'DT_I1': case 'DT_I2': return 'int16';
    case 'DT_I4': case 'DT_UI2': return 'int32';
    case 'DT_I8': case 'DT_UI4': return 'int64';
    case 'DT_UI1': return 'uint8';
    case 'DT_UI8': case 'DT_NUMERIC': case 'DT_DECIMAL': return 'decimal';
    case 'DT_R4': return 'real';
    case 'DT_R8': return 'float';
    case 'DT_CY': return 'money';
    case 'DT_BOOL': return 'bool';
    case 'DT_DBDATE': return 'date';
    case 'DT_DBTIME': case 'DT_DBTIME2': return 'time';
    case 'DT_DBTIMESTAMP': case 'DT_DATE': case 'DT_FILETIME': return 'datetime';
    case 'DT_DBTIMESTAMP2': return 'datetime2';
    case 'DT_DBTIMESTAMPOFFSET': return 'datetimeoffset';
    case 'DT_GUID': return 'guid';
    case 'DT_BYTES': case 'DT_IMAGE': return 'binary';
    default: return 'variant';
  }
}

export function inputParams(session: DbSession, values: readonly unknown[], types: readonly SsisType[]): QueryParam[] {
  return values.map((value, i) => ({ name: paramName(session, i), direction: 'input' as const, value, type: paramTypeOf(types[i]!) }));
}

/**
 * `INSERT INTO t (cols) VALUES (…),(…)` for `rows` (JS values), split so no statement binds more
 * than ~2000 parameters (SQL Server's limit is 2100) or 1000 rows.
 */
export async function insertRows(session: DbSession, table: string, columns: readonly string[], types: readonly SsisType[], rows: readonly (readonly unknown[])[], signal?: AbortSignal): Promise<void> {
  if (rows.length === 0 || columns.length === 0) return;
  const perStatement = Math.max(1, Math.min(1000, Math.floor(2000 / columns.length)));
  const head = `INSERT INTO ${session.quoteName(table)} (${columns.map((c) => quoteColumn(c, session.dialect)).join(', ')}) VALUES `;
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const params: QueryParam[] = [];
    const tuples: string[] = [];
    for (const r of chunk) {
      const marks: string[] = [];
      for (let i = 0; i < columns.length; i++) {
        const idx = params.length;
        params.push({ name: paramName(session, idx), direction: 'input', value: r[i] ?? null, type: paramTypeOf(types[i]!) });
        marks.push(session.placeholder(idx));
      }
      tuples.push(`(${marks.join(', ')})`);
    }
    await session.query(head + tuples.join(', '), params, signal ? { signal } : {});
  }
}
