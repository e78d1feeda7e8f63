-- Object:     internal.environment_variables (table)
-- Purpose:    Variables of each environment (issue 14). Names case-sensitive (BIN2). A non-sensitive
--             value sits in `value` (sql_variant of the SSIS type's storage type, as object_parameters);
--             a sensitive one only in `sensitive_value`, encrypted with the catalog's symmetric key
--             (ENCRYPTBYKEY, internal.encrypt_sensitive_value), never in clear.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF OBJECT_ID(N'internal.environment_variables', N'U') IS NULL
  CREATE TABLE internal.environment_variables (
    variable_id      bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_environment_variables PRIMARY KEY,
    environment_id   bigint NOT NULL CONSTRAINT FK_environment_variables_environments REFERENCES internal.environments (environment_id) ON DELETE CASCADE,
    name             nvarchar(128) COLLATE Latin1_General_100_BIN2 NOT NULL,
    description      nvarchar(1024) NULL,
    type             nvarchar(128)  NOT NULL,
    sensitive        bit            NOT NULL CONSTRAINT DF_environment_variables_sensitive DEFAULT (0),
    value            sql_variant    NULL,
    sensitive_value  varbinary(max) NULL,
    base_data_type   nvarchar(128)  NULL,
    CONSTRAINT UQ_environment_variables UNIQUE (environment_id, name)
  );
