/** Row Count: counts the rows that pass and writes the count to VariableName when the flow ends (PostExecute, as SSIS). */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation } from '../component.ts';
import { outputsOf, prop } from '../component.ts';

export const rowCount: ComponentImplementation = {
  kind: 'rowCount',
  validate(v) {
    const name = prop(v.component, 'VariableName');
    if (name.trim() === '') return [{ path: v.component.path, severity: 'error', message: 'the Row Count has no VariableName' }];
    if (!v.hasVariable(name)) return [{ path: v.component.path, severity: 'error', message: `the Row Count writes the variable '${name}', which is not defined` }];
    return [];
  },
  create(host) {
    const c = host.component;
    const name = prop(c, 'VariableName');
    const output = outputsOf(c).normal[0];
    let count = 0;
    return {
      async receive(_input, rows) {
        count += rows.length;
        if (output) await host.send(output, rows);
      },
      async finish() {
        if (name.trim() === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the Row Count has no VariableName`);
        host.setVariable(name, count);
      },
    };
  },
};
