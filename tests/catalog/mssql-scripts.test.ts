/**
 * What can be checked of the SQL Server catalog without a server: every script's header and
 * idempotency markers, the install order, the GO splitter, the error texts against the registry,
 * the raise calls against the templates, the public procedures' parameters against the T-SQL front
 * door and the reference, and the views' columns against the SQLite catalog.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CatalogErrorMessages } from '../../actors/catalog-errors.ts';
import { SsoError } from '../../actors/errors.ts';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { loadSqlServerScripts, splitGoBatches, stripComments, type SqlServerScript } from '../../runtime/catalog/sqlserver-scripts.ts';
import { ALL_PROCEDURES } from '../../runtime/tsql/procedures.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { SQLSERVER_SCRIPT_ROUTING_CONDITION } from '../../runtime/catalog/script-routing.ts';

/** Splits on commas outside parentheses. */
function topLevelSplit(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) { parts.push(text.slice(start, i)); start = i + 1; }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

interface ScriptParam { name: string; type: { name: string; length?: number | 'max' }; hasDefault: boolean; output: boolean }

/** The parameter list of a `CREATE OR ALTER PROCEDURE` script. */
function parseProcedureParams(text: string): ScriptParam[] {
  const code = stripComments(text);
  const m = /CREATE OR ALTER PROCEDURE\s+\S+\s*([\s\S]*?)\nAS\n/.exec(code);
  if (!m) throw new Error('no procedure header');
  return topLevelSplit(m[1]!).map((p) => {
    const q = /^(@\w+)\s+([\w.]+)(?:\((\d+|max)(?:,\s*\d+)?\))?\s*(READONLY)?\s*(=\s*[^\s]+(?:\s*\S+)?)?\s*$/i.exec(p.replace(/\s+OUTPUT\s*$/i, ''));
    if (!q) throw new Error(`cannot read parameter '${p}'`);
    const length = q[3] === undefined ? undefined : q[3].toLowerCase() === 'max' ? 'max' as const : Number(q[3]);
    return { name: q[1]!, type: { name: q[2]!.toLowerCase(), ...(length === undefined ? {} : { length }) }, hasDefault: q[5] !== undefined, output: /\s+OUTPUT\s*$/i.test(p) };
  });
}

/** The output column names of a `CREATE OR ALTER VIEW … AS SELECT … FROM` script, in order. */
function viewColumns(text: string): string[] {
  const code = stripComments(text);
  const m = /\bSELECT\s+([\s\S]*?)\nFROM\b/.exec(code);
  if (!m) throw new Error('no SELECT … FROM');
  return topLevelSplit(m[1]!).map((item) => {
    const alias = /\bAS\s+(\w+)\s*$/i.exec(item);
    if (alias) return alias[1]!;
    const parts = item.split('.');
    return parts[parts.length - 1]!.trim();
  });
}

const scripts = loadSqlServerScripts();
const byObject = new Map(scripts.map((s) => [`${s.kind}:${s.object.toLowerCase()}`, s]));
const first = (kind: string): number => Math.min(...scripts.filter((s) => s.kind === kind).map((s) => s.order));
const last = (kind: string): number => Math.max(...scripts.filter((s) => s.kind === kind).map((s) => s.order));

// ---------------------------------------------------------------------------------------------
const files = suite('sqlserver scripts: files');

files('the manifest holds every kind, each file named NNNN_<kind>.<object>.sql with a unique number', () => {
  assert.ok(scripts.length > 90, `only ${scripts.length} scripts`);
  for (const kind of ['schema', 'table', 'type', 'seed', 'key', 'migrate', 'function', 'procedure', 'view', 'role', 'grants']) {
    assert.ok(scripts.some((s) => s.kind === kind), `no ${kind} script`);
  }
  assert.is(new Set(scripts.map((s) => s.order)).size, scripts.length);
  assert.equal(scripts.map((s) => s.order), [...scripts.map((s) => s.order)].sort((a, b) => a - b));
});

files('every script opens with the header: Object, Purpose, Parameters, Results, Returns', () => {
  for (const s of scripts) {
    const head = s.text.split('\n').slice(0, 40).join('\n');
    assert.ok(s.text.startsWith('-- Object:'), `${s.name}: must start with '-- Object:'`);
    for (const key of ['-- Purpose:', '-- Parameters:', '-- Results:', '-- Returns:']) assert.ok(head.includes(key), `${s.name}: header lacks '${key}'`);
  }
});

files('install order: schemas, tables, types, seeds, functions; views after functions; procedures after the raise helper; roles, then grants last', () => {
  assert.ok(last('schema') < first('table'));
  assert.ok(last('table') < first('type'));
  assert.ok(last('type') < first('seed'));
  assert.ok(last('seed') < first('key'));
  assert.ok(last('key') < first('migrate'));
  assert.ok(last('migrate') < first('function'));
  assert.ok(last('function') < first('view'));
  assert.ok(last('function') < first('procedure'));
  assert.ok(last('procedure') < first('role') && last('view') < first('role'));
  assert.ok(last('role') < first('grants'));
  assert.is(first('procedure'), byObject.get('procedure:internal.raise_catalog_error')!.order);
  // Every table referenced by a foreign key is created before the table that references it.
  for (const s of scripts.filter((x) => x.kind === 'table')) {
    for (const m of s.text.matchAll(/REFERENCES\s+(internal\.\w+)/g)) {
      const target = byObject.get(`table:${m[1]!.toLowerCase()}`);
      assert.ok(target !== undefined, `${s.name} references unknown ${m[1]}`);
      assert.ok(target.order < s.order, `${s.name} references ${m[1]} created later`);
    }
  }
});

files('idempotency: CREATE OR ALTER for code, existence tests for tables, types, schemas, roles; no DROP anywhere', () => {
  for (const s of scripts) {
    const code = stripComments(s.text);
    assert.not.match(code, /\bDROP\s+(TABLE|VIEW|PROCEDURE|FUNCTION|TYPE|SCHEMA|ROLE)\b/i, `${s.name} drops something`);
    const object = s.object.replace(/^catalog\./, '[catalog].');
    switch (s.kind) {
      case 'procedure': case 'function': case 'view': {
        const kind = s.kind === 'procedure' ? 'PROCEDURE' : s.kind === 'function' ? 'FUNCTION' : 'VIEW';
        assert.ok(code.includes(`CREATE OR ALTER ${kind} ${object}`), `${s.name}: expected 'CREATE OR ALTER ${kind} ${object}'`);
        assert.is((code.match(/\bCREATE\s+(OR\s+ALTER\s+)?(PROCEDURE|FUNCTION|VIEW|TABLE)\b/gi) ?? []).length, 1, `${s.name}: one object per file`);
        break;
      }
      case 'table':
        assert.ok(code.includes(`IF OBJECT_ID(N'${s.object}', N'U') IS NULL`), `${s.name}: CREATE TABLE must sit under IF OBJECT_ID(N'${s.object}', N'U') IS NULL`);
        assert.is((code.match(/\bCREATE\s+TABLE\b/gi) ?? []).length, 1, `${s.name}: one table per file`);
        break;
      case 'type': assert.ok(code.includes(`IF TYPE_ID(N'${s.object}') IS NULL`), s.name); break;
      case 'schema': assert.ok(code.includes(`IF SCHEMA_ID(N'${s.object}') IS NULL`), s.name); break;
      case 'role': assert.ok(code.includes(`IF DATABASE_PRINCIPAL_ID(N'${s.object}') IS NULL`), s.name); break;
      case 'seed': assert.ok(/\bMERGE\b/.test(code) || /WHERE NOT EXISTS/.test(code), `${s.name}: a seed must MERGE or insert only missing rows`); break;
      case 'grants': assert.match(code, /^\s*(GRANT [^;]+;\s*)+$/, `${s.name}: only GRANT statements`); break;
      case 'key':
        // The encryption hierarchy is created once and never replaced (a new key would orphan every ciphertext).
        assert.match(code, /^\s*IF (NOT EXISTS \(SELECT 1 FROM sys\.symmetric_keys WHERE name = N'##MS_DatabaseMasterKey##'\)|CERT_ID\(N'\w+'\) IS NULL|KEY_ID\(N'\w+'\) IS NULL)/, `${s.name}: a key script creates its key only when missing`);
        assert.not.match(code, /\b(ALTER|REGENERATE)\b/i, `${s.name}: keys are never altered by install`);
        break;
      case 'migrate':
        // A data step must be rerunnable: it touches only rows still in the old shape.
        assert.match(code, /WHERE [\w.]+ IS NOT NULL(?: AND [\w.]+ IS NOT NULL)*;/, `${s.name}: a migration updates only rows not migrated yet`);
        break;
    }
  }
});

files('procedures that own a transaction roll back and rethrow; raising goes through THROW so no caller runs on', () => {
  for (const s of scripts.filter((x) => x.kind === 'procedure')) {
    const code = stripComments(s.text);
    if (code.includes('BEGIN TRANSACTION')) {
      assert.ok(code.includes('IF @@TRANCOUNT = 0 BEGIN BEGIN TRANSACTION; SET @own_tran = 1; END'), `${s.name}: opens a transaction only when none is open`);
      assert.ok(code.includes('IF @own_tran = 1 AND @@TRANCOUNT > 0 ROLLBACK TRANSACTION;') && code.includes('THROW;'), `${s.name}: CATCH must roll back its own transaction and rethrow`);
      assert.ok(code.includes('SET XACT_ABORT ON;'), `${s.name}: XACT_ABORT`);
    }
    // Raising outside TRY…CATCH is fine only because raise_catalog_error THROWs; helpers have no TRY.
    assert.not.match(code, /\bRAISERROR\b/i, `${s.name}: raise through internal.raise_catalog_error`);
  }
  assert.match(byObject.get('procedure:internal.raise_catalog_error')!.text, /THROW 50000, @text, 1;/);
});

files('routing by script capability: pull_task carries the claim condition of script-routing.ts; the columns exist on install and upgrade', () => {
  const pull = stripComments(byObject.get('procedure:internal.pull_task')!.text);
  assert.ok(pull.includes(SQLSERVER_SCRIPT_ROUTING_CONDITION), 'internal.pull_task must AND in SQLSERVER_SCRIPT_ROUTING_CONDITION verbatim');
  assert.match(pull, /@OnlineWindowInMs\s+int = 300000/);
  for (const [object, column] of [['internal.tasks', 'RequiresScripts'], ['internal.packages', 'requires_scripts']] as const) {
    const code = stripComments(byObject.get(`table:${object}`)!.text);
    assert.match(code, new RegExp(`\\n\\s+${column}\\s+bit\\s+NOT NULL`), `${object}: ${column} in CREATE TABLE`);
    assert.ok(code.includes(`IF COL_LENGTH(N'${object}', N'${column}') IS NULL\n  ALTER TABLE ${object} ADD ${column} bit NOT NULL`), `${object}: guarded ALTER for catalogs installed before`);
  }
  assert.match(stripComments(byObject.get('procedure:internal.deploy_project_parsed')!.text), /requiresScripts bit N'\$\.requiresScripts'/);
  const start = stripComments(byObject.get('procedure:catalog.start_execution')!.text);
  assert.match(start, /SELECT @requires_scripts = k\.requires_scripts\s+FROM internal\.packages/);
  assert.match(start, /RequiresScripts\)\s+VALUES[\s\S]*@requires_scripts\);/);
});

// ---------------------------------------------------------------------------------------------
const errors = suite('sqlserver scripts: errors');

errors('the seeded messages are exactly the registry (number and text)', () => {
  const seed = byObject.get('seed:internal.catalog_error_messages')!;
  const rows = [...seed.text.matchAll(/\((\d{5}), N'((?:[^']|'')*)'\)/g)].map((m) => [Number(m[1]), m[2]!.replace(/''/g, "'")] as const);
  assert.equal(Object.fromEntries(rows), Object.fromEntries(Object.entries(CatalogErrorMessages).map(([k, v]) => [Number(k), v])));
});

errors('every raise names a registered number with as many arguments as its template has %s', () => {
  let calls = 0;
  for (const s of scripts) {
    for (const m of stripComments(s.text).matchAll(/EXEC internal\.raise_catalog_error (\d+)((?:, (?:N'(?:[^']|'')*'|@\w+))*);/g)) {
      calls++;
      const n = Number(m[1]) as keyof typeof CatalogErrorMessages;
      assert.ok(n in CatalogErrorMessages, `${s.name}: raises unknown ${n}`);
      const args = m[2] === '' ? 0 : [...m[2]!.matchAll(/, (?:N'(?:[^']|'')*'|@\w+)/g)].length;
      const holes = (CatalogErrorMessages[n].match(/%s/g) ?? []).length;
      assert.is(args, holes, `${s.name}: ${n} takes ${holes} argument(s), given ${args}`);
    }
  }
  assert.ok(calls > 100, `only ${calls} raise calls found`);
});

// ---------------------------------------------------------------------------------------------
const go = suite('GO splitter');

go('splits on GO lines, any case, with a count or a trailing comment; drops empty batches', () => {
  const batches = splitGoBatches('SELECT 1;\nGO\nselect 2;\n  go  -- done\n\nGO\nSELECT 3;\nGo 2\n');
  assert.equal(batches.map((b) => [b.text.trim(), b.line]), [['SELECT 1;', 1], ['select 2;', 3], ['SELECT 3;', 7], ['SELECT 3;', 7]]);
});

go('GO inside strings, bracketed names and block comments does not split; nor do words containing go', () => {
  const text = "SELECT 'a\nGO\nb';\nSELECT [x\nGO\ny];\n/* note\nGO\n*/\nSELECT ago, gone FROM goes;\nGO";
  const batches = splitGoBatches(text);
  assert.is(batches.length, 1);
  assert.ok(batches[0]!.text.includes("'a\nGO\nb'") && batches[0]!.text.includes('/* note\nGO\n*/'));
  assert.is(splitGoBatches("SELECT 'it''s';\nGO\nSELECT 2;").length, 2);
  assert.is(splitGoBatches('/* a /* nested */\nGO\n*/ SELECT 1;').length, 1);
});

go('a batch of comments only is dropped; unterminated strings and comments are errors naming the script', () => {
  assert.equal(splitGoBatches('-- just a note\nGO\n/* and */\nGO\nSELECT 1;').map((b) => b.text.trim()), ['SELECT 1;']);
  for (const bad of ["SELECT 'open;\nGO", 'SELECT 1 /* open\nGO']) {
    try {
      splitGoBatches(bad, 'x.sql');
      assert.unreachable('should throw');
    } catch (error) {
      assert.ok(SsoError.is(error) && error.message.includes('x.sql'), String(error));
    }
  }
  assert.throws(() => splitGoBatches('SELECT 1;\nGO 0', 'y.sql'), /GO count must be at least 1 at y\.sql:2/);
});

go('every shipped script splits into batches, each procedure/function/view script into exactly one', () => {
  for (const s of scripts) {
    const batches = splitGoBatches(s.text, s.name);
    assert.ok(batches.length >= 1, s.name);
    if (['procedure', 'function', 'view'].includes(s.kind)) assert.is(batches.length, 1, s.name);
  }
});

go('the loader refuses badly named or duplicate-numbered scripts, naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sso-sqlserver-scripts-'));
  try {
    writeFileSync(join(dir, '0001_schema.a.sql'), '-- Object: a\n');
    writeFileSync(join(dir, '0001_table.b.sql'), '-- Object: b\n');
    assert.throws(() => loadSqlServerScripts(pathToFileURL(dir)), /share the number 0001/);
    rmSync(join(dir, '0001_table.b.sql'));
    writeFileSync(join(dir, '0002_widget.c.sql'), '');
    assert.throws(() => loadSqlServerScripts(pathToFileURL(dir)), /0002_widget\.c\.sql.*unknown kind 'widget'/);
    rmSync(join(dir, '0002_widget.c.sql'));
    writeFileSync(join(dir, 'readme.sql'), '');
    assert.throws(() => loadSqlServerScripts(pathToFileURL(dir)), /'readme\.sql' is not named/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
const signatures = suite('sqlserver scripts: procedure signatures');

/** Parameters the T-SQL front door adds for itself (not procedure parameters on SQL Server). */
const FRONT_DOOR_ONLY = new Set(['catalog.deploy_project:@project_path']);
/** Parameters the front door makes optional because of its own extension (@project_path replaces the stream). */
const FRONT_DOOR_DEFAULTS = new Set(['catalog.deploy_project:@project_stream']);

signatures('each public procedure has the parameters the T-SQL front door binds: names, order, types, defaults, OUTPUT', () => {
  for (const proc of ALL_PROCEDURES) {
    const script = byObject.get(`procedure:${proc.name}`);
    assert.ok(script !== undefined, `no script for ${proc.name}`);
    const params = parseProcedureParams(script.text);
    const expected = proc.params.filter((p) => !FRONT_DOOR_ONLY.has(`${proc.name}:${p.name}`));
    let at = -1;
    for (const p of expected) {
      const i = params.findIndex((q) => q.name.toLowerCase() === p.name.toLowerCase());
      assert.ok(i >= 0, `${proc.name}: ${p.name} missing`);
      assert.ok(i > at, `${proc.name}: ${p.name} out of order`);
      at = i;
      const q = params[i]!;
      assert.is(q.type.name, p.type.name, `${proc.name} ${p.name} type`);
      if (p.type.length !== undefined) assert.is(q.type.length, p.type.length, `${proc.name} ${p.name} length`);
      assert.is(q.output, p.output === true, `${proc.name} ${p.name} OUTPUT`);
      if (!FRONT_DOOR_DEFAULTS.has(`${proc.name}:${p.name}`)) assert.is(q.hasDefault, p.default !== undefined, `${proc.name} ${p.name} default`);
      for (const alias of p.aliases ?? []) assert.ok(params.some((x) => x.name.toLowerCase() === alias.toLowerCase()), `${proc.name}: alias ${alias} missing`);
    }
    // Anything more is our extension: it must come last and have a default, so SSISDB callers are unaffected.
    const known = new Set(expected.flatMap((p) => [p.name, ...(p.aliases ?? [])].map((n) => n.toLowerCase())));
    params.forEach((q, i) => {
      if (known.has(q.name.toLowerCase())) return;
      assert.ok(q.hasDefault, `${proc.name}: extra ${q.name} needs a default`);
      assert.ok(i > at, `${proc.name}: extra ${q.name} must follow SSISDB's parameters`);
    });
  }
});

signatures('the internal procedures keep SSISDB\'s signatures (reference §4.3), our additions last with defaults', () => {
  const reference: Record<string, string[]> = {
    'internal.pull_task': ['@WorkerAgentId uniqueidentifier', '@ExplicitAssignOnly bit ='],
    'internal.update_task_status': ['@WorkerAgentId uniqueidentifier', '@TaskId uniqueidentifier', '@ExpiredTime datetimeoffset', '@Status int OUTPUT'],
    'internal.update_operation_status_for_task': ['@status int', '@operation_id bigint', '@agent_id uniqueidentifier ='],
    'internal.update_cancelled_operation_status': ['@operation_id bigint', '@stop_id bigint'],
    'internal.dealwith_expired_tasks': [],
    'internal.cleanup_completed_jobs': ['@minutesToKeep int ='],
    'internal.update_worker_agent_status': ['@WorkerAgentId uniqueidentifier', '@PerfCounterList internal.machine_perf_counter_list_type', '@MachinePropertyList internal.machine_property_list_type', '@Status int = OUTPUT'],
    'internal.master_heartbeat': [],
    'internal.update_master_settings': ['@MachineName nvarchar', '@MachineIP nvarchar', '@MasterServicePort nvarchar', '@SSLCertThumbprint nvarchar', '@MasterHeartbeatIntervalInMs nvarchar'],
    'internal.append_event_message_for_worker': ['@operation_id bigint', '@message_type int', '@message_time datetimeoffset', '@message_source smallint', '@message nvarchar', '@extended_info_id bigint =', '@package_name nvarchar', '@package_location_type nvarchar', '@package_path_full nvarchar', '@event_name nvarchar', '@message_source_name nvarchar', '@message_source_id nvarchar', '@subcomponent_name nvarchar', '@package_path nvarchar', '@execution_path nvarchar', '@thread_id int', '@message_code int', '@event_message_guid uniqueidentifier'],
    'internal.append_message_context_for_worker': ['@operation_id bigint', '@event_message_guid uniqueidentifier', '@context_depth int', '@package_path nvarchar', '@context_type smallint', '@context_source_name nvarchar', '@context_source_id nvarchar', '@property_name nvarchar', '@property_value sql_variant'],
  };
  for (const [name, expected] of Object.entries(reference)) {
    const script = byObject.get(`procedure:${name}`);
    assert.ok(script !== undefined, `no script for ${name}`);
    const params = parseProcedureParams(script.text);
    const shown = params.map((p) => `${p.name} ${p.type.name}${p.hasDefault ? ' =' : ''}${p.output ? ' OUTPUT' : ''}`);
    assert.equal(shown.slice(0, expected.length), expected, name);
    for (const extra of params.slice(expected.length)) assert.ok(extra.hasDefault, `${name}: our ${extra.name} needs a default`);
  }
  assert.match(byObject.get('procedure:internal.pull_task')!.text, /WITH \(UPDLOCK, READPAST, ROWLOCK\)/);
  assert.match(byObject.get('type:internal.machine_perf_counter_list_type')!.text, /PerfCounterName\s+nvarchar\(max\)\s+NOT NULL,\s+PerfCounterValue\s+float\s+NOT NULL,\s+TimeStamp\s+datetimeoffset\(7\)\s+NOT NULL/);
  assert.match(byObject.get('type:internal.machine_property_list_type')!.text, /PropertyName\s+nvarchar\(max\)\s+NOT NULL,\s+PropertyValue\s+nvarchar\(max\)\s+NULL/);
});

// ---------------------------------------------------------------------------------------------
const views = suite('sqlserver scripts: views');

views('every public view of the SQLite catalog exists with the same columns in the same order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sso-sqlserver-views-'));
  const store = await openSqliteCatalog({ path: join(dir, 'c.db') });
  try {
    for (const name of store.listViews()) {
      const script: SqlServerScript | undefined = byObject.get(`view:${name}`);
      assert.ok(script !== undefined, `no view script for ${name}`);
      const expected = (await store.queryView(SYSTEM_PRINCIPAL, name)).columns;
      assert.equal(viewColumns(script.text), [...expected], name);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

views('row filters: operation views by caller or log-reading roles, Scale Out views by role, master_properties hides secrets', () => {
  for (const v of ['operations', 'executions', 'execution_parameter_values', 'execution_property_override_values', 'operation_messages', 'event_messages', 'event_message_context', 'executables', 'executable_statistics']) {
    assert.match(byObject.get(`view:catalog.${v}`)!.text, /internal\.caller_in_roles\(N'ssis_admin,sysadmin,ssis_logreader'\) = 1 OR \w+\.?caller_name = internal\.caller_name\(\)|caller_in_roles\(N'ssis_admin,sysadmin,ssis_logreader'\) = 1 OR caller_name = internal\.caller_name\(\)/, v);
  }
  for (const v of ['worker_agents', 'worker_agent_perfcounter']) assert.match(byObject.get(`view:catalog.${v}`)!.text, /caller_in_roles\(N'ssis_admin,ssis_cluster_executor,sysadmin'\) = 1/, v);
  assert.match(byObject.get('view:catalog.catalog_properties')!.text, /caller_in_roles\(N'ssis_admin,sysadmin'\) = 1/);
  assert.match(byObject.get('view:catalog.master_properties')!.text, /NOT IN \(N'CLUSTER_LOGDB_CONNECTIONSTRING', N'EXECUTION_PASSWORD'\)/);
});

files.run();
errors.run();
go.run();
signatures.run();
views.run();
