EXEC catalog.create_execution @folder_name = N'folder1', @project_name = N'project1', @package_name = N'package1.dtsx'
EXEC catalog.enable_worker_agent
EXEC catalog.create_folder N'NoOutput', DEFAULT
SELECT COUNT(*) AS folders FROM catalog.folders
