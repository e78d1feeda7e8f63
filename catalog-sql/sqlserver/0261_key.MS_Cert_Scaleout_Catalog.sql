-- Object:     certificate MS_Cert_Scaleout_Catalog (key)
-- Purpose:    The certificate that protects the catalog's symmetric key (0262), itself protected by the
--             database master key (0260), as SSISDB's MS_Cert_* certificates. Only dbo (and modules
--             that run AS OWNER: internal.encrypt_sensitive_value, internal.sensitive_text) use it.
-- Parameters: none
-- Results:    none
-- Returns:    n/a (DDL)
IF CERT_ID(N'MS_Cert_Scaleout_Catalog') IS NULL
  CREATE CERTIFICATE MS_Cert_Scaleout_Catalog WITH SUBJECT = N'scaleout catalog: sensitive values', EXPIRY_DATE = N'99991231';
