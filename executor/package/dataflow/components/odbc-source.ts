/** ODBC Source: AccessMode 0 table name (TableName), 1 SQL command. Runs through the providers (SQLite/PostgreSQL/SQL Server strings). */
import type { ComponentImplementation } from '../component.ts';
import { intProp, prop } from '../component.ts';
import { databaseSource } from './database-source.ts';

export const odbcSource: ComponentImplementation = {
  kind: 'odbcSource',
  create(host) {
    const c = host.component;
    return databaseSource(host, () => (intProp(c, 'AccessMode', 0) === 0 ? { table: prop(c, 'TableName') } : { sql: prop(c, 'SqlCommand') }));
  },
};
