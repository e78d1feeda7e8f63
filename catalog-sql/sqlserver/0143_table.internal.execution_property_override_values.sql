-- Object:     internal.execution_property_override_values (table)
-- Purpose:    set_execution_property_override_value entries: package property path → value.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL). property_path is nvarchar(4000); uniqueness is enforced by the procedure
--             (an index key cannot be that wide).
IF OBJECT_ID(N'internal.execution_property_override_values', N'U') IS NULL
BEGIN
  CREATE TABLE internal.execution_property_override_values (
    property_id               bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_execution_property_override_values PRIMARY KEY,
    execution_id              bigint NOT NULL CONSTRAINT FK_epov_executions REFERENCES internal.executions (execution_id) ON DELETE CASCADE,
    property_path             nvarchar(4000) NOT NULL,
    property_value            nvarchar(max)  NULL,
    sensitive_property_value  nvarchar(max)  NULL,
    sensitive                 bit NOT NULL CONSTRAINT DF_epov_sensitive DEFAULT (0)
  );
  CREATE INDEX IX_epov_execution ON internal.execution_property_override_values (execution_id);
END
GO
-- Issue 14: sensitive values encrypted with the catalog's symmetric key (ENCRYPTBYKEY). The older
-- nvarchar column sensitive_property_value is no longer written; 0270_migrate encrypts what an older
-- catalog left in it and empties it.
IF COL_LENGTH(N'internal.execution_property_override_values', N'sensitive_value_encrypted') IS NULL
  ALTER TABLE internal.execution_property_override_values ADD sensitive_value_encrypted varbinary(max) NULL;
