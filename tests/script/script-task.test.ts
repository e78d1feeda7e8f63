/**
 * Script Tasks with hand-written packages, run by the package engine with real mono processes: variables
 * in and out (an Object variable holding string[] iterated by a Foreach From Variable loop), SSIS's
 * read-only rule, events of every kind in the catalog with their message types, TaskResult and
 * precedence constraints, exceptions as OnError with the .NET message, the worker's file system,
 * MessageBox, and hostile scripts (endless loop stopped, timeout, Environment.Exit, huge stdout).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import type { EventMessageInput } from '../../actors/ports.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { readProjectFolder } from '../../executor/package/project-archive.ts';
import { reportSkip } from '../helpers/skip.ts';
import { FIXTURES, runParts } from '../package/run-helpers.ts';
import type { Run } from '../package/run-helpers.ts';
import { constraintXml, expressionTaskXml, foreachFromVariableXml, monoMissing, packageXml, scriptTaskXml } from './script-packages.ts';

const missing = monoMissing();
const t = suite('Script Task');

const run = (xml: string, opts: Parameters<typeof runParts>[2] = {}): Promise<Run> => runParts(new Map([['S.dtsx', xml]]), 'S.dtsx', opts);
const infos = (r: Run) => r.messages(70).map((m) => m.text);
const errors = (r: Run) => r.messages(120).map((m) => m.text);

async function withEnv<T>(vars: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const old = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try { return await f(); } finally {
    for (const [k, v] of Object.entries(old)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
}

t('reads variables of each type, writes them back, and a string[] in an Object variable drives a Foreach From Variable loop', async () => {
  const xml = packageXml({
    variables: [
      { name: 'Count', type: 3, value: '41' }, { name: 'Name', type: 8, value: 'abc' }, { name: 'When', type: 7, value: '2024-05-01T10:20:30' },
      { name: 'Flag', type: 11, value: 'False' }, { name: 'Big', type: 20, value: '9007199254740993' }, { name: 'Ratio', type: 5, value: '0.5' },
      { name: 'List', type: 13 }, { name: 'Item', type: 8 }, { name: 'Joined', type: 8 }, { name: 'Report', type: 8 },
    ],
    executables: [
      scriptTaskXml({
        name: 'Produce', ro: ['User::Name', 'User::When'], rw: ['User::Count', 'User::Flag', 'User::Big', 'User::Ratio', 'User::List'],
        main: `
            int n = (int)Dts.Variables["User::Count"].Value;
            DateTime when = (DateTime)Dts.Variables["When"].Value;
            Dts.Variables["User::Count"].Value = n + 1;
            Dts.Variables["User::Flag"].Value = when.Year == 2024 && when.Second == 30;
            Dts.Variables["User::Big"].Value = (long)Dts.Variables["User::Big"].Value + 2;
            Dts.Variables["User::Ratio"].Value = (double)Dts.Variables["User::Ratio"].Value * 3;
            Dts.Variables["User::List"].Value = new string[] { "x", (string)Dts.Variables["User::Name"].Value, "z" };
            Dts.TaskResult = (int)ScriptResults.Success;`,
      }),
      foreachFromVariableXml('Each', 'User::List', 'User::Item', expressionTaskXml('Append', '@[User::Joined] = @[User::Joined] + @[User::Item] + ";"', 'Package\\Each')),
      scriptTaskXml({
        name: 'Check', ro: ['User::Count', 'User::Flag', 'User::Big', 'User::Ratio', 'User::Joined', 'User::List'], rw: ['User::Report'],
        main: `
            string[] list = (string[])Dts.Variables["User::List"].Value;
            string r = Dts.Variables["User::Count"].Value + "|" + Dts.Variables["User::Flag"].Value + "|" + Dts.Variables["User::Big"].Value + "|"
                + ((double)Dts.Variables["User::Ratio"].Value).ToString(System.Globalization.CultureInfo.InvariantCulture) + "|" + Dts.Variables["User::Joined"].Value + "|" + list.Length;
            bool again = true;
            Dts.Events.FireInformation(7, "Check", "report=" + r, "", 0, ref again);
            Dts.Variables["User::Report"].Value = r;
            Dts.TaskResult = (int)ScriptResults.Success;`,
      }),
    ].join('\n'),
    constraints: constraintXml('Produce', 'Each') + constraintXml('Each', 'Check'),
  });
  const r = await run(xml);
  assert.is(r.result.outcome, 'succeeded', r.result.errors.join('\n'));
  assert.ok(infos(r).includes('report=42|True|9007199254740995|1.5|x;abc;z;|3'), infos(r).join('\n'));
});

t('a write to a read-only variable fails as in SSIS, and no write of that run is applied', async () => {
  const xml = packageXml({
    variables: [{ name: 'Locked', type: 8, value: 'keep' }, { name: 'Other', type: 3, value: '1' }],
    executables: scriptTaskXml({
      name: 'Writer', ro: ['User::Locked'], rw: ['User::Other'],
      main: `Dts.Variables["User::Other"].Value = 2; Dts.Variables["User::Locked"].Value = "changed"; Dts.TaskResult = (int)ScriptResults.Success;`,
    }) + scriptTaskXml({
      name: 'After', ro: ['User::Locked', 'User::Other'],
      main: `bool a = true; Dts.Events.FireInformation(0, "", "after=" + Dts.Variables["User::Locked"].Value + "," + Dts.Variables["User::Other"].Value, "", 0, ref a);`,
    }),
    constraints: constraintXml('Writer', 'After', 2),
  });
  const r = await run(xml);
  assert.is(r.result.outcome, 'failed');
  const e = errors(r).find((m) => m.includes('read-only'));
  assert.ok(e, errors(r).join('\n'));
  assert.match(e!, 'Error trying to write to a read-only variable, "User::Locked".');
  assert.match(e!, 'Microsoft.SqlServer.Dts.Runtime.DtsRuntimeException');
  assert.ok(infos(r).includes('after=keep,1'), infos(r).join('\n'));
  // A variable not in either list cannot be reached either.
  const r2 = await run(packageXml({ variables: [{ name: 'Hidden', type: 8, value: 'h' }], executables: scriptTaskXml({ name: 'Peek', main: 'object x = Dts.Variables["User::Hidden"].Value;' }) }));
  assert.is(r2.result.outcome, 'failed');
  assert.ok(errors(r2).some((m) => m.includes('The element cannot be found in a collection.')), errors(r2).join('\n'));
});

t('VariableDispenser locks a variable outside the lists; Dts.Variables still refuses it', async () => {
  const r = await run(packageXml({
    variables: [{ name: 'Counter', type: 3, value: '10' }, { name: 'Seen', type: 8 }],
    executables: scriptTaskXml({
      name: 'Dispense', rw: ['User::Seen'],
      main: `
            Variables vars = null;
            Dts.VariableDispenser.LockForWrite("User::Counter");
            Dts.VariableDispenser.GetVariables(ref vars);
            vars["User::Counter"].Value = (int)vars["User::Counter"].Value + 5;
            vars.Unlock();
            string listed;
            try { object x = Dts.Variables["User::Counter"].Value; listed = "reachable"; } catch (DtsRuntimeException) { listed = "not in Dts.Variables"; }
            Dts.Variables["User::Seen"].Value = listed;`,
    }) + scriptTaskXml({ name: 'Report', ro: ['User::Counter', 'User::Seen'], main: 'bool a = true; Dts.Events.FireInformation(0, "", Dts.Variables["User::Counter"].Value + " " + Dts.Variables["User::Seen"].Value, "", 0, ref a);' }),
    constraints: constraintXml('Dispense', 'Report'),
  }));
  assert.is(r.result.outcome, 'succeeded', r.result.errors.join('\n'));
  assert.ok(infos(r).includes('15 not in Dts.Variables'), infos(r).join('\n'));
});

t('Dts.ExecutionValue lands in the ExecValueVariable of the task', async () => {
  const r = await run(packageXml({
    variables: [{ name: 'Exec', type: 13 }],
    executables: scriptTaskXml({ name: 'Valued', main: 'Dts.ExecutionValue = 42; Dts.TaskResult = (int)ScriptResults.Success;', extraXml: 'DTS:ExecValueVariable="User::Exec"' })
      + scriptTaskXml({ name: 'Show', ro: ['User::Exec'], main: 'bool a = true; Dts.Events.FireInformation(0, "", "exec=" + Dts.Variables["User::Exec"].Value + " " + Dts.Variables["User::Exec"].Value.GetType().Name, "", 0, ref a);' }),
    constraints: constraintXml('Valued', 'Show'),
  }));
  assert.is(r.result.outcome, 'succeeded', r.result.errors.join('\n'));
  assert.ok(infos(r).includes('exec=42 Int32'), infos(r).join('\n'));
});

t('a value of the wrong type is refused as SSIS refuses it (variable types are strict)', async () => {
  const r = await run(packageXml({ variables: [{ name: 'N', type: 3, value: '1' }], executables: scriptTaskXml({ name: 'Typed', rw: ['User::N'], main: 'Dts.Variables["User::N"].Value = "two";' }) }));
  assert.is(r.result.outcome, 'failed');
  assert.ok(errors(r).some((m) => m.includes('The type of the value (String) being assigned to variable "User::N" differs from the current variable type (Int32)')), errors(r).join('\n'));
});

t('events of every kind reach catalog.event_messages with SSIS message types, as they happen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scaleout-script-cat-'));
  const store = await openSqliteCatalog({ path: join(dir, 'c.db') });
  try {
    const S = SYSTEM_PRINCIPAL;
    await store.createFolder(S, { folderName: 'F' });
    await store.deployProject(S, { folderName: 'F', projectName: 'Tiny Project', project: await readProjectFolder(join(FIXTURES, '..', 'projects', 'with-dtproj')) });
    const { executionId } = await store.createExecution(S, { folderName: 'F', projectName: 'Tiny Project', packageName: 'Main.dtsx', runInScaleOut: true });
    await store.startExecution(S, { executionId });
    const xml = packageXml({
      maxErrors: 5,
      executables: scriptTaskXml({
        name: 'Talk',
        main: `
            bool again = true;
            Dts.Events.FireInformation(11, "sub", "an information", "", 0, ref again);
            Dts.Events.FireWarning(12, "sub", "a warning", "", 0);
            Dts.Events.FireProgress("halfway", 50, 0, 0, "sub", ref again);
            object[] args = new object[0];
            Dts.Events.FireCustomEvent("MyEvent", "a custom event", ref args, "sub", ref again);
            Dts.Log("a log entry", 13, null);
            Dts.Events.FireError(14, "sub", "an error", "", 0);
            Dts.TaskResult = (int)ScriptResults.Success;`,
      }),
    });
    const r = await run(xml, { level: 3 });
    const talk = r.events.flatMap((e) => (e.kind === 'statistic' && e.statistic.packagePath === '\\Package\\Talk' ? [e.statistic.executionResult] : []));
    assert.equal(talk, [1], 'FireError fails the task (its MaximumErrorCount is 1)');
    const messages: EventMessageInput[] = r.events.flatMap((e) => (e.kind === 'message' ? [{ ...e.message, operationId: executionId }] : []));
    await store.appendEventMessages(S, messages);
    const rows = (await store.queryView(S, 'catalog.event_messages')).rows.filter((x) => Number(x.operation_id) === executionId && x.message_source_name === 'Talk');
    const byText = (s: string) => rows.find((x) => String(x.message).includes(s));
    const expect: [string, number, string][] = [['an information', 70, 'OnInformation'], ['a warning', 110, 'OnWarning'], ['halfway', 60, 'OnProgress'], ['a custom event', 200, 'OnCustomEvent'], ['a log entry', 200, 'ScriptTaskLogEntry'], ['an error', 120, 'OnError']];
    for (const [text, type, event] of expect) {
      const row = byText(text);
      assert.ok(row, `${text} is in catalog.event_messages`);
      assert.is(Number(row!.message_type), type, text);
      assert.is(row!.event_name, event, text);
      assert.is(row!.package_path, '\\Package\\Talk');
      assert.is(Number(row!.message_source_type), 40);
    }
    const order = rows.map((x) => String(x.message));
    assert.ok(order.findIndex((m) => m.includes('an information')) < order.findIndex((m) => m.includes('an error')), 'in the order fired');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

t('TaskResult = Failure fails the task and precedence constraints follow', async () => {
  const xml = packageXml({
    variables: [{ name: 'Log', type: 8 }],
    maxErrors: 10,
    executables: [
      scriptTaskXml({ name: 'Fails', main: 'Dts.TaskResult = (int)ScriptResults.Failure;' }),
      expressionTaskXml('OnFailure', '@[User::Log] = @[User::Log] + "F"'),
      expressionTaskXml('OnSuccess', '@[User::Log] = @[User::Log] + "S"'),
      scriptTaskXml({ name: 'Report', ro: ['User::Log'], main: 'bool a = true; Dts.Events.FireInformation(0, "", "log=" + Dts.Variables["User::Log"].Value, "", 0, ref a);' }),
    ].join('\n'),
    constraints: constraintXml('Fails', 'OnFailure', 1) + constraintXml('Fails', 'OnSuccess', 0) + constraintXml('OnFailure', 'Report', 2),
  });
  const r = await run(xml);
  assert.ok(infos(r).includes('log=F'), infos(r).join('\n'));
  const failed = r.messages(130).map((m) => m.path);
  assert.ok(failed.includes('\\Package\\Fails'), 'OnTaskFailed for the script task');
  const stats = r.events.flatMap((e) => (e.kind === 'statistic' && e.statistic.packagePath === '\\Package\\Fails' ? [e.statistic.executionResult] : []));
  assert.equal(stats, [1]);
});

t('an exception becomes an OnError with the .NET type, message and stack', async () => {
  const r = await run(packageXml({ executables: scriptTaskXml({ name: 'Throws', main: 'Helper();', members: 'void Helper() { throw new InvalidOperationException("the widget is broken"); }' }) }));
  assert.is(r.result.outcome, 'failed');
  const e = errors(r).find((m) => m.includes('the widget is broken'));
  assert.ok(e, errors(r).join('\n'));
  assert.match(e!, /TargetInvocationException: Exception has been thrown by the target of an invocation\. ---> System\.InvalidOperationException: the widget is broken/);
  assert.match(e!, /at ST_test\.ScriptMain\.(Helper|Main) \(\)/, 'the stack names the script method');
  assert.is(r.messages(120).find((m) => m.text === e)!.path, '\\Package\\Throws');
});

t('File.Exists and Directory.GetFiles see the worker file system', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scaleout-script-fs-'));
  try {
    writeFileSync(join(dir, 'a.csv'), '1');
    writeFileSync(join(dir, 'b.csv'), '2');
    writeFileSync(join(dir, 'c.txt'), '3');
    const r = await run(packageXml({
      variables: [{ name: 'Dir', type: 8, value: dir }, { name: 'Files', type: 13 }, { name: 'Exists', type: 11, value: 'False' }],
      executables: scriptTaskXml({
        name: 'Look', ro: ['User::Dir'], rw: ['User::Files', 'User::Exists'],
        main: `
            string d = (string)Dts.Variables["User::Dir"].Value;
            string[] files = Directory.GetFiles(d, "*.csv");
            Array.Sort(files);
            Dts.Variables["User::Files"].Value = files;
            Dts.Variables["User::Exists"].Value = File.Exists(Path.Combine(d, "c.txt")) && !File.Exists(Path.Combine(d, "nope.txt"));
            bool a = true;
            Dts.Events.FireInformation(0, "", "found " + files.Length + " " + Path.GetFileName(files[0]) + " " + Path.GetFileName(files[1]), "", 0, ref a);`,
      }),
    }));
    assert.is(r.result.outcome, 'succeeded', r.result.errors.join('\n'));
    assert.ok(infos(r).includes('found 2 a.csv b.csv'), infos(r).join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t('MessageBox.Show fails as in a catalog execution, unless SCALEOUT_SCRIPT_MessageBox=information', async () => {
  const xml = packageXml({ executables: scriptTaskXml({ name: 'Box', main: 'MessageBox.Show("hello from the box", "Title");' }) });
  const r = await run(xml);
  assert.is(r.result.outcome, 'failed');
  assert.ok(errors(r).some((m) => m.includes('Showing a modal dialog box or form when the application is not running in UserInteractive mode is not a valid operation.')), errors(r).join('\n'));
  const r2 = await withEnv({ SCALEOUT_SCRIPT_MessageBox: 'information' }, () => run(xml));
  assert.is(r2.result.outcome, 'succeeded', r2.result.errors.join('\n'));
  assert.ok(infos(r2).includes('Title: hello from the box'), infos(r2).join('\n'));
});

t('hostile scripts: an endless loop is killed on stop, and on timeout; Environment.Exit and a flood of stdout fail clearly; the next script runs', async () => {
  const loop = packageXml({ executables: scriptTaskXml({ name: 'Spin', main: 'while (true) { }' }) });
  const ac = new AbortController();
  const started = Date.now();
  const stopping = setTimeout(() => ac.abort(), 1500);
  const r1 = await run(loop, { signal: ac.signal });
  clearTimeout(stopping);
  assert.is(r1.result.outcome, 'canceled');
  assert.ok(Date.now() - started < 20_000, 'the stop ended the script');

  const r2 = await withEnv({ SCALEOUT_SCRIPT_TimeoutSeconds: '2' }, () => run(loop));
  assert.is(r2.result.outcome, 'failed');
  assert.ok(errors(r2).some((m) => /ran longer than 2 seconds .* and was stopped/.test(m)), errors(r2).join('\n'));

  const r3 = await run(packageXml({ variables: [{ name: 'V', type: 3, value: '1' }], executables: scriptTaskXml({ name: 'Quit', rw: ['User::V'], main: 'Dts.Variables["User::V"].Value = 5; Environment.Exit(3);' }) }));
  assert.is(r3.result.outcome, 'failed');
  assert.ok(errors(r3).some((m) => m.includes("ended its process before returning from Main (exit code 3") && m.includes('Environment.Exit')), errors(r3).join('\n'));

  const r4 = await withEnv({ SCALEOUT_SCRIPT_OutputLimitBytes: '1048576' }, () => run(packageXml({ executables: scriptTaskXml({ name: 'Flood', main: 'string s = new string(\'x\', 65536); while (true) { Console.Out.Write(s); }' }) })));
  assert.is(r4.result.outcome, 'failed');
  assert.ok(errors(r4).some((m) => m.includes('wrote more than 1048576 bytes to its standard output')), errors(r4).join('\n'));

  const r5 = await run(packageXml({ executables: scriptTaskXml({ name: 'Fine', main: 'bool a = true; Dts.Events.FireInformation(0, "", "still working", "", 0, ref a);' }) }));
  assert.is(r5.result.outcome, 'succeeded');
  assert.ok(infos(r5).includes('still working'));
});

if (missing) reportSkip('Script Task (tests/script/script-task.test.ts)', missing);
else t.run();
