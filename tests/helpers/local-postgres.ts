/**
 * A PostgreSQL server for tests: `SCALEOUT_TEST_PG` when set (a `postgres://` URL; `off` disables
 * PostgreSQL tests), otherwise a throwaway cluster started from the Debian `postgresql` binaries when
 * they are installed (initdb + pg_ctl in a temp folder, loopback only, trust authentication, fsync
 * off), run as the `postgres` user when the tests run as root (initdb refuses root). Callers stop it
 * in an `after` hook; when neither is available they get the reason to report the skip with.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TestPostgres = { readonly url: string; stop(): void } | { readonly skip: string };

function findBin(name: string): string | undefined {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(base, v, 'bin', name))) return join(base, v, 'bin', name);
  }
  const which = spawnSync('which', [name], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() !== '' ? which.stdout.trim() : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

/**
 * Whether PostgreSQL tests can run, decided without starting anything (so a test file can register
 * its PostgreSQL tests at import and start the server in a `before` hook: the runner imports every
 * test file before running any suite).
 */
export function postgresAvailability(): { readonly url?: string; readonly local?: true; readonly skip?: string } {
  const env = process.env['SCALEOUT_TEST_PG'];
  if (env?.toLowerCase() === 'off') return { skip: 'SCALEOUT_TEST_PG=off' };
  if (env) return { url: env };
  if (!findBin('initdb') || !findBin('pg_ctl')) return { skip: 'SCALEOUT_TEST_PG is not set and the postgresql server (initdb, pg_ctl) is not installed' };
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return { skip: 'the tests run as root and there is no postgres user to run a throwaway PostgreSQL server' };
  return { local: true };
}

/**
 * `durable` keeps PostgreSQL's defaults for durability (fsync and synchronous_commit on) for benchmarks
 * (bench/peers); tests keep fsync off. `maxConnections` defaults to 20.
 */
export async function testPostgres(options: { readonly durable?: boolean; readonly maxConnections?: number } = {}): Promise<TestPostgres> {
  const plan = postgresAvailability();
  if (plan.skip) return { skip: plan.skip };
  if (plan.url) return { url: plan.url, stop: () => undefined };
  const initdb = findBin('initdb')!, pgCtl = findBin('pg_ctl')!;
  const asRoot = process.getuid?.() === 0;
  let uid: number | undefined, gid: number | undefined;
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) return { skip: 'the tests run as root and there is no postgres user to run a throwaway PostgreSQL server' };
    uid = Number(id.stdout.trim());
    gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  }
  const dir = mkdtempSync(join(tmpdir(), 'scaleout-pg-'));
  if (asRoot) chownSync(dir, uid!, gid!);
  const run = (cmd: string, args: string[]) => (asRoot
    ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe', timeout: 60_000 })
    : execFileSync(cmd, args, { stdio: 'pipe', timeout: 60_000 }));
  const data = join(dir, 'data');
  try {
    run(initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    const port = await freePort();
    const durability = options.durable ? '-c fsync=on -c synchronous_commit=on' : '-c fsync=off';
    run(pgCtl, ['-D', data, '-w', '-t', '30', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 ${durability} -c max_connections=${options.maxConnections ?? 20}`, 'start']);
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      process.off('exit', stop);
      try { run(pgCtl, ['-D', data, '-m', 'immediate', 'stop']); } catch { /* already gone */ }
      rmSync(dir, { recursive: true, force: true });
    };
    // The server is a daemon: never leave it behind, even when the runner exits without the after hook.
    process.once('exit', stop);
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `a throwaway PostgreSQL server could not be started: ${(err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message}` };
  }
}
