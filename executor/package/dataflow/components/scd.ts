/**
 * Slowly Changing Dimension: matches each input row to the current dimension row by its business
 * key and routes it to the outputs the wizard wires up. Input columns carry `ColumnType`
 * (1 business key, 2 changing attribute, 3 historical attribute, 4 fixed attribute, 0 other) and
 * name their dimension column through their external metadata column (else their own name).
 *
 * The dimension is read once before rows flow (SqlCommand, restricted by CurrentRowWhere when set:
 * `SELECT * FROM (SqlCommand) WHERE CurrentRowWhere`), as a full-cache lookup. Per row:
 * - no current row with the key → New Output;
 * - `EnableInferredMember` and the dimension row is an inferred member (its `InferredMemberIndicator`
 *   column is true, or, without an indicator, every changing and historical column is NULL) →
 *   Inferred Member Updates Output;
 * - a fixed attribute differs → the component fails (`FailOnFixedAttributeChange`, the default) or
 *   the row goes to Fixed Attribute Output;
 * - else a changing attribute differs → Changing Attribute Updates Output (exclusion group 1);
 * - a historical attribute differs → Historical Attribute Inserts Output (exclusion group 2, so a
 *   row changing both kinds goes to both, as in SSIS);
 * - nothing differs → Unchanged Output.
 * Values compare exactly (text case-sensitively, NULL equal to NULL). A missing key with
 * `FailOnLookupFailure` fails. The outputs are synchronous: the rows pass unchanged.
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation, Row } from '../component.ts';
import { boolProp, ComponentFailure, prop } from '../component.ts';
import { openSession } from '../database.ts';
import type { PipelineColumn, PipelineOutput } from '../pipeline.ts';
import type { Cell } from '../types.ts';
import { CellError, cellFromJs } from '../types.ts';
import type { SsisType } from '../../expressions/types.ts';
import { T } from '../../expressions/types.ts';
import type { DbSession } from '../../connections/provider.ts';
import { keyPart } from './lookup.ts';

const KEY = 1, CHANGING = 2, HISTORICAL = 3, FIXED = 4;
interface Col { col: PipelineColumn; slot: number; type: SsisType; dimName: string; kind: number }

function outputNamed(outputs: readonly PipelineOutput[], re: RegExp): PipelineOutput | undefined {
  return outputs.find((o) => re.test(o.name.replace(/\s+/g, '')));
}

const same = (a: Cell, b: Cell) => (a === null || b === null ? a === b : keyPart(a) === keyPart(b));

export const scd: ComponentImplementation = {
  kind: 'scd',
  validate(v) {
    const c = v.component;
    const input = c.inputs[0];
    const kinds = (input?.columns ?? []).map((x) => Number(x.properties.ColumnType ?? 0));
    const problems = [];
    if (!kinds.includes(KEY)) problems.push({ path: c.path, severity: 'error' as const, message: `the Slowly Changing Dimension '${c.name}' has no business key column (ColumnType 1)` });
    if (!kinds.some((k) => k === CHANGING || k === HISTORICAL || k === FIXED)) problems.push({ path: c.path, severity: 'error' as const, message: `the Slowly Changing Dimension '${c.name}' has no fixed, changing or historical attribute column (DTS_E_TXSCD_NOTYPEDCOLUMNSATINPUT)` });
    if (prop(c, 'SqlCommand').trim() === '') problems.push({ path: c.path, severity: 'error' as const, message: `the Slowly Changing Dimension '${c.name}' has no SqlCommand (dimension query)` });
    return problems;
  },
  create(host) {
    const c = host.component;
    const input = c.inputs[0]!;
    const outputs = c.outputs.filter((o) => !o.isErrorOut);
    const out = {
      unchanged: outputNamed(outputs, /^unchanged/i), created: outputNamed(outputs, /^new/i), fixed: outputNamed(outputs, /^fixed/i),
      changing: outputNamed(outputs, /^changing/i), historical: outputNamed(outputs, /^historical/i), inferred: outputNamed(outputs, /^inferred/i),
    };
    const cols: Col[] = input.columns.map((col) => {
      const ext = input.externalColumns.find((e) => e.id === col.externalMetadataColumnId);
      return { col, slot: host.slot(col.lineageId), type: col.type ?? host.lineageType(col.lineageId) ?? T.wstr(4000), dimName: ext?.name ?? col.name, kind: Number(col.properties.ColumnType ?? 0) };
    });
    const keys = cols.filter((x) => x.kind === KEY);
    const attrs = cols.filter((x) => x.kind === CHANGING || x.kind === HISTORICAL || x.kind === FIXED);
    const failOnFixed = boolProp(c, 'FailOnFixedAttributeChange', true);
    const failOnLookup = boolProp(c, 'FailOnLookupFailure', false);
    const inferredEnabled = boolProp(c, 'EnableInferredMember', false);
    const indicator = prop(c, 'InferredMemberIndicator').trim().replace(/^\[|\]$/g, '');
    let session: DbSession | undefined;
    /** Business key → the current dimension row's attribute values (in `attrs` order) and inferred flag. */
    const current = new Map<string, { values: Cell[]; inferred: boolean }>();
    let rowNumber = 0;
    const counts = { unchanged: 0, created: 0, fixed: 0, changing: 0, historical: 0, inferred: 0 };
    const keyOf = (values: readonly Cell[]) => values.map((v) => keyPart(v) ?? '\u0001').join('\u0000');

    return {
      async prepare() {
        session = await openSession(host);
        const where = prop(c, 'CurrentRowWhere').trim();
        const base = prop(c, 'SqlCommand').trim();
        const sql = where === '' ? base : `SELECT * FROM (${base}) scd_dimension WHERE ${where}`;
        const res = await session.query(sql, [], { signal: host.signal });
        const index = (name: string) => {
          const i = res.columns.findIndex((x) => x.toLowerCase() === name.toLowerCase());
          if (i < 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the dimension query does not return the column '${name}' (it returns ${res.columns.join(', ')})`);
          return i;
        };
        const ki = keys.map((k) => index(k.dimName));
        const ai = attrs.map((a) => index(a.dimName));
        const ii = inferredEnabled && indicator !== '' ? index(indicator) : -1;
        const conv = (v: unknown, t: SsisType): Cell => { try { return cellFromJs(v, t); } catch (err) { if (err instanceof CellError) return null; throw err; } };
        let duplicates = 0;
        for (const r of res.rows) {
          const k = keyOf(keys.map((x, i) => conv(r[ki[i]!], x.type)));
          if (current.has(k)) { duplicates++; continue; }
          const values = attrs.map((a, i) => conv(r[ai[i]!], a.type));
          const inferred = inferredEnabled && (ii >= 0
            ? [true, 1, 1n, '1', 'true', 'True'].includes(r[ii] as never)
            : attrs.every((a, i) => a.kind === FIXED || values[i] === null));
          current.set(k, { values, inferred });
        }
        if (duplicates > 0) host.warning(`${c.path}: the dimension holds ${duplicates} more current rows for a business key already seen; the first one is used (check CurrentRowWhere)`);
      },
      async receive(_input, rows) {
        const routed: Record<keyof typeof out, Row[]> = { unchanged: [], created: [], fixed: [], changing: [], historical: [], inferred: [] };
        for (const row of rows) {
          rowNumber++;
          const keyValues = keys.map((k) => row[k.slot] ?? null);
          const dim = current.get(keyOf(keyValues));
          if (!dim) {
            if (failOnLookup) throw new ComponentFailure(`${c.path}: row ${rowNumber}: the business key was not found in the dimension and FailOnLookupFailure is set`);
            routed.created.push(row);
            continue;
          }
          if (dim.inferred) { routed.inferred.push(row); continue; }
          let fixed = false, changing = false, historical = false;
          attrs.forEach((a, i) => {
            if (same(row[a.slot] ?? null, dim.values[i] ?? null)) return;
            if (a.kind === FIXED) fixed = true; else if (a.kind === CHANGING) changing = true; else historical = true;
          });
          if (fixed && failOnFixed) {
            const col = attrs.find((a, i) => a.kind === FIXED && !same(row[a.slot] ?? null, dim.values[i] ?? null))!;
            throw new ComponentFailure(`${c.path}: row ${rowNumber} column "${col.col.name}": a fixed attribute changed and FailOnFixedAttributeChange is set`);
          }
          if (fixed) routed.fixed.push(row); else if (changing) routed.changing.push(row);
          if (historical) routed.historical.push(row);
          if (!fixed && !changing && !historical) routed.unchanged.push(row);
        }
        for (const k of Object.keys(routed) as (keyof typeof out)[]) {
          counts[k] += routed[k].length;
          const o = out[k];
          // Rows sent to two outputs (changing and historical) are copied so branches stay independent.
          if (o && routed[k].length > 0) await host.send(o, k === 'historical' ? routed[k].map((r) => r.slice()) : routed[k]);
        }
      },
      async finish() {
        host.information(`"${c.name}": ${counts.created} new, ${counts.changing} changing, ${counts.historical} historical, ${counts.fixed} fixed, ${counts.inferred} inferred, ${counts.unchanged} unchanged rows.`);
      },
      async cleanup() { await session?.close().catch(() => undefined); session = undefined; },
    };
  },
};
