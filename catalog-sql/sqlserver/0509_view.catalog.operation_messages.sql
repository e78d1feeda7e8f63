-- Object:     [catalog].operation_messages (view)
-- Purpose:    Messages of every operation, Scale Out ones included (with real ids).
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: rows of the caller's own operations (or operations the caller was granted READ on); all rows for ssis_admin, sysadmin, ssis_logreader.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].operation_messages
AS
SELECT m.operation_message_id, m.operation_id, m.message_time, m.message_type, m.message_source_type, m.message, m.extended_info_id
FROM internal.operation_messages AS m
JOIN internal.operations AS o ON o.operation_id = m.operation_id
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_logreader') = 1 OR o.caller_name = internal.caller_name() OR internal.caller_reads_operation(o.operation_id) = 1;
