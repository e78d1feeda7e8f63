/**
 * Script Components inside real data flows (hand-written packages run by the package engine): as a
 * source (CreateNewOutputRows reading a ReadOnly variable, events reaching the package's messages), as a
 * synchronous transformation (an added column; columns the script does not see pass through), as an
 * asynchronous transformation (its own output), as a destination (PostExecute writing a ReadWrite
 * variable that a later task reads); an exception fails the data flow naming the component and leaves the
 * variable unwritten; events of every kind reach the messages and FireError fails the component; a script that does not compile fails validation naming the component; cancelling
 * the run kills the mono process of a script that never returns, and SCALEOUT_SCRIPT_TimeoutSeconds stops it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ScriptProject } from '../../executor/script/extract.ts';
import type { ComponentSpec, InputSpec, OutputSpec, PackageSpec } from '../dataflow/builder.ts';
import { errorsOf, rowsByPath, runSpec, tempDir } from '../dataflow/helpers.ts';
import { lastAssigned } from '../package/run-helpers.ts';
import { reportSkip } from '../helpers/skip.ts';
import { INPUT_DISPATCH, OUTPUT_PRIME, bufferClass, project } from './component-project.ts';
import { constraintXml, expressionTaskXml, monoMissing } from './script-packages.ts';

const t = suite('Script Component in the data flow');
const dir = tempDir('script-component');
t.after(() => dir.remove());

function scriptComponent(name: string, p: ScriptProject, o: { ro?: string; rw?: string; inputs?: InputSpec[]; outputs?: OutputSpec[] }): ComponentSpec {
  return {
    name, classId: 'Microsoft.ManagedComponentHost',
    props: { UserComponentTypeName: 'Microsoft.ScriptComponentHost', ScriptLanguage: 'CSharp', VSTAProjectName: p.projectName, ReadOnlyVariables: o.ro ?? '', ReadWriteVariables: o.rw ?? '' },
    arrayProps: { SourceCode: p.sources.flatMap((s) => [s.name, 'UTF8', s.text]) },
    ...(o.inputs ? { inputs: o.inputs } : {}), ...(o.outputs ? { outputs: o.outputs } : {}),
  };
}

const SOURCE = (body: string) => project('SC_source',
  bufferClass('Output0Buffer', [{ name: 'Id', type: 3, read: false, write: true }, { name: 'Label', type: 130, read: false, write: true }], false),
  OUTPUT_PRIME('Output 0', 'Output0Buffer', false),
  `    public Int32 RowCount
    {
        get
        {
            return (Int32)(ParentComponent.ReadOnlyVariables["RowCount"].GetValueWithContext(ScriptComponent.EvaluatorContext));
        }
    }
`,
  `    public override void CreateNewOutputRows()
    {
${body}
    }`);

t('as a source: CreateNewOutputRows reads a ReadOnly variable, rows reach a Flat File Destination in buffers, events reach the messages', async () => {
  const p = SOURCE(`        bool again = true;
        ComponentMetaData.FireInformation(0, "SC", "making " + Variables.RowCount + " rows", "", 0, ref again);
        ComponentMetaData.FireWarning(0, "SC", "a warning from the script", "", 0);
        for (int i = 0; i < Variables.RowCount; i++)
        {
            Output0Buffer.AddRow();
            Output0Buffer.Id = i;
            if (i % 100 == 7) Output0Buffer.Label_IsNull = true; else Output0Buffer.Label = "row " + i;
        }`);
  const spec: PackageSpec = {
    variables: [{ name: 'RowCount', dataType: 3, value: '2500' }],
    flatFiles: [{ name: 'Out', path: dir.file('source.txt'), columns: [{ name: 'Id', dataType: 3 }, { name: 'Label' }] }],
    components: [
      scriptComponent('Script Source', p, { ro: 'User::RowCount', outputs: [{ name: 'Output 0', columns: [{ name: 'Id', dataType: 'i4' }, { name: 'Label', dataType: 'wstr', length: 50 }] }] }),
      { name: 'Dest', classId: 'Microsoft.FlatFileDestination', connection: 'Out', props: { Overwrite: 'true' },
        inputs: [{ name: 'In', columns: [{ from: 'Script Source.Output 0.Id', ext: 'Id' }, { from: 'Script Source.Output 0.Label', ext: 'Label' }], external: [{ name: 'Id', dataType: 'i4' }, { name: 'Label', dataType: 'wstr', length: 50 }] }] },
    ],
    paths: [['Script Source.Output 0', 'Dest.In']],
    taskProps: { DefaultBufferMaxRows: '1000' },
  };
  const run = await runSpec(spec);
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  const lines = dir.read('source.txt').split('\r\n').filter((l) => l !== '');
  assert.is(lines.length, 2500);
  assert.is(lines[3], '3,row 3');
  assert.is(lines[107], '107,');
  assert.is(lines[2499], '2499,row 2499');
  assert.is(rowsByPath(run).get('P0'), 2500);
  assert.ok(run.messages(70).some((m) => m.text === 'making 2500 rows' && m.path.endsWith('Data Flow Task')), run.messages(70).map((m) => m.text).join('\n'));
  assert.ok(run.messages(110).some((m) => m.text === 'a warning from the script'));
});

t('as a synchronous transformation: an added column computed per row; columns the script does not see pass through', async () => {
  writeFileSync(dir.file('people.csv'), 'Id,Name,Extra\r\n1,ann,x1\r\n2,,x2\r\n3,bob,x3\r\n');
  const p = project('SC_sync',
    bufferClass('Input0Buffer', [{ name: 'Id', type: 130, read: true, write: false }, { name: 'Name', type: 130, read: true, write: false }, { name: 'Shout', type: 130, read: false, write: true }], true),
    INPUT_DISPATCH('Input 0', 'Input0Buffer'), '',
    `    public override void Input0_ProcessInputRow(Input0Buffer Row)
    {
        if (Row.Name_IsNull) Row.Shout_IsNull = true;
        else Row.Shout = Row.Name.ToUpperInvariant() + "#" + Row.Id;
    }`);
  const run = await runSpec({
    flatFiles: [
      { name: 'In', path: dir.file('people.csv'), header: true, columns: [{ name: 'Id' }, { name: 'Name' }, { name: 'Extra' }] },
      { name: 'Out', path: dir.file('people-out.txt'), columns: [{ name: 'Id' }, { name: 'Extra' }, { name: 'Shout' }] },
    ],
    components: [
      { name: 'Source', classId: 'Microsoft.FlatFileSource', connection: 'In', props: { RetainNulls: 'true' },
        outputs: [{ name: 'Out', external: [{ name: 'Id', dataType: 'wstr', length: 50 }, { name: 'Name', dataType: 'wstr', length: 50 }, { name: 'Extra', dataType: 'wstr', length: 50 }],
          columns: [{ name: 'Id', dataType: 'wstr', length: 50, ext: 'Id' }, { name: 'Name', dataType: 'wstr', length: 50, ext: 'Name' }, { name: 'Extra', dataType: 'wstr', length: 50, ext: 'Extra' }] }] },
      scriptComponent('Shout', p, {
        inputs: [{ name: 'Input 0', columns: [{ from: 'Source.Out.Id' }, { from: 'Source.Out.Name' }] }],
        outputs: [{ name: 'Output 0', syncWith: 'Input 0', columns: [{ name: 'Shout', dataType: 'wstr', length: 60 }] }],
      }),
      { name: 'Dest', classId: 'Microsoft.FlatFileDestination', connection: 'Out', props: { Overwrite: 'true' },
        inputs: [{ name: 'In', columns: [{ from: 'Source.Out.Id', ext: 'Id' }, { from: 'Source.Out.Extra', ext: 'Extra' }, { from: 'Shout.Output 0.Shout', ext: 'Shout' }],
          external: [{ name: 'Id', dataType: 'wstr', length: 50 }, { name: 'Extra', dataType: 'wstr', length: 50 }, { name: 'Shout', dataType: 'wstr', length: 60 }] }] },
    ],
    paths: [['Source.Out', 'Shout.Input 0'], ['Shout.Output 0', 'Dest.In']],
  });
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(dir.read('people-out.txt'), '1,x1,ANN#1\r\n2,x2,\r\n3,x3,BOB#3\r\n');
});

const SPLIT_WORDS = project('SC_async',
  bufferClass('Input0Buffer', [{ name: 'Sentence', type: 130, read: true, write: false }], true) + '\n' + bufferClass('WordsBuffer', [{ name: 'Word', type: 130, read: false, write: true }, { name: 'Position', type: 3, read: false, write: true }], false),
  OUTPUT_PRIME('Words', 'WordsBuffer', true) + `
    public override void ProcessInput(int InputID, string InputName, PipelineBuffer Buffer, OutputNameMap OutputMap)
    {
        if (InputName.Equals(@"Input 0", StringComparison.Ordinal))
        {
            Input0_ProcessInput(new Input0Buffer(Buffer, GetColumnIndexes(InputID), OutputMap));
        }
        if (Buffer.EndOfRowset)
        {
            InputsFinished = InputsFinished + 1;
            if (InputsFinished == 1)
            {
                FinishOutputs();
                MarkOutputsFinished();
            }
        }
    }

    public virtual void Input0_ProcessInput(Input0Buffer Buffer)
    {
        while (Buffer.NextRow())
        {
            Input0_ProcessInputRow(Buffer);
        }
    }

    public virtual void Input0_ProcessInputRow(Input0Buffer Row)
    {
    }
`, '',
  `    int rows;
    public override void Input0_ProcessInputRow(Input0Buffer Row)
    {
        rows++;
        string[] words = Row.Sentence.Split(' ');
        for (int i = 0; i < words.Length; i++)
        {
            WordsBuffer.AddRow();
            WordsBuffer.Word = words[i];
            WordsBuffer.Position = i;
        }
    }
    public override void FinishOutputs()
    {
        WordsBuffer.AddRow();
        WordsBuffer.Word = "(" + rows + " sentences)";
        WordsBuffer.Position = -1;
    }`);

t('as an asynchronous transformation: rows added to its own output, and one more when the input ends', async () => {
  writeFileSync(dir.file('sentences.txt'), 'the quick fox\r\njumps\r\nover the dog\r\n');
  const run = await runSpec({
    flatFiles: [
      { name: 'In', path: dir.file('sentences.txt'), columns: [{ name: 'Sentence' }] },
      { name: 'Out', path: dir.file('words.txt'), columns: [{ name: 'Position', dataType: 3 }, { name: 'Word' }] },
    ],
    components: [
      { name: 'Source', classId: 'Microsoft.FlatFileSource', connection: 'In',
        outputs: [{ name: 'Out', external: [{ name: 'Sentence', dataType: 'wstr', length: 200 }], columns: [{ name: 'Sentence', dataType: 'wstr', length: 200, ext: 'Sentence' }] }] },
      scriptComponent('Split', SPLIT_WORDS, {
        inputs: [{ name: 'Input 0', columns: [{ from: 'Source.Out.Sentence' }] }],
        outputs: [{ name: 'Words', columns: [{ name: 'Word', dataType: 'wstr', length: 50 }, { name: 'Position', dataType: 'i4' }] }],
      }),
      { name: 'Dest', classId: 'Microsoft.FlatFileDestination', connection: 'Out', props: { Overwrite: 'true' },
        inputs: [{ name: 'In', columns: [{ from: 'Split.Words.Position', ext: 'Position' }, { from: 'Split.Words.Word', ext: 'Word' }],
          external: [{ name: 'Position', dataType: 'i4' }, { name: 'Word', dataType: 'wstr', length: 50 }] }] },
    ],
    paths: [['Source.Out', 'Split.Input 0'], ['Split.Words', 'Dest.In']],
  });
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(dir.read('words.txt'), '0,the\r\n1,quick\r\n2,fox\r\n0,jumps\r\n0,over\r\n1,the\r\n2,dog\r\n-1,(3 sentences)\r\n');
  assert.is(rowsByPath(run).get('P1'), 8);
});

function destinationPackage(amounts: string): PackageSpec {
  writeFileSync(dir.file('amounts.txt'), amounts);
  const p = project('SC_dest',
    bufferClass('Input0Buffer', [{ name: 'Amount', type: 5, read: true, write: false }], true),
    INPUT_DISPATCH('Input 0', 'Input0Buffer'),
    `    public Double Total
    {
        set
        {
            ParentComponent.ReadWriteVariables["Total"].Value = value;
        }
    }
`,
    `    double total;
    public override void Input0_ProcessInputRow(Input0Buffer Row)
    {
        if (Row.Amount < 0) throw new ArgumentException("negative amount " + Row.Amount);
        total += Row.Amount;
    }
    public override void PostExecute()
    {
        base.PostExecute();
        Variables.Total = total;
    }`);
  return {
    variables: [{ name: 'Total', dataType: 5, value: '0' }, { name: 'Shown', dataType: 8, value: '' }],
    flatFiles: [{ name: 'In', path: dir.file('amounts.txt'), columns: [{ name: 'Amount', dataType: 5 }] }],
    components: [
      { name: 'Source', classId: 'Microsoft.FlatFileSource', connection: 'In',
        outputs: [{ name: 'Out', external: [{ name: 'Amount', dataType: 'r8' }], columns: [{ name: 'Amount', dataType: 'r8', ext: 'Amount' }] }] },
      scriptComponent('Script Dest', p, { rw: 'User::Total', inputs: [{ name: 'Input 0', columns: [{ from: 'Source.Out.Amount' }] }] }),
    ],
    paths: [['Source.Out', 'Script Dest.Input 0']],
    taskProps: { DefaultBufferMaxRows: '2' },
    extraExecutables: expressionTaskXml('Show', '@[User::Shown] = (DT_WSTR, 30) @[User::Total]'),
    afterExecutables: `<DTS:PrecedenceConstraints>${constraintXml('Data Flow Task', 'Show')}</DTS:PrecedenceConstraints>`,
  };
}

t('as a destination: rows consumed over several buffers; PostExecute writes a ReadWrite variable the next task reads', async () => {
  const run = await runSpec(destinationPackage('1.5\r\n2\r\n3\r\n4.25\r\n'));
  assert.is(run.result.outcome, 'succeeded', errorsOf(run));
  assert.is(lastAssigned(run, 'User::Shown'), '10.75');
});

t('an exception in the script fails the data flow naming the component and the .NET exception; the variable is not written', async () => {
  const run = await runSpec(destinationPackage('1.5\r\n2\r\n-3\r\n4\r\n'));
  assert.is(run.result.outcome, 'failed');
  const text = errorsOf(run);
  assert.match(text, /\\Package\\Data Flow Task\\Script Dest: the script failed: System\.ArgumentException: negative amount -3/);
  assert.match(text, /DTS_E_PROCESSINPUTFAILED\. The component "Script Dest" failed/);
  assert.is(lastAssigned(run, 'User::Shown'), undefined);
});

t('events of every kind reach the messages with their types; FireError fails the component after PostExecute', async () => {
  const p = SOURCE(`        bool again = true;
        object[] args = new object[0];
        ComponentMetaData.FireProgress("half way", 50, 0, 0, "SC", ref again);
        ComponentMetaData.FireCustomEvent("MyEvent", "custom text", ref args, "SC", ref again);
        Output0Buffer.AddRow(); Output0Buffer.Id = Variables.RowCount; Output0Buffer.Label = "x";
        bool cancel;
        ComponentMetaData.FireError(42, "SC", "the script says no", "", 0, out cancel);`);
  const run = await runSpec({
    variables: [{ name: 'RowCount', dataType: 3, value: '5' }],
    components: [scriptComponent('Noisy', p, { ro: 'User::RowCount', outputs: [{ name: 'Output 0', columns: [{ name: 'Id', dataType: 'i4' }, { name: 'Label', dataType: 'wstr', length: 50 }] }] })],
    paths: [],
  }, { level: 3 });
  assert.is(run.result.outcome, 'failed');
  const all = run.messages();
  assert.ok(all.some((m) => m.type === 60 && m.text.includes('half way')), all.map((m) => `${m.type} ${m.text}`).join('\n'));
  assert.ok(all.some((m) => m.type === 120 && m.text === 'the script says no'));
  assert.match(errorsOf(run), /\\Package\\Data Flow Task\\Noisy: the script reported an error \(ComponentMetaData\.FireError\); the component failed/);
  assert.ok(run.events.some((e) => e.kind === 'message' && /custom text/.test(e.message.message)), 'the custom event is logged at the Verbose level');
});

t('a Script Component that does not compile fails validation naming the component and the compiler error', async () => {
  const p = SOURCE('        Output0Buffer.AddRow(); Output0Buffer.Id = "not a number";');
  const run = await runSpec({
    variables: [{ name: 'RowCount', dataType: 3, value: '1' }],
    components: [scriptComponent('Broken', p, { ro: 'User::RowCount', outputs: [{ name: 'Output 0', columns: [{ name: 'Id', dataType: 'i4' }, { name: 'Label', dataType: 'wstr', length: 50 }] }] })],
    paths: [],
  });
  assert.is(run.result.outcome, 'failed');
  assert.match(errorsOf(run), /\\Package\\Data Flow Task\\Broken: Script Component 'Broken' cannot run here: it does not compile: main\.cs\(\d+,\d+\): error CS0029/);
});

t('cancelling the run kills the mono process of a script that never returns', async () => {
  const pidFile = dir.file('forever.pid');
  const p = SOURCE(`        System.IO.File.WriteAllText(@"${pidFile}", System.Diagnostics.Process.GetCurrentProcess().Id.ToString());
        while (true) System.Threading.Thread.Sleep(50);`);
  const ac = new AbortController();
  const running = runSpec({
    variables: [{ name: 'RowCount', dataType: 3, value: '1' }],
    components: [scriptComponent('Forever', p, { ro: 'User::RowCount', outputs: [{ name: 'Output 0', columns: [{ name: 'Id', dataType: 'i4' }, { name: 'Label', dataType: 'wstr', length: 50 }] }] })],
    paths: [],
  }, { signal: ac.signal });
  let pid = 0;
  for (let i = 0; i < 200 && pid === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    if (existsSync(pidFile)) pid = Number(readFileSync(pidFile, 'utf8')) || 0;
  }
  assert.ok(pid > 0, 'the script started and wrote its process id');
  assert.ok(alive(pid));
  ac.abort();
  const run = await running;
  assert.is(run.result.outcome, 'canceled');
  for (let i = 0; i < 40 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  assert.not.ok(alive(pid), `the host process ${pid} was killed`);
});

t('a script that never returns is stopped after SCALEOUT_SCRIPT_TimeoutSeconds, failing the component with the setting named', async () => {
  const p = SOURCE('        while (true) System.Threading.Thread.Sleep(50);');
  process.env.SCALEOUT_SCRIPT_TimeoutSeconds = '2';
  try {
    const run = await runSpec({
      variables: [{ name: 'RowCount', dataType: 3, value: '1' }],
      components: [scriptComponent('Hung', p, { ro: 'User::RowCount', outputs: [{ name: 'Output 0', columns: [{ name: 'Id', dataType: 'i4' }, { name: 'Label', dataType: 'wstr', length: 50 }] }] })],
      paths: [],
    });
    assert.is(run.result.outcome, 'failed');
    assert.match(errorsOf(run), /\\Package\\Data Flow Task\\Hung: the script ran longer than 2 seconds \(SCALEOUT_SCRIPT_TimeoutSeconds\) and was stopped/);
  } finally {
    delete process.env.SCALEOUT_SCRIPT_TimeoutSeconds;
  }
});

function alive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  // A killed child not yet reaped is a zombie: dead for our purpose.
  try { return !/^\S+\s+\S+\s+Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^\d+ \(.*\) /, '0 x ')); } catch { return false; }
}

if (monoMissing()) reportSkip('Script Component in the data flow', monoMissing()!);
else t.run();
