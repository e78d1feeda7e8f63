-- Object:     internal.raise_catalog_error (procedure)
-- Purpose:    Raises an SSISDB catalog error. SQL Server reserves numbers below 50000 and our numbers
--             (27100…27409) are SSISDB's own, so they cannot be registered with sp_addmessage or
--             THROWn with their own number. The error is THROW 50000 (severity 16, state 1) with the
--             number carried in front of the text: `[27243] The cluster worker agent '…' does not exist…`.
--             THROW (unlike RAISERROR) ends the batch even outside TRY…CATCH, so no caller runs on.
--             runtime/catalog/mssql-errors.ts maps that back to catalogError(27243) with the same text.
-- Parameters: @number int: a number of internal.catalog_error_messages;
--             @arg1, @arg2 sql_variant = NULL: fill the template's '%s' in order (uniqueidentifier
--             values in lower case, as the SQLite catalog prints them; NULL prints as '')
-- Results:    none
-- Returns:    never returns normally: always raises (error 50000, severity 16, state 1)
CREATE OR ALTER PROCEDURE internal.raise_catalog_error
  @number int,
  @arg1   sql_variant = NULL,
  @arg2   sql_variant = NULL
AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @text nvarchar(2048) = (SELECT message_text FROM internal.catalog_error_messages WHERE message_number = @number);
  DECLARE @s1 nvarchar(2000) = CASE WHEN CONVERT(sysname, SQL_VARIANT_PROPERTY(@arg1, 'BaseType')) = N'uniqueidentifier'
                                    THEN LOWER(CONVERT(nvarchar(36), @arg1)) ELSE COALESCE(CONVERT(nvarchar(2000), @arg1), N'') END;
  DECLARE @s2 nvarchar(2000) = CASE WHEN CONVERT(sysname, SQL_VARIANT_PROPERTY(@arg2, 'BaseType')) = N'uniqueidentifier'
                                    THEN LOWER(CONVERT(nvarchar(36), @arg2)) ELSE COALESCE(CONVERT(nvarchar(2000), @arg2), N'') END;
  DECLARE @at int;
  IF @text IS NULL SET @text = N'Catalog error %s.';
  SET @at = CHARINDEX(N'%s', @text);
  IF @at > 0 SET @text = STUFF(@text, @at, 2, @s1);
  SET @at = CHARINDEX(N'%s', @text, CASE WHEN @at > 0 THEN @at + LEN(@s1 + N'x') - 1 ELSE 1 END);
  IF @at > 0 SET @text = STUFF(@text, @at, 2, @s2);
  SET @text = N'[' + CONVERT(nvarchar(10), @number) + N'] ' + @text;
  THROW 50000, @text, 1;
END
