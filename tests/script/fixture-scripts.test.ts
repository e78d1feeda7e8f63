/**
 * Every Script Task and Script Component in ../shared/fixtures/dtsx compiled against our object model:
 * prints how many compile and lists the rest with the compiler's reason. Fails if a C# script that
 * references only assemblies available here fails for a reason other than its own syntax (a missing
 * type or member would mean our object model lacks something real scripts use).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadDtsx } from '../../executor/package/load-dtsx.ts';
import type { ContainerDef, ExecutableDef } from '../../executor/package/model.ts';
import { isContainer } from '../../executor/package/model.ts';
import { compileProject, toolchain } from '../../executor/script/compile.ts';
import type { ScriptProject } from '../../executor/script/extract.ts';
import { extractComponentProject, extractTaskProject, scriptComponentsOf } from '../../executor/script/extract.ts';
import { scriptSettings } from '../../executor/script/settings.ts';
import { reportSkip } from '../helpers/skip.ts';
import { monoMissing } from './script-packages.ts';

const CORPUS = join(process.cwd(), '..', 'shared', 'fixtures', 'dtsx');
const t = suite('Script Tasks and Components of the real packages');

function dtsxFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const full = join(dir, e);
    if (statSync(full).isDirectory()) out.push(...dtsxFiles(full));
    else if (e.toLowerCase().endsWith('.dtsx')) out.push(full);
  }
  return out;
}

/** Parser errors: the script itself is not valid C# (it would not compile in SSIS either). */
const SYNTAX = /error CS(1\d\d\d)\b/;

t('every script project is extracted; C# ones that use only the base library and the SSIS object model compile', () => {
  const projects: { where: string; project: ScriptProject }[] = [];
  const extractionFailures: string[] = [];
  for (const file of dtsxFiles(CORPUS)) {
    const name = file.slice(CORPUS.length + 1);
    let pkg;
    try { pkg = loadDtsx(readFileSync(file, 'utf8'), name); } catch { continue; }
    const visit = (def: ExecutableDef | ContainerDef) => {
      for (const h of def.eventHandlers) visit(h);
      if (isContainer(def)) { for (const c of def.executables) visit(c); return; }
      if (def.kind === 'script') {
        try { projects.push({ where: `${name} ${def.path}`, project: extractTaskProject(def) }); } catch (err) { extractionFailures.push(`${name} ${def.path}: ${(err as Error).message}`); }
      }
      if (def.kind === 'dataFlow') {
        for (const c of scriptComponentsOf(def)) {
          try { projects.push({ where: `${name} ${c.path}`, project: extractComponentProject(c.element, c.path) }); } catch (err) { extractionFailures.push(`${name} ${c.path}: ${(err as Error).message}`); }
        }
      }
    };
    visit(pkg);
  }
  const settings = scriptSettings();
  const tc = toolchain(settings);
  const ok: string[] = [];
  const rest: string[] = [];
  const wrong: string[] = [];
  for (const { where, project } of projects) {
    const r = compileProject(project, settings);
    const kind = project.host === 'task' ? 'Script Task' : 'Script Component';
    if (r.ok) { ok.push(where); continue; }
    rest.push(`${kind} ${where} [${project.language}]: ${r.reason}`);
    const missingRefs = / not available here\)$/.test(r.reason);
    if (project.language === 'csharp' && project.sources.length > 0 && !missingRefs && !r.errors.every((e) => SYNTAX.test(e))) wrong.push(`${where}: ${r.reason}`);
  }
  const tasks = projects.filter((p) => p.project.host === 'task').length;
  const csharp = projects.filter((p) => p.project.language === 'csharp').length;
  process.stdout.write(`\n  script fixtures: ${projects.length} script projects (${tasks} Script Tasks, ${projects.length - tasks} Script Components; ${csharp} C#), ${ok.length} compile against the object model (mcs ${tc.mcsVersion ?? '?'})\n`);
  for (const line of rest) process.stdout.write(`    not compiled: ${line}\n`);
  assert.equal(extractionFailures, []);
  assert.equal(wrong, [], 'C# scripts that fail on something our object model should provide');
  assert.ok(projects.length >= 50, `the corpus holds ${projects.length} script projects`);
  assert.ok(ok.length >= 30, `${ok.length} compile`);
});

if (!existsSync(CORPUS)) reportSkip('script fixtures walk', `${CORPUS} is not present`);
else if (monoMissing()) reportSkip('script fixtures walk', monoMissing()!);
else t.run();
