-- Object:     internal.packages (table)
-- Purpose:    Packages of each project version; names compared case-sensitively (as the SQLite catalog).
--             Our addition: requires_scripts (the package or a project package it runs holds a Script
--             Task or Script Component; set at deploy, copied to the execution's task for routing),
--             added to a catalog installed before it by the ALTER at the end.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.packages', N'U') IS NULL
  CREATE TABLE internal.packages (
    package_id              bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_packages PRIMARY KEY,
    project_version_lsn     bigint NOT NULL CONSTRAINT FK_packages_object_versions REFERENCES internal.object_versions (object_version_lsn) ON DELETE CASCADE,
    project_id              bigint NOT NULL,
    name                    nvarchar(260) COLLATE Latin1_General_100_CS_AS NOT NULL,
    package_guid            uniqueidentifier NULL,
    description             nvarchar(1024)   NULL,
    package_format_version  int              NULL,
    version_major           int              NULL,
    version_minor           int              NULL,
    version_build           int              NULL,
    version_comments        nvarchar(1024)   NULL,
    version_guid            uniqueidentifier NULL,
    entry_point             bit              NOT NULL CONSTRAINT DF_packages_entry_point DEFAULT (1),
    validation_status       char(1)          NOT NULL CONSTRAINT DF_packages_validation_status DEFAULT ('N'),
    last_validation_time    datetimeoffset(7) NULL,
    requires_scripts        bit              NOT NULL CONSTRAINT DF_packages_requires_scripts DEFAULT (0),
    CONSTRAINT UQ_packages_version_name UNIQUE (project_version_lsn, name)
  );
IF COL_LENGTH(N'internal.packages', N'requires_scripts') IS NULL
  ALTER TABLE internal.packages ADD requires_scripts bit NOT NULL CONSTRAINT DF_packages_requires_scripts DEFAULT (0);
