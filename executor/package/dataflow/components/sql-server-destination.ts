/** SQL Server Destination: BulkInsertTableName, written like the OLE DB fast load. */
import type { ComponentImplementation } from '../component.ts';
import { prop } from '../component.ts';
import { databaseDestination } from './database-destination.ts';

export const sqlServerDestination: ComponentImplementation = {
  kind: 'sqlServerDestination',
  create(host) { return databaseDestination(host, () => prop(host.component, 'BulkInsertTableName')); },
};
