/**
 * `catalog.move_environment`: MODIFY on the environment and CREATE_OBJECTS on the destination folder.
 * As in SSISDB, references do not follow the environment: they keep naming the old place and fail
 * at create_execution (27182) until they are changed.
 */
import { catalogError } from '../../../../actors/catalog-errors.ts';
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { objectName } from '../../rules/names.ts';
import { findEnvironment, findFolder } from '../object-permissions.ts';

export function moveEnvironment(db: ProcedureDb, caller: Principal, input: { sourceFolderName: string; environmentName: string; destinationFolderName: string }): void {
  const source = objectName('source_folder_name', input?.sourceFolderName);
  const name = objectName('environment_name', input.environmentName);
  const destination = objectName('destination_folder_name', input.destinationFolderName);
  const env = findEnvironment(db, caller, source, name, 2);
  const folder = findFolder(db, caller, destination, 100);
  if (folder.folder_id === env.folder_id) return;
  if (db.get('SELECT 1 FROM environments WHERE folder_id = ? AND name = ?', folder.folder_id, env.name) !== undefined) throw catalogError(27410, env.name, folder.name);
  db.run('UPDATE environments SET folder_id = ? WHERE environment_id = ?', folder.folder_id, env.environment_id);
}
