DECLARE @folder_id bigint
EXEC [SSISDB].[catalog].[create_folder] @folder_name = N'Finance', @folder_id = @folder_id OUTPUT
SELECT @folder_id AS folder_id
EXEC catalog.create_folder N'Sales', @folder_id OUTPUT
SELECT folder_id, name, created_by_name FROM catalog.folders ORDER BY folder_id
-- a duplicate folder is refused and changes nothing
DECLARE @rc int
EXEC @rc = catalog.create_folder N'Finance', @folder_id OUTPUT
SELECT @rc AS return_status, @folder_id AS unchanged_id
