/** ADO.NET Source (managed `DataReaderSourceAdapter`): AccessMode 0 table or view (TableOrViewName), 2 SQL command. */
import type { ComponentImplementation } from '../component.ts';
import { intProp, prop } from '../component.ts';
import { databaseSource } from './database-source.ts';

export const adoNetSource: ComponentImplementation = {
  kind: 'adoNetSource',
  create(host) {
    const c = host.component;
    return databaseSource(host, () => (intProp(c, 'AccessMode', 0) === 0 && prop(c, 'TableOrViewName').trim() !== ''
      ? { table: prop(c, 'TableOrViewName') } : { sql: prop(c, 'SqlCommand') }));
  },
};
