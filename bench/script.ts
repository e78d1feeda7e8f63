/**
 * Script Task benchmark: a package with one Script Task (reads a variable, writes one, fires an
 * information event) run by the package engine from start to end, in this process as a pool thread
 * runs it. Cold = empty compile cache (object model and script compiled); cold script = object model
 * cached, script compiled; warm = both cached (every later run). The same package with an Expression
 * Task instead gives the engine's own cost, so warm − expression is the Script Task's overhead.
 * Usage: npm run bench:script -- [--runs 30]
 */
import { cpus, release, platform, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadProjectFromParts } from '../executor/package/load-project.ts';
import { runPackageWith } from '../executor/package/run-package.ts';
import { expressionTaskXml, packageXml, scriptTaskXml } from '../tests/script/script-packages.ts';

const i = process.argv.indexOf('--runs');
const RUNS = i >= 0 ? Number(process.argv[i + 1]) : 30;
if (!Number.isInteger(RUNS) || RUNS < 1) { console.error(`--runs expects a positive integer`); process.exit(2); }

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

const cache = mkdtempSync(join(tmpdir(), 'scaleout-bench-script-'));
process.env.SCALEOUT_SCRIPT_CacheFolder = cache;
try {
  console.log(`Script Task benchmark — ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${platform()} ${release()}, node ${process.version}, ${RUNS} warm runs`);
  const cold = await once(scriptPkg('cold'));
  console.log(`cold (object model + script compiled):   ${cold.toFixed(0)} ms`);
  const coldScript = await once(scriptPkg('cold script'));
  console.log(`cold script (object model cached):       ${coldScript.toFixed(0)} ms`);
  const warm: number[] = [];
  for (let n = 0; n < RUNS; n++) warm.push(await once(scriptPkg('cold script')));
  const expr: number[] = [];
  for (let n = 0; n < RUNS; n++) expr.push(await once(exprPkg));
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`warm Script Task package (cached):       ${stats(warm)}`);
  console.log(`same package with an Expression Task:    ${stats(expr)}`);
  console.log(`warm Script Task overhead (p50 − p50):   ${(med(warm) - med(expr)).toFixed(1)} ms (goal < 150 ms)`);
} finally {
  rmSync(cache, { recursive: true, force: true });
}
