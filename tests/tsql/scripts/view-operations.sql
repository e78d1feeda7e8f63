SELECT operation_id, operation_type, object_type, object_name, status, caller_name FROM catalog.operations ORDER BY operation_id
