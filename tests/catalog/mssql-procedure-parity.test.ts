/**
 * Static parity between the embedded catalog's procedures (runtime/catalog/sqlite/procedures/, one file
 * each) and the SQL Server scripts (catalog-sql/sqlserver/), plus a lexical sanity check of the T-SQL.
 *
 * This is NOT a SQL Server run: nothing here parses T-SQL as SQL Server would, binds names against a
 * schema or executes a statement. It catches what can be caught without a server (a procedure or view
 * without its script, an argument the embedded procedure reads that the script does not take, an error
 * number raised by one adapter and not the other, a script missing from the install order, unbalanced
 * BEGIN/END or parentheses, an undeclared @variable, SQLite-only syntax). The gated run
 * (SCALEOUT_TEST_MSSQL, tests/catalog/mssql-catalog-store.test.ts) is what exercises the scripts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSqlServerScripts, splitGoBatches, stripComments, SCRIPT_KINDS } from '../../runtime/catalog/sqlserver-scripts.ts';
import { VIEWS } from '../../runtime/catalog/rules/views.ts';
import { ALL_PROCEDURES } from '../../runtime/tsql/procedures.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const proceduresDir = join(root, 'runtime', 'catalog', 'sqlite', 'procedures');
const sqliteDir = join(root, 'runtime', 'catalog', 'sqlite');
const scripts = loadSqlServerScripts();
const byObject = new Map(scripts.map((s) => [`${s.kind}:${s.object.toLowerCase()}`, s]));
const embedded = readdirSync(proceduresDir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();

// ---------------------------------------------------------------------------------------------
// Reading the embedded procedures (TypeScript, by text)

/** `name → absolute path` of the functions a module imports from other modules of runtime/catalog/sqlite/. */
function sqliteImports(file: string): Map<string, string> {
  const out = new Map<string, string>();
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/import\s+(?:type\s+)?\{([^}]+)\}\s+from\s+'([^']+)'/g)) {
    const target = resolve(dirname(file), m[2]!);
    if (!target.startsWith(sqliteDir) || target.startsWith(proceduresDir) || target.endsWith('procedure-context.ts')) continue;
    for (const name of m[1]!.split(',').map((n) => n.trim().replace(/^type\s+/, '')).filter(Boolean)) out.set(name, target);
  }
  return out;
}

/** The text of `export function <name>` in a module, up to the next top-level export. */
function functionBlock(file: string, name: string): string {
  const text = readFileSync(file, 'utf8');
  const start = text.search(new RegExp(`export function ${name}\\b`));
  if (start < 0) return '';
  const next = text.slice(start + 1).search(/\nexport /);
  return next < 0 ? text.slice(start) : text.slice(start, start + 1 + next);
}

/**
 * The procedure file's own text plus the blocks of the sqlite/ helper functions it calls, transitively
 * (findVariable, findObjectParameter, findProject…). Rules (runtime/catalog/rules/) are left out: their
 * type errors (a number where text is expected) cannot reach a typed T-SQL parameter.
 */
function embeddedText(procedure: string): string {
  const file = join(proceduresDir, `${procedure}.ts`);
  const parts = [readFileSync(file, 'utf8')];
  const seen = new Set<string>();
  const visit = (text: string, imports: Map<string, string>): void => {
    for (const [name, module] of imports) {
      const key = `${module}#${name}`;
      if (seen.has(key) || !new RegExp(`\\b${name}\\(`).test(text)) continue;
      seen.add(key);
      const block = functionBlock(module, name);
      parts.push(block);
      visit(block, sqliteImports(module));
    }
  };
  visit(parts[0]!, sqliteImports(file));
  return parts.join('\n');
}

/** The catalog error numbers a text raises (`catalogError(27182, …)`). */
const raisedTs = (text: string): Set<number> => new Set([...text.matchAll(/catalogError\((\d{5})\b/g)].map((m) => Number(m[1])));

// ---------------------------------------------------------------------------------------------
// Reading the scripts (T-SQL, by text)

function procedureScript(name: string) {
  return byObject.get(`procedure:${name.toLowerCase()}`);
}

/** Parameter names (`@folder_name`…) of a script's CREATE OR ALTER PROCEDURE header, lower case. */
function scriptParams(text: string): string[] {
  const m = /CREATE OR ALTER PROCEDURE\s+\S+\s*([\s\S]*?)\n(?:WITH [^\n]*\n)?AS\n/.exec(stripComments(text));
  if (!m) throw new Error('no procedure header');
  return [...m[1]!.matchAll(/(@\w+)\s+[\w.]+/g)].map((p) => p[1]!.toLowerCase());
}

/** The script's text plus every internal procedure and function it reaches (EXEC internal.x, internal.f(…)), transitively. */
function scriptClosure(text: string): string {
  const parts = [text];
  const seen = new Set<string>();
  for (let i = 0; i < parts.length; i++) {
    for (const m of stripComments(parts[i]!).matchAll(/\binternal\.(\w+)/g)) {
      const name = `internal.${m[1]!.toLowerCase()}`;
      if (seen.has(name)) continue;
      seen.add(name);
      const s = byObject.get(`procedure:${name}`) ?? byObject.get(`function:${name}`);
      if (s !== undefined) parts.push(s.text);
    }
    // catalog.add_data_tap delegates to catalog.add_data_tap_by_guid, catalog.deploy_project to internal.deploy_project_parsed.
    for (const m of stripComments(parts[i]!).matchAll(/EXEC \[catalog\]\.(\w+)/g)) {
      const name = `catalog.${m[1]!.toLowerCase()}`;
      if (seen.has(name)) continue;
      seen.add(name);
      const s = byObject.get(`procedure:${name}`);
      if (s !== undefined) parts.push(s.text);
    }
  }
  return parts.join('\n');
}

const raisedSql = (text: string): Set<number> => new Set([...stripComments(text).matchAll(/raise_catalog_error (\d{5})\b/g)].map((m) => Number(m[1])));

/** camelCase input field or @snake_parameter → one comparable key. */
const key = (name: string): string => name.replace(/^@/, '').replace(/_/g, '').toLowerCase();
/** Input fields the embedded procedures name differently from SSISDB's parameter (field → parameter key). */
const FIELD_ALIASES: Readonly<Record<string, string>> = {
  sourcefoldername: 'sourcefolder', destinationfoldername: 'destinationfolder', project: 'projectstream',
  'catalog.create_folder:description': 'folderdescription',
};

/**
 * Error numbers one adapter raises and the other cannot, with the reason. Each entry is a known,
 * documented difference (README-sqlserver.md); anything else fails.
 */
const TYPED_ID = 'an id that is not an integer cannot reach a bigint parameter: the adapter applies the same rule (rules/names.ts idArg) before the call';
const ONLY_EMBEDDED: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  'catalog.update_master_address': { 27101: 'an address over 256 characters cannot reach the nvarchar(256) parameter: the adapter applies the same rule (rules/names.ts textArg) before the call' },
  'catalog.stop_operation': { 27101: TYPED_ID },
  'catalog.create_folder': { 27101: 'a description over 1024 characters cannot reach the nvarchar(1024) parameter: the adapter applies the same rule (rules/names.ts descriptionArg) before the call' },
};

// ---------------------------------------------------------------------------------------------
const files = suite('parity: one home per procedure');

files('every embedded procedure file has its SQL Server script, and every public script its embedded file (except the two SQL Server-only data-tap entry points)', () => {
  assert.ok(embedded.length >= 30, `only ${embedded.length} embedded procedures`);
  for (const p of embedded) assert.ok(procedureScript(p) !== undefined, `runtime/catalog/sqlite/procedures/${p}.ts has no catalog-sql/sqlserver/NNNN_procedure.${p}.sql`);
  // Data taps live in runtime/catalog/data-taps.ts + the store on the embedded side (issue 12), not yet split per file.
  const SCRIPT_ONLY = new Set(['catalog.add_data_tap', 'catalog.add_data_tap_by_guid', 'catalog.remove_data_tap']);
  for (const s of scripts.filter((x) => x.kind === 'procedure' && x.object.startsWith('catalog.'))) {
    if (SCRIPT_ONLY.has(s.object)) continue;
    assert.ok(embedded.includes(s.object), `${s.name} has no runtime/catalog/sqlite/procedures/${s.object}.ts`);
  }
});

files('every argument an embedded procedure reads is a parameter of its SQL Server script', () => {
  let checked = 0;
  for (const p of embedded) {
    const params = new Set(scriptParams(procedureScript(p)!.text).map(key));
    for (const m of embeddedText(p).matchAll(/\binput\??\.(\w+)/g)) {
      const field = m[1]!;
      const want = FIELD_ALIASES[`${p}:${field}`] ?? FIELD_ALIASES[key(field)] ?? key(field);
      // deploy_project's metadata (packages, parameters…) reaches SQL Server as @project_metadata JSON.
      if (p === 'catalog.deploy_project' && field === 'project') continue;
      assert.ok(params.has(want), `${p}: the embedded procedure reads input.${field}; the SQL Server script has no parameter for it (${[...params].join(', ')})`);
      checked++;
    }
  }
  assert.ok(checked > 80, `only ${checked} arguments checked`);
});

files('the T-SQL front door binds exactly the procedures that have scripts and embedded files', () => {
  const front = ALL_PROCEDURES.map((p) => p.name).sort();
  for (const name of front) assert.ok(procedureScript(name) !== undefined, `front door ${name} has no script`);
  for (const p of embedded) assert.ok(front.includes(p), `${p} is not bound by runtime/tsql/procedures.ts`);
});

files('every error number an embedded procedure raises is raised by its SQL Server script (or what it calls), except the documented ones', () => {
  let compared = 0;
  const missing: string[] = [];
  for (const p of embedded) {
    const script = procedureScript(p)!;
    const sqlNumbers = raisedSql(scriptClosure(script.text));
    for (const n of raisedTs(embeddedText(p))) {
      const why = ONLY_EMBEDDED[p]?.[n];
      if (why !== undefined) continue;
      if (!sqlNumbers.has(n)) missing.push(`${p} raises ${n} on the embedded catalog; ${script.name} (and the internal objects it calls) never raises it`);
      compared++;
    }
  }
  assert.equal(missing, []);
  assert.ok(compared > 60, `only ${compared} error numbers compared`);
});

files('every view of the one view list (rules/views.ts) has a view script', () => {
  for (const name of Object.keys(VIEWS)) assert.ok(byObject.get(`view:${name}`) !== undefined, `no view script for ${name}`);
  for (const s of scripts.filter((x) => x.kind === 'view')) assert.ok(s.object in VIEWS, `${s.name} is not in rules/views.ts VIEWS`);
});

files('every .sql file in catalog-sql/sqlserver/ is in the install manifest, and the manifest is what install applies', () => {
  const onDisk = readdirSync(join(root, 'catalog-sql', 'sqlserver')).filter((f) => f.endsWith('.sql')).sort();
  assert.equal(scripts.map((s) => s.name), onDisk);
  const install = readFileSync(join(root, 'runtime', 'catalog', 'mssql-install.ts'), 'utf8');
  assert.match(install, /options\.scripts \?\? loadSqlServerScripts\(\)/, 'mssql-install.ts installs the manifest');
  for (const s of scripts) assert.ok((SCRIPT_KINDS as readonly string[]).includes(s.kind), s.name);
});

// ---------------------------------------------------------------------------------------------
const lexical = suite('sqlserver scripts: lexical sanity (not a SQL Server parse)');

/** The batch without comments and with string literals emptied (so their words are not counted). */
function code(batch: string): string {
  return stripComments(batch).replace(/N?'(?:[^']|'')*'/g, "''");
}

lexical('BEGIN…END (with CASE…END) and parentheses balance in every batch', () => {
  for (const s of scripts) {
    for (const b of splitGoBatches(s.text, s.name)) {
      const c = code(b.text).toUpperCase();
      const opens = (c.match(/\bBEGIN\b(?!\s+(TRAN|TRANSACTION|DISTRIBUTED)\b)/g) ?? []).length + (c.match(/\bCASE\b/g) ?? []).length;
      const ends = (c.match(/\bEND\b/g) ?? []).length;
      assert.is(ends, opens, `${s.name}:${b.line}: ${opens} BEGIN/CASE but ${ends} END`);
      let depth = 0;
      for (const ch of c) {
        if (ch === '(') depth++;
        else if (ch === ')') depth--;
        assert.ok(depth >= 0, `${s.name}:${b.line}: ')' without '('`);
      }
      assert.is(depth, 0, `${s.name}:${b.line}: unbalanced parentheses`);
    }
  }
});

const TYPE = String.raw`(?:bigint|int|smallint|tinyint|bit|nvarchar|varchar|nchar|char|sql_variant|uniqueidentifier|datetimeoffset|datetime2|datetime|date|time|float|real|decimal|numeric|varbinary|binary|sysname|money|xml|hierarchyid|table|internal\.\w+)\b`;

lexical('every @variable a batch uses is declared in it (a parameter, DECLARE or table variable)', () => {
  for (const s of scripts) {
    for (const b of splitGoBatches(s.text, s.name)) {
      const c = code(b.text);
      const declared = new Set([...c.matchAll(new RegExp(String.raw`(?<!@)@(\w+)\s+(?:AS\s+)?${TYPE}`, 'gi'))].map((m) => m[1]!.toLowerCase()));
      for (const m of c.matchAll(/(?<![@\w])@(\w+)/g)) {
        const name = m[1]!.toLowerCase();
        // EXEC … @param = value names the callee's parameter, not a variable of this batch.
        const after = c.slice(m.index! + m[0].length);
        if (/^\s*=(?!=)/.test(after) && /\bEXEC\b[^;]*$/i.test(c.slice(0, m.index!))) continue;
        assert.ok(declared.has(name), `${s.name}:${b.line}: @${m[1]} is used but never declared`);
      }
    }
  }
});

lexical('no SQLite-only syntax or functions', () => {
  const sqliteOnly: [RegExp, string][] = [
    [/\bIFNULL\s*\(/i, 'IFNULL (use ISNULL/COALESCE)'], [/\bGROUP_CONCAT\b/i, 'GROUP_CONCAT (STRING_AGG)'], [/\bstrftime\s*\(/i, 'strftime'],
    [/\bdatetime\s*\(\s*''/i, "datetime('now')"], [/\bAUTOINCREMENT\b/i, 'AUTOINCREMENT (IDENTITY)'], [/\bINSERT\s+OR\s+(IGNORE|REPLACE)\b/i, 'INSERT OR IGNORE/REPLACE'],
    [/\bON\s+CONFLICT\b/i, 'ON CONFLICT'], [/\bRETURNING\b/i, 'RETURNING (OUTPUT)'], [/\bLIMIT\s+\d/i, 'LIMIT (TOP)'], [/\|\|/, '|| concatenation (+)'],
    [/\bCOLLATE\s+(NOCASE|BINARY|RTRIM)\b/i, 'SQLite collation'], [/\browid\b/i, 'rowid'], [/\blast_insert_rowid\b/i, 'last_insert_rowid (SCOPE_IDENTITY)'],
    [/\bjson_extract\b/i, 'json_extract (JSON_VALUE)'], [/\bPRAGMA\b/i, 'PRAGMA'], [/\bsubstr\s*\(/i, 'substr (SUBSTRING)'], [/\binstr\s*\(/i, 'instr (CHARINDEX)'],
    [/\blength\s*\(/i, 'length (LEN/DATALENGTH)'], [/"catalog\./, 'double-quoted SQLite view name'], [/\bTRUE\b|\bFALSE\b/, 'TRUE/FALSE literals (bit 1/0)'],
  ];
  for (const s of scripts) {
    const c = code(s.text);
    for (const [re, what] of sqliteOnly) assert.not.match(c, re, `${s.name}: ${what}`);
  }
});

lexical('sensitive values: no script writes a clear value into a sensitive column, and no view decrypts', () => {
  for (const s of scripts) {
    const c = code(s.text);
    if (s.kind === 'view') assert.not.match(c, /sensitive_(text|value)\(|DECRYPTBYKEY/i, `${s.name}: a view must never decrypt`);
    if (s.kind === 'procedure' || s.kind === 'function') {
      // The old clear columns are only ever emptied.
      for (const m of c.matchAll(/\b(sensitive_parameter_value|sensitive_property_value)\s*=\s*([^,\n]+)/gi)) {
        assert.match(m[2]!.trim(), /^NULL\b/i, `${s.name}: ${m[1]} may only be set to NULL (clear text of a sensitive value)`);
      }
    }
  }
  for (const name of ['internal.encrypt_sensitive_value', 'internal.sensitive_text']) {
    const s = byObject.get(`procedure:${name}`) ?? byObject.get(`function:${name}`);
    assert.ok(s !== undefined, name);
    assert.match(stripComments(s.text), /WITH EXECUTE AS OWNER/, `${name} runs as the owner (callers hold no key permissions)`);
  }
});

files.run();
lexical.run();
