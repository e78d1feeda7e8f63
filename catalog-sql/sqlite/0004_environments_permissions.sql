-- Catalog II (issue 14): environments, environment references, object permissions, and sensitive
-- values encrypted at rest.
--
-- Sensitive values (object_parameters.sensitive_default_value, environment_variables.sensitive_value,
-- execution_parameter_values.sensitive_parameter_value, execution_property_override_values.
-- sensitive_property_value) hold AES-256-GCM envelopes (BLOB, see runtime/catalog/catalog-key.ts),
-- never clear text. The views show NULL for them, as SSISDB's do.

CREATE TABLE environments (
  environment_id   INTEGER PRIMARY KEY AUTOINCREMENT,
  folder_id        INTEGER NOT NULL REFERENCES folders(folder_id),
  name             TEXT NOT NULL COLLATE NOCASE,
  description      TEXT,
  created_by_name  TEXT,
  created_time     TEXT NOT NULL,
  UNIQUE (folder_id, name)
);

CREATE TABLE environment_variables (
  variable_id      INTEGER PRIMARY KEY AUTOINCREMENT,
  environment_id   INTEGER NOT NULL REFERENCES environments(environment_id) ON DELETE CASCADE,
  name             TEXT NOT NULL COLLATE BINARY,
  description      TEXT,
  type             TEXT NOT NULL,
  sensitive        INTEGER NOT NULL DEFAULT 0,
  value,
  sensitive_value  BLOB,
  base_data_type   TEXT,
  UNIQUE (environment_id, name)
);

-- SSISDB keeps the referenced environment by NAME (and folder name for 'A'), not by id: a reference to
-- an environment that does not exist (yet, or any more) is allowed and fails at create_execution (27182).
CREATE TABLE environment_references (
  reference_id             INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id               INTEGER NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,
  reference_type           TEXT NOT NULL CHECK (reference_type IN ('R', 'A')),
  environment_folder_name  TEXT,
  environment_name         TEXT NOT NULL,
  validation_status        TEXT NOT NULL DEFAULT 'N',
  last_validation_time     TEXT
);
CREATE INDEX ix_environment_references_project ON environment_references(project_id);

-- catalog.grant_permission / deny_permission: one row per (object, principal, permission); revoke deletes it.
CREATE TABLE object_permissions (
  object_type      INTEGER NOT NULL CHECK (object_type IN (1, 2, 3, 4)),
  object_id        INTEGER NOT NULL,
  principal_name   TEXT NOT NULL REFERENCES principals(name) ON DELETE CASCADE,
  permission_type  INTEGER NOT NULL,
  is_deny          INTEGER NOT NULL,
  grantor_name     TEXT,
  PRIMARY KEY (object_type, object_id, principal_name, permission_type)
);

ALTER TABLE object_parameters ADD COLUMN sensitive_default_value BLOB;
-- Where an execution parameter's value came from: 'D' design default, 'S' server value
-- (set_object_parameter_value 'V'), 'E' environment variable (value_type 'R'), 'X' set on the execution.
ALTER TABLE execution_parameter_values ADD COLUMN value_source TEXT;
ALTER TABLE execution_parameter_values ADD COLUMN referenced_variable_name TEXT;

DROP VIEW "catalog.execution_parameter_values";
CREATE VIEW "catalog.execution_parameter_values" AS
  SELECT v.execution_parameter_id, v.execution_id, v.object_type, v.parameter_data_type, v.parameter_name,
         CASE WHEN v.sensitive = 1 THEN NULL ELSE v.parameter_value END AS parameter_value, v.sensitive, v.required, v.value_set,
         v.runtime_override, v.value_source, v.referenced_variable_name,
         CASE WHEN v.value_source = 'E' THEN e.environment_folder_name END AS environment_folder_name,
         CASE WHEN v.value_source = 'E' THEN e.environment_name END AS environment_name
  FROM execution_parameter_values v LEFT JOIN executions e ON e.execution_id = v.execution_id;

CREATE VIEW "catalog.environments" AS
  SELECT e.environment_id, e.name, e.folder_id, e.description, NULL AS created_by_sid, e.created_by_name, e.created_time
  FROM environments e;

CREATE VIEW "catalog.environment_variables" AS
  SELECT variable_id, environment_id, name, description, type, sensitive,
         CASE WHEN sensitive = 1 THEN NULL ELSE value END AS value
  FROM environment_variables;

CREATE VIEW "catalog.environment_references" AS
  SELECT reference_id, project_id, reference_type, environment_folder_name, environment_name, validation_status,
         last_validation_time
  FROM environment_references;

CREATE VIEW "catalog.explicit_object_permissions" AS
  SELECT p.object_type, p.object_id, r.rowid AS principal_id, p.permission_type, p.is_deny, g.rowid AS grantor_id,
         p.principal_name, p.grantor_name
  FROM object_permissions p JOIN principals r ON r.name = p.principal_name LEFT JOIN principals g ON g.name = p.grantor_name;

-- Permissions go with their object, whoever deletes it (retention cleanup deletes old operations).
CREATE TRIGGER tr_operations_permissions AFTER DELETE ON operations BEGIN
  DELETE FROM object_permissions WHERE object_type = 4 AND object_id = old.operation_id;
END;
CREATE TRIGGER tr_projects_permissions AFTER DELETE ON projects BEGIN
  DELETE FROM object_permissions WHERE object_type = 2 AND object_id = old.project_id;
END;
CREATE TRIGGER tr_environments_permissions AFTER DELETE ON environments BEGIN
  DELETE FROM object_permissions WHERE object_type = 3 AND object_id = old.environment_id;
END;
CREATE TRIGGER tr_folders_permissions AFTER DELETE ON folders BEGIN
  DELETE FROM object_permissions WHERE object_type = 1 AND object_id = old.folder_id;
END;
