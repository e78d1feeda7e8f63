/**
 * The public catalog views, once for both adapters (reference §1.11, §4.5): the name, the row
 * filter, and the order rows come in.
 * - public: every caller;
 * - scaleout: empty unless ssis_admin / ssis_cluster_executor / sysadmin (as SSISDB: no error);
 * - operation: rows of operations the caller created, all rows for ssis_admin / sysadmin / ssis_logreader;
 * - admin: empty unless ssis_admin / sysadmin (our choice for catalog_properties: SSISDB shows nothing, no error);
 * - object: rows of folders, projects or environments the caller may READ (rules/permissions.ts);
 *   `objectColumn` names the column holding the object's id and `objectClass` its class;
 * - effective: computed per caller (catalog.effective_object_permissions).
 * `filter` is the WHERE clause for the "own rows" case; every `?` is the caller's name.
 */
export interface ViewRule {
  readonly kind: 'public' | 'scaleout' | 'operation' | 'admin' | 'object' | 'effective';
  readonly filter?: string;
  readonly order: string;
  readonly objectClass?: 1 | 2 | 3;
  readonly objectColumn?: string;
}

/** Operations the caller created, or was granted READ on (catalog.grant_permission, object type 4). */
const readableOperation = (column: string): string =>
  `(${column} IN (SELECT operation_id FROM operations WHERE caller_name = ?) OR ${column} IN (SELECT object_id FROM object_permissions
    WHERE object_type = 4 AND principal_name = ? AND permission_type = 1 AND is_deny = 0))`;
const OWN_EXECUTION = readableOperation('execution_id');
const OWN_OPERATION = readableOperation('operation_id');

export const VIEWS: Readonly<Record<string, ViewRule>> = {
  'catalog.folders': { kind: 'object', objectClass: 1, objectColumn: 'folder_id', order: 'folder_id' },
  'catalog.projects': { kind: 'object', objectClass: 2, objectColumn: 'project_id', order: 'project_id' },
  'catalog.object_versions': { kind: 'object', objectClass: 2, objectColumn: 'object_id', order: 'object_version_lsn' },
  'catalog.packages': { kind: 'object', objectClass: 2, objectColumn: 'project_id', order: 'package_id' },
  'catalog.object_parameters': { kind: 'object', objectClass: 2, objectColumn: 'project_id', order: 'parameter_id' },
  'catalog.environments': { kind: 'object', objectClass: 3, objectColumn: 'environment_id', order: 'environment_id' },
  'catalog.environment_variables': { kind: 'object', objectClass: 3, objectColumn: 'environment_id', order: 'variable_id' },
  'catalog.environment_references': { kind: 'object', objectClass: 2, objectColumn: 'project_id', order: 'reference_id' },
  'catalog.explicit_object_permissions': { kind: 'admin', order: 'object_type, object_id, principal_id, permission_type' },
  'catalog.effective_object_permissions': { kind: 'effective', order: 'object_type, object_id, permission_type' },
  'catalog.master_properties': { kind: 'public', order: 'property_name' },
  'catalog.catalog_properties': { kind: 'admin', order: 'property_name' },
  'catalog.worker_agents': { kind: 'scaleout', order: 'WorkerAgentId' },
  'catalog.worker_agent_perfcounter': { kind: 'scaleout', order: 'TimeStamp, WorkerAgentId' },
  'catalog.operations': { kind: 'operation', filter: OWN_OPERATION, order: 'operation_id' },
  'catalog.executions': { kind: 'operation', filter: OWN_EXECUTION, order: 'execution_id' },
  'catalog.execution_parameter_values': { kind: 'operation', filter: OWN_EXECUTION, order: 'execution_parameter_id' },
  'catalog.execution_property_override_values': { kind: 'operation', filter: OWN_EXECUTION, order: 'property_id' },
  'catalog.operation_messages': { kind: 'operation', filter: OWN_OPERATION, order: 'operation_message_id' },
  'catalog.event_messages': { kind: 'operation', filter: OWN_OPERATION, order: 'event_message_id' },
  'catalog.event_message_context': { kind: 'operation', filter: `event_message_id IN (SELECT event_message_id FROM event_messages WHERE ${OWN_OPERATION})`, order: 'context_id' },
  'catalog.executables': { kind: 'operation', filter: OWN_EXECUTION, order: 'executable_id' },
  'catalog.executable_statistics': { kind: 'operation', filter: OWN_EXECUTION, order: 'statistics_id' },
  'catalog.execution_data_statistics': { kind: 'operation', filter: OWN_EXECUTION, order: 'data_stats_id' },
  'catalog.execution_component_phases': { kind: 'operation', filter: OWN_EXECUTION, order: 'phase_stats_id' },
};

/** The canonical view name for what a caller typed (`executions`, `[catalog].[executions]`…), or undefined. */
export function resolveViewName(viewName: string): string | undefined {
  const key = String(viewName).trim().replace(/[[\]"]/g, '').toLowerCase();
  return Object.keys(VIEWS).find((v) => v === key || v === `catalog.${key}`);
}
