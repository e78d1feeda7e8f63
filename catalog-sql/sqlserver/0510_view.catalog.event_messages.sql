-- Object:     [catalog].event_messages (view)
-- Purpose:    Package events with their message columns and event_message_guid.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: rows of the caller's own operations (or operations the caller was granted READ on); all rows for ssis_admin, sysadmin, ssis_logreader.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].event_messages
AS
SELECT e.event_message_id, e.operation_id, m.message_time, m.message_type, m.message_source_type, m.message,
       m.extended_info_id, e.package_name, e.event_name, e.message_source_name, e.message_source_id, e.subcomponent_name,
       e.package_path, e.execution_path, e.threadID, e.message_code, e.event_message_guid
FROM internal.event_messages AS e
JOIN internal.operation_messages AS m ON m.operation_message_id = e.event_message_id
JOIN internal.operations AS o ON o.operation_id = e.operation_id
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_logreader') = 1 OR o.caller_name = internal.caller_name() OR internal.caller_reads_operation(o.operation_id) = 1;
