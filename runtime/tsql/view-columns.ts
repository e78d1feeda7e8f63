/**
 * SQL types of the public catalog views' columns (reference §4.5), so rows that arrive from a store as
 * plain JS values print and compare as SQL Server's would (bit as 0/1, datetimeoffset with 7 digits and
 * its offset, GUIDs as GUIDs). A column not listed here is typed from its JS value.
 */

const T = {
  id: 'bigint', int: 'int', small: 'smallint', bit: 'bit', s: 'nvarchar', guid: 'uniqueidentifier', dto: 'datetimeoffset',
  variant: 'sql_variant', float: 'float', bin: 'varbinary', char: 'char',
} as const;

type Columns = Readonly<Record<string, string>>;

const operationsCommon: Columns = {
  operation_type: T.small, created_time: T.dto, object_type: T.small, object_id: T.id, object_name: T.s, status: T.int,
  start_time: T.dto, end_time: T.dto, caller_sid: T.bin, caller_name: T.s, process_id: T.int, stopped_by_sid: T.bin,
  stopped_by_name: T.s, server_name: T.s, machine_name: T.s, operation_guid: T.guid, worker_agent_id: T.guid, executed_count: T.int,
};

export const VIEW_COLUMN_TYPES: Readonly<Record<string, Columns>> = {
  'catalog.worker_agents': {
    workeragentid: T.guid, isenabled: T.bit, displayname: T.s, description: T.s, machinename: T.s, tags: T.s,
    useraccount: T.s, lastonlinetime: T.dto,
  },
  'catalog.worker_agent_perfcounter': { workeragentid: T.guid, perfcountername: T.s, perfcountervalue: T.float, timestamp: T.dto },
  'catalog.master_properties': { property_name: T.s, property_value: T.s },
  'catalog.catalog_properties': { property_name: T.s, property_value: T.s },
  'catalog.executions': {
    execution_id: T.id, folder_name: T.s, project_name: T.s, package_name: T.s, reference_id: T.id, reference_type: T.char,
    environment_folder_name: T.s, environment_name: T.s, project_lsn: T.id, executed_as_sid: T.bin, executed_as_name: T.s,
    use32bitruntime: T.bit, ...operationsCommon, dump_id: T.guid, total_physical_memory_kb: T.id,
    available_physical_memory_kb: T.id, total_page_file_kb: T.id, available_page_file_kb: T.id, cpu_count: T.int,
  },
  'catalog.operations': { operation_id: T.id, ...operationsCommon },
  'catalog.operation_messages': {
    operation_message_id: T.id, operation_id: T.id, message_time: T.dto, message_type: T.small, message_source_type: T.small,
    message: T.s, extended_info_id: T.id,
  },
  'catalog.event_messages': {
    event_message_id: T.id, operation_id: T.id, message_time: T.dto, message_type: T.small, message_source_type: T.small,
    message: T.s, extended_info_id: T.id, package_name: T.s, event_name: T.s, message_source_name: T.s, message_source_id: T.s,
    subcomponent_name: T.s, package_path: T.s, execution_path: T.s, threadid: T.int, message_code: T.int, event_message_guid: T.guid,
  },
  'catalog.event_message_context': {
    context_id: T.id, event_message_id: T.id, context_depth: T.int, package_path: T.s, context_type: T.small,
    context_source_name: T.s, context_source_id: T.s, property_name: T.s, property_value: T.variant, event_message_guid: T.guid,
  },
  'catalog.execution_parameter_values': {
    execution_parameter_id: T.id, execution_id: T.id, object_type: T.small, parameter_data_type: T.s, parameter_name: T.s,
    parameter_value: T.variant, sensitive: T.bit, required: T.bit, value_set: T.bit, runtime_override: T.bit,
    value_source: T.char, referenced_variable_name: T.s, environment_folder_name: T.s, environment_name: T.s,
  },
  'catalog.environments': { environment_id: T.id, name: T.s, folder_id: T.id, description: T.s, created_by_sid: T.bin, created_by_name: T.s, created_time: T.dto },
  'catalog.environment_variables': { variable_id: T.id, environment_id: T.id, name: T.s, description: T.s, type: T.s, sensitive: T.bit, value: T.variant },
  'catalog.environment_references': {
    reference_id: T.id, project_id: T.id, reference_type: T.char, environment_folder_name: T.s, environment_name: T.s, validation_status: T.char,
    last_validation_time: T.dto,
  },
  'catalog.explicit_object_permissions': {
    object_type: T.small, object_id: T.id, principal_id: T.int, permission_type: T.small, is_deny: T.bit, grantor_id: T.int, principal_name: T.s, grantor_name: T.s,
  },
  'catalog.effective_object_permissions': { object_type: T.small, object_id: T.id, permission_type: T.small },
  'catalog.execution_property_override_values': {
    property_id: T.id, execution_id: T.id, property_path: T.s, property_value: T.s, sensitive: T.bit,
  },
  'catalog.executable_statistics': {
    statistics_id: T.id, execution_id: T.id, executable_id: T.id, execution_path: T.s, start_time: T.dto, end_time: T.dto,
    execution_duration: T.int, execution_result: T.small, execution_value: T.variant,
  },
  'catalog.execution_data_statistics': {
    data_stats_id: T.id, execution_id: T.id, package_name: T.s, task_name: T.s, dataflow_path_id_string: T.s, dataflow_path_name: T.s,
    source_component_name: T.s, destination_component_name: T.s, rows_sent: T.id, created_time: T.dto, execution_path: T.s,
  },
  'catalog.execution_component_phases': {
    phase_stats_id: T.id, execution_id: T.id, package_name: T.s, task_name: T.s, subcomponent_name: T.s, phase: T.s,
    start_time: T.dto, end_time: T.dto, execution_path: T.s,
  },
  'catalog.executables': {
    executable_id: T.id, execution_id: T.id, executable_name: T.s, executable_guid: T.s, package_name: T.s, package_path: T.s,
  },
  'catalog.folders': { folder_id: T.id, name: T.s, description: T.s, created_by_sid: T.bin, created_by_name: T.s, created_time: T.dto },
  'catalog.projects': {
    project_id: T.id, folder_id: T.id, name: T.s, description: T.s, project_format_version: T.int, deployed_by_sid: T.bin,
    deployed_by_name: T.s, last_deployed_time: T.dto, created_time: T.dto, object_version_lsn: T.id, validation_status: T.char,
    last_validation_time: T.dto,
  },
  'catalog.object_versions': {
    object_version_lsn: T.id, object_id: T.id, object_type: T.small, description: T.s, created_by: T.s, created_time: T.dto,
    restored_by: T.s, last_restored_time: T.dto,
  },
  'catalog.packages': {
    package_id: T.id, name: T.s, package_guid: T.guid, description: T.s, package_format_version: T.int, version_major: T.int,
    version_minor: T.int, version_build: T.int, version_comments: T.s, version_guid: T.guid, project_id: T.id, entry_point: T.bit,
    validation_status: T.char, last_validation_time: T.dto,
  },
  'catalog.object_parameters': {
    parameter_id: T.id, project_id: T.id, object_type: T.small, object_name: T.s, parameter_name: T.s, data_type: T.s,
    required: T.bit, sensitive: T.bit, description: T.s, design_default_value: T.variant, default_value: T.variant,
    value_type: T.char, value_set: T.bit, referenced_variable_name: T.s, validation_status: T.char, last_validation_time: T.dto,
  },
};

/** The SQL type of `column` in `view` (both case-insensitive), or undefined when not known. */
export function viewColumnType(view: string, column: string): string | undefined {
  return VIEW_COLUMN_TYPES[view.toLowerCase()]?.[column.toLowerCase()];
}
