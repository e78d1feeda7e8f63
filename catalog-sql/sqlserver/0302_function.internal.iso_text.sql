-- Object:     internal.iso_text (scalar function)
-- Purpose:    A datetimeoffset as the text the SQLite catalog writes (`2024-05-01T10:00:00.000+00:00`),
--             for timestamps kept in nvarchar properties (LAST_ONLINE_TIME).
-- Parameters: @value datetimeoffset(7)
-- Results:    nvarchar(29), NULL for NULL
-- Returns:    the text
CREATE OR ALTER FUNCTION internal.iso_text(@value datetimeoffset(7))
RETURNS nvarchar(29)
AS
BEGIN
  IF @value IS NULL RETURN NULL;
  RETURN REPLACE(CONVERT(nvarchar(23), CONVERT(datetime2(3), SWITCHOFFSET(@value, N'+00:00')), 121), N' ', N'T') + N'+00:00';
END
