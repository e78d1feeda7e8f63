/**
 * Recordset Destination (fills an Object variable with an ADO-style recordset that the Foreach ADO
 * enumerator loops over) and DataReader Destination (a sink that only counts: there is no external
 * consumer of a data reader in a Scale Out run).
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation } from '../component.ts';
import { prop } from '../component.ts';
import type { Recordset } from '../../model.ts';
import { cellToJs } from '../types.ts';
import { T } from '../../expressions/types.ts';

export const recordsetDestination: ComponentImplementation = {
  kind: 'recordsetDestination',
  validate(v) {
    const name = prop(v.component, 'VariableName');
    if (name.trim() === '') return [{ path: v.component.path, severity: 'error', message: 'the Recordset Destination has no VariableName' }];
    if (!v.hasVariable(name)) return [{ path: v.component.path, severity: 'error', message: `the Recordset Destination writes the variable '${name}', which is not defined` }];
    return [];
  },
  create(host) {
    const c = host.component;
    const input = c.inputs[0];
    const cols = (input?.columns ?? []).map((col) => ({ name: col.name, slot: host.slot(col.lineageId), type: col.type ?? host.lineageType(col.lineageId) ?? T.wstr(4000) }));
    const rows: unknown[][] = [];
    return {
      async receive(_input, buffer) {
        for (const r of buffer) rows.push(cols.map((k) => cellToJs(r[k.slot] ?? null, k.type)));
      },
      async finish() {
        const name = prop(c, 'VariableName');
        if (name.trim() === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the Recordset Destination has no VariableName`);
        const rs: Recordset = { kind: 'recordset', columns: cols.map((k) => k.name), rows };
        host.setVariable(name, rs);
        host.information(`"${c.name}" wrote ${rows.length} rows.`);
      },
    };
  },
};

export const dataReaderDestination: ComponentImplementation = {
  kind: 'dataReaderDestination',
  create(host) {
    let count = 0;
    return {
      async receive(_input, rows) { count += rows.length; },
      async finish() { host.information(`"${host.component.name}" wrote ${count} rows.`); },
    };
  },
};
