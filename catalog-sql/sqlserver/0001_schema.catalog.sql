-- Object:     [catalog] (schema)
-- Purpose:    Holds SSISDB's public surface: the views and procedures T-SQL clients call.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL). CREATE SCHEMA must be alone in its batch, hence EXEC inside the existence test.
IF SCHEMA_ID(N'catalog') IS NULL
  EXEC (N'CREATE SCHEMA [catalog] AUTHORIZATION dbo');
