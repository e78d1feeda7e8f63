/**
 * Many workers on one master (issue 15): N simulated workers (default 1,000), each a real WebSocket
 * client over mutual TLS with ITS OWN client certificate (EC P-256, made with the `openssl` CLI: the
 * master binds a certificate to the agent id it registered with, so certificates cannot be shared),
 * protocol 2, MaxTaskCount 10, a heartbeat every second, answering every assignment at once with a
 * succeeded report (a no-op run) and a new pull. The master (bench/scale-master.ts) runs in its own
 * process so its CPU and memory are its own; the SQLite catalog commits every state change.
 * Prints: the master's CPU and RSS with N idle workers heartbeating; dispatch latency p50/p99
 * (start_execution → the assignment received by a worker, executions one at a time); a burst's
 * executions/s and master CPU per execution; the master's RSS with P pending executions.
 *   npm run bench:scale -- [--workers 1000] [--latency 200] [--burst 2000] [--pending 10000] [--idle 10] [--prof DIR]
 */
import { execFile, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { X509Certificate, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import { makeCert } from '../tests/helpers/test-certs.ts';
import { intArg, percentile } from './bench-cli.ts';

const WORKERS = intArg('workers', 1000);
const SLOTS = intArg('slots', 10);
const LATENCY = intArg('latency', 200);
const BURST = intArg('burst', 2000);
const PENDING = intArg('pending', 10_000);
const IDLE_S = intArg('idle', 10);
const HEARTBEAT_MS = 1000;
/** `--prof DIR`: the master process writes a V8 CPU profile there (read with bench/profile-summary.ts). */
const PROF_DIR = process.argv.includes('--prof') ? process.argv[process.argv.indexOf('--prof') + 1] : undefined;
const run = promisify(execFile);
const wall = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
async function pool<T>(n: number, limit: number, f: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => { while (next < n) { const i = next++; out[i] = await f(i); } }));
  return out;
}

/** The master process's CPU ms (user + system) and RSS MiB, from /proc. */
function procStats(pid: number): { cpuMs: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat), in USER_HZ = 100 on Linux
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuMs: (ticks * 1000) / 100, rssMiB: rss ? Number(rss[1]) / 1024 : NaN };
}

interface Assignment { taskId: string; executionId: number; attempt: number }

class SimWorker {
  readonly agentId = randomUUID();
  #ws!: WebSocket;
  #seq = 0;
  #assignedSeen = 0;
  #timer: NodeJS.Timeout | undefined;
  paused = false;
  errors: string[] = [];
  closedUnexpectedly = false;
  constructor(readonly cert: { cert: string; key: string }, readonly onAssign: (a: Assignment, at: number) => void, readonly onResult: (taskId: string) => void) {}

  async connect(port: number, ca: string): Promise<void> {
    this.#ws = new WebSocket(`wss://127.0.0.1:${port}/agent/v1`, { cert: this.cert.cert, key: this.cert.key, ca });
    const ws = this.#ws;
    const welcome = new Promise<void>((resolve, reject) => {
      ws.once('close', (code) => reject(new Error(`closed before welcome (${code})`)));
      ws.on('message', (d) => {
        const at = wall();
        const f = JSON.parse(d.toString()) as Record<string, unknown>;
        switch (f['type']) {
          case 'welcome': resolve(); break;
          case 'assign': this.#assigned([f as unknown as Assignment], at); break;
          case 'assign-batch': this.#assigned(f['assignments'] as Assignment[], at); break;
          case 'task-status-result': this.onResult(String(f['taskId'])); break;
          case 'error': if (this.errors.length < 5) this.errors.push(String(f['message'])); break;
          default: break;
        }
      });
    });
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('close', (c) => reject(new Error(`closed before open (${c})`))); });
    ws.once('close', () => { if (this.#timer !== undefined) this.closedUnexpectedly = true; });
    this.#send({ type: 'hello', seq: 0, agentId: this.agentId, machineProperties: { MachineName: `sim-${this.agentId.slice(0, 8)}` }, versions: { protocol: 2, agent: 'bench-scale', node: process.version }, capacity: { maxTaskCount: SLOTS }, runningTasks: [] });
    await welcome;
    // Heartbeats every second, phase-shifted so N workers do not beat in the same tick.
    const first = Math.random() * HEARTBEAT_MS;
    this.#timer = setTimeout(() => { this.#beat(); this.#timer = setInterval(() => this.#beat(), HEARTBEAT_MS); }, first);
  }
  #send(f: Record<string, unknown>): void { if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(f.type === 'hello' ? f : { ...f, seq: ++this.#seq })); }
  #beat(): void { this.#send({ type: 'heartbeat', perfCounters: [], runningTaskIds: [] }); }
  pull(): void { this.#send({ type: 'pull', slots: this.paused ? 0 : SLOTS, assignedSeen: this.#assignedSeen }); }
  #assigned(items: Assignment[], at: number): void {
    this.#assignedSeen += items.length;
    for (const a of items) this.onAssign(a, at);
    // A no-op run: every assigned task succeeds at once, in one batch, and the slots are asked again.
    this.#send({ type: 'task-status-batch', reports: items.map((a) => ({ taskId: a.taskId, attempt: a.attempt, status: 5 })) });
    this.pull();
  }
  close(): void { clearTimeout(this.#timer); clearInterval(this.#timer); this.#timer = undefined; this.#ws.close(1000); }
}

const dir = mkdtempSync(join(tmpdir(), 'scaleout-scale-'));
let master: ChildProcess | undefined;
const workers: SimWorker[] = [];
try {
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, node ${process.version}`);
  console.log(`setup:   ${WORKERS} simulated workers (one EC P-256 client certificate each, protocol 2, ${SLOTS} slots, ${HEARTBEAT_MS} ms heartbeats) on one master in its own process; SQLite catalog (synchronous=FULL, group commit)`);
  console.log(`load:    ${load()} at the start (1/5/15 min; other processes share the cores)`);

  // Certificates: the master's (RSA, SAN localhost/127.0.0.1) and one per worker from openssl.
  const masterCert = makeCert('localhost', { server: true });
  writeFileSync(join(dir, 'master.pem'), masterCert.cert);
  writeFileSync(join(dir, 'master.key'), masterCert.key);
  let t = performance.now();
  const certs = await pool(WORKERS, 4, async (i) => {
    const { stdout } = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', '-', '-out', '-', '-days', '2', '-subj', `/CN=scale-worker-${i}`, '-addext', 'extendedKeyUsage=clientAuth,serverAuth', '-addext', 'keyUsage=digitalSignature']);
    const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(stdout)?.[0];
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(stdout)?.[0];
    if (key === undefined || cert === undefined) throw new Error(`openssl printed no key/certificate for worker ${i}: ${stdout.slice(0, 200)}`);
    return { cert, key, thumbprint: new X509Certificate(cert).fingerprint.replace(/:/g, '').toUpperCase() };
  });
  console.log(`certs:   ${WORKERS} worker certificates in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // The master, with an IPC request/answer helper.
  master = fork(fileURLToPath(new URL('./scale-master.ts', import.meta.url)), [join(dir), join(dir, 'master.pem'), join(dir, 'master.key')], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...(PROF_DIR === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', PROF_DIR])], env: { ...process.env, SCALEOUT_LOG_LEVEL: process.env['SCALEOUT_LOG_LEVEL'] ?? 'warn' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const m = master;
  const pid = m.pid!;
  let nextId = 1;
  const waiting = new Map<number, (r: Record<string, unknown>) => void>();
  const ready = new Promise<number>((resolve, reject) => {
    m.on('message', (r: Record<string, unknown>) => {
      if (r['ready']) resolve(Number(r['port']));
      else waiting.get(Number(r['id']))?.(r);
    });
    m.once('exit', (code) => reject(new Error(`the master process exited (${code})`)));
  });
  const rpc = (cmd: string, extra: Record<string, unknown> = {}) => new Promise<Record<string, unknown>>((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, (r) => { waiting.delete(id); if (r['error']) reject(new Error(String(r['error']))); else resolve(r); });
    m.send({ cmd, id, ...extra });
  });
  const port = await ready;
  await rpc('trust', { thumbprints: certs.map((c) => c.thumbprint) });

  // Dispatch bookkeeping shared by every worker.
  const assignedAt = new Map<number, number>();
  const assignWaiters = new Map<number, () => void>();
  let assignedCount = 0, resultCount = 0;
  let countWaiter: { target: number; resolve: () => void } | undefined;
  const resultWaiters = new Map<string, () => void>();
  const onAssign = (a: Assignment, at: number) => { assignedAt.set(a.executionId, at); assignedCount++; assignWaiters.get(a.executionId)?.(); };
  const onResult = (taskId: string) => { resultCount++; resultWaiters.get(taskId)?.(); if (countWaiter && resultCount >= countWaiter.target) { countWaiter.resolve(); countWaiter = undefined; } };

  t = performance.now();
  const cpuConnect0 = procStats(pid).cpuMs;
  await pool(WORKERS, 20, async (i) => { const w = new SimWorker(certs[i]!, onAssign, onResult); await w.connect(port, masterCert.cert); workers.push(w); });
  const enabled = await rpc('enable', { agentIds: workers.map((w) => w.agentId) });
  console.log(`connect: ${WORKERS} workers connected (TLS handshake, hello, welcome) and enabled in ${((performance.now() - t) / 1000).toFixed(1)} s; master CPU ${((procStats(pid).cpuMs - cpuConnect0) / 1000).toFixed(1)} s; ${String(enabled['connected'])} enabled connections on the master`);
  for (const w of workers) w.pull();

  // 1. Idle: N workers heartbeating, nothing to run.
  await sleep(2000);
  if (WORKERS > 0 && IDLE_S > 0) {
    const s0 = procStats(pid); t = performance.now();
    await sleep(IDLE_S * 1000);
    const s1 = procStats(pid);
    const secs = (performance.now() - t) / 1000;
    console.log(`idle:    ${WORKERS} workers heartbeating, ${IDLE_S} s: master CPU ${(((s1.cpuMs - s0.cpuMs) / 1000 / secs) * 100).toFixed(1)}% of one core (${((s1.cpuMs - s0.cpuMs) / secs / WORKERS * 1000).toFixed(0)} µs per worker-second, the master's own timers included), RSS ${s1.rssMiB.toFixed(0)} MiB [load ${load()}]`);
  }

  // 2. Dispatch latency, one execution at a time: start_execution (in the master) → a worker has the assignment.
  const latencies: number[] = [];
  if (WORKERS === 0 && (LATENCY > 0 || BURST > 0)) throw new Error('--latency and --burst need at least one worker (--workers 0 is for the memory figure alone: --latency 0 --burst 0)');
  for (let i = 0; i < LATENCY; i++) {
    const r = await rpc('start');
    const id = Number(r['executionId']);
    if (!assignedAt.has(id)) await new Promise<void>((resolve) => assignWaiters.set(id, resolve));
    assignWaiters.delete(id);
    latencies.push(assignedAt.get(id)! - Number(r['t0']));
    await sleep(5); // let the report commit before the next start
  }
  latencies.sort((a, b) => a - b);
  if (LATENCY > 0) console.log(`latency: ${LATENCY} executions one at a time, start_execution → assignment received by a worker: p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, max ${latencies[latencies.length - 1]!.toFixed(2)} ms [load ${load()}]`);

  // 3. Burst: BURST executions spread over the N workers; until every final report is answered.
  if (BURST > 0) {
    await sleep(1000);
    const base = resultCount;
    const done = new Promise<void>((resolve) => { countWaiter = { target: base + BURST, resolve }; });
    const s0 = procStats(pid); t = performance.now();
    await rpc('submit', { count: BURST });
    await done;
    const s1 = procStats(pid), secs = (performance.now() - t) / 1000;
    console.log(`burst:   ${BURST} executions over ${WORKERS} workers in ${secs.toFixed(2)} s: ${(BURST / secs).toFixed(0)} executions/s; master CPU ${((s1.cpuMs - s0.cpuMs) / BURST).toFixed(2)} ms per execution (${(((s1.cpuMs - s0.cpuMs) / 1000 / secs) * 100).toFixed(0)}% of one core), RSS ${s1.rssMiB.toFixed(0)} MiB [load ${load()}]`);
  }

  // 4. Memory with PENDING live executions: the workers stop pulling (slots 0), the executions wait.
  if (PENDING > 0) {
    for (const w of workers) { w.paused = true; w.pull(); }
    await sleep(2000);
    const before = (await rpc('memory', { count: 1 }))['memory'] as NodeJS.MemoryUsage;
    const assigned0 = assignedCount;
    await rpc('submit', { count: PENDING });
    await sleep(3000);
    const after = (await rpc('memory', { count: 1 }))['memory'] as NodeJS.MemoryUsage;
    const mib = (n: number) => (n / 2 ** 20).toFixed(0);
    console.log(`memory:  ${PENDING} pending executions (${assignedCount - assigned0} assigned meanwhile): master RSS ${mib(before.rss)} → ${mib(after.rss)} MiB (${after.rss >= before.rss ? '+' : ''}${mib(after.rss - before.rss)}), heap used after GC ${mib(before.heapUsed)} → ${mib(after.heapUsed)} MiB, with ${WORKERS} workers connected [load ${load()}]`);
    // Where the RSS is: V8's heap (reserved, used), memory outside it (Buffers, TLS, SQLite via
    // external/arrayBuffers as V8 sees them) and the rest (code, native allocations, other isolates).
    console.log(`         after: heap total ${mib(after.heapTotal)} MiB (used ${mib(after.heapUsed)}), external ${mib(after.external)} MiB (array buffers ${mib(after.arrayBuffers)}), RSS outside the main heap ${mib(after.rss - after.heapTotal)} MiB`);
  }
  const errors = workers.flatMap((w) => w.errors);
  const dropped = workers.filter((w) => w.closedUnexpectedly).length;
  console.log(`health:  ${dropped} worker connections closed by the master; ${errors.length} error frames${errors.length ? ` (first: ${errors[0]})` : ''}`);
  for (const w of workers) w.close();
  await rpc('stop');
} finally {
  for (const w of workers) { try { w.close(); } catch { /* already closed */ } }
  // The master exits by itself after `stop` (writing its --prof profile); killed only if it does not.
  const m = master;
  if (m && m.exitCode === null && m.signalCode === null) await Promise.race([new Promise((r) => m.once('exit', r)), sleep(30_000)]);
  if (m && m.exitCode === null) m.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
