-- Object:     ssis_admin (database role)
-- Purpose:    Full catalog administration; the master service's SQL user belongs here.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL). CREATE ROLE inside an existence test runs through EXEC.
IF DATABASE_PRINCIPAL_ID(N'ssis_admin') IS NULL
  EXEC (N'CREATE ROLE [ssis_admin] AUTHORIZATION dbo');
