-- Object:     internal.operations (table)
-- Purpose:    Every catalog operation (deploy 101, execution 200, stop 202, configure 1000…) with its
--             status; the Scale Out columns worker_agent_id and executed_count as in SSISDB 2017+.
--             row_version feeds the adapter's externalChangeToken (@@DBTS).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.operations', N'U') IS NULL
BEGIN
  CREATE TABLE internal.operations (
    operation_id     bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_operations PRIMARY KEY,
    operation_type   smallint          NOT NULL,
    created_time     datetimeoffset(7) NOT NULL,
    object_type      smallint          NULL,
    object_id        bigint            NULL,
    object_name      nvarchar(260)     NULL,
    status           int               NOT NULL,
    start_time       datetimeoffset(7) NULL,
    end_time         datetimeoffset(7) NULL,
    caller_sid       varbinary(85)     NULL,
    caller_name      nvarchar(128)     NOT NULL,
    process_id       int               NULL,
    stopped_by_sid   varbinary(85)     NULL,
    stopped_by_name  nvarchar(128)     NULL,
    server_name      nvarchar(128)     NULL,
    machine_name     nvarchar(128)     NULL,
    operation_guid   uniqueidentifier  NOT NULL CONSTRAINT UQ_operations_guid UNIQUE,
    worker_agent_id  uniqueidentifier  NULL,
    executed_count   int               NOT NULL CONSTRAINT DF_operations_executed_count DEFAULT (0),
    row_version      rowversion        NOT NULL
  );
  CREATE INDEX IX_operations_status ON internal.operations (status);
  CREATE INDEX IX_operations_caller ON internal.operations (caller_name);
END
