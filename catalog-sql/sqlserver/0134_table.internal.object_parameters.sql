-- Object:     internal.object_parameters (table)
-- Purpose:    Project (20) and package (30) parameters of each project version with their design
--             defaults (sql_variant of the parameter's type; NULL for sensitive ones).
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.object_parameters', N'U') IS NULL
  CREATE TABLE internal.object_parameters (
    parameter_id              bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_object_parameters PRIMARY KEY,
    project_id                bigint NOT NULL,
    project_version_lsn       bigint NOT NULL CONSTRAINT FK_object_parameters_object_versions REFERENCES internal.object_versions (object_version_lsn) ON DELETE CASCADE,
    object_type               smallint NOT NULL CONSTRAINT CK_object_parameters_object_type CHECK (object_type IN (20, 30)),
    object_name               nvarchar(260) COLLATE Latin1_General_100_CS_AS NOT NULL,
    parameter_name            nvarchar(128) COLLATE Latin1_General_100_BIN2 NOT NULL,
    data_type                 nvarchar(128)  NOT NULL,
    required                  bit            NOT NULL,
    sensitive                 bit            NOT NULL,
    description               nvarchar(1024) NULL,
    design_default_value      sql_variant    NULL,
    default_value             sql_variant    NULL,
    value_type                char(1)        NOT NULL CONSTRAINT DF_object_parameters_value_type DEFAULT ('V'),
    value_set                 bit            NOT NULL CONSTRAINT DF_object_parameters_value_set DEFAULT (0),
    referenced_variable_name  nvarchar(128)  NULL,
    validation_status         char(1)        NOT NULL CONSTRAINT DF_object_parameters_validation_status DEFAULT ('N'),
    last_validation_time      datetimeoffset(7) NULL,
    CONSTRAINT UQ_object_parameters UNIQUE (project_version_lsn, object_type, object_name, parameter_name)
  );
GO
-- Issue 14: a sensitive server value (set_object_parameter_value on a sensitive parameter), encrypted
-- with the catalog's symmetric key; default_value stays NULL for sensitive parameters.
IF COL_LENGTH(N'internal.object_parameters', N'sensitive_default_value') IS NULL
  ALTER TABLE internal.object_parameters ADD sensitive_default_value varbinary(max) NULL;
