-- Object:     [catalog].worker_agent_perfcounter (view)
-- Purpose:    Perf counter samples of the workers.
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: all rows for ssis_admin, ssis_cluster_executor, sysadmin; empty (no error) for anyone else.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].worker_agent_perfcounter
AS
SELECT WorkerAgentId, PerfCounterName, PerfCounterValue, TimeStamp
FROM internal.worker_agent_perfcounter
WHERE internal.caller_in_roles(N'ssis_admin,ssis_cluster_executor,sysadmin') = 1;
