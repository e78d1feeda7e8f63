SELECT object_type, object_name, parameter_name, data_type, required, sensitive, design_default_value FROM catalog.object_parameters ORDER BY object_type, parameter_name
