/**
 * Runs a compiled script in its own `mono` process (never in a Node thread): writes the request on
 * stdin, streams the host's messages from standard error to `onMessage` as they arrive, and returns how
 * the run ended. The process gets its own process group, so stopping it (cancel, timeout, too much
 * output) also ends what the script started. stdout is the script's (its Console.Error too): counted
 * against the output limit and dropped. Lines on stderr that are not protocol messages (the runtime's
 * own crash reports) are counted too, and their tail explains a crash.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { HostMessage, HostRequest } from './protocol.ts';
import { parseHostMessage } from './protocol.ts';

export interface ScriptRunOptions {
  readonly mono: string;
  /** Take a prestarted host and start the next one (each run still gets a fresh process). */
  readonly prestart: boolean;
  readonly hostPath: string;
  readonly request: HostRequest;
  readonly signal: AbortSignal;
  /** 0 = no limit. */
  readonly timeoutMs: number;
  readonly outputLimitBytes: number;
  readonly onMessage: (m: HostMessage) => void;
}

export type ScriptRunOutcome =
  | { readonly kind: 'end'; readonly message: Extract<HostMessage, { t: 'end' }> }
  | { readonly kind: 'exception'; readonly message: Extract<HostMessage, { t: 'exception' }> }
  | { readonly kind: 'stopped'; readonly why: 'canceled' | 'timeout' | 'output' }
  /** The process ended without reporting an end (Environment.Exit, a crash, a protocol error). */
  | { readonly kind: 'exited'; readonly code: number | null; readonly signal: string | null; readonly detail: string };

const STDERR_TAIL = 2000;

function startHost(mono: string, hostPath: string): ChildProcess {
  const child = spawn(mono, [hostPath], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, MONO_ENV_OPTIONS: '' } });
  child.on('error', () => { /* reported when the host is used */ });
  child.stdin!.on('error', () => { /* the host may exit before reading everything (Environment.Exit) */ });
  return child;
}

/**
 * One idle host per (mono, host) in this thread, started ahead and waiting on stdin. It holds no
 * script state: it only has Mono started. Unreferenced, so it never keeps the thread alive; when the
 * thread ends its stdin closes and it exits.
 */
const spares = new Map<string, ChildProcess>();

function handles(c: ChildProcess): { ref(): void; unref(): void }[] {
  return [c, c.stdin, c.stdout, c.stderr].filter((x): x is NonNullable<typeof x> => x !== null) as unknown as { ref(): void; unref(): void }[];
}

export function takeHost(mono: string, hostPath: string, prestart: boolean): ChildProcess {
  if (!prestart) return startHost(mono, hostPath);
  const key = `${mono}\0${hostPath}`;
  let child = spares.get(key);
  spares.delete(key);
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) child = startHost(mono, hostPath);
  else for (const h of handles(child)) h.ref();
  const next = startHost(mono, hostPath);
  for (const h of handles(next)) h.unref();
  next.once('exit', () => { if (spares.get(key) === next) spares.delete(key); });
  spares.set(key, next);
  return child;
}

/** Ends the prestarted hosts of this thread (tests, shutdown). */
export function stopPrestartedHosts(): void {
  for (const c of spares.values()) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
  spares.clear();
}

export function runScript(o: ScriptRunOptions): Promise<ScriptRunOutcome> {
  return new Promise((resolve) => {
    if (o.signal.aborted) { resolve({ kind: 'stopped', why: 'canceled' }); return; }
    const child = takeHost(o.mono, o.hostPath, o.prestart);
    let final: Extract<HostMessage, { t: 'end' | 'exception' }> | undefined;
    let stopped: 'canceled' | 'timeout' | 'output' | undefined;
    let protocolError: string | undefined;
    let spawnError: Error | undefined;
    let outputBytes = 0;
    let stderrTail = '';
    let settled = false;

    const kill = () => {
      try { if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      try { child.kill('SIGKILL'); } catch { /* already gone */ }
    };
    const stop = (why: 'canceled' | 'timeout' | 'output') => { if (!stopped && !final) { stopped = why; kill(); } };
    const onAbort = () => stop('canceled');
    o.signal.addEventListener('abort', onAbort, { once: true });
    const timer = o.timeoutMs > 0 ? setTimeout(() => stop('timeout'), o.timeoutMs) : undefined;

    const count = (n: number) => { outputBytes += n; if (outputBytes > o.outputLimitBytes) stop('output'); };
    child.stdout!.on('data', (d: Buffer) => count(d.length));

    const channel = child.stderr as Readable;
    let pending = '';
    channel.setEncoding('utf8');
    channel.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim() === '' || stopped) continue;
        let m: HostMessage;
        if (!line.startsWith('{"t":')) { count(line.length + 1); stderrTail = (stderrTail + line + '\n').slice(-STDERR_TAIL); continue; }
        try { m = parseHostMessage(line); } catch (err) { protocolError = (err as Error).message; kill(); return; }
        if (m.t === 'end' || m.t === 'exception') {
          // Main has returned (or thrown): nothing of the script matters any more, as when SSIS unloads its
          // AppDomain. End the process group now rather than wait for Mono's own shutdown.
          final ??= m;
          finish();
          return;
        }
        if (final) continue;
        try { o.onMessage(m); } catch (err) { protocolError = `the event could not be reported: ${(err as Error).message}`; kill(); return; }
      }
      if (pending.length > 64 * 1024 * 1024) { protocolError = 'the script host sent a line longer than 64 MiB on standard error'; kill(); }
    });
    channel.on('error', () => { /* the process' end reports it */ });
    child.on('error', (e) => { spawnError = e; });
    // Something the script started may hold the pipes open after the host exited: end the group.
    child.on('exit', () => { setTimeout(() => { if (!settled) kill(); }, 500).unref(); });
    const finish = (code: number | null = null, signal: string | null = null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      if (final) kill();
      if (stopped) resolve({ kind: 'stopped', why: stopped });
      else if (final?.t === 'end') resolve({ kind: 'end', message: final });
      else if (final?.t === 'exception') resolve({ kind: 'exception', message: final });
      else resolve({ kind: 'exited', code, signal, detail: spawnError ? `'${o.mono}' could not be started: ${spawnError.message}` : protocolError ?? stderrTail.trim() });
    };
    child.on('close', (code, signal) => finish(code, signal));
    child.stdin!.end(`${JSON.stringify(o.request)}\n`);
  });
}
