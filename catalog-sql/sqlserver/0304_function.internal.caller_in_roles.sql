-- Object:     internal.caller_in_roles (scalar function)
-- Purpose:    Whether the caller holds at least one of the listed roles. A trusted session's asserted
--             role list (SESSION_CONTEXT(N'scaleout.caller_roles'), comma-separated, '' = none) is
--             authoritative; otherwise the SQL Server identity counts: sysadmin holds every role, the
--             others through IS_ROLEMEMBER on the database roles of the same names.
-- Parameters: @roles nvarchar(400): comma-separated role names, e.g. N'ssis_admin,sysadmin'
-- Results:    bit
-- Returns:    1 when the caller is in one of them, else 0
CREATE OR ALTER FUNCTION internal.caller_in_roles(@roles nvarchar(400))
RETURNS bit
AS
BEGIN
  DECLARE @asserted nvarchar(4000) = NULL;
  IF internal.session_is_trusted() = 1
    SET @asserted = CONVERT(nvarchar(4000), SESSION_CONTEXT(N'scaleout.caller_roles'));
  IF @asserted IS NOT NULL
  BEGIN
    IF EXISTS (SELECT 1 FROM STRING_SPLIT(@roles, N',') AS r
               WHERE CHARINDEX(N',' + LTRIM(RTRIM(r.value)) + N',', N',' + REPLACE(@asserted, N' ', N'') + N',') > 0)
      RETURN 1;
    RETURN 0;
  END
  IF IS_SRVROLEMEMBER(N'sysadmin') = 1 RETURN 1;
  IF EXISTS (SELECT 1 FROM STRING_SPLIT(@roles, N',') AS r
             WHERE LTRIM(RTRIM(r.value)) <> N'sysadmin' AND IS_ROLEMEMBER(LTRIM(RTRIM(r.value))) = 1)
    RETURN 1;
  RETURN 0;
END
