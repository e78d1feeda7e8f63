/**
 * `scaleout execute`: the "Execute in Scale Out" dialog as a command. One execution per --package,
 * each with the given parameters, retry count and machine selection; with --wait it follows them to
 * the end and exits 1 unless every one succeeded.
 */
import type { Command } from '../command.ts';
import { UsageError, flag, parseArgs } from '../command.ts';
import { apiCall, targetFromFlags } from '../../transport/api-client.ts';
import type { ApiTarget } from '../../transport/api-client.ts';
import type { StartExecutionBody } from '../../transport/master-server.ts';

export const STATUS_NAMES: Readonly<Record<number, string>> = {
  1: 'created', 2: 'running', 3: 'canceled', 4: 'failed', 5: 'pending', 6: 'ended unexpectedly', 7: 'succeeded', 8: 'stopping', 9: 'completed',
};
const FINAL = new Set([3, 4, 6, 7, 9]);

export const command: Command = {
  name: 'execute',
  summary: 'Run packages in Scale Out (several packages, parameters, retries, machine selection)',
  usage: `usage: scaleout execute --folder <F> --project <P> --package <A.dtsx> [--package <B.dtsx> …]
                        [--param <name>=<value> …] [--retry <N>] [--worker <agent id> … | --any-worker]
                        [--wait] [--data <dir> | -S <https://master:port> -U <login> -P <password> [--ca <pem>]]

  --param        a parameter value: '$Project::Name=v' (project), '$Package::Name=v' or 'Name=v' (package),
                 upper-case names such as LOGGING_LEVEL=3 are system parameters. Repeatable.
  --retry N      retry_count of start_execution: a failed run is re-queued up to N more times.
  --worker ID    run only on these workers (useanyworker=0 + add_execution_worker). Default: any worker.
  --wait         follow the executions and exit 1 unless every one succeeded.`,
  async run(argv, io) {
    const args = parseArgs(argv, { boolean: ['wait', 'any-worker'] });
    const folder = flag(args, 'folder');
    const project = flag(args, 'project');
    const packages = args.flags.get('package') ?? [];
    if (!folder || !project || packages.length === 0) throw new UsageError('--folder, --project and at least one --package are required');
    const retryText = flag(args, 'retry');
    const retryCount = retryText === undefined ? 0 : Number(retryText);
    if (!Number.isInteger(retryCount) || retryCount < 0) throw new UsageError(`--retry expects a non-negative integer, got '${retryText}'`);
    const workers = [...(args.flags.get('worker') ?? [])];
    if (workers.length > 0 && flag(args, 'any-worker') === 'true') throw new UsageError('--worker and --any-worker exclude each other');
    const parameters = (args.flags.get('param') ?? []).map((p) => {
      const eq = p.indexOf('=');
      if (eq <= 0) throw new UsageError(`--param expects name=value, got '${p}'`);
      const name = p.slice(0, eq), text = p.slice(eq + 1);
      // System parameters are typed (LOGGING_LEVEL Int32, DUMP_ON_ERROR Boolean): send numbers and booleans as such.
      const system = /^[A-Z][A-Z0-9_]*$/.test(name);
      const value = system && /^-?\d+$/.test(text) ? Number(text) : system && /^(true|false)$/i.test(text) ? text.toLowerCase() === 'true' : text;
      return { name, value };
    });
    const target = targetFromFlags((n) => flag(args, n), io.cwd, io.env);
    const started: { pkg: string; id: number }[] = [];
    for (const pkg of packages) {
      const body: StartExecutionBody = { folder, project, package: pkg, parameters, retryCount, workers, useAnyWorker: workers.length === 0 };
      const { executionId } = await apiCall<{ executionId: number }>(target, 'POST', '/api/v1/executions', body);
      started.push({ pkg, id: executionId });
      io.stdout.write(`Started execution ${executionId} of ${folder}\\${project}\\${pkg}${retryCount ? ` (retry count ${retryCount})` : ''}.\n`);
    }
    if (flag(args, 'wait') !== 'true') return 0;
    const results = await waitForExecutions(target, started, (line) => io.stdout.write(line + '\n'));
    const bad = results.filter((r) => r.status !== 7);
    io.stdout.write(bad.length === 0 ? `All ${results.length} execution(s) succeeded.\n` : `${bad.length} of ${results.length} execution(s) did not succeed.\n`);
    return bad.length === 0 ? 0 : 1;
  },
};

export interface ExecutionResultRow {
  readonly pkg: string;
  readonly id: number;
  readonly status: number;
  readonly row: Record<string, unknown>;
}

/** Polls each execution until it is final, printing every status change. */
export async function waitForExecutions(target: ApiTarget, started: readonly { pkg: string; id: number }[], print: (line: string) => void, pollMs = 300): Promise<ExecutionResultRow[]> {
  const last = new Map<number, number>();
  const done = new Map<number, ExecutionResultRow>();
  while (done.size < started.length) {
    for (const s of started) {
      if (done.has(s.id)) continue;
      const row = await apiCall<Record<string, unknown>>(target, 'GET', `/api/v1/executions/${s.id}`);
      const status = Number(row['status']);
      if (last.get(s.id) !== status) {
        last.set(s.id, status);
        const where = row['machine_name'] ? ` on ${String(row['machine_name'])}` : '';
        print(`  execution ${s.id} (${s.pkg}): ${STATUS_NAMES[status] ?? status}${where}`);
      }
      if (FINAL.has(status)) done.set(s.id, { ...s, status, row });
    }
    if (done.size < started.length) await new Promise((r) => setTimeout(r, pollMs));
  }
  return started.map((s) => done.get(s.id)!);
}
