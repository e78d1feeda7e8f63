/**
 * Connection strings as OLE DB, ADO.NET and SSIS write them: `Key=Value;` pairs, keys
 * case-insensitive, values optionally in double or single quotes (doubled quotes escape) or braces.
 * Every provider reads its settings through `parseConnectionString`, so quoting rules live here only.
 */
import { SsoError } from '../../../actors/errors.ts';

/** Parsed pairs; `get` is case-insensitive and ignores spaces in key names (`Initial Catalog` = `InitialCatalog`). */
export class ConnectionStringKeys {
  private readonly map = new Map<string, string>();
  constructor(readonly entries: readonly (readonly [string, string])[]) {
    for (const [k, v] of entries) this.map.set(normKey(k), v);
  }

  /** The first of `names` that is present. */
  get(...names: string[]): string | undefined {
    for (const n of names) {
      const v = this.map.get(normKey(n));
      if (v !== undefined) return v;
    }
    return undefined;
  }

  has(...names: string[]): boolean {
    return this.get(...names) !== undefined;
  }
}

function normKey(k: string): string {
  return k.replace(/\s+/g, '').toLowerCase();
}

/**
 * Parses `a=1; B = "x;y" ;c={z}`. Throws `SSO_ERR_CONNECTION` naming the position of an unclosed
 * quote or a pair without `=`; `what` names the connection manager in the message.
 */
export function parseConnectionString(text: string, what: string): ConnectionStringKeys {
  const entries: [string, string][] = [];
  let i = 0;
  const n = text.length;
  const fail = (pos: number, msg: string) => new SsoError('SSO_ERR_CONNECTION',
    `The connection string of ${what} is malformed at position ${pos + 1}: ${msg}`, { where: what });
  while (i < n) {
    while (i < n && (text[i] === ';' || /\s/.test(text[i]!))) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && text[i] !== '=' && text[i] !== ';') i++;
    if (i >= n || text[i] === ';') throw fail(keyStart, `expected 'Key=Value' but found '${text.slice(keyStart, i).trim()}' without '='`);
    const key = text.slice(keyStart, i).trim();
    if (key === '') throw fail(keyStart, 'a value has no key');
    i++; // '='
    while (i < n && text[i] === ' ') i++;
    let value = '';
    const q = text[i];
    if (q === '"' || q === "'") {
      const open = i;
      i++;
      for (;;) {
        if (i >= n) throw fail(open, `the quoted value of '${key}' is not closed`);
        if (text[i] === q) {
          if (text[i + 1] === q) { value += q; i += 2; continue; }
          i++;
          break;
        }
        value += text[i]; i++;
      }
      while (i < n && text[i] !== ';') {
        if (!/\s/.test(text[i]!)) throw fail(i, `unexpected text after the quoted value of '${key}'`);
        i++;
      }
    } else if (q === '{') {
      const open = i;
      const close = text.indexOf('}', i);
      if (close < 0) throw fail(open, `the braced value of '${key}' is not closed`);
      value = text.slice(i + 1, close);
      i = close + 1;
      while (i < n && text[i] !== ';') i++;
    } else {
      const start = i;
      while (i < n && text[i] !== ';') i++;
      value = text.slice(start, i).trim();
    }
    entries.push([key, value]);
  }
  return new ConnectionStringKeys(entries);
}

/** `True`/`Yes`/`SSPI`/`1` → true; `False`/`No`/`0` → false; anything else → `dflt`. */
export function boolKey(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  const t = v.trim().toLowerCase();
  if (['true', 'yes', 'sspi', '1', 'mandatory', 'strict'].includes(t)) return true;
  if (['false', 'no', '0', 'optional'].includes(t)) return false;
  return dflt;
}
