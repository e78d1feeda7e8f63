-- Object:     sensitive values left in clear by an older catalog (migrate)
-- Purpose:    Upgrade step of issue 14. Catalogs installed by the older scripts kept sensitive
--             execution parameter values (sql_variant sensitive_parameter_value) and property
--             overrides (nvarchar sensitive_property_value) in clear. They are encrypted into the
--             sensitive_value_encrypted columns, in the text form internal.value_text gives (floats
--             with 17 digits, bit as 0/1), and the clear columns are emptied. Idempotent: only rows
--             whose clear column is not NULL are touched, so a rerun finds nothing to do.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DML)
IF EXISTS (SELECT 1 FROM internal.execution_parameter_values WHERE sensitive_parameter_value IS NOT NULL)
   OR EXISTS (SELECT 1 FROM internal.execution_property_override_values WHERE sensitive_property_value IS NOT NULL)
BEGIN
  OPEN SYMMETRIC KEY MS_Enckey_Scaleout_Catalog DECRYPTION BY CERTIFICATE MS_Cert_Scaleout_Catalog;
  UPDATE internal.execution_parameter_values
  SET sensitive_value_encrypted = ENCRYPTBYKEY(KEY_GUID(N'MS_Enckey_Scaleout_Catalog'),
        CASE WHEN SQL_VARIANT_PROPERTY(sensitive_parameter_value, 'BaseType') IN ('float', 'real')
             THEN CONVERT(nvarchar(4000), CONVERT(nvarchar(100), CONVERT(float, sensitive_parameter_value), 3))
             ELSE CONVERT(nvarchar(4000), sensitive_parameter_value) END),
      sensitive_parameter_value = NULL
  WHERE sensitive_parameter_value IS NOT NULL;
  UPDATE internal.execution_property_override_values
  SET sensitive_value_encrypted = ENCRYPTBYKEY(KEY_GUID(N'MS_Enckey_Scaleout_Catalog'), CONVERT(nvarchar(4000), sensitive_property_value)),
      sensitive_property_value = NULL
  WHERE sensitive_property_value IS NOT NULL;
  CLOSE SYMMETRIC KEY MS_Enckey_Scaleout_Catalog;
END
