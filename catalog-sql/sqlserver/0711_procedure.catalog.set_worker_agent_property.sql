-- Object:     [catalog].set_worker_agent_property (procedure)
-- Purpose:    Sets DisplayName, Description or Tags of a worker (reference §4.1); Tags are stored only.
-- Parameters: @WorkerAgentId uniqueidentifier; @PropertyName nvarchar(256): DisplayName | Description | Tags;
--             @PropertyValue nvarchar(max) (NULL clears; DisplayName at most 256 characters)
-- Results:    none
-- Returns:    0; raises 27140 (not ssis_admin/sysadmin), 27100 (NULL id), 27101 (sentinel id, unknown property name, DisplayName too long), 27243 (unknown worker)
CREATE OR ALTER PROCEDURE [catalog].set_worker_agent_property
  @WorkerAgentId uniqueidentifier,
  @PropertyName  nvarchar(256),
  @PropertyValue nvarchar(max)
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0;
  BEGIN TRY
    IF internal.caller_in_roles(N'ssis_admin,sysadmin') = 0 EXEC internal.raise_catalog_error 27140, N'ssis_admin, sysadmin';
    IF @WorkerAgentId IS NULL EXEC internal.raise_catalog_error 27100, N'WorkerAgentId';
    IF @WorkerAgentId = '11111111-1111-1111-1111-111111111111' EXEC internal.raise_catalog_error 27101, N'WorkerAgentId';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF NOT EXISTS (SELECT 1 FROM internal.worker_agents WITH (UPDLOCK, HOLDLOCK) WHERE WorkerAgentId = @WorkerAgentId)
      EXEC internal.raise_catalog_error 27243, @WorkerAgentId;
    IF @PropertyName IS NULL OR @PropertyName COLLATE Latin1_General_100_BIN2 NOT IN (N'DisplayName', N'Description', N'Tags')
      EXEC internal.raise_catalog_error 27101, N'PropertyName';
    IF @PropertyName = N'DisplayName' AND LEN(@PropertyValue + N'x') - 1 > 256 EXEC internal.raise_catalog_error 27101, N'PropertyValue';
    UPDATE internal.worker_agents
    SET DisplayName = CASE WHEN @PropertyName = N'DisplayName' THEN @PropertyValue ELSE DisplayName END,
        Description = CASE WHEN @PropertyName = N'Description' THEN @PropertyValue ELSE Description END,
        Tags = CASE WHEN @PropertyName = N'Tags' THEN @PropertyValue ELSE Tags END
    WHERE WorkerAgentId = @WorkerAgentId;
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
