/** OLE DB Source: AccessMode 0 table or view, 1 table name from a variable, 2 SQL command (with `?` ParameterMapping), 3 SQL command from a variable. */
import type { ComponentImplementation } from '../component.ts';
import { intProp, prop } from '../component.ts';
import { databaseSource, parseParameterMapping } from './database-source.ts';
import { tableOf, validateTableMetadata } from '../external-metadata.ts';

export const oledbSource: ComponentImplementation = {
  kind: 'oledbSource',
  validate(v) {
    const c = v.component;
    const mode = intProp(c, 'AccessMode', 0);
    const problems = [];
    if (mode === 1 || mode === 3) {
      const name = prop(c, mode === 1 ? 'OpenRowsetVariable' : 'SqlCommandVariable');
      if (!v.hasVariable(name)) problems.push({ path: c.path, severity: 'error' as const, message: `the OLE DB Source reads its ${mode === 1 ? 'table name' : 'SQL command'} from the variable '${name}', which is not defined` });
    }
    if (mode < 0 || mode > 3) problems.push({ path: c.path, severity: 'error' as const, message: `AccessMode ${mode} is not 0 (table), 1 (table from variable), 2 (SQL command) or 3 (SQL command from variable)` });
    return problems;
  },
  // Table modes: the table and the output's external columns (SQL command modes are checked when they run).
  async validateExternal(v) {
    const c = v.component;
    const mode = intProp(c, 'AccessMode', 0);
    if (mode !== 0 && mode !== 1) return [];
    const output = c.outputs.find((o) => !o.isErrorOut);
    return validateTableMetadata(v, tableOf(v, mode === 1), output?.externalColumns ?? []);
  },
  create(host) {
    const c = host.component;
    return databaseSource(host, () => {
      const mode = intProp(c, 'AccessMode', 0);
      const parameters = parseParameterMapping(prop(c, 'ParameterMapping'), host);
      switch (mode) {
        case 1: return { table: String(host.getVariable(prop(c, 'OpenRowsetVariable')) ?? '') };
        case 2: return { sql: prop(c, 'SqlCommand'), parameters };
        case 3: return { sql: String(host.getVariable(prop(c, 'SqlCommandVariable')) ?? ''), parameters };
        default: return { table: prop(c, 'OpenRowset') };
      }
    });
  },
};
