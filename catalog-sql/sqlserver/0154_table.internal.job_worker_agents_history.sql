-- Object:     internal.job_worker_agents_history (table)
-- Purpose:    Copies of the allowed-worker rows of cleaned-up jobs.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.job_worker_agents_history', N'U') IS NULL
  CREATE TABLE internal.job_worker_agents_history (
    JobId          uniqueidentifier NOT NULL,
    WorkerAgentId  uniqueidentifier NOT NULL,
    CONSTRAINT PK_job_worker_agents_history PRIMARY KEY (JobId, WorkerAgentId)
  );
