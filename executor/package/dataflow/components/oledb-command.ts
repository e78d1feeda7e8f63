/**
 * OLE DB Command: runs SqlCommand once per row, binding the `?` markers from the input columns
 * mapped to the external columns Param_0, Param_1, … (by their number, else in order). Rows pass on
 * to the output; a failing statement follows the input's error disposition.
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation, Row } from '../component.ts';
import { HRESULT, outputsOf, prop } from '../component.ts';
import { bindMarkers, openSession, paramName, paramTypeOf } from '../database.ts';
import { cellToJs } from '../types.ts';
import { T } from '../../expressions/types.ts';
import type { SsisType } from '../../expressions/types.ts';
import type { DbSession } from '../../connections/provider.ts';

export const oledbCommand: ComponentImplementation = {
  kind: 'oledbCommand',
  create(host) {
    const c = host.component;
    const input = c.inputs[0]!;
    const { normal, error } = outputsOf(c);
    const output = normal[0];
    let session: DbSession | undefined;
    let sql = '';
    let count = 0;
    const params: { index: number; slot: number; type: SsisType }[] = [];
    let rowNumber = 0;
    return {
      async prepare() {
        session = await openSession(host);
        const bound = bindMarkers(prop(c, 'SqlCommand'), session);
        if (bound.sql.trim() === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the SqlCommand is empty`);
        sql = bound.sql;
        input.columns.forEach((col, k) => {
          const ext = input.externalColumns.find((e) => e.id === col.externalMetadataColumnId);
          if (!ext) return;
          const m = /(\d+)$/.exec(ext.name);
          params.push({ index: m ? Number(m[1]) : k, slot: host.slot(col.lineageId), type: col.type ?? ext.type ?? T.wstr(4000) });
        });
        params.sort((a, b) => a.index - b.index);
        if (params.length < bound.count) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the command has ${bound.count} ? parameters but only ${params.length} input columns are mapped to parameters`);
      },
      async receive(_input, rows) {
        const out: Row[] = [];
        for (const row of rows) {
          rowNumber++;
          try {
            await session!.query(sql, params.map((p, i) => ({ name: paramName(session!, i), direction: 'input' as const, value: cellToJs(row[p.slot] ?? null, p.type), type: paramTypeOf(p.type) })), { signal: host.signal });
            count++;
            out.push(row);
          } catch (err) {
            if (host.signal.aborted) throw err;
            const r = host.handle(row, rowNumber, { problem: 'error', column: undefined, code: HRESULT.oledbCommandCantConvert, message: `the command failed: ${(err as Error).message}` }, input.errorDisposition === 'notUsed' ? 'fail' : input.errorDisposition, error);
            if (r === 'keep') out.push(row);
          }
        }
        if (output) await host.send(output, out);
        await host.flushErrors();
      },
      async finish() { host.information(`"${c.name}" ran its command for ${count} rows.`); },
      async cleanup() { await session?.close().catch(() => undefined); session = undefined; },
    };
  },
};
