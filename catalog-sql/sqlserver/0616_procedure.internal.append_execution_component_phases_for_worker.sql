-- Object:     internal.append_execution_component_phases_for_worker (procedure)
-- Purpose:    Appends the time one data flow component spent in one phase, idempotent by @phase_guid.
-- Parameters: @operation_id bigint; @package_name nvarchar(260); @task_name nvarchar(4000);
--             @subcomponent_name nvarchar(4000); @phase nvarchar(128); @start_time datetimeoffset(7);
--             @end_time datetimeoffset(7); @execution_path nvarchar(max); @phase_guid uniqueidentifier
-- Results:    none
-- Returns:    0; raises 27140, 27100 (NULL guid), 27103 (not an execution), 27101 (no phase)
CREATE OR ALTER PROCEDURE internal.append_execution_component_phases_for_worker
  @operation_id      bigint,
  @package_name      nvarchar(260),
  @task_name         nvarchar(4000),
  @subcomponent_name nvarchar(4000),
  @phase             nvarchar(128),
  @start_time        datetimeoffset(7),
  @end_time          datetimeoffset(7),
  @execution_path    nvarchar(max),
  @phase_guid        uniqueidentifier
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  IF internal.caller_in_roles(N'ssis_admin,sysadmin,ssis_cluster_worker') = 0
    EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin, ssis_cluster_worker';
  IF @phase_guid IS NULL EXEC internal.raise_catalog_error 27100, N'phase_guid';
  IF @phase IS NULL OR @phase = N'' EXEC internal.raise_catalog_error 27101, N'phase';
  IF NOT EXISTS (SELECT 1 FROM internal.operations WHERE operation_id = @operation_id AND operation_type = 200)
    EXEC internal.raise_catalog_error 27103, @operation_id;
  IF NOT EXISTS (SELECT 1 FROM internal.execution_component_phases WITH (UPDLOCK, HOLDLOCK) WHERE phase_guid = @phase_guid)
    INSERT INTO internal.execution_component_phases (execution_id, package_name, task_name, subcomponent_name, phase, start_time, end_time, execution_path, phase_guid)
    VALUES (@operation_id, @package_name, @task_name, @subcomponent_name, @phase, SWITCHOFFSET(@start_time, N'+00:00'),
            SWITCHOFFSET(@end_time, N'+00:00'), @execution_path, @phase_guid);
  RETURN 0;
END
