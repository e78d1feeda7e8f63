SELECT execution_id, execution_path, start_time, end_time, execution_duration, execution_result FROM catalog.executable_statistics
