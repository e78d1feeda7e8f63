-- Object:     internal.value_text (scalar function)
-- Purpose:    The text a stored parameter value is encrypted as (and read back from by
--             internal.sensitive_value): floats with 17 significant digits (style 3), bit as 0/1,
--             everything else as CONVERT(nvarchar) gives it.
-- Parameters: @value sql_variant
-- Results:    nvarchar(4000)
-- Returns:    the text, NULL for NULL
CREATE OR ALTER FUNCTION internal.value_text(@value sql_variant)
RETURNS nvarchar(4000)
AS
BEGIN
  IF @value IS NULL RETURN NULL;
  IF CONVERT(sysname, SQL_VARIANT_PROPERTY(@value, 'BaseType')) IN (N'float', N'real') RETURN CONVERT(nvarchar(100), CONVERT(float, @value), 3);
  RETURN CONVERT(nvarchar(4000), @value);
END
