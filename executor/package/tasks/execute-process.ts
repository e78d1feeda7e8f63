/**
 * Execute Process Task: runs a program with arguments and a working directory, checks the exit code
 * against SuccessValue, captures stdout/stderr into variables, and kills the process after TimeOut
 * seconds when TerminateProcessAfterTimeOut is set. WindowStyle has no meaning here and is ignored.
 */
import { spawn } from 'node:child_process';
import type { TaskImplementation } from './registry.ts';
import { parseBool } from '../load-dtsx.ts';

/** Splits a Windows-style argument string: spaces separate, double quotes group, `\"` is a quote. */
export function splitArguments(s: string): string[] {
  const out: string[] = [];
  let cur = '', inQ = false, any = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && s[i + 1] === '"') { cur += '"'; i++; any = true; continue; }
    if (ch === '"') { inQ = !inQ; any = true; continue; }
    if (!inQ && /\s/.test(ch)) { if (any) { out.push(cur); cur = ''; any = false; } continue; }
    cur += ch; any = true;
  }
  if (any) out.push(cur);
  return out;
}

export const executeProcessTask: TaskImplementation = {
  kind: 'executeProcess',
  validate(v) {
    const a = v.task.objectData?.attrs ?? {};
    const out = [];
    const hasExpr = v.task.propertyExpressions.some((p) => p.name.toLowerCase() === 'executable');
    if ((a.Executable ?? '').trim() === '' && !hasExpr) out.push({ path: v.task.path, severity: 'error' as const, message: 'the Execute Process Task has no Executable' });
    for (const k of ['StandardOutputVariable', 'StandardErrorVariable', 'StandardInputVariable']) {
      const n = a[k];
      if (n && !v.hasVariable(n)) out.push({ path: v.task.path, severity: 'error' as const, message: `${k} refers to the variable '${n}', which does not exist` });
    }
    return out;
  },
  async execute(ctx) {
    const p = ctx.props;
    const exe = (p.Executable ?? '').trim();
    if (exe === '') { ctx.error('The Execute Process Task has no Executable.'); return 'failure'; }
    const args = splitArguments(p.Arguments ?? '');
    const cwd = (p.WorkingDirectory ?? '').trim() || ctx.workingDirectory || process.cwd();
    const successValue = Number(p.SuccessValue ?? 0);
    const failOnCode = parseBool(p.FailTaskIfReturnCodeIsNotSuccessValue, true);
    const timeoutS = Number(p.TimeOut ?? 0);
    const terminate = parseBool(p.TerminateProcessAfterTimeOut ?? p.TerminateAfterTimeout, true);
    const stdin = p.StandardInputVariable ? String(ctx.getVariable(p.StandardInputVariable) ?? '') : undefined;

    const result = await new Promise<{ code: number | null; out: string; err: string; timedOut: boolean; spawnError?: Error }>((resolve) => {
      // Its own process group, so that a stop or a timeout ends the whole tree (a shell's children too),
      // not only the process started: a child left holding the pipes would keep the task from ending.
      const child = spawn(exe, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true, detached: true });
      const killTree = () => {
        try { if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL'); else child.kill('SIGKILL'); } catch { child.kill('SIGKILL'); }
      };
      let out = '', err = '', timedOut = false, settled = false;
      const finish = (r: Parameters<typeof resolve>[0]) => { if (!settled) { settled = true; clearTimeout(timer); ctx.signal.removeEventListener('abort', onAbort); resolve(r); } };
      child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
      child.on('error', (e) => finish({ code: null, out, err, timedOut, spawnError: e }));
      child.on('close', (code) => finish({ code, out, err, timedOut }));
      const onAbort = killTree;
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const timer = timeoutS > 0 ? setTimeout(() => { timedOut = true; if (terminate) killTree(); else finish({ code: null, out, err, timedOut }); }, timeoutS * 1000) : undefined;
      if (stdin !== undefined) child.stdin.end(stdin); else child.stdin.end();
    });
    if (ctx.signal.aborted) return 'failure';
    if (result.spawnError) { ctx.error(`The process '${exe}' could not be started: ${result.spawnError.message}`); return 'failure'; }
    if (p.StandardOutputVariable) ctx.setVariable(p.StandardOutputVariable, result.out);
    if (p.StandardErrorVariable) ctx.setVariable(p.StandardErrorVariable, result.err);
    if (p.ExecValueVariable) ctx.setVariable(p.ExecValueVariable, result.code ?? -1);
    if (result.timedOut) { ctx.error(`The process '${exe}' timed out after ${timeoutS} seconds${terminate ? ' and was terminated' : ''}.`); return 'failure'; }
    if (result.code !== successValue) {
      const msg = `In Executing "${exe}" "${p.Arguments ?? ''}" at "${cwd}", The process exit code was "${result.code}" while the expected was "${successValue}".`;
      if (failOnCode) { ctx.error(msg); return 'failure'; }
      ctx.warning(msg);
    }
    return 'success';
  },
};
