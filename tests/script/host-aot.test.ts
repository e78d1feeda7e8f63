/**
 * The object model host is compiled to native code when it is built (`mono --aot`, the image
 * `ScriptHost.exe.so` beside it, which Mono loads by itself), unless `SCALEOUT_SCRIPT_Aot=false`; a
 * script runs the same either way, and Mono does load the image.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileProject } from '../../executor/script/compile.ts';
import { extractTaskProject } from '../../executor/script/extract.ts';
import { runScript } from '../../executor/script/run-script.ts';
import { scriptSettings } from '../../executor/script/settings.ts';
import { loadDtsx } from '../../executor/package/load-dtsx.ts';
import type { TaskDef } from '../../executor/package/model.ts';
import { reportSkip } from '../helpers/skip.ts';
import { monoMissing, packageXml, scriptTaskXml } from './script-packages.ts';

const test = suite('native (AOT) script host');
let dir: string;
const saved = { cache: process.env.SCALEOUT_SCRIPT_CacheFolder, aot: process.env.SCALEOUT_SCRIPT_Aot };
test.before(() => { dir = mkdtempSync(join(tmpdir(), 'scaleout-script-aot-')); });
test.after(() => {
  for (const [k, v] of [['SCALEOUT_SCRIPT_CacheFolder', saved.cache], ['SCALEOUT_SCRIPT_Aot', saved.aot]] as const) {
    if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
  rmSync(dir, { recursive: true, force: true });
});

const xml = packageXml({
  variables: [{ name: 'In', type: 3, value: '41' }, { name: 'Out', type: 3, value: '0' }],
  executables: scriptTaskXml({ name: 'Add', ro: ['User::In'], rw: ['User::Out'], main: 'Dts.Variables["User::Out"].Value = (int)Dts.Variables["User::In"].Value + 1;' }),
});
const project = extractTaskProject(loadDtsx(xml, 'Aot.dtsx').executables[0] as TaskDef);

async function compileAndRun(aot: boolean): Promise<{ host: string; loaded: string }> {
  process.env.SCALEOUT_SCRIPT_CacheFolder = join(dir, aot ? 'aot' : 'jit');
  process.env.SCALEOUT_SCRIPT_Aot = String(aot);
  const settings = scriptSettings();
  const c = compileProject(project, settings);
  if (!c.ok) throw new Error(c.reason);
  const outcome = await runScript({
    mono: settings.mono, prestart: false, hostPath: c.hostPath, signal: new AbortController().signal, timeoutMs: 60_000, outputLimitBytes: 1 << 20, onMessage: () => {},
    request: { assembly: c.assemblyPath, entryPoint: 'Main', messageBox: 'fail', connections: [], variables: [
      { namespace: 'User', name: 'In', type: 3, value: 41, writable: false, sensitive: false },
      { namespace: 'User', name: 'Out', type: 3, value: 0, writable: true, sensitive: false },
    ] },
  });
  assert.is(outcome.kind, 'end', JSON.stringify(outcome));
  if (outcome.kind === 'end') assert.equal(outcome.message.writes.map((w) => [w.name, w.value]), [['User::Out', 42]]);
  // What Mono says it loads for the host, on an empty request (the host then exits at once).
  const r = spawnSync(settings.mono, [c.hostPath], { input: '\n', encoding: 'utf8', env: { ...process.env, MONO_LOG_LEVEL: 'info', MONO_LOG_MASK: 'aot' } });
  return { host: c.hostPath, loaded: `${r.stdout}${r.stderr}` };
}

test('with Aot (the default) the host has its native image and Mono loads it; the script runs', async () => {
  const { host, loaded } = await compileAndRun(true);
  assert.ok(existsSync(`${host}.so`), `${host}.so`);
  assert.ok(loaded.includes(`AOT: image '${host}.so' found`), loaded);
});

test('with SCALEOUT_SCRIPT_Aot=false there is no image; the script runs JIT-compiled', async () => {
  const { host, loaded } = await compileAndRun(false);
  assert.not.ok(existsSync(`${host}.so`));
  assert.not.ok(loaded.includes(`AOT: image '${host}.so' found`), loaded);
});

const why = monoMissing() ?? (spawnSync('as', ['--version']).error ? "binutils' 'as' is not installed (mono --aot needs it)" : undefined);
if (why) reportSkip('native (AOT) script host', why);
else test.run();
