SELECT TOP 5 * FROM catalog.object_versions
