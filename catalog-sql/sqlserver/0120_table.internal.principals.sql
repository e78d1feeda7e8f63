-- Object:     internal.principals (table)
-- Purpose:    Catalog logins of the master's API and T-SQL front door (not SQL Server logins):
--             scrypt hash and salt computed by the adapter, names case-insensitive.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.principals', N'U') IS NULL
  CREATE TABLE internal.principals (
    name           nvarchar(128) COLLATE Latin1_General_100_CI_AS NOT NULL CONSTRAINT PK_principals PRIMARY KEY,
    password_hash  varchar(128)      NOT NULL,
    password_salt  varchar(64)       NOT NULL,
    created_time   datetimeoffset(7) NOT NULL
  );
GO
-- Issue 14: principal_id, the number catalog.grant_permission's @principal_id names (SQLite: rowid).
IF COL_LENGTH(N'internal.principals', N'principal_id') IS NULL
  ALTER TABLE internal.principals ADD principal_id int IDENTITY(1, 1) NOT NULL;
