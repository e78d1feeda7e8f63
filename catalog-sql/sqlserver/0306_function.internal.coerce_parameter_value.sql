-- Object:     internal.coerce_parameter_value (scalar function)
-- Purpose:    Checks a value against an SSIS parameter data type and returns the form stored (the same
--             rules as the SQLite catalog): String ← text; Boolean ← bit, 0/1 or 'true'/'false';
--             DateTime ← text SQL Server can read as a date (kept as the text given); Decimal, Double,
--             Single ← any number (stored as float); Byte, SByte, Int16, Int32, UInt32, Int64, UInt64
--             ← an integer (or integral float/decimal) within the type's range.
-- Parameters: @data_type nvarchar(128): SSIS type name; @value sql_variant: the value (any base type)
-- Results:    sql_variant
-- Returns:    the coerced value; NULL when @value is NULL or does not fit (the caller raises 27147)
CREATE OR ALTER FUNCTION internal.coerce_parameter_value(@data_type nvarchar(128), @value sql_variant)
RETURNS sql_variant
AS
BEGIN
  IF @value IS NULL RETURN NULL;
  DECLARE @base sysname = CONVERT(sysname, SQL_VARIANT_PROPERTY(@value, 'BaseType'));
  DECLARE @is_text bit = CASE WHEN @base IN (N'nvarchar', N'varchar', N'nchar', N'char') THEN 1 ELSE 0 END;
  DECLARE @is_number bit = CASE WHEN @base IN (N'tinyint', N'smallint', N'int', N'bigint', N'decimal', N'numeric', N'float', N'real', N'money', N'smallmoney') THEN 1 ELSE 0 END;
  DECLARE @text nvarchar(4000), @number decimal(38, 10), @float float, @lo decimal(38, 0), @hi decimal(38, 0);

  IF @data_type = N'String'
  BEGIN
    IF @is_text = 1 RETURN CONVERT(sql_variant, CONVERT(nvarchar(4000), @value));
    RETURN NULL;
  END
  IF @data_type = N'Boolean'
  BEGIN
    IF @base = N'bit' RETURN @value;
    IF @is_text = 1
    BEGIN
      SET @text = LOWER(LTRIM(RTRIM(CONVERT(nvarchar(4000), @value))));
      IF @text = N'true' RETURN CONVERT(sql_variant, CONVERT(bit, 1));
      IF @text = N'false' RETURN CONVERT(sql_variant, CONVERT(bit, 0));
      RETURN NULL;
    END
    IF @base IN (N'tinyint', N'smallint', N'int', N'bigint')
    BEGIN
      SET @lo = CONVERT(decimal(38, 0), @value);
      IF @lo IN (0, 1) RETURN CONVERT(sql_variant, CONVERT(bit, @lo));
    END
    RETURN NULL;
  END
  IF @data_type = N'DateTime'
  BEGIN
    IF @is_text = 0 RETURN NULL;
    SET @text = CONVERT(nvarchar(4000), @value);
    IF TRY_CONVERT(datetimeoffset(7), @text) IS NULL AND TRY_CONVERT(datetime2(7), @text) IS NULL RETURN NULL;
    RETURN CONVERT(sql_variant, @text);
  END
  IF @data_type IN (N'Decimal', N'Double', N'Single')
  BEGIN
    IF @is_number = 0 RETURN NULL;
    RETURN CONVERT(sql_variant, CONVERT(float, @value));
  END
  SELECT @lo = r.lo, @hi = r.hi
  FROM (VALUES (N'Byte', 0, 255), (N'SByte', -128, 127), (N'Int16', -32768, 32767),
               (N'Int32', -2147483648, 2147483647), (N'UInt32', 0, 4294967295),
               (N'Int64', -9223372036854775808, 9223372036854775807), (N'UInt64', 0, 18446744073709551615)
       ) AS r (data_type, lo, hi)
  WHERE r.data_type = @data_type;
  IF @lo IS NULL OR @is_number = 0 RETURN NULL;
  IF @base IN (N'float', N'real')
  BEGIN
    SET @float = CONVERT(float, @value);
    IF @float <> FLOOR(@float) OR @float < -9.3e18 OR @float > 1.9e19 RETURN NULL;
    SET @number = CONVERT(decimal(38, 10), @float);
  END
  ELSE
    SET @number = CONVERT(decimal(38, 10), @value);
  IF @number <> FLOOR(@number) OR @number < @lo OR @number > @hi RETURN NULL;
  IF @data_type = N'Byte' RETURN CONVERT(sql_variant, CONVERT(tinyint, @number));
  IF @data_type IN (N'SByte', N'Int16') RETURN CONVERT(sql_variant, CONVERT(smallint, @number));
  IF @data_type = N'Int32' RETURN CONVERT(sql_variant, CONVERT(int, @number));
  IF @data_type IN (N'UInt32', N'Int64') RETURN CONVERT(sql_variant, CONVERT(bigint, @number));
  RETURN CONVERT(sql_variant, CONVERT(decimal(20, 0), @number));
END
