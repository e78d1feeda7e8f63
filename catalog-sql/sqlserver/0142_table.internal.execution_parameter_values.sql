-- Object:     internal.execution_parameter_values (table)
-- Purpose:    Parameter values of each execution: project (20), package (30) and system (50);
--             names case-sensitive (BIN2), sensitive values kept apart from parameter_value.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.execution_parameter_values', N'U') IS NULL
  CREATE TABLE internal.execution_parameter_values (
    execution_parameter_id     bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_execution_parameter_values PRIMARY KEY,
    execution_id               bigint NOT NULL CONSTRAINT FK_execution_parameter_values_executions REFERENCES internal.executions (execution_id) ON DELETE CASCADE,
    object_type                smallint      NOT NULL CONSTRAINT CK_execution_parameter_values_object_type CHECK (object_type IN (20, 30, 50)),
    parameter_data_type        nvarchar(128) NOT NULL,
    parameter_name             nvarchar(128) COLLATE Latin1_General_100_BIN2 NOT NULL,
    parameter_value            sql_variant   NULL,
    sensitive_parameter_value  sql_variant   NULL,
    base_data_type             nvarchar(128) NULL,
    sensitive                  bit NOT NULL CONSTRAINT DF_epv_sensitive DEFAULT (0),
    required                   bit NOT NULL CONSTRAINT DF_epv_required DEFAULT (0),
    value_set                  bit NOT NULL CONSTRAINT DF_epv_value_set DEFAULT (0),
    runtime_override           bit NOT NULL CONSTRAINT DF_epv_runtime_override DEFAULT (0),
    CONSTRAINT UQ_execution_parameter_values UNIQUE (execution_id, object_type, parameter_name)
  );
GO
-- Issue 14: where each value came from (D design default, S server value, E environment variable, X set
-- on the execution) and the environment variable it was bound from.
IF COL_LENGTH(N'internal.execution_parameter_values', N'value_source') IS NULL
  ALTER TABLE internal.execution_parameter_values ADD value_source char(1) NULL, referenced_variable_name nvarchar(128) NULL;
GO
-- Issue 14: sensitive values encrypted with the catalog's symmetric key (ENCRYPTBYKEY). The older
-- sql_variant column sensitive_parameter_value is no longer written; 0270_migrate encrypts what an
-- older catalog left in it and empties it.
IF COL_LENGTH(N'internal.execution_parameter_values', N'sensitive_value_encrypted') IS NULL
  ALTER TABLE internal.execution_parameter_values ADD sensitive_value_encrypted varbinary(max) NULL;
