/**
 * Real `scaleout` processes for tests: spawn `node --import tsx runtime/cli/main.ts …` as a child,
 * wait for a line on its stdout, send it a signal and wait (bounded) for its exit; and run a CLI
 * command in this process with captured output. `killAll()` in an `after` hook ends anything left.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../runtime/cli/main.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const live = new Set<ChildProcess>();

export interface CliChild {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first stdout/stderr text matching `re`; rejects after `timeoutMs` or if the child exits first. */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or `signal:<name>`); rejects after `timeoutMs`. */
  exited(timeoutMs: number): Promise<number | string>;
  /** Sends `signal` and waits for the exit (bounded); SIGKILLs and rejects if it hangs. */
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<number | string>;
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, script = 'runtime/cli/main.ts'): CliChild {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (c: Buffer) => { text += c.toString(); for (const l of listeners) l(); };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let exit: number | string | undefined;
  const exitedP = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => {
    live.delete(child);
    exit = code ?? `signal:${signal}`;
    for (const l of listeners) l();
    resolve(exit);
  }));
  const self: CliChild = {
    child,
    output: () => text,
    waitFor(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(text);
          if (m) { done(); resolve(m); } else if (exit !== undefined) { done(); reject(new Error(`process exited (${exit}) before printing ${re}:\n${text}`)); }
        };
        const timer = setTimeout(() => { done(); reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re}:\n${text}`)); }, timeoutMs);
        const done = () => { clearTimeout(timer); listeners.delete(check); };
        listeners.add(check);
        check();
      });
    },
    exited(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        exitedP,
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs} ms:\n${text}`)), timeoutMs); }),
      ]).finally(() => clearTimeout(timer));
    },
    async stop(signal, timeoutMs) {
      if (exit === undefined) child.kill(signal);
      try {
        return await self.exited(timeoutMs);
      } catch (err) {
        child.kill('SIGKILL');
        throw err;
      }
    },
  };
  return self;
}

/** SIGKILLs every child still running (for `after` hooks). */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((c) => new Promise<void>((resolve) => { c.once('exit', () => resolve()); c.kill('SIGKILL'); })));
}

/** Runs `scaleout <args>` in this process; resolves with its exit code and output. */
export async function runCli(args: readonly string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const sink = (append: (s: string) => void) => new Writable({ write(c, _e, cb) { append(String(c)); cb(); } });
  const code = await main(args, {
    stdout: sink((s) => { stdout += s; }), stderr: sink((s) => { stderr += s; }),
    stdin: new PassThrough(), env: process.env, cwd,
  });
  return { code, stdout, stderr };
}
