-- Object:     internal.tasks_history (table)
-- Purpose:    Copies of the tasks of cleaned-up jobs (same columns as internal.tasks but the
--             sequence and row version).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.tasks_history', N'U') IS NULL
BEGIN
  CREATE TABLE internal.tasks_history (
    TaskId                  uniqueidentifier  NOT NULL CONSTRAINT PK_tasks_history PRIMARY KEY,
    JobId                   uniqueidentifier  NULL,
    TaskType                int               NOT NULL,
    InputData               nvarchar(max)     NULL,
    MaxExecutedCount        int               NOT NULL,
    ExecutedCount           int               NOT NULL,
    Status                  int               NOT NULL,
    IsCritical              bit               NOT NULL,
    Priority                int               NOT NULL,
    ReadyForDispatchTime    datetimeoffset(7) NULL,
    LastUpdatedTime         datetimeoffset(7) NOT NULL,
    CreatedTime             datetimeoffset(7) NOT NULL,
    WorkerAgentId           uniqueidentifier  NULL,
    ExpiredTime             datetimeoffset(7) NULL,
    CreateWorkerAgentId     uniqueidentifier  NULL,
    IsCancelled             bit               NOT NULL,
    LastPickupTime          datetimeoffset(7) NULL,
    CandidateWorkerAgentId  uniqueidentifier  NULL
  );
  CREATE INDEX IX_tasks_history_JobId ON internal.tasks_history (JobId);
END
