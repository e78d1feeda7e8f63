// Runs every tests/**/*.test.ts with uvu in this process (started with `node --import tsx`, so
// worker threads inherit the TypeScript loader) and ends with one line: `N passed, N failed, N skipped`.
// Optional argument: a substring that test file paths must contain.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv[2] ?? '';
function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'fixtures' && name !== 'node_modules') out.push(...walk(p)); }
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const files = walk(join(root, 'tests')).filter((f) => relative(root, f).includes(filter));

// uvu keeps its queue on globalThis.UVU_QUEUE when `globalThis.UVU_DEFER` is set; each suite's run()
// registers there and uvu's exec() runs them all and reports totals.
globalThis.UVU_DEFER = 1;
const uvu = await import('uvu');
const skipped = [];
globalThis.__scaleoutSkip = (what, why) => { skipped.push(`${what}: ${why}`); };
for (const f of files) {
  globalThis.UVU_INDEX = (globalThis.UVU_QUEUE ??= []).length;
  globalThis.UVU_QUEUE.push([relative(root, f)]);
  try { await import(pathToFileURL(f).href); }
  catch (err) { globalThis.UVU_QUEUE[globalThis.UVU_INDEX].push(async () => { process.stdout.write(`\n  FAIL loading ${relative(root, f)}: ${err?.stack ?? err}\n`); return ["load error", 0, 0, 1]; }); }
}
// Capture uvu's own summary so the last line is ours.
let passed = 0, failed = 0;
const origWrite = process.stdout.write.bind(process.stdout);
let captured = '';
process.stdout.write = (chunk, ...rest) => { captured += String(chunk); return origWrite(chunk, ...rest); };
await uvu.exec(false);
process.stdout.write = origWrite;
captured = captured.replace(/\x1b\[[0-9;]*m/g, '');
const total = /Total:\s+(\d+)/.exec(captured);
const pass = /Passed:\s+(\d+)/.exec(captured);
passed = pass ? Number(pass[1]) : 0;
failed = total ? Number(total[1]) - passed : 0;
if (skipped.length) {
  origWrite('\nSkipped:\n' + skipped.map((s) => `  - ${s}`).join('\n') + '\n');
}
origWrite(`\n${passed} passed, ${failed} failed, ${skipped.length} skipped\n`);
process.exit(failed > 0 || process.exitCode ? 1 : 0);
