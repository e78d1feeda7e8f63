-- Object:     internal.object_name_problem (scalar function)
-- Purpose:    SSISDB's folder/project naming rules (reference §4.5): 1–128 characters, no leading or
--             trailing space, no leading '@', no control characters 0–31 and none of " < > |.
-- Parameters: @name nvarchar(max): the name to check (NULL and '' are checked by the caller)
-- Results:    nvarchar(100)
-- Returns:    NULL when valid, else the reason (the second argument of error 27400)
CREATE OR ALTER FUNCTION internal.object_name_problem(@name nvarchar(max))
RETURNS nvarchar(100)
AS
BEGIN
  DECLARE @i int = 1, @c int;
  IF LEN(@name + N'x') - 1 > 128 RETURN N'it is longer than 128 characters';
  IF LEFT(@name, 1) IN (N' ', NCHAR(9), NCHAR(10), NCHAR(13)) OR RIGHT(@name, 1) IN (N' ', NCHAR(9), NCHAR(10), NCHAR(13))
    RETURN N'it begins or ends with a space';
  IF LEFT(@name, 1) = N'@' RETURN N'it begins with ''@''';
  WHILE @i <= LEN(@name + N'x') - 1
  BEGIN
    SET @c = UNICODE(SUBSTRING(@name, @i, 1));
    IF @c < 32 OR @c IN (34, 60, 62, 124) RETURN N'it contains a control character or one of " < > |';
    SET @i += 1;
  END
  RETURN NULL;
END
