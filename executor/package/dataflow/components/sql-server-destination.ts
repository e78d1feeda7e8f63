/** SQL Server Destination: BulkInsertTableName, written like the OLE DB fast load. */
import type { ComponentImplementation } from '../component.ts';
import { prop } from '../component.ts';
import { databaseDestination, fastLoadOptions } from './database-destination.ts';

export const sqlServerDestination: ComponentImplementation = {
  kind: 'sqlServerDestination',
  create(host) {
    const c = host.component;
    return databaseDestination(host, () => prop(c, 'BulkInsertTableName'), () => ({ ...fastLoadOptions({}, true), tableLock: /true/i.test(prop(c, 'BulkInsertTablock')), checkConstraints: /true/i.test(prop(c, 'BulkInsertCheckConstraints')), keepIdentity: /true/i.test(prop(c, 'BulkInsertKeepIdentity')), keepNulls: /true/i.test(prop(c, 'BulkInsertKeepNulls')) }));
  },
};
