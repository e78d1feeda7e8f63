EXEC [SSISDB].[catalog].[create_executions] @folder_name = N'folder1'
EXEC create_execution N'folder1'
EXEC SSISDB..create_folder N'x'
PRINT 'the batch goes on after 2812'
