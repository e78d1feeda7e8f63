/**
 * The SQL Server catalog's scripts (`catalog-sql/sqlserver/`): their manifest (order, kind, hash) and
 * the `GO` batch splitter. `scaleout catalog install/upgrade` applies them through `mssql-install.ts`;
 * the offline tests read the same manifest, so what is checked here is what gets installed.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { SsoError } from '../../actors/errors.ts';

/**
 * Version of the schema these scripts build, recorded in `internal.schema_version`. Bump it when a
 * script is added or changed; an older build refuses to touch a catalog whose version is newer.
 */
export const SQLSERVER_SCHEMA_VERSION = 3;

/**
 * What a script creates, from its file name `NNNN_<kind>.<object>.sql`. Scripts run in NNNN order.
 * `key`: the encryption hierarchy of sensitive values (database master key, certificate, symmetric
 * key; issue 14); `migrate`: an idempotent data step of an upgrade (runs after the keys).
 */
export const SCRIPT_KINDS = ['schema', 'table', 'type', 'seed', 'key', 'migrate', 'function', 'procedure', 'view', 'role', 'grants'] as const;
export type ScriptKind = (typeof SCRIPT_KINDS)[number];

export interface SqlServerScript {
  /** File name, e.g. `0600_procedure.internal.pull_task.sql`. */
  readonly name: string;
  /** The numeric prefix: the order scripts run in. */
  readonly order: number;
  readonly kind: ScriptKind;
  /** Schema-qualified object the script creates (`internal.pull_task`), or what it seeds/grants. */
  readonly object: string;
  readonly text: string;
  /** Hex SHA-256 of the text: `upgrade` re-applies a script whose hash differs from the one recorded. */
  readonly sha256: string;
}

const NAME_RE = /^(\d{4})_([a-z]+)\.(.+)\.sql$/;
const scriptsDir = new URL('../../catalog-sql/sqlserver/', import.meta.url);

/** Every script, in install order. Rejects a folder whose names break the convention (named in the error). */
export function loadSqlServerScripts(dir: URL = scriptsDir): readonly SqlServerScript[] {
  const folder = dir.href.endsWith('/') ? dir : new URL(`${dir.href}/`);
  let names: string[];
  try {
    names = readdirSync(folder).filter((n) => n.endsWith('.sql')).sort();
  } catch (error) {
    throw new SsoError('SSO_ERR_CATALOG_IO', `Cannot list the SQL Server catalog scripts: ${(error as Error).message}`, { where: folder.pathname, cause: error });
  }
  const seen = new Map<number, string>();
  return names.map((name) => {
    const m = NAME_RE.exec(name);
    if (!m) throw new SsoError('SSO_ERR_CATALOG_IO', `Script '${name}' is not named NNNN_<kind>.<object>.sql`, { where: name });
    const order = Number(m[1]);
    const kind = m[2] as ScriptKind;
    if (!(SCRIPT_KINDS as readonly string[]).includes(kind)) {
      throw new SsoError('SSO_ERR_CATALOG_IO', `Script '${name}' has an unknown kind '${kind}' (expected one of ${SCRIPT_KINDS.join(', ')})`, { where: name });
    }
    const clash = seen.get(order);
    if (clash !== undefined) throw new SsoError('SSO_ERR_CATALOG_IO', `Scripts '${clash}' and '${name}' share the number ${m[1]}`, { where: name });
    seen.set(order, name);
    const text = readFileSync(new URL(name, folder), 'utf8');
    return { name, order, kind, object: m[3]!, text, sha256: createHash('sha256').update(text).digest('hex') };
  });
}

/** One batch of a script and the 1-based line it starts on (for error messages). */
export interface SqlBatch {
  readonly text: string;
  readonly line: number;
}

/**
 * Splits T-SQL on `GO` lines as sqlcmd does: `GO` alone on a line (any case, optional repeat count
 * `GO 3` and trailing `-- comment`), never inside a string literal, a quoted identifier or a block
 * comment. Blank batches are dropped; `GO n` repeats the batch n times.
 */
export function splitGoBatches(sql: string, where = 'script'): SqlBatch[] {
  const batches: SqlBatch[] = [];
  const lines = sql.split(/\r?\n/);
  let current: string[] = [];
  let startLine = 1;
  // Lexical state carried across lines.
  let inString: "'" | ']' | '"' | null = null;
  let commentDepth = 0;
  const push = (repeat: number) => {
    const text = current.join('\n');
    if (text.trim() !== '' && !/^\s*$/.test(stripComments(text))) for (let i = 0; i < repeat; i++) batches.push({ text, line: startLine });
  };
  lines.forEach((line, index) => {
    const go = inString === null && commentDepth === 0 ? /^\s*go(?:\s+(\d+))?\s*(?:--.*)?$/i.exec(line) : null;
    if (go) {
      const repeat = go[1] === undefined ? 1 : Number(go[1]);
      if (repeat < 1) throw new SsoError('SSO_ERR_CATALOG_IO', `GO count must be at least 1 at ${where}:${index + 1}`, { where: `${where}:${index + 1}` });
      push(repeat);
      current = [];
      startLine = index + 2;
      return;
    }
    current.push(line);
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      const next = line[i + 1];
      if (commentDepth > 0) {
        if (c === '*' && next === '/') { commentDepth--; i++; } else if (c === '/' && next === '*') { commentDepth++; i++; }
      } else if (inString !== null) {
        if (c === inString) {
          if (next === inString) i++; // doubled quote: an escaped one
          else inString = null;
        }
      } else if (c === '-' && next === '-') {
        break; // line comment: the rest of the line
      } else if (c === '/' && next === '*') {
        commentDepth++; i++;
      } else if (c === "'") {
        inString = "'";
      } else if (c === '[') {
        inString = ']';
      } else if (c === '"') {
        inString = '"';
      }
    }
  });
  if (inString !== null) throw new SsoError('SSO_ERR_CATALOG_IO', `Unterminated ${inString === ']' ? 'bracketed identifier' : 'string or quoted identifier'} in ${where}`, { where });
  if (commentDepth > 0) throw new SsoError('SSO_ERR_CATALOG_IO', `Unterminated /* comment */ in ${where}`, { where });
  push(1);
  return batches;
}

/** The text without comments (strings kept), for checks such as "the batch is only comments". */
export function stripComments(sql: string): string {
  let out = '';
  let inString: "'" | ']' | '"' | null = null;
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (depth > 0) {
      if (c === '*' && next === '/') { depth--; i++; } else if (c === '/' && next === '*') { depth++; i++; }
      continue;
    }
    if (inString !== null) {
      out += c;
      if (c === inString) {
        if (next === inString) { out += next; i++; } else inString = null;
      }
      continue;
    }
    if (c === '-' && next === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      out += '\n';
      continue;
    }
    if (c === '/' && next === '*') { depth++; i++; continue; }
    if (c === "'") inString = "'";
    else if (c === '[') inString = ']';
    else if (c === '"') inString = '"';
    out += c;
  }
  return out;
}
