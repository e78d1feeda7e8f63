/**
 * Script Task benchmark: a package with one Script Task (reads a variable, writes one, fires an
 * information event) run by the package engine from start to end, in this process as a pool thread
 * runs it. Cold = empty compile cache (object model and script compiled); cold script = object model
 * cached, script compiled; warm = both cached (every later run). The same package with an Expression
 * Task instead gives the engine's own cost, so warm − expression is the Script Task's overhead. Warm runs
 * are timed back to back (the prestarted host may still be starting) and spaced (a pause before each, so
 * the host is ready, as between the tasks of a real package), the latter alternating a native (AOT) and
 * a JIT-compiled host. Every figure line carries the machine's load average: on a shared machine the
 * figures move with it.
 *
 * Script Component: --rows (default 1,000,000) generated rows through Flat File Source → transformation →
 * Flat File Destination, the transformation being a Script Component (Input0_ProcessInputRow setting
 * Label = Name.ToUpperInvariant() + "-" + Country, synchronous) or a Derived Column doing the same work
 * (`UPPER(Name) + "-" + Country`); the same pipeline without a transformation is the baseline, so
 * rows / (t − baseline) is the transformation's own rate. The two output files must be identical.
 * Usage: npm run bench:script -- [--runs 30] [--rows 1000000] [--only component|task]
 */
import { cpus, loadavg, release, platform, tmpdir } from 'node:os';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadProjectFromParts } from '../executor/package/load-project.ts';
import { runPackageWith } from '../executor/package/run-package.ts';
import { compileProject } from '../executor/script/compile.ts';
import { scriptSettings } from '../executor/script/settings.ts';
import { buildPackage } from '../tests/dataflow/builder.ts';
import type { ComponentSpec } from '../tests/dataflow/builder.ts';
import { INPUT_DISPATCH, bufferClass, project } from '../tests/script/component-project.ts';
import { expressionTaskXml, packageXml, scriptTaskXml } from '../tests/script/script-packages.ts';

const i = process.argv.indexOf('--runs');
const RUNS = i >= 0 ? Number(process.argv[i + 1]) : 30;
if (!Number.isInteger(RUNS) || RUNS < 1) { console.error(`--runs expects a positive integer`); process.exit(2); }
const r = process.argv.indexOf('--rows');
const ROWS = r >= 0 ? Number(process.argv[r + 1]) : 1_000_000;
if (!Number.isInteger(ROWS) || ROWS < 1) { console.error(`--rows expects a positive integer`); process.exit(2); }
const o = process.argv.indexOf('--only');
const ONLY = o >= 0 ? process.argv[o + 1] : undefined;

const variables = [{ name: 'In', type: 3, value: '41' }, { name: 'Out', type: 3, value: '0' }];
const scriptPkg = (salt: string) => packageXml({
  variables,
  executables: scriptTaskXml({
    name: 'Script', ro: ['User::In'], rw: ['User::Out'],
    main: `bool again = true; Dts.Variables["User::Out"].Value = (int)Dts.Variables["User::In"].Value + 1; Dts.Events.FireInformation(0, "", "${salt}", "", 0, ref again); Dts.TaskResult = (int)ScriptResults.Success;`,
  }),
});
const exprPkg = packageXml({ variables, executables: expressionTaskXml('Expr', '@[User::Out] = @[User::In] + 1') });

async function once(xml: string): Promise<number> {
  const project = loadProjectFromParts(new Map([['B.dtsx', new TextEncoder().encode(xml)]]), 'bench');
  const t0 = performance.now();
  const r = await runPackageWith({ executionId: 1, projectBytes: new Uint8Array(), packageName: 'B.dtsx', parameters: [{ objectType: 50, name: 'LOGGING_LEVEL', value: 1 }], propertyOverrides: [] },
    { emit: () => {} }, new AbortController().signal, { project });
  const ms = performance.now() - t0;
  if (r.outcome !== 'succeeded') throw new Error(`the benchmark package failed: ${r.errors.join('; ')}`);
  return ms;
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, min ${s[0]!.toFixed(1)} ms`;
}

const load = () => `load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function taskBench(cacheRoot: string): Promise<void> {
  console.log(`Script Task benchmark — ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${platform()} ${release()}, node ${process.version}, ${RUNS} warm runs; ${load()}`);
  const aotCache = join(cacheRoot, 'aot');
  const jitCache = join(cacheRoot, 'jit');
  const use = (cache: string, aot: boolean) => { process.env.SCALEOUT_SCRIPT_CacheFolder = cache; process.env.SCALEOUT_SCRIPT_Aot = String(aot); };
  use(aotCache, true);
  const cold = await once(scriptPkg('cold'));
  console.log(`cold (object model + script compiled):   ${cold.toFixed(0)} ms (the host compiled to native code too)`);
  const coldScript = await once(scriptPkg('cold script'));
  console.log(`cold script (object model cached):       ${coldScript.toFixed(0)} ms`);
  use(jitCache, false);
  await once(scriptPkg('cold script'));
  // Back to back: each run takes the host prestarted when the previous one began, so it may still be
  // starting (Mono's start is most of the cost on a loaded machine).
  use(aotCache, true);
  const warm: number[] = [];
  for (let n = 0; n < RUNS; n++) warm.push(await once(scriptPkg('cold script')));
  // Spaced: a pause (not timed) before each run lets the prestarted host finish starting, as between the
  // Script Tasks of a real package. Native (AOT) and JIT-compiled hosts alternate, each with its own cache.
  const spacedAot: number[] = [];
  const spacedJit: number[] = [];
  for (let n = 0; n < RUNS; n++) {
    use(aotCache, true);
    await pause(400);
    spacedAot.push(await once(scriptPkg('cold script')));
    use(jitCache, false);
    await pause(400);
    spacedJit.push(await once(scriptPkg('cold script')));
  }
  use(aotCache, true);
  const expr: number[] = [];
  for (let n = 0; n < RUNS; n++) expr.push(await once(exprPkg));
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`warm, back to back:                      ${stats(warm)}`);
  console.log(`warm, host ready (native host):          ${stats(spacedAot)}`);
  console.log(`warm, host ready (JIT host):             ${stats(spacedJit)}`);
  console.log(`same package with an Expression Task:    ${stats(expr)}`);
  console.log(`warm Script Task overhead (p50 − p50):   back to back ${(med(warm) - med(expr)).toFixed(1)} ms, host ready ${(med(spacedAot) - med(expr)).toFixed(1)} ms (JIT host ${(med(spacedJit) - med(expr)).toFixed(1)} ms); goal < 150 ms; ${load()}`);
}

async function componentBench(dir: string): Promise<void> {
  const input = join(dir, 'in.csv');
  writeFileSync(input, 'Id,Name,Country\n');
  const countries = ['FR', 'DE', 'US', 'JP', 'BR'];
  let chunk = '';
  for (let n = 1; n <= ROWS; n++) {
    chunk += `${n},name${n % 9973},${countries[n % 5]}\n`;
    if (n % 100_000 === 0) { appendFileSync(input, chunk); chunk = ''; }
  }
  appendFileSync(input, chunk);
  const sc = project('SC_bench',
    bufferClass('Input0Buffer', [{ name: 'Name', type: 130, read: true, write: false }, { name: 'Country', type: 130, read: true, write: false }, { name: 'Label', type: 130, read: false, write: true }], true),
    INPUT_DISPATCH('Input 0', 'Input0Buffer'), '',
    `    public override void Input0_ProcessInputRow(Input0Buffer Row)
    {
        Row.Label = Row.Name.ToUpperInvariant() + "-" + Row.Country;
    }`);
  const transforms: Record<string, ComponentSpec | undefined> = {
    baseline: undefined,
    'Derived Column': { name: 'T', classId: 'Microsoft.DerivedColumn', inputs: [{ name: 'Input 0', columns: [{ from: 'Src.Out.Name' }, { from: 'Src.Out.Country' }] }],
      outputs: [{ name: 'Output 0', syncWith: 'Input 0', columns: [{ name: 'Label', dataType: 'wstr', length: 60, props: { FriendlyExpression: 'UPPER(Name) + "-" + Country' } }] }] },
    'Script Component': { name: 'T', classId: 'Microsoft.ManagedComponentHost',
      props: { UserComponentTypeName: 'Microsoft.ScriptComponentHost', ScriptLanguage: 'CSharp', VSTAProjectName: sc.projectName },
      arrayProps: { SourceCode: sc.sources.flatMap((x) => [x.name, 'UTF8', x.text]) },
      inputs: [{ name: 'Input 0', columns: [{ from: 'Src.Out.Name' }, { from: 'Src.Out.Country' }] }],
      outputs: [{ name: 'Output 0', syncWith: 'Input 0', columns: [{ name: 'Label', dataType: 'wstr', length: 60 }] }] },
  };
  const cols = ['Id', 'Name', 'Country'];
  const seconds: Record<string, number> = {};
  for (const [label, t] of Object.entries(transforms)) {
    const out = join(dir, `${label.replace(/ /g, '')}.csv`);
    const xml = buildPackage({
      flatFiles: [
        { name: 'In', path: input, header: true, codePage: 65001, rowDelimiter: '\n', columns: cols.map((n, k) => ({ name: n, delimiter: k === 2 ? '\n' : ',' })) },
        { name: 'Out', path: out, codePage: 65001, rowDelimiter: '\n', columns: [{ name: 'Id', delimiter: ',' }, { name: 'Label', delimiter: '\n' }] },
      ],
      components: [
        { name: 'Src', classId: 'Microsoft.FlatFileSource', connection: 'In', outputs: [{ name: 'Out', external: cols.map((n) => ({ name: n, dataType: 'wstr', length: 50 })),
          columns: [{ name: 'Id', dataType: 'i4', ext: 'Id' }, { name: 'Name', dataType: 'wstr', length: 50, ext: 'Name' }, { name: 'Country', dataType: 'wstr', length: 2, ext: 'Country' }] }] },
        ...(t ? [t] : []),
        { name: 'Dst', classId: 'Microsoft.FlatFileDestination', connection: 'Out', props: { Overwrite: 'true' },
          inputs: [{ name: 'In', columns: [{ from: 'Src.Out.Id', ext: 'Id' }, { from: t ? 'T.Output 0.Label' : 'Src.Out.Name', ext: 'Label' }],
            external: [{ name: 'Id', dataType: 'i4' }, { name: 'Label', dataType: 'wstr', length: 60 }] }] },
      ],
      paths: t ? [['Src.Out', 'T.Input 0'], ['T.Output 0', 'Dst.In']] : [['Src.Out', 'Dst.In']],
    });
    if (t?.classId === 'Microsoft.ManagedComponentHost' && !compileProject(sc, scriptSettings()).ok) throw new Error('the benchmark script does not compile'); // compiled outside the timing
    seconds[label] = (await once(xml)) / 1000;
    console.log(`${label.padEnd(17)} ${ROWS} rows in ${seconds[label]!.toFixed(2)} s: ${(ROWS / seconds[label]!).toFixed(0)} rows/s end to end${t ? `; the transformation alone ${(ROWS / Math.max(1e-3, seconds[label]! - seconds.baseline!)).toFixed(0)} rows/s` : ''}`);
  }
  if (readFileSync(join(dir, 'DerivedColumn.csv'), 'utf8') !== readFileSync(join(dir, 'ScriptComponent.csv'), 'utf8')) throw new Error('the Script Component and the Derived Column wrote different files');
  const sc1 = seconds['Script Component']! - seconds.baseline!, dc1 = seconds['Derived Column']! - seconds.baseline!;
  console.log(`Script Component / Derived Column: ${(seconds['Script Component']! / seconds['Derived Column']!).toFixed(2)}× the time end to end, ${(sc1 / Math.max(1e-3, dc1)).toFixed(2)}× for the transformation alone (goal within 3×); outputs identical; ${load()}`);
}

const cache = mkdtempSync(join(tmpdir(), 'scaleout-bench-script-'));
process.env.SCALEOUT_SCRIPT_CacheFolder = cache;
try {
  if (ONLY !== 'component') await taskBench(cache);
  process.env.SCALEOUT_SCRIPT_CacheFolder = cache;
  process.env.SCALEOUT_SCRIPT_Aot = 'true';
  if (ONLY !== 'task') {
    console.log(`\nScript Component benchmark — ${ROWS} rows; ${load()}`);
    await componentBench(cache);
  }
} finally {
  rmSync(cache, { recursive: true, force: true });
}
