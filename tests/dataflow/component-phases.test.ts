/**
 * Per-component phase times (catalog.execution_component_phases) from a hand-written package: every
 * component reports SSIS's phases (Validate, PrepareForExecute, PreExecute, PrimeOutput for the source,
 * ProcessInput for the others, PostExecute, Cleanup) at the Performance and Verbose levels, none at
 * Basic; a component's own time excludes the time its downstream spent on the buffers it sent.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ComponentPhaseInput } from '../../actors/ports.ts';
import type { ColumnSpec, PackageSpec } from './builder.ts';
import { errorsOf, runSpec, tempDir } from './helpers.ts';
import { exec, sqlSource, tableDestination } from './part-two.ts';
import type { Run } from '../package/run-helpers.ts';
import { PhaseClock } from '../../executor/package/dataflow/phases.ts';

const t = tempDir('phases');
const db = t.file('phases.sqlite');
const test = suite('data flow: component phase times');
test.after(() => t.remove());
test.before(() => exec(db, `
  CREATE TABLE People (Id INTEGER, Name TEXT);
  INSERT INTO People VALUES (3, 'cy'), (1, 'ann'), (2, NULL);
  CREATE TABLE Copy (Id INTEGER, Name TEXT);
`));

const cols: ColumnSpec[] = [{ name: 'Id', dataType: 'i4' }, { name: 'Name', dataType: 'wstr', length: 20 }];
const spec: PackageSpec = {
  oledb: [{ name: 'Db', connectionString: `Provider=SQLite;Data Source=${db}` }],
  components: [
    sqlSource('People', 'SELECT Id, Name FROM People', cols),
    { name: 'Count', classId: 'Microsoft.RowCount', props: { VariableName: 'User::N' }, inputs: [{ name: 'In' }], outputs: [{ name: 'Out', syncWith: 'In' }] },
    tableDestination('Load', 'Copy', ['People.Out.Id', 'People.Out.Name'], cols),
  ],
  paths: [['People.Out', 'Count.In'], ['Count.Out', 'Load.In']],
  variables: [{ name: 'N', dataType: 3, value: '0' }],
};

const phasesOf = (run: Run): ComponentPhaseInput[] => run.events.flatMap((e) => (e.kind === 'phase' ? [e.phase] : []));

for (const [level, name] of [[2, 'Performance'], [3, 'Verbose']] as const) {
  test(`${name} (${level}): every component's phases, SSIS's names and order, the task's name and path`, async () => {
    exec(db, 'DELETE FROM Copy');
    const run = await runSpec(spec, { level });
    assert.is(run.result.outcome, 'succeeded', errorsOf(run));
    const phases = phasesOf(run);
    const by = (c: string) => phases.filter((p) => p.subcomponentName === c).map((p) => p.phase);
    assert.equal(by('People'), ['Validate', 'PrepareForExecute', 'PreExecute', 'PrimeOutput', 'PostExecute', 'Cleanup']);
    assert.equal(by('Count'), ['Validate', 'PrepareForExecute', 'PreExecute', 'ProcessInput', 'PostExecute', 'Cleanup']);
    assert.equal(by('Load'), ['Validate', 'PrepareForExecute', 'PreExecute', 'ProcessInput', 'PostExecute', 'Cleanup']);
    for (const p of phases) {
      assert.is(p.taskName, 'Data Flow Task');
      assert.is(p.executionPath, '\\Package\\Data Flow Task');
      assert.is(p.operationId, 7);
      assert.ok(p.endTime >= p.startTime, `${p.subcomponentName} ${p.phase}: ${p.startTime} → ${p.endTime}`);
    }
    assert.is(new Set(phases.map((p) => p.phaseGuid)).size, phases.length, 'each row has its own GUID');
    // Rows sent per path are Verbose-only (catalog.execution_data_statistics), as in SSISDB.
    assert.is(run.messages(200).some((m) => m.text.startsWith('Rows were provided')), level === 3);
  });
}

test('Basic (1): no phase rows', async () => {
  exec(db, 'DELETE FROM Copy');
  const run = await runSpec(spec, { level: 1 });
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(phasesOf(run).length, 0);
});

test('a component\'s time excludes what its downstream spent on the rows it sent', async () => {
  let now = 0;
  const clock = new PhaseClock(() => 1_000, () => now);
  const source = { id: 's', name: 'Source' } as never;
  const sink = { id: 'd', name: 'Slow' } as never;
  const host = { send: async () => { now += 50; } } as never; // the downstream takes 50 ms per buffer
  const rt = clock.create(source, host, (h) => ({
    produce: async () => { now += 3; await (h as { send: (o: unknown, r: unknown[]) => Promise<void> }).send({}, []); now += 2; await (h as { send: (o: unknown, r: unknown[]) => Promise<void> }).send({}, []); },
  }));
  await rt.produce!();
  const down = clock.create(sink, host, () => ({ receive: async () => { now += 50; } }));
  await down.receive!({} as never, []);
  await down.receive!({} as never, []);
  const rows = clock.rows();
  const prime = rows.find((r) => r.component === 'Source' && r.phase === 'PrimeOutput')!;
  assert.is(prime.end - prime.start, 5, 'the source\'s own 3 + 2 ms, not the 100 ms downstream');
  const input = rows.find((r) => r.component === 'Slow' && r.phase === 'ProcessInput')!;
  assert.is(input.end - input.start, 100, 'ProcessInput adds up over buffers');
});

test.run();
