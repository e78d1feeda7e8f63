-- Object:     internal.create_login (procedure)
-- Purpose:    Creates a catalog login (master API / T-SQL front door principal) with its roles. The
--             adapter validates the name and computes the scrypt hash (T-SQL has no scrypt).
-- Parameters: @name nvarchar(128); @password_hash varchar(128) (hex); @password_salt varchar(64) (hex);
--             @roles nvarchar(400) = N'' (comma-separated catalog roles)
-- Results:    none
-- Returns:    0; raises 27260 (caller not sysadmin), 27100 (NULL name), 27101 (unknown role),
--             27408 (the login exists, case-insensitively)
CREATE OR ALTER PROCEDURE internal.create_login
  @name          nvarchar(128),
  @password_hash varchar(128),
  @password_salt varchar(64),
  @roles         nvarchar(400) = N''
AS
BEGIN
  SET NOCOUNT ON;
  SET XACT_ABORT ON;
  DECLARE @own_tran bit = 0;
  BEGIN TRY
    IF internal.caller_in_roles(N'sysadmin') = 0 EXEC internal.raise_catalog_error 27260;
    IF @name IS NULL EXEC internal.raise_catalog_error 27100, N'login_name';
    IF EXISTS (SELECT 1 FROM STRING_SPLIT(ISNULL(@roles, N''), N',') AS r
               WHERE LTRIM(RTRIM(r.value)) <> N''
                 AND LTRIM(RTRIM(r.value)) NOT IN (N'sysadmin', N'ssis_admin', N'ssis_cluster_executor', N'ssis_logreader', N'ssis_cluster_worker'))
      EXEC internal.raise_catalog_error 27101, N'role';
    IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END
    IF EXISTS (SELECT 1 FROM internal.principals WITH (UPDLOCK, HOLDLOCK) WHERE name = @name) EXEC internal.raise_catalog_error 27408, @name;
    INSERT INTO internal.principals (name, password_hash, password_salt, created_time)
    VALUES (@name, @password_hash, @password_salt, internal.now_utc());
    INSERT INTO internal.role_members (principal_name, role)
    SELECT DISTINCT @name, LTRIM(RTRIM(r.value)) FROM STRING_SPLIT(ISNULL(@roles, N''), N',') AS r WHERE LTRIM(RTRIM(r.value)) <> N'';
    IF @own_tran = 1 COMMIT TRANSACTION;
  END TRY
  BEGIN CATCH
    IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;
    THROW;
  END CATCH
  RETURN 0;
END
