/**
 * Malformed pipelines and refused components: a cycle, a path to an output that does not exist, an
 * input column reading a lineage nobody creates, an unknown component type, a Script Component and
 * a Sort (next issue) are named by validation (`scaleout validate` uses the same code) and at run
 * time, and never crash; an empty data flow succeeds; cancellation stops between buffers.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { loadProjectFromParts } from '../../executor/package/load-project.ts';
import { validatePackage } from '../../executor/package/validate.ts';
import type { PackageSpec } from './builder.ts';
import { buildPackage } from './builder.ts';
import { errorsOf, runSpec, tempDir } from './helpers.ts';

const t = tempDir('bad');
const test = suite('data flow: malformed pipelines and refused components');
test.after(() => t.remove());

function validate(spec: PackageSpec) {
  const project = loadProjectFromParts(new Map([['P.dtsx', new TextEncoder().encode(buildPackage(spec))]]), 'p');
  return validatePackage(project.getPackage('P.dtsx'), project);
}

const src = { name: 'Src', classId: 'Microsoft.FlatFileSource', connection: 'In', outputs: [{ name: 'Out', columns: [{ name: 'A', dataType: 'wstr', length: 10, ext: 'A' }], external: [{ name: 'A', dataType: 'wstr', length: 10 }] }] };
const files = [{ name: 'In', path: t.file('in.txt'), columns: [{ name: 'A' }] }];
const derive = (name: string, from: string) => ({ name, classId: 'Microsoft.DerivedColumn', inputs: [{ name: 'In', columns: [{ from }] }], outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: `${name}X`, dataType: 'wstr', length: 20, props: { FriendlyExpression: 'A + "x"' } }] }] });

test('a cycle, a dangling path and a missing lineage are named; the run fails without crashing', async () => {
  const spec: PackageSpec = {
    flatFiles: files,
    components: [src, derive('D1', 'Src.Out.A'), derive('D2', 'D1.Out.A'), { ...derive('D3', 'Src.Out.A'), inputs: [{ name: 'In', columns: [{ from: 'Nowhere.Out.A' }] }] }],
    paths: [['D1.Out', 'D2.In'], ['D2.Out', 'D1.In'], ['Ghost.Out', 'D3.In']],
  };
  const v = validate(spec);
  assert.is(v.valid, false);
  const text = v.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
  assert.match(text, /the data flow has a cycle through 'D1', 'D2'/);
  assert.match(text, /the path 'P2' starts at output '.*Ghost\.Outputs\[Out\]', which no component has/);
  assert.match(text, /\\Package\\Data Flow Task\\D3: input 'In' column 'A' reads lineage '.*Nowhere.*', which no output column creates/);
  writeFileSync(t.file('in.txt'), 'a\r\n');
  const run = await runSpec(spec);
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /cycle/);
});

test('a Script Component without its script, Fuzzy Lookup and an unknown type are named; validation never says the Data Flow is not implemented', () => {
  const v = validate({
    flatFiles: files,
    components: [src,
      { name: 'My Script', classId: 'Microsoft.ManagedComponentHost', props: { UserComponentTypeName: 'Microsoft.ScriptComponentHost' }, inputs: [{ name: 'In', columns: [{ from: 'Src.Out.A' }] }] },
      { name: 'Fuzzy', classId: 'Microsoft.BestMatch', inputs: [{ name: 'In' }] },
      { name: 'Mystery', classId: '{12345678-1234-1234-1234-123456789ABC}', inputs: [{ name: 'In' }] },
    ],
    paths: [['Src.Out', 'My Script.In']],
  });
  const text = v.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
  assert.match(text, /\\Package\\Data Flow Task\\My Script: the Script Component \\Package\\Data Flow Task\\My Script has no SourceCode property/);
  assert.match(text, /\\Package\\Data Flow Task\\Fuzzy: the Fuzzy Lookup component 'Fuzzy' is not supported yet/);
  assert.match(text, /\\Package\\Data Flow Task\\Mystery: the component 'Mystery' has an unknown type '\{12345678-1234-1234-1234-123456789ABC\}'/);
  assert.match(text, /Data Flow Task 'Data Flow Task' cannot run here: 2 of its components 'Fuzzy' \(Fuzzy Lookup\), 'Mystery' \(unknown component\)/);
  assert.not.match(text, /not implemented/);
  assert.equal(v.unsupported, ['\\Package\\Data Flow Task']);
});

test('an expression naming a missing column and a Row Count without its variable are validation errors', () => {
  const v = validate({
    flatFiles: files,
    components: [src, { ...derive('D', 'Src.Out.A'), outputs: [{ name: 'Out', syncWith: 'In', columns: [{ name: 'X', dataType: 'wstr', length: 5, props: { FriendlyExpression: '[Nope] + "!"' } }] }] },
      { name: 'Count', classId: 'Microsoft.RowCount', props: { VariableName: 'User::Missing' }, inputs: [{ name: 'In' }], outputs: [{ name: 'Out', syncWith: 'In' }] }],
    paths: [['Src.Out', 'D.In'], ['D.Out', 'Count.In']],
  });
  const text = v.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
  assert.match(text, /Count: the Row Count writes the variable 'User::Missing', which is not defined/);
  assert.match(text, /\\D: column 'X': the expression "\[Nope\] \+ "!"" reads the column \[Nope\], which is not an input column/);
});

test('an empty data flow succeeds as a no-op', async () => {
  const run = await runSpec({ components: [], paths: [] });
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
});

test('cancellation stops the flow between buffers', async () => {
  writeFileSync(t.file('in.txt'), 'row\r\n'.repeat(200_000));
  const ac = new AbortController();
  const spec: PackageSpec = {
    flatFiles: [...files, { name: 'Out', path: t.file('out.txt'), columns: [{ name: 'A' }] }],
    components: [src, { name: 'Dst', classId: 'Microsoft.FlatFileDestination', connection: 'Out', inputs: [{ name: 'In', columns: [{ from: 'Src.Out.A', ext: 'A' }], external: [{ name: 'A', dataType: 'wstr', length: 10 }] }] }],
    paths: [['Src.Out', 'Dst.In']], taskProps: { DefaultBufferMaxRows: '100' },
  };
  setTimeout(() => ac.abort(), 30);
  const run = await runSpec(spec, { signal: ac.signal });
  assert.is(run.result.outcome, 'canceled', errorsOf(run));
  assert.ok(t.read('out.txt').length < 'row\r\n'.length * 200_000, 'stopped before the end');
});

test.run();
