/**
 * Excel Destination: appends the input rows to a sheet (OpenRowset `Sheet1$`, or its name from a
 * variable), under the header cell of each external column's name; a new sheet or workbook gets a
 * header row. Rows are kept until the flow ends and the workbook is written once, atomically.
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation } from '../component.ts';
import { intProp, prop, destinationColumns } from '../component.ts';
import type { SsisType } from '../../expressions/types.ts';
import { T } from '../../expressions/types.ts';
import type { ExcelSheetWriter } from '../../connections/excel-workbook.ts';
import { openExcelWriter } from '../../connections/excel-workbook.ts';
import { excelOf } from './excel.ts';

export const excelDestination: ComponentImplementation = {
  kind: 'excelDestination',
  create(host) {
    const c = host.component;
    const input = c.inputs[0];
    const cols: { name: string; slot: number; type: SsisType }[] = [];
    let writer: ExcelSheetWriter | undefined;
    let count = 0;
    return {
      async prepare() {
        const x = excelOf(host);
        const mode = intProp(c, 'AccessMode', 0);
        const sheet = mode === 1 || mode === 4 ? String(host.getVariable(prop(c, 'OpenRowsetVariable')) ?? '') : prop(c, 'OpenRowset');
        if (sheet.trim() === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: no sheet is set`);
        cols.push(...destinationColumns(host, input, T.wstr(255)));
        writer = await openExcelWriter(x.file, sheet, cols.map((k) => ({ name: k.name, type: k.type })), { mode: 'append', header: x.header });
      },
      async receive(_input, rows) {
        await writer!.write(rows.map((r) => cols.map((k) => r[k.slot] ?? null)));
        count += rows.length;
      },
      async finish() {
        await writer!.finish();
        writer = undefined;
        host.information(`"${c.name}" wrote ${count} rows.`);
      },
      async cleanup() { await writer?.abort().catch(() => undefined); },
    };
  },
};
