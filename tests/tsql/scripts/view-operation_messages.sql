SELECT operation_id, message_time, message_type, message_source_type, message FROM catalog.operation_messages ORDER BY message_time
