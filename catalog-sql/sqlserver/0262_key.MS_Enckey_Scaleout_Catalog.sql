-- Object:     symmetric key MS_Enckey_Scaleout_Catalog (key)
-- Purpose:    The AES-256 key every sensitive value of the catalog is encrypted with (ENCRYPTBYKEY):
--             server values of sensitive parameters, sensitive environment variables, sensitive
--             execution parameter values and property overrides. SSISDB makes one key per project,
--             environment and execution (MS_Enckey_Proj_<id>…); this catalog keeps one for all
--             (README-sqlserver.md). Values are decrypted only for the worker (getExecutionPayload,
--             internal.sensitive_value) and when a variable's protection is turned off.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF KEY_ID(N'MS_Enckey_Scaleout_Catalog') IS NULL
  CREATE SYMMETRIC KEY MS_Enckey_Scaleout_Catalog WITH ALGORITHM = AES_256 ENCRYPTION BY CERTIFICATE MS_Cert_Scaleout_Catalog;
