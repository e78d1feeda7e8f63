-- Object:     internal.projects (table)
-- Purpose:    Projects per folder; object_version_lsn points at the current version.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.projects', N'U') IS NULL
  CREATE TABLE internal.projects (
    project_id              bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_projects PRIMARY KEY,
    folder_id               bigint NOT NULL CONSTRAINT FK_projects_folders REFERENCES internal.folders (folder_id),
    name                    nvarchar(128) COLLATE Latin1_General_100_CI_AS NOT NULL,
    description             nvarchar(1024)    NULL,
    project_format_version  int               NULL,
    deployed_by_sid         varbinary(85)     NULL,
    deployed_by_name        nvarchar(128)     NULL,
    last_deployed_time      datetimeoffset(7) NULL,
    created_time            datetimeoffset(7) NOT NULL,
    object_version_lsn      bigint            NULL,
    validation_status       char(1)           NOT NULL CONSTRAINT DF_projects_validation_status DEFAULT ('N'),
    last_validation_time    datetimeoffset(7) NULL,
    CONSTRAINT UQ_projects_folder_name UNIQUE (folder_id, name)
  );
