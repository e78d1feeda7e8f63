-- Object:     internal.machine_properties (table)
-- Purpose:    Key/value machine properties each worker reports with its heartbeat.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.machine_properties', N'U') IS NULL
  CREATE TABLE internal.machine_properties (
    WorkerAgentId  uniqueidentifier NOT NULL CONSTRAINT FK_machine_properties_worker_agents REFERENCES internal.worker_agents (WorkerAgentId) ON DELETE CASCADE,
    PropertyName   nvarchar(256) COLLATE Latin1_General_100_BIN2 NOT NULL,
    PropertyValue  nvarchar(max) NULL,
    CONSTRAINT PK_machine_properties PRIMARY KEY (WorkerAgentId, PropertyName)
  );
