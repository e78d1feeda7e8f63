/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by file (or
 * package under node_modules), and inclusive time of chosen functions. Benchmarks only.
 * Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top 40] [--grep text]
 */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[]; }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number; }

const file = process.argv[2];
if (file === undefined) { console.error('usage: profile-summary.ts <file.cpuprofile> [--top N] [--grep text]'); process.exit(2); }
const topIdx = process.argv.indexOf('--top');
const TOP = topIdx > 0 ? Number(process.argv[topIdx + 1]) : 40;
const grepIdx = process.argv.indexOf('--grep');
const GREP = grepIdx > 0 ? process.argv[grepIdx + 1] : undefined;
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);

function fileOf(url: string): string {
  if (url === '') return '(native/vm)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) { const rest = url.slice(nm + 13).split('/'); return 'npm:' + (rest[0]!.startsWith('@') ? rest[0] + '/' + rest[1] : rest[0]); }
  if (url.startsWith('node:')) return url;
  const m = /\/(actors|runtime|executor|bench|tests)\/.*$/.exec(url);
  return m ? m[0].slice(1) : url;
}
const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  const f = fileOf(n.callFrame.url);
  const fn = `${n.callFrame.functionName || '(anon)'}  ${f}:${n.callFrame.lineNumber + 1}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + t);
  byFile.set(f, (byFile.get(f) ?? 0) + t);
}
const pct = (t: number) => `${(100 * t / total).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms`;
console.log(`total sampled ${(total / 1000).toFixed(0)} ms`);
console.log('--- self time by file/package');
for (const [k, t] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${pct(t)}  ${k}`);
console.log('--- self time by function');
for (const [k, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${pct(t)}  ${k}`);
// Inclusive time per project file: a sample counts once for every distinct project file on its stack.
const incl = new Map<string, number>();
for (const [id, t] of self) {
  const seen = new Set<string>();
  let cur: number | undefined = id;
  while (cur !== undefined) {
    const n = byId.get(cur)!;
    const f = fileOf(n.callFrame.url);
    const key = GREP !== undefined ? `${n.callFrame.functionName} ${f}` : f;
    if (!seen.has(key) && (GREP === undefined ? !f.startsWith('node:') && f !== '(native/vm)' : key.includes(GREP))) { seen.add(key); incl.set(key, (incl.get(key) ?? 0) + t); }
    cur = parent.get(cur);
  }
}
console.log(`--- inclusive time ${GREP !== undefined ? `of frames matching '${GREP}'` : 'by file/package'}`);
for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${pct(t)}  ${k}`);
