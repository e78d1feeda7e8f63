-- Object:     internal.now_utc (scalar function)
-- Purpose:    "Now" for every catalog timestamp: the clock the trusted caller asserted in
--             SESSION_CONTEXT(N'scaleout.now') (the adapter's injected WallClock, ISO-8601 text), else
--             the server's UTC time. Always UTC (+00:00), so text order is time order everywhere.
-- Parameters: none
-- Results:    datetimeoffset(7)
-- Returns:    the current time
CREATE OR ALTER FUNCTION internal.now_utc()
RETURNS datetimeoffset(7)
AS
BEGIN
  DECLARE @asserted datetimeoffset(7) = NULL;
  IF internal.session_is_trusted() = 1
    SET @asserted = TRY_CONVERT(datetimeoffset(7), CONVERT(nvarchar(40), SESSION_CONTEXT(N'scaleout.now')));
  RETURN COALESCE(SWITCHOFFSET(@asserted, N'+00:00'), TODATETIMEOFFSET(SYSUTCDATETIME(), N'+00:00'));
END
