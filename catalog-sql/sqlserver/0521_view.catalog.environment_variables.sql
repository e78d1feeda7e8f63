-- Object:     [catalog].environment_variables (view)
-- Purpose:    Variables of each environment (issue 14); a sensitive variable's value is NULL (it is
--             stored only encrypted, and never decrypted here).
-- Parameters: none
-- Results:    SSISDB's columns in SSISDB's order (reference §4.5); row filter: variables of environments the caller may READ.
-- Returns:    n/a
CREATE OR ALTER VIEW [catalog].environment_variables
AS
SELECT v.variable_id, v.environment_id, v.name, v.description, v.type, v.sensitive,
       CASE WHEN v.sensitive = 1 THEN NULL ELSE v.value END AS value
FROM internal.environment_variables AS v
WHERE internal.caller_holds(3, v.environment_id, 1) = 1;
