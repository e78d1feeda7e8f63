-- Object:     internal.executable_statistics (table)
-- Purpose:    One row per executable run (iteration included), idempotent by statistic_guid.
--             execution_id has no FK: the rows go with their executable (one cascade path only).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.executable_statistics', N'U') IS NULL
BEGIN
  CREATE TABLE internal.executable_statistics (
    statistics_id       bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_executable_statistics PRIMARY KEY,
    execution_id        bigint NOT NULL,
    executable_id       bigint NOT NULL CONSTRAINT FK_executable_statistics_executables REFERENCES internal.executables (executable_id) ON DELETE CASCADE,
    execution_path      nvarchar(max)     NULL,
    start_time          datetimeoffset(7) NULL,
    end_time            datetimeoffset(7) NULL,
    execution_duration  int               NULL,
    execution_result    smallint          NULL,
    execution_value     sql_variant       NULL,
    statistic_guid      uniqueidentifier  NOT NULL CONSTRAINT UQ_executable_statistics_guid UNIQUE
  );
  CREATE INDEX IX_executable_statistics_execution ON internal.executable_statistics (execution_id);
END
