/**
 * Worker body for blocking-memory.test.ts: generates `rows` CSV rows, runs Flat File Source → Sort (or
 * Aggregate grouping on the unique text column) → Row Count, without MaxRowsInMemory so only the
 * heap bound acts, inside this worker thread, whose heap the test limits; posts the outcome and messages.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { runSpec } from '../helpers.ts';

const { dir, rows, kind } = workerData as { dir: string; rows: number; kind: 'sort' | 'aggregate' };
const file = join(dir, 'big.csv');
writeFileSync(file, '');
let chunk = '';
for (let i = 1; i <= rows; i++) {
  chunk += `${(i * 7919) % rows},payload-${i}-${'x'.repeat(40)}\n`;
  if (i % 50_000 === 0) { appendFileSync(file, chunk); chunk = ''; }
}
appendFileSync(file, chunk);

const run = await runSpec({
  flatFiles: [{ name: 'In', path: file, codePage: 65001, rowDelimiter: '\n', columns: [{ name: 'K', delimiter: ',' }, { name: 'Text', delimiter: '\n', maxWidth: 100 }] }],
  variables: [{ name: 'Rows', dataType: 3, value: '0' }, { name: 'First', dataType: 3, value: '-1' }],
  components: [
    { name: 'Src', classId: 'Microsoft.FlatFileSource', connection: 'In', outputs: [{ name: 'Out', external: [{ name: 'K', dataType: 'wstr', length: 20 }, { name: 'Text', dataType: 'wstr', length: 100 }], columns: [{ name: 'K', dataType: 'i4', ext: 'K' }, { name: 'Text', dataType: 'wstr', length: 100, ext: 'Text' }] }] },
    kind === 'sort' ? { name: 'Sort', classId: 'Microsoft.Sort', inputs: [{ name: 'In', columns: [{ from: 'Src.Out.K', props: { NewSortKeyPosition: '1' } }, { from: 'Src.Out.Text', props: { NewSortKeyPosition: '0' } }] }],
      outputs: [{ name: 'Out', sorted: true, columns: [{ name: 'K', dataType: 'i4', sortKeyPosition: 1, props: { SortColumnId: '#{Package\\Data Flow Task\\Src.Outputs[Out].Columns[K]}' } }, { name: 'Text', dataType: 'wstr', length: 100, props: { SortColumnId: '#{Package\\Data Flow Task\\Src.Outputs[Out].Columns[Text]}' } }] }] }
      : { name: 'Agg', classId: 'Microsoft.Aggregate', inputs: [{ name: 'In', columns: [{ from: 'Src.Out.K' }, { from: 'Src.Out.Text' }] }],
        outputs: [{ name: 'Out', columns: [{ name: 'Text', dataType: 'wstr', length: 100, props: { AggregationType: '0', AggregationColumnId: '#{Package\\Data Flow Task\\Src.Outputs[Out].Columns[Text]}' } }, { name: 'Total', dataType: 'i8', props: { AggregationType: '4', AggregationColumnId: '#{Package\\Data Flow Task\\Src.Outputs[Out].Columns[K]}' } }] }] },
    { name: 'Count', classId: 'Microsoft.RowCount', props: { VariableName: 'User::Rows' }, inputs: [{ name: 'In' }], outputs: [{ name: 'Out', syncWith: 'In' }] },
  ],
  paths: [['Src.Out', `${kind === 'sort' ? 'Sort' : 'Agg'}.In`], [`${kind === 'sort' ? 'Sort' : 'Agg'}.Out`, 'Count.In']],
});
parentPort!.postMessage({ outcome: run.result.outcome, messages: [...run.messages(70), ...run.messages(120)].map((m) => m.text).filter((t) => !t.startsWith('Rows were provided') && /Sort|Agg|error|rows/i.test(t)).slice(0, 20) });
