/**
 * `scaleout validate` and the engine's validation step for Script Tasks: a script that does not compile
 * is named with its task path and the compiler's first errors, VB.NET is refused by name, a machine
 * without Mono says Script Tasks cannot run, a variable list naming an undefined variable is caught, and
 * nothing runs when validation fails.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-process.ts';
import { scriptCapability } from '../../executor/script/capability.ts';
import { reportSkip } from '../helpers/skip.ts';
import { runParts } from '../package/run-helpers.ts';
import { monoMissing, packageXml, scriptTaskXml } from './script-packages.ts';

const t = suite('Script Task validation');
let dir: string;
t.before(() => { dir = mkdtempSync(join(tmpdir(), 'scaleout-script-validate-')); });
t.after(() => { rmSync(dir, { recursive: true, force: true }); });

function write(name: string, xml: string): string {
  const f = join(dir, name);
  writeFileSync(f, xml);
  return f;
}

t('a script that does not compile: validate names the task path and the compiler errors; the run fails before anything executes', async () => {
  const xml = packageXml({
    variables: [{ name: 'Ran', type: 8 }],
    executables: scriptTaskXml({ name: 'First', rw: ['User::Ran'], main: 'Dts.Variables["User::Ran"].Value = "yes";' })
      + scriptTaskXml({ name: 'Broken', main: 'int x = "not a number"; Outlook.Application app = null;' }),
  });
  const r = await runCli(['validate', write('Broken.dtsx', xml)]);
  assert.is(r.code, 1);
  assert.match(r.stdout, /error\s+\\Package\\Broken: Script Task 'Broken' cannot run here: it does not compile: ScriptMain\.cs\(\d+,\d+\): error CS\d+/);
  assert.not.match(r.stdout, /\\Package\\First/);
  const run = await runParts(new Map([['Broken.dtsx', xml]]), 'Broken.dtsx');
  assert.is(run.result.outcome, 'failed');
  assert.equal(run.messages(30), [], 'no executable started');
});

t('VB.NET is refused by name; an undefined variable in ReadOnlyVariables is named', async () => {
  const vb = packageXml({ executables: scriptTaskXml({ name: 'Basic', language: 'VisualBasic', main: 'Public Class ScriptMain\nEnd Class' }) });
  const r = await runCli(['validate', write('Vb.dtsx', vb)]);
  assert.is(r.code, 1);
  assert.match(r.stdout, /\\Package\\Basic: Script Task 'Basic' cannot run here: it is written in Visual Basic \.NET, and no VB\.NET compiler is available here/);
  const undef = packageXml({ executables: scriptTaskXml({ name: 'Reads', ro: ['User::Nope'], main: '' }) });
  const r2 = await runCli(['validate', write('Undef.dtsx', undef)]);
  assert.match(r2.stdout, /\\Package\\Reads: ReadOnlyVariables names the variable 'User::Nope', which is not defined/);
});

t('a machine without Mono reports Script Tasks as unable to run, naming the task', async () => {
  const xml = packageXml({ executables: scriptTaskXml({ name: 'NeedsMono', main: 'Dts.TaskResult = 0;' }) });
  const old = process.env.SCALEOUT_SCRIPT_Mono;
  process.env.SCALEOUT_SCRIPT_Mono = join(dir, 'no-such-mono');
  try {
    const r = await runCli(['validate', write('NoMono.dtsx', xml)]);
    assert.is(r.code, 1);
    assert.match(r.stdout, /\\Package\\NeedsMono: Script Task 'NeedsMono' cannot run here: Mono is not installed on this worker/);
    assert.match(scriptCapability(), /^unsupported: Mono is not installed on this worker/, 'what the worker reports in its machine properties');
  } finally {
    if (old === undefined) delete process.env.SCALEOUT_SCRIPT_Mono; else process.env.SCALEOUT_SCRIPT_Mono = old;
  }
});

t('a bad script setting is named', async () => {
  const old = process.env.SCALEOUT_SCRIPT_TimeoutSeconds;
  process.env.SCALEOUT_SCRIPT_TimeoutSeconds = 'soon';
  try {
    const run = await runParts(new Map([['S.dtsx', packageXml({ executables: scriptTaskXml({ name: 'S', main: '' }) })]]), 'S.dtsx');
    assert.is(run.result.outcome, 'failed');
    assert.ok(run.result.errors.some((e) => e.includes('SCALEOUT_SCRIPT_TimeoutSeconds') && e.includes("'soon'")), run.result.errors.join('\n'));
  } finally {
    if (old === undefined) delete process.env.SCALEOUT_SCRIPT_TimeoutSeconds; else process.env.SCALEOUT_SCRIPT_TimeoutSeconds = old;
  }
});

if (monoMissing()) reportSkip('Script Task validation', monoMissing()!);
else t.run();
