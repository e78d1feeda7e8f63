/** `catalog.delete_environment_reference`: MODIFY on the referencing project. Unknown (or unreadable) reference → 27208. */
import { catalogError } from '../../../../actors/catalog-errors.ts';
import type { Principal } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { idArg } from '../../rules/names.ts';
import { can } from '../object-permissions.ts';

export function deleteEnvironmentReference(db: ProcedureDb, caller: Principal, input: { referenceId: number }): void {
  const id = idArg('reference_id', input?.referenceId);
  const ref = db.get<{ project_id: number }>('SELECT project_id FROM environment_references WHERE reference_id = ?', id);
  if (ref === undefined || !can(db, caller, 2, ref.project_id, 1) || !can(db, caller, 2, ref.project_id, 2)) throw catalogError(27208, id);
  db.run('DELETE FROM environment_references WHERE reference_id = ?', id);
}
