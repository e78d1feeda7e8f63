/**
 * Every Data Flow in ../shared/fixtures/dtsx: it validates, or it is refused naming only components
 * that cannot run here (Script Component, third-party, Fuzzy/Term/Data Mining by design) or are
 * still waiting (none since the XML and OData Sources; the count is still printed);
 * nothing crashes. Prints the counts. Problems that are not about the data flow's own content
 * (project connection managers a single file cannot see, variables of the project) are counted
 * separately: they come from validating one package file without its project.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadDtsx } from '../../executor/package/load-dtsx.ts';
import type { ContainerDef, ExecutableDef, TaskDef } from '../../executor/package/model.ts';
import { isContainer } from '../../executor/package/model.ts';
import { readPipeline } from '../../executor/package/dataflow/pipeline.ts';
import { validatePipeline } from '../../executor/package/dataflow/task.ts';
import { COMPONENT_KIND_NAMES } from '../../executor/package/dataflow/component-types.ts';
import { componentImplementations } from '../../executor/package/dataflow/components/registry.ts';
import { reportSkip } from '../helpers/skip.ts';

const CORPUS = join(process.cwd(), '..', 'shared', 'fixtures', 'dtsx');
/** In the data-flow issues' lists but not built yet: counted and printed, reported as a gap (not hidden). None left since the XML and OData Sources. */
const NOT_YET: ReadonlySet<string> = new Set<string>([]);
/** Refused by name on purpose (issue 12): Fuzzy Lookup/Grouping, Term Lookup/Extraction and Data Mining need SQL Server's text and mining engines. */
const REFUSED_BY_DESIGN: ReadonlySet<string> = new Set(['fuzzyLookup', 'fuzzyGrouping', 'termLookup', 'termExtraction', 'dataMiningQuery']);
/** Defects of the package itself that SSIS also reports (stale lineage after a deleted column, a component without its connection). */
const PACKAGE_DEFECT = /:invalid', which no output column creates|has no connection manager/;
/** A Script Component that cannot run on this machine (VB.NET, an assembly Mono does not have): the script walk lists them. */
const SCRIPT_CANNOT_RUN = /^Script Component '.*' cannot run here: /;
const test = suite('data flow: real packages (../shared/fixtures/dtsx)');

function dtsxFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const full = join(dir, e);
    if (statSync(full).isDirectory()) out.push(...dtsxFiles(full));
    else if (e.toLowerCase().endsWith('.dtsx')) out.push(full);
  }
  return out.sort();
}

function dataFlows(def: ExecutableDef | ContainerDef, out: TaskDef[]): void {
  if (isContainer(def)) for (const c of def.executables) dataFlows(c, out);
  else if (def.kind === 'dataFlow') out.push(def);
  for (const h of def.eventHandlers) dataFlows(h, out);
}

if (!existsSync(CORPUS)) {
  reportSkip('data flow fixtures', `${CORPUS} is not present`);
} else {
  test('each data flow validates or is refused naming only out-of-scope components', () => {
    let flows = 0, valid = 0, refusedOutOfScope = 0, defects = 0, notYet = 0, scriptsCannotRun = 0, scriptComponents = 0, scriptsValid = 0;
    const byKind = new Map<string, number>();
    const bad: string[] = [];
    for (const file of dtsxFiles(CORPUS)) {
      const name = file.slice(CORPUS.length + 1);
      let pkg;
      try { pkg = loadDtsx(readFileSync(file, 'utf8'), name); } catch { continue; } // loading is the fixtures walk's concern
      const tasks: TaskDef[] = [];
      dataFlows(pkg, tasks);
      for (const task of tasks) {
        flows++;
        const p = readPipeline(task.objectData, task.path, task.properties);
        // Connections and variables resolve against the package alone here; the project's are unknown.
        const { problems, refused } = validatePipeline(p, { hasVariable: () => true, hasConnection: () => true });
        for (const r of refused) byKind.set(COMPONENT_KIND_NAMES[r.kind], (byKind.get(COMPONENT_KIND_NAMES[r.kind]) ?? 0) + 1);
        const pending = refused.filter((r) => NOT_YET.has(r.kind));
        const inScope = refused.filter((r) => r.kind !== 'script' && r.kind !== 'thirdParty' && !REFUSED_BY_DESIGN.has(r.kind) && !NOT_YET.has(r.kind));
        for (const r of inScope) bad.push(`${name}: ${r.component.path} refused as ${r.kind} (${r.component.classId} ${r.component.userComponentTypeName})`);
        const refusedPaths = new Set(refused.map((r) => r.component.path));
        const other = problems.filter((x) => x.severity === 'error' && !refusedPaths.has(x.path));
        const defect = other.filter((x) => PACKAGE_DEFECT.test(x.message));
        const scripts = p.components.filter((c) => /ScriptComponentHost/i.test(c.userComponentTypeName));
        scriptComponents += scripts.length;
        scriptsValid += scripts.filter((c) => !problems.some((x) => x.path === c.path && x.severity === 'error')).length;
        const script = other.filter((x) => SCRIPT_CANNOT_RUN.test(x.message) && scripts.some((c) => c.path === x.path));
        for (const o of other) if (!defect.includes(o) && !script.includes(o)) bad.push(`${name}: ${o.path}: ${o.message}`);
        for (const r of refused) if (!problems.some((x) => x.path === r.component.path && x.message.includes(r.component.name))) bad.push(`${name}: ${r.component.path} refused without a message naming it`);
        if (refused.length === 0 && other.length === 0) valid++;
        else if (defect.length > 0) defects++;
        else if (pending.length > 0) notYet++;
        else if (script.length > 0 && refused.length === 0) scriptsCannotRun++;
        else refusedOutOfScope++;
      }
    }
    const kinds = [...byKind].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
    process.stdout.write(`\n  data flows: ${flows}; validate: ${valid}; refused naming only out-of-scope components: ${refusedOutOfScope}; refused for package defects SSIS also reports: ${defects}; not built yet: ${notYet}; with a Script Component that cannot run here: ${scriptsCannotRun} (Script Components: ${scriptComponents}, ${scriptsValid} validate)\n  refused components: ${kinds}\n  runnable kinds: ${[...componentImplementations().keys()].length}\n`);
    if (bad.length > 0) process.stdout.write(`  problems:\n    ${bad.slice(0, 40).join('\n    ')}\n`);
    assert.ok(flows > 100);
    assert.equal(bad, []);
  });
}

test.run();
