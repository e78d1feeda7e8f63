/** `catalog.deploy_project`: the embedded catalog's procedure (one home; SQL Server: the script of the same name). */
import type { Principal, ProjectArchive } from '../../../../actors/ports.ts';
import type { ProcedureDb } from '../procedure-context.ts';
import { ADMIN_ROLES, hasRole, requireRole } from '../../rules/roles.ts';
import { OperationType } from '../../../../actors/catalog-codes.ts';
import { can, grantCreator } from '../object-permissions.ts';
import { catalogError } from '../../../../actors/catalog-errors.ts';
import { catalogProjectParameters } from '../../rules/connection-manager-parameters.ts';
import { createHash } from 'node:crypto';
import { objectName } from '../../rules/names.ts';
import { storeValue } from '../../rules/parameter-values.ts';

export function deployProject(db: ProcedureDb, caller: Principal, input: { folderName: string; projectName: string; project: ProjectArchive }): { operationId: number; projectId: number; versionLsn: number } {
  const folderName = objectName('folder_name', input?.folderName);
  const projectName = objectName('project_name', input.projectName);
  const project = input.project;
  if (project === null || project === undefined) throw catalogError(27100, 'project_stream');
  if (!(project.bytes instanceof Uint8Array) || project.bytes.length === 0) throw catalogError(27404, 'the project stream is empty');
  if (createHash('sha256').update(project.bytes).digest('hex') !== project.sha256) throw catalogError(27404, 'the SHA-256 of the stream does not match the archive');
  if (project.name.toLowerCase() !== projectName.toLowerCase()) throw catalogError(27405, projectName, project.name);
  // ssis_admin / sysadmin, or CREATE_OBJECTS on the folder (a new project) / MODIFY on the project (reference §4.2).
  if (!hasRole(caller, ADMIN_ROLES) && db.get('SELECT 1 FROM folders WHERE name = ?', folderName) === undefined) requireRole(caller, ADMIN_ROLES);
  const folder = db.get<{ folder_id: number }>('SELECT folder_id FROM folders WHERE name = ?', folderName);
  if (folder === undefined) throw catalogError(27402, folderName);
  const now = db.nowIso();
  let existing = db.get<{ project_id: number; object_version_lsn: number | null }>('SELECT project_id, object_version_lsn FROM projects WHERE folder_id = ? AND name = ?', folder.folder_id, projectName);
  if (existing === undefined ? !can(db, caller, 1, folder.folder_id, 100) : !can(db, caller, 2, existing.project_id, 2)) requireRole(caller, ADMIN_ROLES);
  const previousLsn = existing?.object_version_lsn ?? null;
  if (existing === undefined) {
    const r = db.run('INSERT INTO projects (folder_id, name, created_time) VALUES (?, ?, ?)', folder.folder_id, projectName, now);
    existing = { project_id: Number(r.lastInsertRowid), object_version_lsn: null };
    grantCreator(db, caller, 2, existing.project_id);
  }
  const projectId = existing.project_id;
  const operationId = db.insertOperation(OperationType.deployProject, 7, caller, { type: 20, id: projectId, name: projectName }, true);
  const v = db.run('INSERT INTO object_versions (object_id, object_type, description, created_by, created_time, object_data, sha256) VALUES (?, 20, ?, ?, ?, ?, ?)',
    projectId, project.description ?? null, caller.name, now, Buffer.from(project.bytes), project.sha256);
  const lsn = Number(v.lastInsertRowid);
  db.run(`UPDATE projects SET description = ?, project_format_version = ?, deployed_by_name = ?, last_deployed_time = ?,
    object_version_lsn = ?, validation_status = 'N' WHERE project_id = ?`, project.description ?? null, project.formatVersion, caller.name, now, lsn, projectId);
  for (const p of project.packages) {
    db.run(`INSERT INTO packages (project_version_lsn, project_id, name, package_guid, description, package_format_version, version_major,
      version_minor, version_build, version_guid, entry_point, requires_scripts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      lsn, projectId, p.name, p.packageGuid ?? null, p.description ?? null, p.formatVersion ?? null, p.versionMajor ?? null,
      p.versionMinor ?? null, p.versionBuild ?? null, p.versionGuid ?? null, p.entryPoint ? 1 : 0, p.requiresScripts === true ? 1 : 0);
  }
  const insertParam = (objectType: 20 | 30, objectNameValue: string, d: ProjectArchive['parameters'][number]): void => {
    // A sensitive design default is the package's own protected text (user key or password), not a
    // value this catalog can use: it is not kept, as before; set one with set_object_parameter_value.
    const value = d.sensitive ? null : storeValue(d.dataType, d.defaultValue, d.name);
    const secret = null;
    const r = db.run(`INSERT INTO object_parameters (project_id, project_version_lsn, object_type, object_name, parameter_name, data_type, required,
      sensitive, description, design_default_value, default_value, value_set, sensitive_default_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
      projectId, lsn, objectType, objectNameValue, d.name, d.dataType, d.required ? 1 : 0, d.sensitive ? 1 : 0, d.description ?? null, value, value, secret);
    // A redeploy keeps the server values (set_object_parameter_value) of parameters that still exist with the same type and protection.
    if (previousLsn !== null) {
      db.run(`UPDATE object_parameters SET (value_type, value_set, referenced_variable_name, default_value, sensitive_default_value) = (
          SELECT o.value_type, o.value_set, o.referenced_variable_name, o.default_value, o.sensitive_default_value FROM object_parameters o
          WHERE o.project_version_lsn = ? AND o.object_type = ? AND o.object_name = ? AND o.parameter_name = ? AND o.data_type = ? AND o.sensitive = ? AND o.value_set = 1)
        WHERE parameter_id = ? AND EXISTS (SELECT 1 FROM object_parameters o WHERE o.project_version_lsn = ? AND o.object_type = ? AND o.object_name = ?
          AND o.parameter_name = ? AND o.data_type = ? AND o.sensitive = ? AND o.value_set = 1)`,
      previousLsn, objectType, objectNameValue, d.name, d.dataType, d.sensitive ? 1 : 0, Number(r.lastInsertRowid),
      previousLsn, objectType, objectNameValue, d.name, d.dataType, d.sensitive ? 1 : 0);
    }
  };
  for (const d of catalogProjectParameters(project)) insertParam(20, projectName, d);
  for (const p of project.packages) for (const d of p.parameters) insertParam(30, p.name, d);
  for (const c of project.connectionManagers) db.run('INSERT OR IGNORE INTO project_connection_managers (project_version_lsn, name, guid) VALUES (?, ?, ?)', lsn, c.name, c.guid ?? null);
  db.pruneVersions(projectId);
  return { operationId, projectId, versionLsn: lsn };
}
