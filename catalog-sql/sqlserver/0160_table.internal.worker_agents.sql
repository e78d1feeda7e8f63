-- Object:     internal.worker_agents (table)
-- Purpose:    The worker registry; a row is inserted (disabled) by the first update_worker_agent_status.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.worker_agents', N'U') IS NULL
  CREATE TABLE internal.worker_agents (
    WorkerAgentId   uniqueidentifier  NOT NULL CONSTRAINT PK_worker_agents PRIMARY KEY,
    DisplayName     nvarchar(256)     NULL,
    Description     nvarchar(max)     NULL,
    MachineName     nvarchar(256)     NULL,
    Tags            nvarchar(max)     NULL,
    UserAccount     nvarchar(256)     NULL,
    IsEnabled       bit               NOT NULL CONSTRAINT DF_worker_agents_IsEnabled DEFAULT (0),
    LastOnlineTime  datetimeoffset(7) NOT NULL,
    row_version     rowversion        NOT NULL
  );
