-- Object:     internal.prune_project_versions (procedure)
-- Purpose:    Keeps at most MAX_PROJECT_VERSIONS versions of a project (when VERSION_CLEANUP_ENABLED),
--             never one that a live execution (status 1, 2, 5, 8) uses. Helper: caller's transaction.
-- Parameters: @project_id bigint
-- Results:    none
-- Returns:    0
CREATE OR ALTER PROCEDURE internal.prune_project_versions
  @project_id bigint
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @enabled nvarchar(256) = (SELECT UPPER(property_value) FROM internal.catalog_properties WHERE property_name = N'VERSION_CLEANUP_ENABLED');
  DECLARE @keep int = TRY_CONVERT(int, (SELECT property_value FROM internal.catalog_properties WHERE property_name = N'MAX_PROJECT_VERSIONS'));
  IF @enabled IS NULL OR @enabled <> N'TRUE' RETURN 0;
  IF @keep IS NULL OR @keep = 0 SET @keep = 10;
  IF @keep < 1 SET @keep = 1;
  DELETE FROM internal.object_versions
  WHERE object_id = @project_id
    AND object_version_lsn NOT IN (SELECT TOP (@keep) v.object_version_lsn FROM internal.object_versions AS v
                                   WHERE v.object_id = @project_id ORDER BY v.object_version_lsn DESC)
    AND object_version_lsn NOT IN (SELECT e.project_lsn FROM internal.executions AS e
                                   JOIN internal.operations AS o ON o.operation_id = e.execution_id
                                   WHERE o.status IN (1, 2, 5, 8));
  RETURN 0;
END
