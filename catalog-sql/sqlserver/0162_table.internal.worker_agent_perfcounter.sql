-- Object:     internal.worker_agent_perfcounter (table)
-- Purpose:    Perf counter samples per worker (time series); cleanup_completed_jobs keeps 24 hours.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.worker_agent_perfcounter', N'U') IS NULL
BEGIN
  CREATE TABLE internal.worker_agent_perfcounter (
    WorkerAgentId     uniqueidentifier  NOT NULL CONSTRAINT FK_worker_agent_perfcounter_worker_agents REFERENCES internal.worker_agents (WorkerAgentId) ON DELETE CASCADE,
    PerfCounterName   nvarchar(max)     NOT NULL,
    PerfCounterValue  float             NOT NULL,
    TimeStamp         datetimeoffset(7) NOT NULL
  );
  CREATE CLUSTERED INDEX IX_worker_agent_perfcounter_worker_time ON internal.worker_agent_perfcounter (WorkerAgentId, TimeStamp);
  CREATE INDEX IX_worker_agent_perfcounter_time ON internal.worker_agent_perfcounter (TimeStamp);
END
