/**
 * Raw File Destination: writes the input columns (named by their external metadata) to a raw file
 * with WriteOption 0 create always, 1 create once, 2 append, 3 truncate and append; the file is
 * replaced or extended only when the flow succeeds (connections/raw-file.ts).
 */
import type { ComponentImplementation } from '../component.ts';
import { prop, destinationColumns } from '../component.ts';
import type { SsisType } from '../../expressions/types.ts';
import { T } from '../../expressions/types.ts';
import type { RawFileWriter } from '../../connections/raw-file.ts';
import { openRawFileWriter, rawWriteOption } from '../../connections/raw-file.ts';
import { rawFileName } from './raw-file-source.ts';

export const rawFileDestination: ComponentImplementation = {
  kind: 'rawFileDestination',
  create(host) {
    const c = host.component;
    const input = c.inputs[0];
    const cols: { name: string; slot: number; type: SsisType }[] = [];
    let writer: RawFileWriter | undefined;
    let count = 0;
    return {
      async prepare() {
        cols.push(...destinationColumns(host, input, T.wstr(4000), true));
        writer = await openRawFileWriter(rawFileName(host), cols.map((k) => ({ name: k.name, type: k.type })), { writeOption: rawWriteOption(prop(c, 'WriteOption', '0')), rowsPerBlock: host.bufferRows });
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
