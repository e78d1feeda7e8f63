-- Object:     internal.schema_scripts (table)
-- Purpose:    The scripts of catalog-sql/sqlserver/ applied to this database, with the SHA-256 of the
--             text applied: `scaleout catalog upgrade` re-applies a script only when it is new or changed.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.schema_scripts', N'U') IS NULL
  CREATE TABLE internal.schema_scripts (
    script_name   nvarchar(260)     NOT NULL CONSTRAINT PK_schema_scripts PRIMARY KEY,
    sha256        char(64)          NOT NULL,
    version       int               NOT NULL,
    applied_time  datetimeoffset(7) NOT NULL
  );
