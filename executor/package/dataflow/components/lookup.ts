/**
 * Lookup: joins each row to a reference query on the input columns that carry
 * JoinToReferenceColumn, copying CopyFromReferenceColumn values into output columns (or replacing
 * input columns). Full cache loads the reference once (SqlCommand) before rows flow; partial cache
 * queries SqlCommandParam once per distinct key and keeps the answers; no cache queries every row.
 * Matching is SSIS's: exact and case-sensitive on the input column's type, and a NULL key never
 * matches in full cache. Rows without a match go to the no-match output (NoMatchBehavior 1) or
 * follow the error disposition (fail, ignore = NULL lookups, redirect with ErrorCode -1071607778).
 * The first matching reference row wins; duplicate keys only warn.
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation, Row } from '../component.ts';
import { HRESULT, connectionRef, intProp, prop } from '../component.ts';
import { cacheConnection, readCache } from '../cache-store.ts';
import { bindMarkers, openSession, paramName, paramTypeOf } from '../database.ts';
import type { PipelineColumn, PipelineOutput } from '../pipeline.ts';
import type { Cell } from '../types.ts';
import { CellError, cellFromJs, cellToJs } from '../types.ts';
import type { SsisDateTime, SsisDecimal, SsisType } from '../../expressions/types.ts';
import { T } from '../../expressions/types.ts';
import { rescale } from '../../expressions/decimal.ts';
import type { DbSession } from '../../connections/provider.ts';
import { lineageRef } from './data-conversion.ts';
import { LookupPartialCache } from '../lookup-partial-cache.ts';

/** A key part as a string that is equal exactly when SSIS's comparison is. */
export function keyPart(v: Cell): string | undefined {
  if (v === null) return undefined;
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'number' || typeof v === 'bigint') return `n${String(v)}`;
  if (typeof v === 'boolean') return v ? 'b1' : 'b0';
  if (v instanceof Uint8Array) return `x${Buffer.from(v).toString('hex')}`;
  if ('unscaled' in v) { const d = v as SsisDecimal; let r = rescale(d, 0); if (d.scale > 0 && r.unscaled * 10n ** BigInt(d.scale) !== d.unscaled) r = d; return `d${r.unscaled}/${r.scale}`; }
  const t = v as SsisDateTime;
  return `t${t.ticks}/${t.offsetMinutes}`;
}

interface Join { col: PipelineColumn; slot: number; type: SsisType; refName: string }
interface Copy { slot: number; type: SsisType; refName: string; col: PipelineColumn }

export const lookup: ComponentImplementation = {
  kind: 'lookup',
  validate(v) {
    const c = v.component;
    if (intProp(c, 'ConnectionType', 0) === 1 && !connectionRef(c)) return [{ path: c.path, severity: 'error', message: 'the Lookup reads a Cache connection manager but has no connection' }];
    return [];
  },
  create(host) {
    const c = host.component;
    const input = c.inputs[0]!;
    const normal = c.outputs.filter((o) => !o.isErrorOut);
    const error = c.outputs.find((o) => o.isErrorOut);
    const match: PipelineOutput | undefined = normal.find((o) => !/no\s*match/i.test(o.name)) ?? normal[0];
    const noMatch: PipelineOutput | undefined = normal.find((o) => o !== match && /no\s*match/i.test(o.name)) ?? normal.find((o) => o !== match);
    // ConnectionType 1: the reference data is a Cache connection manager (filled by a Cache Transform), always a full cache.
    const fromCacheConnection = intProp(c, 'ConnectionType', 0) === 1;
    const cacheType = fromCacheConnection ? 0 : intProp(c, 'CacheType', 0);
    const noMatchToOutput = intProp(c, 'NoMatchBehavior', 0) === 1;
    const joins: Join[] = [];
    const copies: Copy[] = [];
    for (const col of input.columns) {
      const type = col.type ?? host.lineageType(col.lineageId) ?? T.wstr(4000);
      const j = (col.properties.JoinToReferenceColumn ?? '').trim();
      if (j !== '') joins.push({ col, slot: host.slot(col.lineageId), type, refName: j });
      const cp = (col.properties.CopyFromReferenceColumn ?? '').trim();
      if (cp !== '') copies.push({ col, slot: host.slot(col.lineageId), type, refName: cp });
    }
    for (const o of match ? [match] : []) for (const col of o.columns) {
      const cp = (col.properties.CopyFromReferenceColumn ?? '').trim();
      if (cp !== '') copies.push({ col, slot: host.slot(col.lineageId), type: col.type ?? T.wstr(4000), refName: cp });
    }
    if (joins.length === 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the Lookup joins no input column (no JoinToReferenceColumn)`);
    // Partial/no cache parameters: ParameterMap lists input lineages in marker order, else the join columns.
    const paramLineages = prop(c, 'ParameterMap').split(';').map((s) => lineageRef(s)).filter((s) => s !== '');
    const paramJoins = paramLineages.length > 0 ? paramLineages.map((l) => joins.find((j) => j.col.lineageId.toLowerCase() === l.toLowerCase()) ?? joins[0]!) : joins;
    let session: DbSession | undefined;
    const cache = new Map<string, Cell[] | null>();
    // Partial cache: bounded by MaxMemoryUsage64 MB, misses kept only in their NoMatchCachePercentage share.
    const partial = cacheType === 1 ? new LookupPartialCache({ maxMemoryMb: intProp(c, 'MaxMemoryUsage64', 5), noMatchPercent: intProp(c, 'NoMatchCachePercentage', 0) }) : undefined;
    let refColumns: readonly string[] = [];
    let rowNumber = 0;

    const keyOfRow = (row: Row): string | undefined => {
      let k = '';
      for (const j of joins) { const p = keyPart(row[j.slot] ?? null); if (p === undefined) return undefined; k += p + '\u0000'; }
      return k;
    };
    const refIndex = (name: string, cols: readonly string[]) => {
      const i = cols.findIndex((x) => x.toLowerCase() === name.toLowerCase());
      if (i < 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the reference query does not return the column '${name}' (it returns ${cols.join(', ') || 'no columns'})`);
      return i;
    };
    /** Reference rows → cache entries keyed like input rows (reference values converted to the input column types). */
    const load = (cols: readonly string[], rows: readonly (readonly unknown[])[], into: Map<string, Cell[] | null>) => {
      const ji = joins.map((j) => refIndex(j.refName, cols));
      const ci = copies.map((k) => refIndex(k.refName, cols));
      let duplicates = 0;
      for (const r of rows) {
        let key = '';
        let ok = true;
        for (let i = 0; i < joins.length; i++) {
          let cell: Cell;
          try { cell = cellFromJs(r[ji[i]!], joins[i]!.type); } catch (err) { if (err instanceof CellError) { ok = false; break; } throw err; }
          const p = keyPart(cell);
          if (p === undefined) { ok = false; break; }
          key += p + '\u0000';
        }
        if (!ok) continue;
        if (into.has(key)) { duplicates++; continue; }
        into.set(key, copies.map((k, i) => { try { return cellFromJs(r[ci[i]!], k.type); } catch (err) { if (err instanceof CellError) return null; throw err; } }));
      }
      return duplicates;
    };
    const sqlFor = () => {
      const text = prop(c, 'SqlCommand').trim();
      if (text === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the Lookup has no SqlCommand (reference query)`);
      return text;
    };
    const queryKey = async (row: Row): Promise<Cell[] | null> => {
      const text = prop(c, 'SqlCommandParam').trim() || `SELECT * FROM (${sqlFor()}) refTable WHERE ${joins.map((j) => `refTable.${j.refName} = ?`).join(' AND ')}`;
      const bound = bindMarkers(text, session!);
      const params = paramJoins.slice(0, bound.count).map((j, i) => ({ name: paramName(session!, i), direction: 'input' as const, value: cellToJs(row[j.slot] ?? null, j.type), type: paramTypeOf(j.type) }));
      const res = await session!.query(bound.sql, params, { signal: host.signal });
      const m = new Map<string, Cell[] | null>();
      load(res.columns, res.rows, m);
      return m.get(keyOfRow(row)!) ?? null;
    };
    return {
      async prepare() {
        if (fromCacheConnection) {
          const data = readCache(host, cacheConnection(host, connectionRef(c)));
          refColumns = data.columns;
          const dups = load(refColumns, data.rows, cache);
          if (dups > 0) host.warning(`${c.path}: the cache holds ${dups} rows whose key duplicates an earlier row; the first one is used`);
          return;
        }
        session = await openSession(host);
        if (cacheType === 0) {
          const res = await session.query(sqlFor(), [], { signal: host.signal });
          refColumns = res.columns;
          const dups = load(refColumns, res.rows, cache);
          if (dups > 0) host.warning(`${c.path}: the reference data holds ${dups} rows whose key duplicates an earlier row; the first one is used`);
          host.information(`${c.path}: the Lookup cached ${cache.size} rows.`);
        }
      },
      async receive(_input, rows) {
        const matched: Row[] = [];
        const unmatched: Row[] = [];
        for (const row of rows) {
          rowNumber++;
          const key = keyOfRow(row);
          let hit: Cell[] | null = null;
          if (key !== undefined) {
            if (cacheType === 0) hit = cache.get(key) ?? null;
            else {
              const cached = partial?.lookup(key);
              if (cached !== undefined) hit = cached;
              else {
                hit = await queryKey(row);
                partial?.remember(key, hit);
              }
            }
          }
          if (hit) {
            for (let i = 0; i < copies.length; i++) row[copies[i]!.slot] = hit[i]!;
            matched.push(row);
            continue;
          }
          if (noMatchToOutput) { unmatched.push(row); continue; }
          const r = host.handle(row, rowNumber, { problem: 'error', column: undefined, code: HRESULT.lookupNoMatch, message: `Row yielded no match during lookup (key ${joins.map((j) => `${j.col.name}=${row[j.slot] === null ? 'NULL' : String(cellToJs(row[j.slot] ?? null, j.type))}`).join(', ')})` }, input.errorDisposition === 'notUsed' ? 'fail' : input.errorDisposition, error);
          if (r === 'keep') { for (const k of copies) if (k.col.usageType.toLowerCase() !== 'readwrite') row[k.slot] = null; matched.push(row); }
        }
        if (match) await host.send(match, matched);
        if (noMatch) await host.send(noMatch, unmatched);
        await host.flushErrors();
      },
      async cleanup() { await session?.close().catch(() => undefined); session = undefined; },
    };
  },
};
