/**
 * Raw File Source: reads a raw file (AccessMode 0 FileName, 1 the name from FileNameVariable) written
 * by a Raw File Destination of this engine (connections/raw-file.ts: SSIS's own layout is
 * undocumented), block by block; output columns map to the file's columns by external-metadata name.
 */
import { isAbsolute, resolve } from 'node:path';
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation, Row } from '../component.ts';
import { intProp, outputsOf, prop } from '../component.ts';
import { checkpoint } from '../runtime.ts';
import { convertCell } from '../types.ts';
import { openRawFileReader } from '../../connections/raw-file.ts';
import type { ComponentHost } from '../component.ts';

export function rawFileName(host: ComponentHost): string {
  const c = host.component;
  const name = intProp(c, 'AccessMode', 0) === 1 ? String(host.getVariable(prop(c, 'FileNameVariable')) ?? '') : prop(c, 'FileName');
  if (name.trim() === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: no raw file name is set`);
  return isAbsolute(name) || /^[A-Za-z]:[\\/]/.test(name) || !host.workingDirectory ? name : resolve(host.workingDirectory, name);
}

export const rawFileSource: ComponentImplementation = {
  kind: 'rawFileSource',
  validate(v) {
    const c = v.component;
    if (intProp(c, 'AccessMode', 0) === 1 && !v.hasVariable(prop(c, 'FileNameVariable'))) return [{ path: c.path, severity: 'error', message: `the Raw File Source reads its file name from the variable '${prop(c, 'FileNameVariable')}', which is not defined` }];
    return [];
  },
  create(host) {
    const c = host.component;
    const output = outputsOf(c).normal[0];
    return {
      async produce() {
        const file = rawFileName(host);
        if (!output) return;
        const names = output.columns.map((col) => output.externalColumns.find((e) => e.id === col.externalMetadataColumnId)?.name ?? col.name);
        let reader;
        try {
          reader = await openRawFileReader(file, { batchRows: host.bufferRows, columns: names });
        } catch (err) {
          throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: ${(err as Error).message}`, { cause: err });
        }
        try {
          const plans = output.columns.map((col, i) => ({ col, slot: host.slot(col.lineageId), from: reader.columns[i]!.type }));
          for (;;) {
            checkpoint(host.signal);
            const batch = await reader.next();
            if (batch === null) break;
            const rows: Row[] = batch.map((src) => {
              const row = host.newRow();
              for (let i = 0; i < plans.length; i++) row[plans[i]!.slot] = convertCell(src[i] ?? null, plans[i]!.from, plans[i]!.col.type!);
              return row;
            });
            await host.send(output, rows);
          }
        } finally {
          await reader.close().catch(() => undefined);
        }
      },
    };
  },
};
