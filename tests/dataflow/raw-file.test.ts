/**
 * Raw File Destination then Raw File Source: typed values (integers, decimals, dates, NULLs, text)
 * survive the round trip; WriteOption append adds rows, create once refuses an existing file.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import type { PackageSpec } from './builder.ts';
import { errorsOf, runSpec, tempDir } from './helpers.ts';

const t = tempDir('raw');
const test = suite('data flow: Raw File Source and Destination');
test.after(() => t.remove());

const cols = [{ name: 'Id', dataType: 'i4' }, { name: 'Amount', dataType: 'numeric', precision: 10, scale: 2 }, { name: 'Day', dataType: 'dbDate' }, { name: 'Note', dataType: 'wstr', length: 20 }];

function toRaw(writeOption: string): PackageSpec {
  return {
    flatFiles: [{ name: 'In', path: t.file('in.csv'), header: true, columns: [{ name: 'Id', dataType: 3 }, { name: 'Amount', dataType: 131, precision: 10, scale: 2 }, { name: 'Day', dataType: 133 }, { name: 'Note' }] }],
    components: [
      { name: 'Src', classId: 'Microsoft.FlatFileSource', connection: 'In', props: { RetainNulls: 'true' }, outputs: [{ name: 'Out', columns: cols.map((c) => ({ ...c, ext: c.name })), external: cols }] },
      { name: 'Raw', classId: 'Microsoft.RawDestination', props: { AccessMode: '0', FileName: t.file('stage.raw'), WriteOption: writeOption },
        inputs: [{ name: 'In', columns: cols.map((c) => ({ from: `Src.Out.${c.name}`, ext: c.name })), external: cols }] },
    ],
    paths: [['Src.Out', 'Raw.In']],
  };
}

const fromRaw: PackageSpec = {
  flatFiles: [{ name: 'Out', path: t.file('out.txt'), rowDelimiter: '\n', columns: cols.map((c, i) => ({ name: c.name, delimiter: i === 3 ? '\n' : '|' })) }],
  components: [
    { name: 'RawSrc', classId: 'Microsoft.RawSource', props: { AccessMode: '0', FileName: t.file('stage.raw') }, outputs: [{ name: 'Out', columns: cols.map((c) => ({ ...c, ext: c.name })), external: cols }] },
    { name: 'Dst', classId: 'Microsoft.FlatFileDestination', connection: 'Out', inputs: [{ name: 'In', columns: cols.map((c) => ({ from: `RawSrc.Out.${c.name}`, ext: c.name })), external: cols }] },
  ],
  paths: [['RawSrc.Out', 'Dst.In']],
};

test('round trip with types and NULLs; append; create once refuses an existing file', async () => {
  writeFileSync(t.file('in.csv'), 'Id,Amount,Day,Note\r\n1,12.5,2024-02-29,leap\r\n2,,1/2/2025,\r\n');
  let run = await runSpec(toRaw('0'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  run = await runSpec(fromRaw);
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(t.read('out.txt'), '1|12.50|2024-02-29|leap\n2||2025-01-02|\n');
  run = await runSpec(toRaw('2'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  run = await runSpec(fromRaw);
  assert.is(t.read('out.txt'), '1|12.50|2024-02-29|leap\n2||2025-01-02|\n1|12.50|2024-02-29|leap\n2||2025-01-02|\n');
  run = await runSpec(toRaw('1'));
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /\\Package\\Data Flow Task\\Raw: .*already exists/);
});

test.run();
