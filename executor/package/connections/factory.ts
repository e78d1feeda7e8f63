/**
 * Connection manager → database provider. The kind comes from `CreationName` (OLEDB, ADO.NET:…,
 * ODBC) and the (possibly overridden) connection string: SQL Server for SQLNCLI*, MSOLEDBSQL*, SQLOLEDB
 * and SqlClient, SQLite or PostgreSQL when the string names them (see sqlite.ts, postgres.ts).
 * Anything else (Excel via ACE/Jet, Oracle, MSOLAP…) is a clear `SSO_ERR_CONNECTION` naming the
 * provider. FILE/FLATFILE (files.ts) and SMTP (smtp.ts) are not databases.
 */
import { SsoError } from '../../../actors/errors.ts';
import type { ConnectionManagerDef } from '../model.ts';
import type { ConnectionStringKeys } from './connection-string.ts';
import { parseConnectionString } from './connection-string.ts';
import { namesPostgres, postgresProvider } from './postgres.ts';
import type { ConnectionProvider } from './provider.ts';
import { namesSqlite, sqliteProvider } from './sqlite.ts';
import { isSqlServerOleDbProvider, sqlServerProvider } from './sqlserver.ts';

/** Connection kinds that hold a database (others are files, mail, cubes…). */
export function isDatabaseConnection(cm: ConnectionManagerDef): boolean {
  const c = cm.creationName.toUpperCase();
  return c === 'OLEDB' || c.startsWith('ADO.NET') || c === 'ODBC' || c === 'SQLITE' || c === 'POSTGRESQL';
}

/** Whether Execute SQL talks to this connection with ADO.NET conventions (`@name` parameters, DbType codes). */
export function isAdoNet(cm: ConnectionManagerDef): boolean {
  return cm.creationName.toUpperCase().startsWith('ADO.NET');
}

/**
 * The provider for a database connection manager (`cm` as returned by the run's `connection()`:
 * overrides and property expressions applied). Throws `SSO_ERR_CONNECTION` naming the manager.
 */
export function databaseProvider(cm: ConnectionManagerDef): ConnectionProvider {
  const what = `connection manager '${cm.name}'`;
  const kind = cm.creationName.toUpperCase();
  if (kind === 'MSOLAP100' || kind.startsWith('MSOLAP')) throw new SsoError('SSO_ERR_CONNECTION', `${what}: Analysis Services (${cm.creationName}) connections are not supported`, { where: cm.name });
  if (!isDatabaseConnection(cm)) throw new SsoError('SSO_ERR_CONNECTION', `${what} is a ${cm.creationName || 'untyped'} connection, not a database connection`, { where: cm.name });
  const text = cm.connectionString;
  if (text.trim() === '') throw new SsoError('SSO_ERR_CONNECTION', `${what} has an empty connection string (encrypted in the package?): supply one with a property override or a parameter`, { where: cm.name });
  if (namesPostgres(text, undefined)) return postgresProvider(text, undefined, what);
  const keys: ConnectionStringKeys = parseConnectionString(text, what);
  if (namesPostgres(text, keys) || kind === 'POSTGRESQL') return postgresProvider(text, keys, what);
  if (namesSqlite(keys) || kind === 'SQLITE') return sqliteProvider(keys, what);
  const provider = keys.get('Provider');
  if (provider !== undefined) {
    if (isSqlServerOleDbProvider(provider)) return sqlServerProvider(keys, what);
    throw new SsoError('SSO_ERR_CONNECTION', `${what}: the OLE DB provider '${provider}' is not supported (supported: SQL Server SQLNCLI*/MSOLEDBSQL*/SQLOLEDB, SQLite, PostgreSQL)`, { where: cm.name });
  }
  if (kind.startsWith('ADO.NET') && !/sqlclient/i.test(kind)) {
    throw new SsoError('SSO_ERR_CONNECTION', `${what}: the ADO.NET provider ${cm.creationName} is not supported (supported: SqlClient, SQLite, PostgreSQL)`, { where: cm.name });
  }
  if (kind === 'ODBC') throw new SsoError('SSO_ERR_CONNECTION', `${what}: ODBC connections are not supported unless the string names SQLite or PostgreSQL`, { where: cm.name });
  return sqlServerProvider(keys, what);
}
