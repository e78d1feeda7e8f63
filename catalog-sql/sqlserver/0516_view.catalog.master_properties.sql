-- Object:     [catalog].master_properties (view)
-- Purpose:    Master state; the log connection string and execution password stay hidden.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: none (public).
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].master_properties
AS
SELECT property_name, property_value
FROM internal.master_properties
WHERE property_name NOT IN (N'CLUSTER_LOGDB_CONNECTIONSTRING', N'EXECUTION_PASSWORD');
