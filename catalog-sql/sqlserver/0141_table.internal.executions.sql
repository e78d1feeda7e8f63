-- Object:     internal.executions (table)
-- Purpose:    Executions (one per type-200 operation); job_id links a Scale Out execution to its job
--             (NULL: a local run, which this catalog cannot start).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.executions', N'U') IS NULL
BEGIN
  CREATE TABLE internal.executions (
    execution_id             bigint NOT NULL CONSTRAINT PK_executions PRIMARY KEY
                               CONSTRAINT FK_executions_operations REFERENCES internal.operations (operation_id) ON DELETE CASCADE,
    folder_name              nvarchar(128)    NOT NULL,
    project_name             nvarchar(128)    NOT NULL,
    package_name             nvarchar(260)    NOT NULL,
    reference_id             bigint           NULL,
    reference_type           char(1)          NULL,
    environment_folder_name  nvarchar(128)    NULL,
    environment_name         nvarchar(128)    NULL,
    project_lsn              bigint           NOT NULL,
    executed_as_sid          varbinary(85)    NULL,
    executed_as_name         nvarchar(128)    NULL,
    use32bitruntime          bit              NOT NULL CONSTRAINT DF_executions_use32bitruntime DEFAULT (0),
    job_id                   uniqueidentifier NULL
  );
  CREATE INDEX IX_executions_job ON internal.executions (job_id);
END
