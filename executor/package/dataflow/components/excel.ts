/**
 * What the Excel Source and Destination share: the workbook path and HDR/IMEX settings of an EXCEL
 * connection manager (its ACE/Jet connection string, or ExcelFilePath), with relative paths
 * resolved against the run's working directory. Workbooks go through connections/excel-workbook.ts.
 */
import { isAbsolute, resolve } from 'node:path';
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentHost } from '../component.ts';
import { connectionRef } from '../component.ts';
import type { ExcelConnection } from '../../connections/excel-workbook.ts';
import { excelConnection } from '../../connections/excel-workbook.ts';

export function excelOf(host: ComponentHost): ExcelConnection {
  const c = host.component;
  const ref = connectionRef(c);
  const cm = ref ? host.connection(ref) : undefined;
  if (!cm) throw new SsoError('SSO_ERR_CONNECTION', `${c.path}: the connection manager '${ref ?? ''}' is not defined`);
  const path = cm.properties.ExcelFilePath;
  const conn = cm.connectionString.trim() !== '' ? excelConnection(cm.connectionString, `connection manager '${cm.name}'`) : undefined;
  const file = conn?.file ?? path ?? '';
  if (file === '') throw new SsoError('SSO_ERR_CONNECTION', `${c.path}: connection manager '${cm.name}' names no workbook`);
  const abs = isAbsolute(file) || /^[A-Za-z]:[\\/]|^\\\\/.test(file) || !host.workingDirectory ? file : resolve(host.workingDirectory, file);
  return { file: abs, header: conn?.header ?? true, importMode: conn?.importMode ?? false, version: conn?.version ?? '' };
}
