-- Object:     [internal] (schema)
-- Purpose:    Holds the tables, table types, functions and the procedures the master service calls.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF SCHEMA_ID(N'internal') IS NULL
  EXEC (N'CREATE SCHEMA [internal] AUTHORIZATION dbo');
