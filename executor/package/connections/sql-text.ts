/**
 * What Execute SQL needs to know about SQL text without parsing SQL: where string literals,
 * quoted identifiers and comments are (so nothing inside them is touched), `GO` batch separators,
 * statement boundaries (SQLite prepares one statement at a time) and parameter markers (`?` of
 * OLE DB, `@name` of ADO.NET) with their positions, for translation to a provider's placeholders.
 */

export interface Marker {
  readonly start: number;
  readonly end: number;
  /** `?` marker or `@name`. */
  readonly kind: 'positional' | 'named';
  /** For named markers: the name without `@`. */
  readonly name: string;
}

interface Token {
  readonly kind: 'code' | 'literal' | 'comment';
  readonly start: number;
  readonly end: number;
}

/** Splits text into code, literal (strings, quoted identifiers) and comment runs. */
function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0, codeStart = 0;
  const n = sql.length;
  const push = (kind: Token['kind'], start: number, end: number) => {
    if (codeStart < start) out.push({ kind: 'code', start: codeStart, end: start });
    out.push({ kind, start, end });
    codeStart = end;
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const e = sql.indexOf('\n', i);
      const end = e < 0 ? n : e;
      push('comment', i, end); i = end; continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1, j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') { depth++; j += 2; } else if (sql[j] === '*' && sql[j + 1] === '/') { depth--; j += 2; } else j++;
      }
      push('comment', i, j); i = j; continue;
    }
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      while (j < n) {
        if (sql[j] === close) { if (sql[j + 1] === close) { j += 2; continue; } j++; break; }
        j++;
      }
      push('literal', i, Math.min(j, n)); i = j; continue;
    }
    if (c === '$') {
      // PostgreSQL dollar quoting: $$...$$ or $tag$...$tag$.
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (m && (i === 0 || !/[A-Za-z0-9_]/.test(sql[i - 1]!))) {
        const tag = m[0];
        const e = sql.indexOf(tag, i + tag.length);
        const end = e < 0 ? n : e + tag.length;
        push('literal', i, end); i = end; continue;
      }
    }
    i++;
  }
  if (codeStart < n) out.push({ kind: 'code', start: codeStart, end: n });
  return out;
}

/**
 * Splits a batch on `GO` lines (a line holding only `GO`, optionally with a repeat count, outside
 * comments and literals), as sqlcmd and SSMS do. `GO 3` repeats the batch three times. Empty
 * batches are dropped.
 */
export function splitGoBatches(sql: string): string[] {
  const tokens = tokenize(sql);
  const inCode = (pos: number) => tokens.some((t) => t.kind === 'code' && pos >= t.start && pos < t.end);
  const out: string[] = [];
  const re = /^[ \t]*GO(?:[ \t]+(\d+))?[ \t]*(?:--[^\n]*)?$/gim;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(sql)) !== null) {
    const goAt = m.index + m[0].indexOf(m[0].trimStart());
    if (!inCode(goAt)) continue;
    const batch = sql.slice(last, m.index);
    const times = m[1] === undefined ? 1 : Math.max(1, Number(m[1]));
    if (batch.trim() !== '') for (let k = 0; k < times; k++) out.push(batch);
    last = m.index + m[0].length;
  }
  const tail = sql.slice(last);
  if (tail.trim() !== '') out.push(tail);
  return out;
}

/**
 * Splits a batch into statements on `;` in code (not in literals or comments). A `CREATE TRIGGER`
 * body runs to its `END;`. Statements that are only whitespace or comments are dropped.
 */
export function splitStatements(sql: string): string[] {
  const tokens = tokenize(sql);
  const out: string[] = [];
  let start = 0;
  const flush = (end: number) => {
    const s = sql.slice(start, end);
    if (stripComments(s).trim() !== '') out.push(s.trim());
    start = end + 1;
  };
  for (const t of tokens) {
    if (t.kind !== 'code') continue;
    for (let i = t.start; i < t.end; i++) {
      if (sql[i] !== ';') continue;
      const stmt = stripComments(sql.slice(start, i));
      if (/^\s*CREATE\s+(TEMP(ORARY)?\s+)?TRIGGER\b/i.test(stmt) && !/\bEND\s*$/i.test(stmt)) continue;
      flush(i);
    }
  }
  flush(sql.length);
  return out;
}

/** The text with comments replaced by spaces (positions kept). */
export function stripComments(sql: string): string {
  let s = '';
  for (const t of tokenize(sql)) s += t.kind === 'comment' ? ' '.repeat(t.end - t.start) : sql.slice(t.start, t.end);
  return s;
}

/**
 * Parameter markers in code: `?` (not `??`, `?|`, `?&` — PostgreSQL JSON operators) and `@name`
 * (not `@@name`), in text order.
 */
export function findMarkers(sql: string): Marker[] {
  const out: Marker[] = [];
  for (const t of tokenize(sql)) {
    if (t.kind !== 'code') continue;
    for (let i = t.start; i < t.end; i++) {
      const c = sql[i]!;
      if (c === '?') {
        const prev = sql[i - 1], next = sql[i + 1];
        if (prev === '?' || next === '?' || next === '|' || next === '&') { i++; continue; }
        out.push({ start: i, end: i + 1, kind: 'positional', name: '' });
      } else if (c === '@') {
        if (sql[i + 1] === '@') { i++; while (i + 1 < t.end && /[\w$#@]/.test(sql[i + 1]!)) i++; continue; }
        if (i > 0 && /[\w$#]/.test(sql[i - 1]!)) continue;
        const m = /^@([A-Za-z_#][\w$#]*)/.exec(sql.slice(i, t.end));
        if (!m) continue;
        out.push({ start: i, end: i + m[0].length, kind: 'named', name: m[1]! });
        i += m[0].length - 1;
      }
    }
  }
  return out;
}

/** Replaces markers (from `findMarkers`) by the strings `replace` returns, back to front. */
export function replaceMarkers(sql: string, markers: readonly Marker[], replace: (m: Marker, index: number) => string | undefined): string {
  let s = sql;
  for (let k = markers.length - 1; k >= 0; k--) {
    const m = markers[k]!;
    const r = replace(m, k);
    if (r !== undefined) s = s.slice(0, m.start) + r + s.slice(m.end);
  }
  return s;
}
