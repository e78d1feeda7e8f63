-- Object:     [catalog].event_message_context (view)
-- Purpose:    Context rows of event messages.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: rows of the caller's own operations (or operations the caller was granted READ on); all rows for ssis_admin, sysadmin, ssis_logreader.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].event_message_context
AS
SELECT c.context_id, c.event_message_id, c.context_depth, c.package_path, c.context_type, c.context_source_name, c.context_source_id,
       c.property_name, c.property_value, c.event_message_guid
FROM internal.event_message_context AS c
JOIN internal.operations AS o ON o.operation_id = c.operation_id
WHERE internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_logreader') = 1 OR o.caller_name = internal.caller_name() OR internal.caller_reads_operation(o.operation_id) = 1;
