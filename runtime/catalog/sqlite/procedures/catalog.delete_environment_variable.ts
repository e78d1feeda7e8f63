/** `catalog.delete_environment_variable`: MODIFY on the environment. Parameters referencing it fail at create_execution (27183). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { findVariable } from '../environment-variables.ts';

export function deleteEnvironmentVariable(db: ProcedureDb, caller: Principal, input: { folderName: string; environmentName: string; variableName: string }): void {
  const { variable } = findVariable(db, caller, input, 2);
  db.run('DELETE FROM environment_variables WHERE variable_id = ?', variable.variable_id);
}
