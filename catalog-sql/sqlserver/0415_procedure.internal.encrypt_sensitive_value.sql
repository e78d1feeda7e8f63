-- Object:     internal.encrypt_sensitive_value (procedure)
-- Purpose:    Encrypts one sensitive value with the catalog's symmetric key (ENCRYPTBYKEY after OPEN
--             SYMMETRIC KEY … DECRYPTION BY CERTIFICATE, closed again before returning). Runs AS OWNER
--             (dbo) so the public procedures' callers need no permission on the keys. ENCRYPTBYKEY
--             takes at most 8000 bytes with its own overhead: a text over 7900 bytes (3950
--             characters) is refused with 27101 naming @param rather than stored in clear or cut.
-- Parameters: @text nvarchar(max): the value's text (internal.value_text); @param nvarchar(128): the
--             parameter named by 27101; @data varbinary(8000) OUTPUT: the ciphertext (NULL for NULL)
-- Results:    none
-- Returns:    0; raises 27101 (too long to encrypt)
CREATE OR ALTER PROCEDURE internal.encrypt_sensitive_value
  @text  nvarchar(max),
  @param nvarchar(128),
  @data  varbinary(8000) OUTPUT
WITH EXECUTE AS OWNER
AS
BEGIN
  SET NOCOUNT ON;
  SET @data = NULL;
  IF @text IS NULL RETURN 0;
  IF DATALENGTH(@text) > 7900 EXEC internal.raise_catalog_error 27101, @param;
  OPEN SYMMETRIC KEY MS_Enckey_Scaleout_Catalog DECRYPTION BY CERTIFICATE MS_Cert_Scaleout_Catalog;
  SET @data = ENCRYPTBYKEY(KEY_GUID(N'MS_Enckey_Scaleout_Catalog'), CONVERT(nvarchar(4000), @text));
  CLOSE SYMMETRIC KEY MS_Enckey_Scaleout_Catalog;
  IF @data IS NULL EXEC internal.raise_catalog_error 27101, @param;
  RETURN 0;
END
