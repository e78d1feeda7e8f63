-- Object:     internal.environments (table)
-- Purpose:    Environments (issue 14): named sets of variables in a folder that project and package
--             parameters are bound to (catalog.create_environment…). Names unique per folder,
--             case-insensitively, as folders and projects.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.environments', N'U') IS NULL
  CREATE TABLE internal.environments (
    environment_id   bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_environments PRIMARY KEY,
    folder_id        bigint NOT NULL CONSTRAINT FK_environments_folders REFERENCES internal.folders (folder_id),
    name             nvarchar(128) COLLATE Latin1_General_100_CI_AS NOT NULL,
    description      nvarchar(1024)    NULL,
    created_by_sid   varbinary(85)     NULL,
    created_by_name  nvarchar(128)     NULL,
    created_time     datetimeoffset(7) NOT NULL,
    CONSTRAINT UQ_environments_folder_name UNIQUE (folder_id, name)
  );
