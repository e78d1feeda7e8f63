-- Object:     internal.identifier_name_problem (scalar function)
-- Purpose:    The rule for parameter and environment variable names (rules/names.ts identifierName): a
--             letter or _, then letters, digits or _, at most 128. A letter is a character with case
--             (UPPER differs from LOWER) or one at U+3040 and above (kana, CJK…), digits are 0-9: close
--             to, not exactly, the Unicode classes the embedded catalog uses (README-sqlserver.md).
-- Parameters: @name nvarchar(max): the name (NULL and '' are checked by the caller)
-- Results:    nvarchar(200)
-- Returns:    NULL when valid, else the reason (the second argument of error 27400)
CREATE OR ALTER FUNCTION internal.identifier_name_problem(@name nvarchar(max))
RETURNS nvarchar(200)
AS
BEGIN
  DECLARE @i int = 1, @n int = LEN(@name + N'x') - 1, @c nchar(1), @letter bit;
  DECLARE @why nvarchar(200) = N'a variable name begins with a letter or _ and holds only letters, digits and _ (at most 128)';
  IF @n > 128 OR @n = 0 RETURN @why;
  WHILE @i <= @n
  BEGIN
    SET @c = SUBSTRING(@name, @i, 1);
    SET @letter = CASE WHEN UPPER(@c) COLLATE Latin1_General_100_BIN2 <> LOWER(@c) COLLATE Latin1_General_100_BIN2 OR UNICODE(@c) >= 12352 OR @c = N'_' THEN 1 ELSE 0 END;
    IF @letter = 0 AND (@i = 1 OR UNICODE(@c) NOT BETWEEN 48 AND 57) RETURN @why;
    SET @i += 1;
  END
  RETURN NULL;
END
