-- Object:     internal.schema_version (table)
-- Purpose:    One row per catalog schema version installed by `scaleout catalog install/upgrade`,
--             the newest row being the version of this database.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL). Columns: version (manifest SCHEMA_VERSION), build (package version), applied_time.
IF OBJECT_ID(N'internal.schema_version', N'U') IS NULL
  CREATE TABLE internal.schema_version (
    version       int               NOT NULL CONSTRAINT PK_schema_version PRIMARY KEY,
    build         nvarchar(64)      NOT NULL,
    applied_time  datetimeoffset(7) NOT NULL,
    applied_by    nvarchar(128)     NOT NULL
  );
