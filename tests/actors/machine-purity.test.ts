import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const actorsDir = new URL('../../actors/', import.meta.url).pathname;

test('machine files import only xstate and other actors/ files (no I/O, no runtime/, no executor/)', () => {
  const files = readdirSync(actorsDir).filter((f) => f.endsWith('.machine.ts') || f === 'events.ts');
  assert.ok(files.length >= 5, `expected the four machines and events.ts, found ${files.join(', ')}`);
  for (const file of files) {
    const source = readFileSync(join(actorsDir, file), 'utf8');
    const specifiers = [...source.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '');
    for (const spec of specifiers) {
      const ok = spec === 'xstate' || (spec.startsWith('./') && spec.endsWith('.ts'));
      assert.ok(ok, `${file} imports '${spec}'; machines may import only 'xstate' and ./*.ts in actors/`);
    }
    assert.not.match(source, /\b(setTimeout|setInterval|Date\.now)\s*\(/, `${file} reads wall time; use delays`);
  }
});

test.run();
