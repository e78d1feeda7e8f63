-- @project_path (our extension) names a project folder or .ispac, relative to the working directory.
DECLARE @operation_id bigint
EXEC [SSISDB].[catalog].[deploy_project] @folder_name = N'folder1', @project_name = N'project1', @project_path = N'project1', @operation_id = @operation_id OUTPUT
SELECT @operation_id AS operation_id
SELECT name, object_version_lsn, deployed_by_name FROM catalog.projects
SELECT operation_id, operation_type, object_name, status FROM catalog.operations WHERE operation_type = 101 ORDER BY operation_id
-- a stream that is not an .ispac
EXEC catalog.deploy_project N'folder1', N'project1', 0x504B0304DEADBEEF, @operation_id OUTPUT
GO
-- neither a stream nor a path
EXEC catalog.deploy_project N'folder1', N'project1'
