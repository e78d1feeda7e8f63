-- Object:     internal.object_versions (table)
-- Purpose:    One row per deployed project version, holding the .ispac exactly as deployed and its
--             SHA-256 (hex, lower case): what workers download and cache by hash.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.object_versions', N'U') IS NULL
BEGIN
  CREATE TABLE internal.object_versions (
    object_version_lsn  bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_object_versions PRIMARY KEY,
    object_id           bigint NOT NULL CONSTRAINT FK_object_versions_projects REFERENCES internal.projects (project_id) ON DELETE CASCADE,
    object_type         smallint          NOT NULL CONSTRAINT DF_object_versions_object_type DEFAULT (20),
    description         nvarchar(1024)    NULL,
    created_by          nvarchar(128)     NULL,
    created_time        datetimeoffset(7) NOT NULL,
    restored_by         nvarchar(128)     NULL,
    last_restored_time  datetimeoffset(7) NULL,
    object_data         varbinary(max)    NOT NULL,
    sha256              char(64)          NOT NULL
  );
  CREATE INDEX IX_object_versions_object ON internal.object_versions (object_id);
END
