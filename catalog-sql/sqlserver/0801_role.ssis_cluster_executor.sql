-- Object:     ssis_cluster_executor (database role)
-- Purpose:    May create and run Scale Out executions and see the workers.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL). CREATE ROLE inside an existence test runs through EXEC.
IF DATABASE_PRINCIPAL_ID(N'ssis_cluster_executor') IS NULL
  EXEC (N'CREATE ROLE [ssis_cluster_executor] AUTHORIZATION dbo');
