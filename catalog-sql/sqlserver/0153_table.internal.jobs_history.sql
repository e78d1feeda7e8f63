-- Object:     internal.jobs_history (table)
-- Purpose:    Copies of cleaned-up jobs (cleanup_completed_jobs). No FK, unlike the original whose
--             history FK cascades from internal.jobs and so deletes the copies it just made.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.jobs_history', N'U') IS NULL
BEGIN
  CREATE TABLE internal.jobs_history (
    JobId            uniqueidentifier  NOT NULL CONSTRAINT PK_jobs_history PRIMARY KEY,
    IsCancelled      bit               NOT NULL,
    CreatedTime      datetimeoffset(7) NOT NULL,
    JobType          int               NOT NULL,
    InputData        nvarchar(max)     NULL,
    Creator          nvarchar(256)     NOT NULL,
    Priority         int               NOT NULL,
    LastUpdatedTime  datetimeoffset(7) NOT NULL
  );
  CREATE INDEX IX_jobs_history_LastUpdatedTime ON internal.jobs_history (LastUpdatedTime);
END
