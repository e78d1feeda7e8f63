/** `catalog.delete_environment`: MODIFY on the environment. Its variables and permissions go with it; references stay (and fail with 27182). */
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { objectName } from '../../rules/names.ts';
import { dropPermissions, findEnvironment } from '../object-permissions.ts';

export function deleteEnvironment(db: ProcedureDb, caller: Principal, input: { folderName: string; environmentName: string }): void {
  const env = findEnvironment(db, caller, objectName('folder_name', input?.folderName), objectName('environment_name', input.environmentName), 2);
  db.run('DELETE FROM environment_variables WHERE environment_id = ?', env.environment_id);
  db.run('DELETE FROM environments WHERE environment_id = ?', env.environment_id);
  dropPermissions(db, 3, env.environment_id);
}
