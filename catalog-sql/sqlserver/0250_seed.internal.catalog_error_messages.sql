-- Object:     seed of internal.catalog_error_messages (data)
-- Purpose:    SSISDB's error numbers and templates, identical to actors/catalog-errors.ts (a test compares
--             them line by line). MERGE keeps the table equal to this list on every install/upgrade.
-- Parameters: none
-- Results:    none
-- Returns:    n/a
MERGE internal.catalog_error_messages AS t
USING (VALUES
    (27100, N'The input parameter, ''%s'', cannot be null.'),
    (27101, N'The input parameter, ''%s'', is not valid.'),
    (27102, N'The input parameter, ''%s'', cannot be empty.'),
    (27103, N'Cannot find the execution with ID %s, or you do not have permission to access it.'),
    (27112, N'Could not update the row in table ''%s''.'),
    (27121, N'The execution has already been started, or has completed. An execution can be started only once.'),
    (27123, N'The operation cannot be started by an account that uses SQL Server Authentication. Start the operation with an account that uses Windows Authentication.'),
    (27124, N'The operation cannot be stopped: the operation is not valid or is not running.'),
    (27125, N'The operation cannot be stopped because it is in an inconsistent state.'),
    (27126, N'The operation cannot be stopped because it is already being stopped.'),
    (27138, N'The input parameter, ''%s'', cannot be null.'),
    (27139, N'The server cannot be configured while operations are active. Wait for them to finish or stop them.'),
    (27140, N'The caller is not a member of a required database or server role (%s).'),
    (27143, N'Cannot access the operation with ID %s. Verify that the user has appropriate permissions.'),
    (27146, N'Cannot access the package or the package does not exist: ''%s''. Verify that the package exists and that the user has permissions to it.'),
    (27147, N'The data type of the input value is not compatible with the data type of the parameter ''%s'' (expected %s).'),
    (27148, N'The data type of the parameter ''%s'' does not match the data type of the environment variable ''%s''.'),
    (27150, N'The project has changed since the execution was created. Create a new execution for the current version.'),
    (27159, N'The parameter value of ''%s'' does not match its data type %s.'),
    (27176, N'The parameter ''%s'' does not exist or you do not have sufficient permissions.'),
    (27178, N'The user does not have permission to execute the project ''%s''.'),
    (27182, N'The environment ''%s'' does not exist or you have not been granted the appropriate permissions to access it.'),
    (27183, N'The environment variable ''%s'' does not exist or you have not been granted the appropriate permissions to access it.'),
    (27184, N'The following parameters require values to be set before the execution can start: %s.'),
    (27195, N'The operation timed out waiting for a lock.'),
    (27208, N'The environment reference ''%s'' does not exist for this project or you do not have sufficient permissions.'),
    (27212, N'Data taps can only be added while the execution is in the created state.'),
    (27217, N'The logging level ''%s'' is undefined. Valid values are 0, 1, 2, 3, 4 and 100.'),
    (27219, N'The caller does not have permission to run the procedure ''%s''.'),
    (27221, N'The sensitive environment variable ''%s'' cannot be referenced by the non-sensitive parameter ''%s''.'),
    (27224, N'The parameter value cannot be changed after the execution has been started.'),
    (27237, N'The customized logging level ''%s'' does not exist.'),
    (27242, N'The cluster execution job ''%s'' does not exist or you do not have sufficient permissions.'),
    (27243, N'The cluster worker agent ''%s'' does not exist or you do not have sufficient permissions.'),
    (27245, N'Failed to create the execution task for execution %s.'),
    (27246, N'The cluster execution task ''%s'' does not exist or you do not have sufficient permissions.'),
    (27251, N'Cannot add a worker agent to the execution: the execution is already allowed to run on any worker agent.'),
    (27252, N'The cluster worker agent ''%s'' is disabled.'),
    (27255, N'The job id of execution %s is null: it is not a Scale Out execution.'),
    (27256, N'The event message ''%s'' does not exist.'),
    (27257, N'There is no active worker agent.'),
    (27259, N'Failed to enable worker agent because the current edition supports only a limited number of worker agents.'),
    (27260, N'Only a member of the sysadmin server role can perform this operation.'),
    (27261, N'There is no Scale Out Master installed.'),
    (27400, N'The object name ''%s'' is not valid: %s.'),
    (27401, N'The folder ''%s'' already exists.'),
    (27402, N'The folder ''%s'' does not exist or you do not have permission to access it.'),
    (27403, N'The project ''%s'' does not exist in folder ''%s'' or you do not have permission to access it.'),
    (27404, N'The project stream is not a valid project: %s.'),
    (27405, N'The project name ''%s'' does not match the name ''%s'' inside the project.'),
    (27406, N'The worker agent ''%s'' has already been added to execution %s.'),
    (27407, N'Login failed for user ''%s''.'),
    (27408, N'The login ''%s'' already exists.'),
    (27409, N'The property ''%s'' is not a catalog property, or the value ''%s'' is not valid for it.'),
    (27410, N'The environment ''%s'' already exists in folder ''%s''.'),
    (27411, N'The environment variable ''%s'' already exists in environment ''%s''.'),
    (27412, N'The project ''%s'' already references the environment ''%s''.'),
    (27413, N'The data tap with ID %s does not exist or you do not have permission to access it.'),
    (27414, N'Execution %s already has a data tap writing the file ''%s''.')
) AS s (message_number, message_text)
ON t.message_number = s.message_number
WHEN MATCHED AND t.message_text <> s.message_text COLLATE Latin1_General_100_BIN2 THEN UPDATE SET message_text = s.message_text
WHEN NOT MATCHED BY TARGET THEN INSERT (message_number, message_text) VALUES (s.message_number, s.message_text)
WHEN NOT MATCHED BY SOURCE THEN DELETE;
