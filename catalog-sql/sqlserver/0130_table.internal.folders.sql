-- Object:     internal.folders (table)
-- Purpose:    Catalog folders (SSISDB internal.folders); names unique case-insensitively.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.folders', N'U') IS NULL
  CREATE TABLE internal.folders (
    folder_id        bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_folders PRIMARY KEY,
    name             nvarchar(128) COLLATE Latin1_General_100_CI_AS NOT NULL CONSTRAINT UQ_folders_name UNIQUE,
    description      nvarchar(1024)    NULL,
    created_by_sid   varbinary(85)     NULL,
    created_by_name  nvarchar(128)     NULL,
    created_time     datetimeoffset(7) NOT NULL
  );
