-- scaleout sql: -U $READER_LOGIN -P $READER_PASSWORD
-- A login without roles or grants: the folder is invisible to it, so creating an environment there is
-- "does not exist or no permission" (27402), the views show no folder, and grant_permission answers 2
-- (no such object, as far as this caller can tell) without raising.
EXEC catalog.create_environment @folder_name = N'folder1', @environment_name = N'mine'
GO
SELECT COUNT(*) AS folders FROM catalog.folders
SELECT COUNT(*) AS environments FROM catalog.environments
GO
DECLARE @rc int
EXEC @rc = catalog.grant_permission @object_type = 1, @object_id = 1, @principal_id = 1, @permission_type = 1
SELECT @rc AS return_code
EXEC @rc = catalog.grant_permission @object_type = 7, @object_id = 1, @principal_id = 1, @permission_type = 1
SELECT @rc AS return_code
