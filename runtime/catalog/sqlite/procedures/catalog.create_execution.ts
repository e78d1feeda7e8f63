/**
 * `catalog.create_execution` (reference §4.1): a Created (1) execution of an entry-point package with
 * every parameter value copied in, and for Scale Out its job.
 *
 * Permissions: READ + EXECUTE on the project (27146 / 27178), and with Scale Out also ssis_admin,
 * ssis_cluster_executor or sysadmin (27178); READ on a referenced environment (27182).
 *
 * @reference_id binds the environment (issue 14): the reference must belong to the project (27208);
 * its environment must exist where the reference says and be readable (27182); each parameter set to
 * value_type 'R' takes the value of the variable it names (missing 27183, other type 27148, a
 * sensitive variable for a non-sensitive parameter 27221). `value_source` records where each value
 * came from: D design default, S server value, E environment variable. Sensitive values stay
 * encrypted; they are decrypted only by getExecutionPayload, for the worker.
 */
import { randomUUID } from 'node:crypto';
import { catalogError } from '../../../../actors/catalog-errors.ts';
import { ANY_WORKER_ID, OperationType } from '../../../../actors/catalog-codes.ts';
import type { CreateExecutionInput, Principal } from '../../../../actors/ports.ts';
import { bool, type Row } from '../../catalog-rows.ts';
import { hasRole, SCALE_OUT_ROLES } from '../../rules/roles.ts';
import { storeValue } from '../../rules/parameter-values.ts';
import { executionNameArg } from '../../rules/names.ts';
import { can, grantCreator } from '../object-permissions.ts';
import { variableValue, type VariableRow } from '../environment-variables.ts';
import type { ProcedureDb } from '../procedure-context.ts';

interface Binding { readonly folderName: string; readonly environmentName: string; readonly type: string; readonly variables: Map<string, VariableRow> }

function bindReference(db: ProcedureDb, caller: Principal, projectId: number, projectFolder: string, referenceId: unknown): Binding | null {
  if (referenceId === null || referenceId === undefined) return null;
  const id = typeof referenceId === 'bigint' ? Number(referenceId) : referenceId;
  if (typeof id !== 'number' || !Number.isInteger(id)) throw catalogError(27101, 'reference_id');
  const ref = db.get<{ reference_type: string; environment_folder_name: string | null; environment_name: string }>(
    'SELECT reference_type, environment_folder_name, environment_name FROM environment_references WHERE reference_id = ? AND project_id = ?', id, projectId,
  );
  if (ref === undefined) throw catalogError(27208, id);
  const folderName = ref.reference_type === 'A' ? ref.environment_folder_name ?? '' : projectFolder;
  const env = db.get<{ environment_id: number; name: string; folder_name: string }>(
    'SELECT e.environment_id, e.name, f.name AS folder_name FROM environments e JOIN folders f ON f.folder_id = e.folder_id WHERE f.name = ? AND e.name = ?', folderName, ref.environment_name,
  );
  if (env === undefined || !can(db, caller, 3, env.environment_id, 1)) throw catalogError(27182, ref.environment_name);
  const variables = new Map(db.all<VariableRow>('SELECT variable_id, name, type, sensitive, value, sensitive_value FROM environment_variables WHERE environment_id = ?', env.environment_id).map((v) => [v.name, v]));
  return { folderName: env.folder_name, environmentName: env.name, type: ref.reference_type, variables };
}

export function createExecution(db: ProcedureDb, caller: Principal, input: CreateExecutionInput): { executionId: number } {
  executionNameArg('folder_name', input?.folderName);
  executionNameArg('project_name', input?.projectName);
  executionNameArg('package_name', input?.packageName);
  const pkg = db.get<{ project_id: number; object_version_lsn: number; entry_point: number; project_name: string; folder_name: string; package_name: string }>(
    `SELECT p.project_id, p.object_version_lsn, k.entry_point, p.name AS project_name, f.name AS folder_name, k.name AS package_name
     FROM folders f JOIN projects p ON p.folder_id = f.folder_id
     JOIN packages k ON k.project_version_lsn = p.object_version_lsn AND k.name = ?
     WHERE f.name = ? AND p.name = ?`, input.packageName, input.folderName, input.projectName,
  );
  if (pkg === undefined || !bool(pkg.entry_point)) throw catalogError(27146, input.packageName);
  const runInScaleOut = input.runInScaleOut ?? (db.prop('IS_SCALEOUT_ENABLED').toUpperCase() === 'TRUE' && db.prop('DEFAULT_EXECUTION_MODE') === '1');
  // This catalog runs only Scale Out executions, so the Scale Out role check applies to every run.
  if (!hasRole(caller, SCALE_OUT_ROLES)) throw catalogError(27178, input.projectName);
  if (!can(db, caller, 2, pkg.project_id, 1)) throw catalogError(27146, input.packageName);
  if (!can(db, caller, 2, pkg.project_id, 3)) throw catalogError(27178, input.projectName);
  const binding = bindReference(db, caller, pkg.project_id, pkg.folder_name, input.referenceId);

  // Every value is resolved before anything is written: a binding error leaves the catalog unchanged.
  const params = db.all<Row>(`SELECT object_type, parameter_name, data_type, required, sensitive, design_default_value, default_value, sensitive_default_value, value_set, value_type, referenced_variable_name
    FROM object_parameters WHERE project_version_lsn = ? AND ((object_type = 20) OR (object_type = 30 AND object_name = ?)) ORDER BY object_type, parameter_id`,
  pkg.object_version_lsn, pkg.package_name);
  const rows = params.map((p) => {
    const sensitive = bool(p['sensitive']);
    const name = String(p['parameter_name']);
    const dataType = String(p['data_type']);
    if (p['value_type'] === 'R') {
      const variableName = String(p['referenced_variable_name']);
      if (binding === null) {
        // No reference given: the design default, as if nothing were bound (a required one fails at start, 27184).
        return { p, sensitive, value: sensitive ? null : p['design_default_value'], secret: null, valueSet: false, source: 'D', variable: variableName };
      }
      const v = binding.variables.get(variableName);
      if (v === undefined) throw catalogError(27183, variableName);
      if (v.type !== dataType) throw catalogError(27148, name, variableName);
      if (v.sensitive === 1 && !sensitive) throw catalogError(27221, variableName, name);
      if (sensitive) {
        // Re-encrypted (fresh IV) for the execution; clear only inside this call.
        return { p, sensitive, value: null, secret: db.cipher.encrypt(storeValue(dataType, variableValue(db, v), name)), valueSet: true, source: 'E', variable: variableName };
      }
      return { p, sensitive, value: v.value, secret: null, valueSet: true, source: 'E', variable: variableName };
    }
    const server = bool(p['value_set']);
    return { p, sensitive, value: sensitive ? null : p['default_value'], secret: sensitive ? (p['sensitive_default_value'] ?? null) : null, valueSet: server, source: server ? 'S' : 'D', variable: null };
  });

  const use32 = input.use32BitRuntime === true;
  const executionId = db.insertOperation(OperationType.execution, 1, caller, { type: 20, id: pkg.project_id, name: null }, false);
  grantCreator(db, caller, 4, executionId);
  const now = db.nowIso();
  let jobId: string | null = null;
  if (runInScaleOut) {
    jobId = randomUUID();
    db.run('INSERT INTO jobs (JobId, IsCancelled, CreatedTime, JobType, InputData, Creator, Priority, LastUpdatedTime) VALUES (?, 0, ?, 1, ?, ?, 0, ?)',
      jobId, now, JSON.stringify([{ name: 'use32bitruntime', value: use32 ? '1' : '0' }]), caller.name, now);
    if (input.useAnyWorker !== false) db.run('INSERT INTO job_worker_agents (JobId, WorkerAgentId) VALUES (?, ?)', jobId, ANY_WORKER_ID);
  }
  db.run(`INSERT INTO executions (execution_id, folder_name, project_name, package_name, reference_id, reference_type, environment_folder_name, environment_name,
      project_lsn, executed_as_name, use32bitruntime, job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  executionId, pkg.folder_name, pkg.project_name, pkg.package_name, binding === null ? null : Number(input.referenceId), binding?.type ?? null,
  binding?.folderName ?? null, binding?.environmentName ?? null, pkg.object_version_lsn, caller.name, use32 ? 1 : 0, jobId);
  const insert = `INSERT INTO execution_parameter_values (execution_id, object_type, parameter_data_type, parameter_name, parameter_value,
    sensitive_parameter_value, base_data_type, sensitive, required, value_set, value_source, referenced_variable_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  for (const r of rows) {
    db.run(insert, executionId, r.p['object_type'], r.p['data_type'], r.p['parameter_name'], r.value ?? null, r.secret, r.p['data_type'],
      r.sensitive ? 1 : 0, r.p['required'], r.valueSet ? 1 : 0, r.source, r.variable);
  }
  const level = Number(db.prop('SERVER_LOGGING_LEVEL') || '1');
  const system: [string, string, unknown][] = [
    ['LOGGING_LEVEL', 'Int32', level],
    ...(level === 100 ? [['CUSTOMIZED_LOGGING_LEVEL', 'String', db.prop('SERVER_CUSTOMIZED_LOGGING_LEVEL') || null] as [string, string, unknown]] : []),
    ['DUMP_ON_ERROR', 'Boolean', 0], ['DUMP_ON_EVENT', 'Boolean', 0], ['DUMP_EVENT_CODE', 'String', '0'],
    ['CALLER_INFO', 'String', null], ['SYNCHRONIZED', 'Boolean', 0],
  ];
  for (const [name, type, value] of system) db.run(insert, executionId, 50, type, name, value, null, type, 0, 0, 0, 'D', null);
  return { executionId };
}
