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
GO
-- The client certificate each agent id is bound to (architecture §7); NULL: registered before the
-- binding existed, bound by its next hello.
IF COL_LENGTH(N'internal.worker_agents', N'CertificateThumbprint') IS NULL
  ALTER TABLE internal.worker_agents ADD CertificateThumbprint nvarchar(40) NULL;
GO
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'UX_worker_agents_certificate' AND object_id = OBJECT_ID(N'internal.worker_agents'))
  CREATE UNIQUE INDEX UX_worker_agents_certificate ON internal.worker_agents (CertificateThumbprint) WHERE CertificateThumbprint IS NOT NULL;
