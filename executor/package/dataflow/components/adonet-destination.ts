/** ADO.NET Destination (managed `ADONETDestination`): TableOrViewName; BatchSize and bulk insert are covered by batched INSERTs. */
import type { ComponentImplementation } from '../component.ts';
import { prop } from '../component.ts';
import { databaseDestination } from './database-destination.ts';

export const adoNetDestination: ComponentImplementation = {
  kind: 'adoNetDestination',
  create(host) {
    const c = host.component;
    const batch = Number(prop(c, 'BatchSize', '0'));
    return databaseDestination(host, () => prop(c, 'TableOrViewName'), () => ({ fastLoad: /true/i.test(prop(c, 'UseBulkInsertWhenPossible', 'true')), ...(batch > 0 ? { rowsPerBatch: batch } : {}) }));
  },
};
