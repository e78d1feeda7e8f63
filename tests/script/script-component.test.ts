/**
 * Script Components in their real shape (ComponentWrapper.cs/BufferWrapper.cs as the designer generates
 * them, plus main.cs) compiled against our object model and run in a mono host, driven as the data flow
 * drives them: as a source (CreateNewOutputRows, in batches), a synchronous transformation
 * (Input0_ProcessInputRow writing an added column; columns the script does not see pass through), an
 * asynchronous transformation (rows added to its own output) and a destination (PostExecute writing a
 * variable); typed values (dates, 64-bit integers, NULLs), events and exceptions.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compileProject } from '../../executor/script/compile.ts';
import type { ScriptProject } from '../../executor/script/extract.ts';
import { INPUT_DISPATCH, OUTPUT_PRIME, bufferClass, project } from './component-project.ts';
import type { HostMessage } from '../../executor/script/protocol.ts';
import { ScriptComponentRun } from '../../executor/script/run-component.ts';
import type { ComponentInput, ComponentOutput } from '../../executor/script/run-component.ts';
import { scriptSettings } from '../../executor/script/settings.ts';
import { reportSkip } from '../helpers/skip.ts';
import { monoMissing } from './script-packages.ts';

const t = suite('Script Component');

async function start(p: ScriptProject, inputs: ComponentInput[], outputs: ComponentOutput[], variables: { name: string; type: number; value: unknown; writable: boolean }[] = [], events: HostMessage[] = []) {
  const compiled = compileProject(p, scriptSettings());
  if (!compiled.ok) throw new Error(compiled.reason);
  return ScriptComponentRun.start({
    mono: 'mono', hostPath: compiled.hostPath, assemblyPath: compiled.assemblyPath, project: p, name: 'SC', path: '\\Package\\DFT\\SC',
    inputs, outputs, connections: [], onMessage: (m) => events.push(m), signal: new AbortController().signal, batchSize: 1000,
    variables: variables.map((v) => ({ namespace: 'User', name: v.name, type: v.type, value: v.value, writable: v.writable, sensitive: false })),
  });
}

t('as a source: CreateNewOutputRows adds rows in batches with typed values and NULLs, reading a variable', async () => {
  const p = project('SC_source',
    bufferClass('Output0Buffer', [{ name: 'Id', type: 3, read: false, write: true }, { name: 'Label', type: 130, read: false, write: true }, { name: 'At', type: 135, read: false, write: true }, { name: 'Big', type: 20, read: false, write: true }], false),
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
        bool again = true;
        ComponentMetaData.FireInformation(0, "SC", "making " + Variables.RowCount + " rows", "", 0, ref again);
        for (int i = 0; i < Variables.RowCount; i++)
        {
            Output0Buffer.AddRow();
            Output0Buffer.Id = i;
            if (i % 1000 == 7) Output0Buffer.Label_IsNull = true; else Output0Buffer.Label = "row " + i;
            Output0Buffer.At = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(i % 30).ToLocalTime();
            Output0Buffer.Big = 9007199254740993L + i;
        }
    }`);
  const events: HostMessage[] = [];
  const run = await start(p, [], [{ id: 5, name: 'Output 0', columns: [{ name: 'Id', dataType: 3 }, { name: 'Label', dataType: 130 }, { name: 'At', dataType: 135 }, { name: 'Big', dataType: 20 }] }], [{ name: 'RowCount', type: 3, value: 2500, writable: false }], events);
  const rows = (await run.prime()).get('Output 0')!;
  await run.finish();
  assert.is(rows.length, 2500);
  assert.equal(rows[3], { Id: 3, Label: 'row 3', At: new Date(Date.UTC(2024, 0, 4)), Big: 9007199254740996n });
  assert.is(rows[1007]!.Label, null);
  assert.ok(events.some((e) => e.t === 'event' && e.e === 'OnInformation' && e.text === 'making 2500 rows'));
});

t('as a synchronous transformation: Input0_ProcessInputRow sets an added column; unseen columns pass through', async () => {
  const p = project('SC_sync',
    bufferClass('Input0Buffer', [{ name: 'A', type: 3, read: true, write: false }, { name: 'B', type: 130, read: true, write: false }, { name: 'C', type: 130, read: false, write: true }], true),
    INPUT_DISPATCH('Input 0', 'Input0Buffer'),
    '',
    `    public override void Input0_ProcessInputRow(Input0Buffer Row)
    {
        if (Row.A_IsNull) Row.C_IsNull = true;
        else Row.C = Row.B.ToUpperInvariant() + (Row.A * 2);
    }`);
  const run = await start(p, [{ id: 1, name: 'Input 0', columns: [{ name: 'A', dataType: 3 }, { name: 'B', dataType: 130 }] }], [{ id: 2, name: 'Output 0', columns: [{ name: 'C', dataType: 130 }], synchronousInputId: 1 }]);
  const batch1 = await run.processInput('Input 0', [{ A: 1, B: 'x', Extra: 'keep' }, { A: null, B: 'y', Extra: 'k2' }], false);
  const batch2 = await run.processInput('Input 0', [{ A: 21, B: 'z', Extra: 'k3' }], true);
  await run.finish();
  assert.equal(batch1.get('Output 0'), [{ A: 1, B: 'x', Extra: 'keep', C: 'X2' }, { A: null, B: 'y', Extra: 'k2', C: null }]);
  assert.equal(batch2.get('Output 0'), [{ A: 21, B: 'z', Extra: 'k3', C: 'Z42' }]);
});

t('as an asynchronous transformation: rows added to its own output while input rows arrive', async () => {
  const p = project('SC_async',
    bufferClass('Input0Buffer', [{ name: 'Sentence', type: 130, read: true, write: false }], true) + '\n' + bufferClass('WordsBuffer', [{ name: 'Word', type: 130, read: false, write: true }, { name: 'Position', type: 3, read: false, write: true }], false),
    OUTPUT_PRIME('Words', 'WordsBuffer', true).replace('public virtual void CreateNewOutputRows', 'public virtual void CreateNewOutputRows') + `
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
`,
    '',
    `    public override void Input0_ProcessInputRow(Input0Buffer Row)
    {
        string[] words = Row.Sentence.Split(' ');
        for (int i = 0; i < words.Length; i++)
        {
            WordsBuffer.AddRow();
            WordsBuffer.Word = words[i];
            WordsBuffer.Position = i;
        }
    }`);
  const run = await start(p, [{ id: 1, name: 'Input 0', columns: [{ name: 'Sentence', dataType: 130 }] }], [{ id: 3, name: 'Words', columns: [{ name: 'Word', dataType: 130 }, { name: 'Position', dataType: 3 }] }]);
  assert.equal((await run.prime()).get('Words'), []);
  const out1 = await run.processInput('Input 0', [{ Sentence: 'a b' }], false);
  const out2 = await run.processInput('Input 0', [{ Sentence: 'c' }], true);
  await run.finish();
  assert.equal(out1.get('Words'), [{ Word: 'a', Position: 0 }, { Word: 'b', Position: 1 }]);
  assert.equal(out2.get('Words'), [{ Word: 'c', Position: 0 }]);
});

t('as a destination: rows consumed, PostExecute writes a read-write variable; an exception fails with the .NET message', async () => {
  const variables = `    public Double Total
    {
        set
        {
            ParentComponent.ReadWriteVariables["Total"].Value = value;
        }
    }
`;
  const p = project('SC_dest',
    bufferClass('Input0Buffer', [{ name: 'Amount', type: 5, read: true, write: false }], true),
    INPUT_DISPATCH('Input 0', 'Input0Buffer'),
    variables,
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
  const inputs = [{ id: 1, name: 'Input 0', columns: [{ name: 'Amount', dataType: 5 }] }];
  const run = await start(p, inputs, [], [{ name: 'Total', type: 5, value: 0, writable: true }]);
  await run.processInput('Input 0', [{ Amount: 1.5 }, { Amount: 2 }], false);
  await run.processInput('Input 0', [{ Amount: 3 }], true);
  const done = await run.finish();
  assert.equal(done.writes.map((w) => [w.name, w.value]), [['User::Total', 6.5]]);

  const bad = await start(p, inputs, [], [{ name: 'Total', type: 5, value: 0, writable: true }]);
  try {
    await bad.processInput('Input 0', [{ Amount: -4 }], true);
    assert.unreachable('the exception fails the step');
  } catch (err) {
    assert.match((err as Error).message, 'System.ArgumentException: negative amount -4');
  }
  bad.kill();
});

if (monoMissing()) reportSkip('Script Component', monoMissing()!);
else t.run();
