SELECT COUNT(*) AS overrides FROM catalog.execution_property_override_values
