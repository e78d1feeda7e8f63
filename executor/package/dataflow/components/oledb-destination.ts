/**
 * OLE DB Destination: AccessMode 0 table or view, 1 table name from a variable, 3 fast load, 4 fast
 * load from a variable (2, SQL command, uses SqlCommand's target). Fast-load options (rows per batch,
 * maximum insert commit size, TABLOCK, keep identity/nulls) need no different handling with batched
 * INSERTs: every buffer is written in ≤1000-row statements.
 */
import type { ComponentImplementation } from '../component.ts';
import { intProp, prop } from '../component.ts';
import { databaseDestination, fastLoadOptions } from './database-destination.ts';
import { tableOf, validateTableMetadata } from '../external-metadata.ts';

export const oledbDestination: ComponentImplementation = {
  kind: 'oledbDestination',
  validate(v) {
    const c = v.component;
    const mode = intProp(c, 'AccessMode', 0);
    if (mode === 1 || mode === 4) {
      const name = prop(c, 'OpenRowsetVariable');
      if (!v.hasVariable(name)) return [{ path: c.path, severity: 'error', message: `the OLE DB Destination reads its table name from the variable '${name}', which is not defined` }];
    }
    if (mode === 2) return [{ path: c.path, severity: 'error', message: 'the OLE DB Destination access mode 2 (SQL command) is not supported: use a table or fast load' }];
    return [];
  },
  // Every access mode but SQL command names a table: it and the input's external columns.
  async validateExternal(v) {
    const c = v.component;
    const mode = intProp(c, 'AccessMode', 0);
    if (mode === 2) return [];
    return validateTableMetadata(v, tableOf(v, mode === 1 || mode === 4), c.inputs[0]?.externalColumns ?? []);
  },
  create(host) {
    const c = host.component;
    return databaseDestination(host, () => {
      const mode = intProp(c, 'AccessMode', 0);
      return mode === 1 || mode === 4 ? String(host.getVariable(prop(c, 'OpenRowsetVariable')) ?? '') : prop(c, 'OpenRowset');
    }, () => { const mode = intProp(c, 'AccessMode', 0); return fastLoadOptions(c.properties, mode === 3 || mode === 4); });
  },
};
