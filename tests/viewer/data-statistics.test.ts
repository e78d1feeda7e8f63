import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dataStatisticsOf } from '../../runtime/viewer/viewer-api.ts';

// catalog.execution_data_statistics has one row per buffer a path carried; the execution detail shows one
// line per path with the rows summed, kept apart per Data Flow task (the same path id in two tasks).
test('rows per data-flow path: buffers summed per path and task, in first-seen order', () => {
  const row = (task: string, pathId: string, pathName: string, rows: number) => ({
    execution_id: 5, execution_path: `\\Package\\${task}`, task_name: task, dataflow_path_id_string: pathId, dataflow_path_name: pathName,
    source_component_name: 'Src', destination_component_name: 'Dst', rows_sent: rows,
  });
  const out = dataStatisticsOf([
    row('Load', 'P1', 'Flat File Source Output', 10000), row('Load', 'P2', 'Split Default', 7),
    row('Load', 'P1', 'Flat File Source Output', 2345), row('Again', 'P1', 'Flat File Source Output', 3),
  ]);
  assert.equal(out, [
    { executionPath: '\\Package\\Load', task: 'Load', path: 'Flat File Source Output', source: 'Src', destination: 'Dst', rows: 12345 },
    { executionPath: '\\Package\\Load', task: 'Load', path: 'Split Default', source: 'Src', destination: 'Dst', rows: 7 },
    { executionPath: '\\Package\\Again', task: 'Again', path: 'Flat File Source Output', source: 'Src', destination: 'Dst', rows: 3 },
  ]);
  assert.equal(dataStatisticsOf([]), []);
});

test.run();
