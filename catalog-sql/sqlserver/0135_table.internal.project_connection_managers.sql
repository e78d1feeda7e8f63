-- Object:     internal.project_connection_managers (table)
-- Purpose:    Project-level connection managers (.conmgr) of each project version.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.project_connection_managers', N'U') IS NULL
  CREATE TABLE internal.project_connection_managers (
    project_version_lsn bigint NOT NULL CONSTRAINT FK_project_connection_managers_object_versions REFERENCES internal.object_versions (object_version_lsn) ON DELETE CASCADE,
    name                nvarchar(260) COLLATE Latin1_General_100_CS_AS NOT NULL,
    guid                nvarchar(38) NULL,
    CONSTRAINT PK_project_connection_managers PRIMARY KEY (project_version_lsn, name)
  );
