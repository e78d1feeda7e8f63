/**
 * Keeps the folder layout honest (architecture §2): dependencies point inward. `actors/` imports only
 * `xstate` and itself; `executor/` and `config/` never import `runtime/`; nothing imports `tests/` or
 * `bench/`; and the project's own modules form no import cycle.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE_DIRS = ['actors', 'config', 'executor', 'runtime'];

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const files = SOURCE_DIRS.flatMap((d) => walk(join(ROOT, d)));
/** Static imports and re-exports (`import … from 'x'`, `export … from 'x'`, `import 'x'`); dynamic imports are excluded on purpose: they are how lazy, optional edges are drawn. */
const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[\s\S]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

function importsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const out: { spec: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(IMPORT)) out.push({ spec: m[1]!, typeOnly: /^\s*(?:import|export)\s+type\b/.test(m[0]) });
  return out;
}

const rel = (f: string) => relative(ROOT, f);

test('actors/ imports only xstate and its own files', () => {
  for (const f of files.filter((x) => rel(x).startsWith('actors/'))) {
    for (const { spec } of importsOf(f)) {
      const ok = spec === 'xstate' || (spec.startsWith('./') && !spec.includes('/..'));
      assert.ok(ok, `${rel(f)} imports '${spec}'`);
    }
  }
});

test('executor/ and config/ never import runtime/, and no source imports tests/ or bench/', () => {
  for (const f of files) {
    for (const { spec } of importsOf(f)) {
      if (!spec.startsWith('.')) continue;
      const target = rel(resolve(dirname(f), spec));
      if (rel(f).startsWith('executor/') || rel(f).startsWith('config/')) assert.not.ok(target.startsWith('runtime/'), `${rel(f)} imports ${target}`);
      assert.not.ok(target.startsWith('tests/') || target.startsWith('bench/'), `${rel(f)} imports ${target}`);
    }
  }
});

test('no import cycles among the project modules (type-only imports excluded)', () => {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    graph.set(rel(f), importsOf(f).filter((i) => i.spec.startsWith('.') && !i.typeOnly).map((i) => rel(resolve(dirname(f), i.spec))));
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (n: string) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting') { cycles.push([...stack.slice(stack.indexOf(n)), n].join(' → ')); return; }
    state.set(n, 'visiting');
    stack.push(n);
    for (const m of graph.get(n) ?? []) if (graph.has(m)) visit(m);
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) visit(n);
  assert.equal(cycles, [], `import cycles:\n${cycles.join('\n')}`);
});

test.run();
