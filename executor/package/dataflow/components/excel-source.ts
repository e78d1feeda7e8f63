/**
 * Excel Source: AccessMode 0 a sheet, range or defined name (OpenRowset: `Sheet1$`, `Sheet1$A1:C9`),
 * 1 its name from a variable, 2 a `SELECT … FROM [Sheet1$]` command, 3 that command from a variable.
 * Cells are typed as the ACE provider types them (excel-workbook.ts) and then converted to the output
 * columns' types; failures follow the column dispositions.
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation, Row } from '../component.ts';
import { HRESULT, intProp, outputsOf, prop } from '../component.ts';
import type { PipelineColumn } from '../pipeline.ts';
import { CellError, convertCell } from '../types.ts';
import { checkpoint } from '../runtime.ts';
import { parseExcelSelect, readExcelTable } from '../../connections/excel-workbook.ts';
import { excelOf } from './excel.ts';

export const excelSource: ComponentImplementation = {
  kind: 'excelSource',
  validate(v) {
    const c = v.component;
    const mode = intProp(c, 'AccessMode', 0);
    const name = mode === 1 ? prop(c, 'OpenRowsetVariable') : mode === 3 ? prop(c, 'SqlCommandVariable') : undefined;
    if (name !== undefined && !v.hasVariable(name)) return [{ path: c.path, severity: 'error', message: `the Excel Source reads its ${mode === 1 ? 'sheet name' : 'command'} from the variable '${name}', which is not defined` }];
    return [];
  },
  create(host) {
    const c = host.component;
    const { normal, error } = outputsOf(c);
    const output = normal[0];
    return {
      async produce() {
        const x = excelOf(host);
        const mode = intProp(c, 'AccessMode', 0);
        const text = mode === 1 ? String(host.getVariable(prop(c, 'OpenRowsetVariable')) ?? '')
          : mode === 2 ? prop(c, 'SqlCommand') : mode === 3 ? String(host.getVariable(prop(c, 'SqlCommandVariable')) ?? '') : prop(c, 'OpenRowset');
        if (text.trim() === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: no sheet or command is set`);
        const sel = mode >= 2 ? parseExcelSelect(text) : undefined;
        const set = await readExcelTable(x.file, sel ? sel.table : text, { header: x.header, importMode: x.importMode, ...(sel && sel.columns !== '*' ? { columns: sel.columns } : {}) });
        if (!output) return;
        const lower = set.columns.map((k) => k.name.toLowerCase());
        const plans: { col: PipelineColumn; index: number; slot: number }[] = [];
        for (const col of output.columns) {
          const ext = output.externalColumns.find((e) => e.id === col.externalMetadataColumnId)?.name ?? col.name;
          let index = lower.indexOf(ext.toLowerCase());
          if (index < 0) index = lower.indexOf(col.name.toLowerCase());
          if (index < 0) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: output column '${col.name}' reads the column '${ext}', which ${x.file} ${text} does not have (it has ${set.columns.map((k) => k.name).join(', ') || 'no columns'})`);
          plans.push({ col, index, slot: host.slot(col.lineageId) });
        }
        let rows: Row[] = [];
        let rowNumber = 0;
        for (const src of set.rows) {
          rowNumber++;
          const row = host.newRow();
          let keep = true;
          for (const p of plans) {
            try {
              row[p.slot] = convertCell(src[p.index] ?? null, set.columns[p.index]!.type, p.col.type!);
            } catch (err) {
              if (!(err instanceof CellError)) throw err;
              const trunc = err.problem === 'truncation';
              const r = host.handle(row, rowNumber, { problem: err.problem, column: p.col, code: trunc ? HRESULT.oledbSourceTruncated : HRESULT.oledbSourceCantConvert, message: `the value of column "${p.col.name}" cannot be converted: ${err.message}` }, trunc ? p.col.truncationDisposition : p.col.errorDisposition, error);
              if (r === 'redirect') { keep = false; break; }
              row[p.slot] = null;
            }
          }
          if (keep) rows.push(row);
          if (rows.length >= host.bufferRows) { checkpoint(host.signal); await host.send(output, rows); rows = []; await host.flushErrors(); }
        }
        checkpoint(host.signal);
        await host.send(output, rows);
        await host.flushErrors();
      },
    };
  },
};
