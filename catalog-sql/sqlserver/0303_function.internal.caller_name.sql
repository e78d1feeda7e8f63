-- Object:     internal.caller_name (scalar function)
-- Purpose:    The catalog principal making the call: the name a trusted session asserted in
--             SESSION_CONTEXT(N'scaleout.caller_name'), else ORIGINAL_LOGIN().
-- Parameters: none
-- Results:    nvarchar(128)
-- Returns:    the caller's name
CREATE OR ALTER FUNCTION internal.caller_name()
RETURNS nvarchar(128)
AS
BEGIN
  DECLARE @asserted nvarchar(128) = NULL;
  IF internal.session_is_trusted() = 1
    SET @asserted = CONVERT(nvarchar(128), SESSION_CONTEXT(N'scaleout.caller_name'));
  RETURN COALESCE(@asserted, ORIGINAL_LOGIN());
END
