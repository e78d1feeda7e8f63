-- Object:     internal.executables (table)
-- Purpose:    Executables (tasks, containers, packages) seen in each execution; upserted by
--             append_executable_statistics_for_worker on (execution, package, path, guid).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL). package_path is nvarchar(max), so the uniqueness is kept by the procedure.
IF OBJECT_ID(N'internal.executables', N'U') IS NULL
BEGIN
  CREATE TABLE internal.executables (
    executable_id    bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_executables PRIMARY KEY,
    execution_id     bigint NOT NULL CONSTRAINT FK_executables_operations REFERENCES internal.operations (operation_id) ON DELETE CASCADE,
    executable_name  nvarchar(4000) NULL,
    executable_guid  nvarchar(38)   NOT NULL,
    package_name     nvarchar(260)  NOT NULL,
    package_path     nvarchar(max)  NOT NULL
  );
  CREATE INDEX IX_executables_execution ON internal.executables (execution_id, executable_guid);
END
