-- Routing by script capability (runtime/catalog/script-routing.ts): which packages need the script
-- runtime (found when the project is deployed: a Script Task or Script Component, or a project package
-- they run that has one), and the same flag copied onto each execution's task when it starts, where the
-- claim reads it. Versions deployed before this migration read 0 until they are deployed again.
ALTER TABLE packages ADD COLUMN requires_scripts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN RequiresScripts INTEGER NOT NULL DEFAULT 0;
-- tasks_history is filled with SELECT * FROM tasks: it keeps the same columns in the same order.
ALTER TABLE tasks_history ADD COLUMN RequiresScripts INTEGER NOT NULL DEFAULT 0;
