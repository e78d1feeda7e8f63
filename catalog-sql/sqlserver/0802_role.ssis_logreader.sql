-- Object:     ssis_logreader (database role)
-- Purpose:    May read every operation's log rows.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL). CREATE ROLE inside an existence test runs through EXEC.
IF DATABASE_PRINCIPAL_ID(N'ssis_logreader') IS NULL
  EXEC (N'CREATE ROLE [ssis_logreader] AUTHORIZATION dbo');
