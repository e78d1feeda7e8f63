/**
 * Peers in the same run (issue 15): our dispatch (bench/dispatch.ts, one process, MaxTaskCount 10),
 * BullMQ on a Debian redis-server with `appendfsync always` and with `everysec`, and Graphile Worker
 * on a Debian PostgreSQL with fsync and synchronous_commit on, each on the same no-op workload
 * (bench/peers/workload.ts), run interleaved (ours, bullmq-always, bullmq-everysec, graphile; again),
 * each in a fresh process against a fresh server (own temporary data folder, own loopback port, started
 * here and stopped after the run). Prints every run with the load average at its start, then the
 * medians and the ratios ours / peer.
 *   npm run bench:peers
 *   PEERS_JOBS=2000 PEERS_LATENCY=100 PEERS_ROUNDS=3 PEERS_SYSTEMS=ours,bullmq-always npm run bench:peers
 * Needs the Debian packages redis-server and postgresql (a system whose server is missing is skipped
 * with the reason). Not run by npm test.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testPostgres } from '../../tests/helpers/local-postgres.ts';
import type { PeerResult } from './workload.ts';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) { console.error(`${name} expects a non-negative integer, got '${raw}'`); process.exit(2); }
  return n;
}
const JOBS = envInt('PEERS_JOBS', 20_000);
const LATENCY = envInt('PEERS_LATENCY', 500);
const ROUNDS = envInt('PEERS_ROUNDS', 3);
const ALL = ['ours', 'bullmq-always', 'bullmq-everysec', 'graphile'] as const;
type System = (typeof ALL)[number];
const SYSTEMS: System[] = (process.env['PEERS_SYSTEMS'] ?? ALL.join(',')).split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
  if (!(ALL as readonly string[]).includes(s)) { console.error(`PEERS_SYSTEMS: unknown system '${s}' (known: ${ALL.join(', ')})`); process.exit(2); }
  return s as System;
});
const RUN_TIMEOUT_MS = envInt('PEERS_RUN_TIMEOUT_S', 1800) * 1000;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const cpuModel = (() => { try { return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim(); } catch { return undefined; } })() ?? cpus()[0]?.model.trim() ?? 'unknown CPU';
const version = (cmd: string, args: string[]) => { const r = spawnSync(cmd, args, { encoding: 'utf8' }); return r.status === 0 ? r.stdout.trim().split('\n')[0] : undefined; };

/** Runs a child to its end; its stdout is returned, its stderr passed through; killed past the timeout. */
function runChild(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${args[0]} exited with ${signal ?? code}${signal === 'SIGKILL' ? ` (over PEERS_RUN_TIMEOUT_S=${RUN_TIMEOUT_MS / 1000})` : ''}; its output:\n${out}`));
    });
  });
}

function parseResult(out: string, who: string): PeerResult {
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (line === undefined) throw new Error(`${who} printed no RESULT line; its output:\n${out}`);
  return JSON.parse(line.slice('RESULT '.length)) as PeerResult;
}

/** Ours: bench/dispatch.ts in one process, its printed latency and burst lines read back. */
async function runOurs(): Promise<PeerResult> {
  const out = await runChild([here('../dispatch.ts'), '--latency', String(LATENCY), '--burst', String(JOBS), '--max-tasks', '10']);
  const lat = /latency: .*p50 ([\d.]+) ms, p99 ([\d.]+) ms/.exec(out);
  const burst = /burst: .*all ended in ([\d.]+) s: (\d+) executions\/s end to end/.exec(out);
  const cpu = /process CPU ([\d.]+) ms per execution/.exec(out);
  if (burst === null || (LATENCY > 0 && lat === null)) throw new Error(`bench/dispatch.ts printed no latency/burst line; its output:\n${out}`);
  return { jobsPerSecond: Number(burst[2]), burstSeconds: Number(burst[1]), p50: lat ? Number(lat[1]) : NaN, p99: lat ? Number(lat[2]) : NaN, clientCpuMsPerJob: cpu ? Number(cpu[1]) : NaN };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${what} did not listen on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A redis-server on loopback with its own data folder, AOF on with the given fsync policy, no RDB. */
async function startRedis(appendfsync: 'always' | 'everysec'): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'scaleout-peers-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', appendfsync, '--save', '', '--logfile', join(dir, 'redis.log')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => { if (child.exitCode === null) child.kill('SIGKILL'); };
  process.once('exit', kill);
  const stop = async () => { child.kill('SIGTERM'); await exited; process.off('exit', kill); rmSync(dir, { recursive: true, force: true }); };
  try { await waitForPort(port, child, 'redis-server'); } catch (err) { await stop(); throw err; }
  return { port, stop };
}

async function runOnce(system: System): Promise<PeerResult> {
  if (system === 'ours') return runOurs();
  if (system === 'graphile') {
    const pg = await testPostgres({ durable: true, maxConnections: 50 });
    if ('skip' in pg) throw new Error(`no PostgreSQL server: ${pg.skip}`);
    try { return parseResult(await runChild([here('./graphile-peer.ts'), pg.url, String(JOBS), String(LATENCY)]), system); } finally { pg.stop(); }
  }
  const redis = await startRedis(system === 'bullmq-always' ? 'always' : 'everysec');
  try { return parseResult(await runChild([here('./bullmq-peer.ts'), String(redis.port), String(JOBS), String(LATENCY)]), system); } finally { await redis.stop(); }
}

function postgresBinary(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const v = readdirSync(base).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)).find((d) => existsSync(join(base, d, 'bin', 'postgres')));
  return v === undefined ? undefined : join(base, v, 'bin', 'postgres');
}

const median = (xs: readonly number[]) => { const s = [...xs].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b); return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };

console.log(`machine: ${cpus().length} x ${cpuModel}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, node ${process.version}, ${version('redis-server', ['--version']) ?? 'redis-server not installed'}, ${postgresBinary() ? version(postgresBinary()!, ['--version']) : 'postgresql not installed'}`);
console.log(`workload: no-op jobs; throughput: ${JOBS} enqueued in chunks of 500 with the consumer running (concurrency 10), timed first enqueue → last done; latency: ${LATENCY} one at a time, enqueue → handler start (ours: start_execution → claim committed as running); client CPU is the benchmark process's (ours: master and worker in it; peers: the client, not the server); ${ROUNDS} rounds of ${SYSTEMS.join(', ')}`);
if (SYSTEMS.includes('graphile') && process.env['SCALEOUT_TEST_PG']) console.log(`graphile: SCALEOUT_TEST_PG is set, so Graphile Worker uses that server (${process.env['SCALEOUT_TEST_PG']}), not one started here with fsync on`);
console.log(`uptime at start: ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}`);
const results = new Map<System, PeerResult[]>(SYSTEMS.map((s) => [s, []]));
const failures = new Map<System, string>();
for (let round = 1; round <= ROUNDS; round++) {
  for (const system of SYSTEMS) {
    const before = load();
    try {
      const r = await runOnce(system);
      results.get(system)!.push(r);
      console.log(`round ${round} ${system.padEnd(16)} ${r.jobsPerSecond.toFixed(0).padStart(6)} jobs/s (${r.burstSeconds.toFixed(2)} s), latency p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms, client CPU ${r.clientCpuMsPerJob.toFixed(2)} ms/job [load ${before}]`);
    } catch (err) {
      failures.set(system, (err as Error).message.split('\n')[0]!);
      console.log(`round ${round} ${system.padEnd(16)} FAILED: ${(err as Error).message}`);
    }
  }
}
console.log(`uptime at end:   ${spawnSync('uptime', { encoding: 'utf8' }).stdout.trim()}`);

const med = (s: System) => {
  const rs = results.get(s)!;
  return { n: rs.length, tput: median(rs.map((r) => r.jobsPerSecond)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)) };
};
const ours = SYSTEMS.includes('ours') ? med('ours') : undefined;
const ratio = (a: number | undefined, b: number) => (a === undefined || Number.isNaN(a) || Number.isNaN(b) || b === 0 ? '—' : `${(a / b).toFixed(2)}`);
console.log('');
console.log(`medians of ${ROUNDS} (${JOBS} jobs, concurrency 10; latency ${LATENCY} one at a time); ratios are ours / peer (throughput: above 1 is ours faster; latency: below 1 is ours faster)`);
console.log('| system | runs | jobs/s | p50 ms | p99 ms | throughput ours/peer | p50 ours/peer | p99 ours/peer |');
console.log('|---|---|---|---|---|---|---|---|');
for (const s of SYSTEMS) {
  const m = med(s);
  if (m.n === 0) { console.log(`| ${s} | 0 | failed: ${failures.get(s) ?? '?'} | | | | | |`); continue; }
  const self = s === 'ours';
  console.log(`| ${s} | ${m.n} | ${m.tput.toFixed(0)} | ${m.p50.toFixed(2)} | ${m.p99.toFixed(2)} | ${self ? '' : ratio(ours?.tput, m.tput)} | ${self ? '' : ratio(ours?.p50, m.p50)} | ${self ? '' : ratio(ours?.p99, m.p99)} |`);
}
if (failures.size > 0) process.exitCode = 1;
