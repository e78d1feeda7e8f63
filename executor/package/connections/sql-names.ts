/**
 * Object names as packages write them (`[dbo].[DimCustomer]`, `"dbo"."x"`, `` `x` ``, `dbo.x`,
 * `[Sales].[dbo].[Orders]`) parsed into parts, and quoted again for the engine that will run the
 * SQL the data flow generates (inserts, lookups on a table, column metadata). Quoting belongs to
 * the target: SQL Server `[a]]b]`, PostgreSQL and SQLite `"a""b"`.
 *
 * Schema mapping, so a package written for SQL Server runs unchanged against the test engines:
 * - SQLite: a `dbo` schema (any case) is the main database, and a database (catalog) part is dropped;
 *   another schema part names an attached database and is kept.
 * - PostgreSQL: a database part is dropped (a session sees one database); `dbo` is used when a schema
 *   of that name exists, otherwise the table is looked up on the search path (see postgres.ts).
 */
import { SsoError } from '../../../actors/errors.ts';
import type { Dialect } from './provider.ts';

/** A parsed name: `parts` from outermost (database) to innermost (object); 1 to 4 parts. */
export interface ObjectName {
  readonly parts: readonly string[];
  /** The object (last part). */
  readonly object: string;
  /** The schema part when given (second to last). */
  readonly schema?: string;
  /** The database part when given (third to last). */
  readonly database?: string;
}

/**
 * Parses a possibly qualified, possibly quoted name. Brackets, double quotes and backticks quote a
 * part (a doubled closing delimiter stands for itself); unquoted parts are trimmed. Throws
 * `SSO_ERR_PACKAGE_VALIDATION` naming `what` and the position for an unclosed quote, an empty part
 * or more than four parts.
 */
export function parseObjectName(text: string, what = 'the table name'): ObjectName {
  const parts: string[] = [];
  const fail = (pos: number, msg: string) =>
    new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${what} '${text}' is not a valid object name at position ${pos + 1}: ${msg}`, { where: what });
  let i = 0;
  const n = text.length;
  for (;;) {
    while (i < n && /\s/.test(text[i]!)) i++;
    const start = i;
    const open = text[i];
    let part = '';
    if (open === '[' || open === '"' || open === '`') {
      const close = open === '[' ? ']' : open;
      i++;
      for (;;) {
        if (i >= n) throw fail(start, `the ${open}…${close} quote is not closed`);
        if (text[i] === close) {
          if (text[i + 1] === close) { part += close; i += 2; continue; }
          i++;
          break;
        }
        part += text[i]; i++;
      }
      while (i < n && /\s/.test(text[i]!)) i++;
    } else {
      while (i < n && text[i] !== '.') i++;
      part = text.slice(start, i).trim();
      if (/[[\]"`]/.test(part)) throw fail(start, `a quote character inside the unquoted part '${part}'`);
    }
    if (part === '') throw fail(start, 'an empty name part');
    parts.push(part);
    if (i >= n) break;
    if (text[i] !== '.') throw fail(i, `expected '.' or the end after '${part}'`);
    i++;
  }
  if (parts.length > 4) throw fail(0, 'more than four parts (server.database.schema.object)');
  const object = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  const database = parts.length >= 3 ? parts[parts.length - 3] : undefined;
  return { parts, object, ...(schema === undefined ? {} : { schema }), ...(database === undefined ? {} : { database }) };
}

/** One identifier quoted for `dialect`. */
export function quoteIdentifier(dialect: Dialect, name: string): string {
  if (dialect === 'mssql') return `[${name.replace(/]/g, ']]')}]`;
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The name as `dialect` should see it, quoted part by part, after the schema mapping described at
 * the top (SQLite `dbo` → main, database parts dropped on SQLite and PostgreSQL). PostgreSQL's
 * `dbo` → search path decision needs the database and is made by the session (see postgres.ts).
 */
export function quoteObjectName(dialect: Dialect, name: ObjectName | string): string {
  const n = typeof name === 'string' ? parseObjectName(name) : name;
  if (dialect === 'mssql') return n.parts.map((p) => quoteIdentifier(dialect, p)).join('.');
  const schema = n.schema === undefined || (dialect === 'sqlite' && n.schema.toLowerCase() === 'dbo') ? undefined : n.schema;
  return [...(schema === undefined ? [] : [schema]), n.object].map((p) => quoteIdentifier(dialect, p)).join('.');
}
