-- Object:     [catalog].add_data_tap (procedure)
-- Purpose:    Adds a data tap on a data flow path of the Data Flow Task at @task_package_path
--             (case-sensitive, e.g. \Package\Data Flow Task), while the execution is created.
-- Parameters: @execution_id bigint; @task_package_path nvarchar(max); @dataflow_path_id_string
--             nvarchar(4000); @data_filename nvarchar(4000); @max_rows int = NULL; @data_tap_id bigint OUTPUT
-- Results:    none
-- Returns:    0; raises what add_data_tap_by_guid raises, and 27100 for a NULL @task_package_path
CREATE OR ALTER PROCEDURE [catalog].add_data_tap
  @execution_id            bigint,
  @task_package_path       nvarchar(max),
  @dataflow_path_id_string nvarchar(4000),
  @data_filename           nvarchar(4000),
  @max_rows                int = NULL,
  @data_tap_id             bigint = NULL OUTPUT
AS
BEGIN
  SET NOCOUNT ON;
  IF @task_package_path IS NULL EXEC internal.raise_catalog_error 27100, N'task_package_path';
  EXEC [catalog].add_data_tap_by_guid @execution_id = @execution_id, @dataflow_task_guid = NULL,
    @dataflow_path_id_string = @dataflow_path_id_string, @data_filename = @data_filename, @max_rows = @max_rows,
    @data_tap_id = @data_tap_id OUTPUT, @task_package_path = @task_package_path;
  RETURN 0;
END
