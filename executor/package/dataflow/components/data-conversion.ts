/**
 * Data Conversion: each output column copies an input column (SourceInputColumnLineageID) converted
 * to the output column's type with the cast rules; conversion errors and truncation follow the
 * output column's dispositions, with DTS_E_TXDATACONVERTSTATIC_* codes on redirected rows.
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation, Row } from '../component.ts';
import { HRESULT, outputsOf } from '../component.ts';
import type { PipelineColumn } from '../pipeline.ts';
import { CellError, convertCell } from '../types.ts';
import type { SsisType } from '../../expressions/types.ts';

/** `#{Package\…}` / `#12` / `12` → the lineage id. */
export function lineageRef(text: string | undefined): string {
  const t = (text ?? '').trim();
  const m = /^#\{(.*)\}$/.exec(t) ?? /^#(\d+)$/.exec(t);
  return m ? m[1]! : t;
}

export const dataConversion: ComponentImplementation = {
  kind: 'dataConversion',
  create(host) {
    const c = host.component;
    const input = c.inputs[0];
    const { normal, error } = outputsOf(c);
    const output = normal[0];
    const plans: { col: PipelineColumn; from: number; fromType: SsisType; to: number; toType: SsisType }[] = [];
    for (const col of output?.columns ?? []) {
      const src = lineageRef(col.properties.SourceInputColumnLineageID);
      const inCol = input?.columns.find((x) => x.lineageId.toLowerCase() === src.toLowerCase() || x.id === src);
      const lineage = inCol?.lineageId ?? src;
      const fromType = inCol?.type ?? host.lineageType(lineage);
      if (!fromType || !col.type) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: output column '${col.name}' converts from lineage '${src}', which is not an input column with a known type`, { where: c.path });
      plans.push({ col, from: host.slot(lineage), fromType, to: host.slot(col.lineageId), toType: col.type });
    }
    let rowNumber = 0;
    return {
      async receive(_input, rows) {
        const out: Row[] = [];
        for (const row of rows) {
          rowNumber++;
          let keep = true;
          for (const p of plans) {
            try {
              row[p.to] = convertCell(row[p.from] ?? null, p.fromType, p.toType);
            } catch (err) {
              if (!(err instanceof CellError)) throw err;
              const trunc = err.problem === 'truncation';
              const r = host.handle(row, rowNumber, {
                problem: err.problem, column: p.col, message: `Data conversion failed while converting column to "${p.col.name}": ${err.message}`,
                code: trunc ? HRESULT.dataConversionTruncated : HRESULT.dataConversionCantConvert,
              }, trunc ? p.col.truncationDisposition : p.col.errorDisposition, error);
              if (r === 'redirect') { keep = false; break; }
              row[p.to] = null;
            }
          }
          if (keep) out.push(row);
        }
        if (output) await host.send(output, out);
        await host.flushErrors();
      },
    };
  },
};
