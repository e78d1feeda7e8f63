-- Object:     [catalog].deploy_project (procedure)
-- Purpose:    SSISDB's deploy entry point (reference §4.2). An .ispac is a zip of XML that T-SQL cannot
--             read, so on this catalog the metadata comes from outside: called with @project_metadata
--             (what the adapter sends) it deploys through internal.deploy_project_parsed; called as in
--             SSISDB (bytes only) it checks its inputs and then refuses with 27404, naming the ways that
--             work: `scaleout deploy` or the master's API, which parse the .ispac and call this.
-- Parameters: @folder_name nvarchar(128); @project_name nvarchar(128); @project_stream varbinary(max);
--             @operation_id bigint = NULL OUTPUT; @project_metadata nvarchar(max) = NULL (ours, JSON; see
--             internal.deploy_project_parsed)
-- Results:    none
-- Returns:    0; raises what internal.deploy_project_parsed raises, or 27404 without metadata
CREATE OR ALTER PROCEDURE [catalog].deploy_project
  @folder_name      nvarchar(128),
  @project_name     nvarchar(128),
  @project_stream   varbinary(max),
  @operation_id     bigint = NULL OUTPUT,
  @project_metadata nvarchar(max) = NULL
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  BEGIN TRY
    IF @project_metadata IS NULL
    BEGIN
      IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
      IF @project_stream IS NULL EXEC internal.raise_catalog_error 27100, N'project_stream';
      EXEC internal.raise_catalog_error 27404, N'this catalog cannot read .ispac metadata inside SQL Server; deploy with `scaleout deploy` or the master API';
    END
    EXEC internal.deploy_project_parsed @folder_name = @folder_name, @project_name = @project_name, @project_stream = @project_stream,
                                        @project_metadata = @project_metadata, @operation_id = @operation_id OUTPUT;
  END TRY
  BEGIN CATCH
    THROW;
  END CATCH
  RETURN 0;
END
