-- Object:     ssis_cluster_worker (database role)
-- Purpose:    The workers' logging identity: may append event messages and statistics.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL). CREATE ROLE inside an existence test runs through EXEC.
IF DATABASE_PRINCIPAL_ID(N'ssis_cluster_worker') IS NULL
  EXEC (N'CREATE ROLE [ssis_cluster_worker] AUTHORIZATION dbo');
