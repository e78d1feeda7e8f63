/** ADO.NET Destination (managed `ADONETDestination`): TableOrViewName; BatchSize and bulk insert are covered by batched INSERTs. */
import type { ComponentImplementation } from '../component.ts';
import { prop } from '../component.ts';
import { databaseDestination } from './database-destination.ts';

export const adoNetDestination: ComponentImplementation = {
  kind: 'adoNetDestination',
  create(host) { return databaseDestination(host, () => prop(host.component, 'TableOrViewName')); },
};
