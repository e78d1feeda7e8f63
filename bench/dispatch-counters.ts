/**
 * Per-execution cost counters for bench/dispatch.ts (benchmarks only, never loaded by the services):
 * SQL statements run and COMMITs (every better-sqlite3 statement of this process), WebSocket frames
 * sent (both ends when master and worker share the process), XState actors started, and file-system
 * calls made from this process's main thread (the `fs` and `fs/promises` functions below; Piscina
 * threads have their own module instances and are not counted). Installed by patching prototypes
 * and the built-in modules' exports (`syncBuiltinESMExports` makes named ESM imports see the patch),
 * so the code measured is unchanged.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { syncBuiltinESMExports } from 'node:module';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { Actor } from 'xstate';

export interface CostCounters {
  statements: number;
  commits: number;
  frames: number;
  actors: number;
  fileOps: number;
}

export const counters: CostCounters = { statements: 0, commits: 0, frames: 0, actors: 0, fileOps: 0 };

export function snapshot(): CostCounters {
  return { ...counters };
}

export function since(before: CostCounters): CostCounters {
  return {
    statements: counters.statements - before.statements, commits: counters.commits - before.commits,
    frames: counters.frames - before.frames, actors: counters.actors - before.actors, fileOps: counters.fileOps - before.fileOps,
  };
}

const FILE_FUNCTIONS = ['open', 'mkdir', 'writeFile', 'appendFile', 'readFile', 'readdir', 'rename', 'unlink', 'rm', 'rmdir', 'stat', 'lstat', 'copyFile', 'fsync', 'fdatasync', 'createWriteStream', 'createReadStream'] as const;

let installed = false;
/** With SCALEOUT_BENCH_SQL=1: statement counts by SQL text, to see which statements a cycle runs. */
export const bySource: Map<string, number> | null = process.env['SCALEOUT_BENCH_SQL'] === '1' ? new Map() : null;
/** With SCALEOUT_BENCH_SQL=1: milliseconds spent inside each statement (by SQL text), COMMIT's fsync included. */
export const msBySource: Map<string, number> | null = bySource === null ? null : new Map();

export function installCounters(): void {
  if (installed) return;
  installed = true;
  const db = new Database(':memory:');
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>;
  db.close();
  for (const m of ['run', 'get', 'all', 'iterate']) {
    const orig = proto[m]!;
    proto[m] = function (this: { source: string }, ...args: unknown[]) {
      counters.statements++;
      if (this.source === 'COMMIT') counters.commits++;
      if (bySource === null) return orig.apply(this, args);
      bySource.set(this.source, (bySource.get(this.source) ?? 0) + 1);
      const t0 = performance.now();
      try {
        return orig.apply(this, args);
      } finally {
        msBySource!.set(this.source, (msBySource!.get(this.source) ?? 0) + performance.now() - t0);
      }
    };
  }
  const dbProto = Database.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const exec = dbProto['exec']!;
  dbProto['exec'] = function (this: unknown, sql: unknown, ...rest: unknown[]) {
    counters.statements++;
    if (typeof sql === 'string' && /^\s*COMMIT\b/i.test(sql)) counters.commits++;
    return exec.call(this, sql, ...rest);
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, ...args: Parameters<WebSocket['send']>) {
    counters.frames++;
    return send.apply(this, args);
  } as WebSocket['send'];
  const start = Actor.prototype.start;
  Actor.prototype.start = function (this: Actor<never>) {
    // start() is idempotent: XState calls it again for a child invoked during its parent's initial
    // (transient) transitions. Only a start that starts counts (1 = ProcessingStatus.Running).
    if ((this as unknown as { _processingStatus: number })._processingStatus !== 1) counters.actors++;
    return start.call(this);
  } as typeof start;
  const wrap = (target: Record<string, unknown>, name: string) => {
    const orig = target[name];
    if (typeof orig !== 'function') return;
    target[name] = function (this: unknown, ...args: unknown[]) {
      counters.fileOps++;
      return (orig as (...a: unknown[]) => unknown).apply(this, args);
    };
  };
  for (const name of FILE_FUNCTIONS) {
    wrap(fs as unknown as Record<string, unknown>, name);
    wrap(fs as unknown as Record<string, unknown>, `${name}Sync`);
    wrap(fs.promises as unknown as Record<string, unknown>, name);
  }
  syncBuiltinESMExports();
}
