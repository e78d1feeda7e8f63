-- Object:     internal.sensitive_value (scalar function)
-- Purpose:    A sensitive value back in the storage type of its SSIS data type (as
--             internal.coerce_parameter_value stores it): String/DateTime nvarchar, Boolean bit,
--             Decimal/Double/Single float, Byte tinyint, SByte/Int16 smallint, Int32 int, UInt32/Int64
--             bigint, UInt64 decimal(20, 0).
-- Parameters: @data_type nvarchar(128); @data varbinary(8000): the ciphertext
-- Results:    sql_variant
-- Returns:    the value, NULL for NULL
CREATE OR ALTER FUNCTION internal.sensitive_value(@data_type nvarchar(128), @data varbinary(8000))
RETURNS sql_variant
AS
BEGIN
  DECLARE @t nvarchar(4000) = internal.sensitive_text(@data);
  IF @t IS NULL RETURN NULL;
  IF @data_type = N'Boolean' RETURN CONVERT(sql_variant, CONVERT(bit, CASE WHEN @t IN (N'1', N'true') THEN 1 ELSE 0 END));
  IF @data_type IN (N'Decimal', N'Double', N'Single') RETURN CONVERT(sql_variant, CONVERT(float, @t));
  IF @data_type = N'Byte' RETURN CONVERT(sql_variant, CONVERT(tinyint, @t));
  IF @data_type IN (N'SByte', N'Int16') RETURN CONVERT(sql_variant, CONVERT(smallint, @t));
  IF @data_type = N'Int32' RETURN CONVERT(sql_variant, CONVERT(int, @t));
  IF @data_type IN (N'UInt32', N'Int64') RETURN CONVERT(sql_variant, CONVERT(bigint, @t));
  IF @data_type = N'UInt64' RETURN CONVERT(sql_variant, CONVERT(decimal(20, 0), @t));
  RETURN CONVERT(sql_variant, @t);
END
