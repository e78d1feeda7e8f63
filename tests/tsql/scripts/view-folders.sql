SELECT folder_id, name, description, created_by_name FROM [SSISDB].[catalog].[folders]
