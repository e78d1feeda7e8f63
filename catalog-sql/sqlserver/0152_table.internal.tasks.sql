-- Object:     internal.tasks (table)
-- Purpose:    The dispatch queue (reference §1.4, §4.4). ReadyForDispatchTime NOT NULL = dispatchable;
--             ExpiredTime = lease end; ExecutedCount = attempts (the fencing token).
--             Our additions: SequenceNumber breaks FIFO ties between equal ReadyForDispatchTime values
--             (insertion order), row_version feeds externalChangeToken, RequiresScripts (the package needs
--             the script runtime: internal.pull_task routes it to workers that can run scripts; added to
--             a catalog installed before it by the ALTER at the end).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.tasks', N'U') IS NULL
BEGIN
  CREATE TABLE internal.tasks (
    TaskId                  uniqueidentifier  NOT NULL CONSTRAINT PK_tasks PRIMARY KEY,
    JobId                   uniqueidentifier  NULL CONSTRAINT FK_tasks_jobs REFERENCES internal.jobs (JobId) ON DELETE CASCADE,
    TaskType                int               NOT NULL,
    InputData               nvarchar(max)     NULL,
    MaxExecutedCount        int               NOT NULL CONSTRAINT DF_tasks_MaxExecutedCount DEFAULT (1) CONSTRAINT CK_tasks_MaxExecutedCount CHECK (MaxExecutedCount > 0),
    ExecutedCount           int               NOT NULL CONSTRAINT DF_tasks_ExecutedCount DEFAULT (0),
    Status                  int               NOT NULL,
    IsCritical              bit               NOT NULL CONSTRAINT DF_tasks_IsCritical DEFAULT (0),
    Priority                int               NOT NULL CONSTRAINT DF_tasks_Priority DEFAULT (0),
    ReadyForDispatchTime    datetimeoffset(7) NULL,
    LastUpdatedTime         datetimeoffset(7) NOT NULL,
    CreatedTime             datetimeoffset(7) NOT NULL,
    WorkerAgentId           uniqueidentifier  NULL,
    ExpiredTime             datetimeoffset(7) NULL,
    CreateWorkerAgentId     uniqueidentifier  NULL,
    IsCancelled             bit               NOT NULL CONSTRAINT DF_tasks_IsCancelled DEFAULT (0),
    LastPickupTime          datetimeoffset(7) NULL,
    CandidateWorkerAgentId  uniqueidentifier  NULL,
    SequenceNumber          bigint IDENTITY(1, 1) NOT NULL,
    row_version             rowversion        NOT NULL,
    RequiresScripts         bit               NOT NULL CONSTRAINT DF_tasks_RequiresScripts DEFAULT (0)
  );
  CREATE INDEX IX_tasks_ReadyForDispatchTime ON internal.tasks (ReadyForDispatchTime, SequenceNumber)
    INCLUDE (JobId, Status) WHERE ReadyForDispatchTime IS NOT NULL;
  CREATE INDEX IX_tasks_Status ON internal.tasks (Status) INCLUDE (ExpiredTime);
  CREATE INDEX IX_tasks_JobId ON internal.tasks (JobId);
END
IF COL_LENGTH(N'internal.tasks', N'RequiresScripts') IS NULL
  ALTER TABLE internal.tasks ADD RequiresScripts bit NOT NULL CONSTRAINT DF_tasks_RequiresScripts DEFAULT (0);
