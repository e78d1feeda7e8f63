-- Object:     internal.sensitive_text (scalar function)
-- Purpose:    Decrypts a value encrypted by internal.encrypt_sensitive_value (DECRYPTBYKEYAUTOCERT with
--             the catalog certificate). Runs AS OWNER (dbo) so callers need no permission on the keys;
--             only ssis_admin and the owner may call it (EXECUTE on schema internal), and the catalog
--             calls it only when it hands an execution to a worker (getExecutionPayload), binds an
--             execution, or turns a variable's protection off. No view calls it.
-- Parameters: @data varbinary(8000): the ciphertext
-- Results:    nvarchar(4000)
-- Returns:    the clear text, NULL for NULL
CREATE OR ALTER FUNCTION internal.sensitive_text(@data varbinary(8000))
RETURNS nvarchar(4000)
WITH EXECUTE AS OWNER
AS
BEGIN
  IF @data IS NULL RETURN NULL;
  RETURN CONVERT(nvarchar(4000), DECRYPTBYKEYAUTOCERT(CERT_ID(N'MS_Cert_Scaleout_Catalog'), NULL, @data));
END
