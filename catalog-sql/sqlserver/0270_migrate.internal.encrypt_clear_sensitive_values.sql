-- Object:     sensitive values left in clear by an older catalog (migrate)
-- Purpose:    Upgrade step of issue 14. Catalogs installed by the older scripts kept sensitive
--             execution parameter values (sql_variant sensitive_parameter_value) and property
--             overrides (nvarchar sensitive_property_value) in clear. They are encrypted into the
--             sensitive_value_encrypted columns, in the text form internal.value_text gives (floats
--             with 17 digits, bit as 0/1), and the clear columns are emptied. Idempotent: only rows
--             whose clear column is not NULL are touched, so a rerun finds nothing to do. A value
--             ENCRYPTBYKEY cannot take (it returns NULL) fails the install naming it; nothing is lost.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DML)
IF EXISTS (SELECT 1 FROM internal.execution_parameter_values WHERE sensitive_parameter_value IS NOT NULL)
   OR EXISTS (SELECT 1 FROM internal.execution_property_override_values WHERE sensitive_property_value IS NOT NULL)
BEGIN
  -- ENCRYPTBYKEY returns NULL (no error) when it cannot encrypt, e.g. a text too long for its 8000-byte
  -- result: a row is emptied only when its ciphertext is not NULL, and any row left in clear fails the
  -- install (rolled back whole) naming it, rather than losing the value.
  DECLARE @left_execution bigint, @left_what nvarchar(200), @message nvarchar(2048);
  OPEN SYMMETRIC KEY MS_Enckey_Scaleout_Catalog DECRYPTION BY CERTIFICATE MS_Cert_Scaleout_Catalog;
  UPDATE v
  SET sensitive_value_encrypted = c.cipher, sensitive_parameter_value = NULL
  FROM internal.execution_parameter_values AS v
  CROSS APPLY (SELECT ENCRYPTBYKEY(KEY_GUID(N'MS_Enckey_Scaleout_Catalog'),
        CASE WHEN SQL_VARIANT_PROPERTY(v.sensitive_parameter_value, 'BaseType') IN ('float', 'real')
             THEN CONVERT(nvarchar(4000), CONVERT(nvarchar(100), CONVERT(float, v.sensitive_parameter_value), 3))
             ELSE CONVERT(nvarchar(4000), v.sensitive_parameter_value) END) AS cipher) AS c
  WHERE v.sensitive_parameter_value IS NOT NULL AND c.cipher IS NOT NULL;
  UPDATE o
  SET sensitive_value_encrypted = c.cipher, sensitive_property_value = NULL
  FROM internal.execution_property_override_values AS o
  CROSS APPLY (SELECT CASE WHEN LEN(o.sensitive_property_value + N'x') - 1 <= 4000
                           THEN ENCRYPTBYKEY(KEY_GUID(N'MS_Enckey_Scaleout_Catalog'), CONVERT(nvarchar(4000), o.sensitive_property_value)) END AS cipher) AS c
  WHERE o.sensitive_property_value IS NOT NULL AND c.cipher IS NOT NULL;
  CLOSE SYMMETRIC KEY MS_Enckey_Scaleout_Catalog;
  SELECT TOP (1) @left_execution = execution_id, @left_what = N'parameter ' + parameter_name
  FROM internal.execution_parameter_values WHERE sensitive_parameter_value IS NOT NULL ORDER BY execution_parameter_id;
  IF @left_execution IS NULL
    SELECT TOP (1) @left_execution = execution_id, @left_what = N'property override'
    FROM internal.execution_property_override_values WHERE sensitive_property_value IS NOT NULL ORDER BY property_id;
  IF @left_execution IS NOT NULL
  BEGIN
    SET @message = CONCAT(N'A sensitive value of execution ', @left_execution, N' (', @left_what,
      N') cannot be encrypted with MS_Enckey_Scaleout_Catalog (ENCRYPTBYKEY returned NULL: longer than 3950 characters, or the key is not usable); ',
      N'nothing was changed: shorten or delete that value and run the upgrade again.');
    THROW 50000, @message, 1;
  END
END
