/** ODBC Destination: TableName; InsertMethod (row by row or batch) both become batched INSERTs. */
import type { ComponentImplementation } from '../component.ts';
import { prop } from '../component.ts';
import { databaseDestination } from './database-destination.ts';

export const odbcDestination: ComponentImplementation = {
  kind: 'odbcDestination',
  create(host) { return databaseDestination(host, () => prop(host.component, 'TableName')); },
};
