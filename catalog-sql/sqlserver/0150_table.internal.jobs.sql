-- Object:     internal.jobs (table)
-- Purpose:    Scale Out jobs (JobType 1 = execution), one per Scale Out execution (reference §4.10).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.jobs', N'U') IS NULL
BEGIN
  CREATE TABLE internal.jobs (
    JobId            uniqueidentifier  NOT NULL CONSTRAINT PK_jobs PRIMARY KEY,
    IsCancelled      bit               NOT NULL CONSTRAINT DF_jobs_IsCancelled DEFAULT (0),
    CreatedTime      datetimeoffset(7) NOT NULL,
    JobType          int               NOT NULL,
    InputData        nvarchar(max)     NULL,
    Creator          nvarchar(256)     NOT NULL,
    Priority         int               NOT NULL CONSTRAINT DF_jobs_Priority DEFAULT (0),
    LastUpdatedTime  datetimeoffset(7) NOT NULL,
    row_version      rowversion        NOT NULL
  );
  CREATE INDEX IX_jobs_IsCancelled ON internal.jobs (IsCancelled);
END
