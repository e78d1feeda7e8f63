/**
 * What the Excel Source and Destination share: the workbook path and HDR/IMEX settings of an EXCEL
 * connection manager (its ACE/Jet connection string; an ExcelFilePath set by expression or override
 * wins over the string's Data Source, as SSIS keeps the two in step), with relative paths resolved
 * against the run's working directory. Workbooks go through connections/excel-workbook.ts.
 */
import { isAbsolute, resolve } from 'node:path';
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentHost } from '../component.ts';
import { connectionRef } from '../component.ts';
import type { ExcelConnection } from '../../connections/excel-workbook.ts';
import { excelConnectionOf } from '../../connections/excel-workbook.ts';

export function excelOf(host: ComponentHost): ExcelConnection {
  const c = host.component;
  const ref = connectionRef(c);
  const cm = ref ? host.connection(ref) : undefined;
  if (!cm) throw new SsoError('SSO_ERR_CONNECTION', `${c.path}: the connection manager '${ref ?? ''}' is not defined`);
  let conn: ExcelConnection;
  try {
    conn = excelConnectionOf(cm);
  } catch (err) {
    if (!SsoError.is(err)) throw err;
    throw new SsoError(err.code, `${c.path}: ${err.message}`, { where: c.path, cause: err });
  }
  const file = conn.file;
  const abs = isAbsolute(file) || /^[A-Za-z]:[\\/]|^\\\\/.test(file) || !host.workingDirectory ? file : resolve(host.workingDirectory, file);
  return { ...conn, file: abs };
}
