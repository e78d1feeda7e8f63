-- Object:     internal.add_role_member (procedure)
-- Purpose:    Adds a catalog role to a catalog login (idempotent).
-- Parameters: @name nvarchar(128); @role nvarchar(32)
-- Results:    none
-- Returns:    0; raises 27260 (caller not sysadmin), 27101 (unknown role), 27407 (unknown login)
CREATE OR ALTER PROCEDURE internal.add_role_member
  @name nvarchar(128),
  @role nvarchar(32)
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0, @stored nvarchar(128);
  BEGIN TRY
    IF internal.caller_in_roles(N'sysadmin') = 0 EXEC internal.raise_catalog_error 27260;
    IF @role IS NULL OR @role NOT IN (N'sysadmin', N'ssis_admin', N'ssis_cluster_executor', N'ssis_logreader', N'ssis_cluster_worker')
      EXEC internal.raise_catalog_error 27101, N'role';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    SET @stored = (SELECT name FROM internal.principals WHERE name = @name);
    IF @stored IS NULL EXEC internal.raise_catalog_error 27407, @name;
    IF NOT EXISTS (SELECT 1 FROM internal.role_members WITH (UPDLOCK, HOLDLOCK) WHERE principal_name = @stored AND role = @role)
      INSERT INTO internal.role_members (principal_name, role) VALUES (@stored, @role);
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
