-- Object:     [catalog].worker_agents (view)
-- Purpose:    Workers that have connected.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: all rows for ssis_admin, ssis_cluster_executor, sysadmin; empty (no error) for anyone else.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].worker_agents
AS
SELECT WorkerAgentId, IsEnabled, DisplayName, Description, MachineName, Tags, UserAccount, LastOnlineTime
FROM internal.worker_agents
WHERE internal.caller_in_roles(N'ssis_admin,ssis_cluster_executor,sysadmin') = 1;
