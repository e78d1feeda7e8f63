-- Object:     internal.job_worker_agents (table)
-- Purpose:    Workers allowed to run each job; the sentinel 11111111-1111-1111-1111-111111111111 means
--             any worker. No FK to worker_agents (as in SSISDB: deleting a worker keeps these rows).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.job_worker_agents', N'U') IS NULL
BEGIN
  CREATE TABLE internal.job_worker_agents (
    JobId          uniqueidentifier NOT NULL CONSTRAINT FK_job_worker_agents_jobs REFERENCES internal.jobs (JobId) ON DELETE CASCADE,
    WorkerAgentId  uniqueidentifier NOT NULL,
    CONSTRAINT PK_job_worker_agents PRIMARY KEY (JobId, WorkerAgentId)
  );
  CREATE INDEX IX_job_worker_agents_worker ON internal.job_worker_agents (WorkerAgentId, JobId);
END
