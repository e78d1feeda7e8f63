/**
 * `scaleout execute`: the "Execute in Scale Out" dialog as a command. One execution per --package;
 * a --param applies to the package named before it (or to `Pkg.dtsx:Name=value`'s package; before any
 * --package, to all), its text converted by the master to the parameter's data type. Each execution is
 * resolved completely before it is created, so a bad --param creates nothing. With --wait it follows
 * them to the end, prints the error messages of a failed run's last attempt, and exits 1 unless every
 * one succeeded.
 */
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { MASTER_TARGET_OPTIONS, parseCommandLine, usageText } from '../options.ts';
import type { OptionTable, ParsedCommandLine } from '../options.ts';
import { apiCall, targetFromFlags } from '../../transport/api-client.ts';
import type { ApiTarget } from '../../transport/api-client.ts';
import type { StartExecutionBody } from '../../transport/master-server.ts';
import { SsoError } from '../../../actors/errors.ts';

/** catalog.operations status numbers (as SSISDB keeps them) and the names `scaleout` prints. */
export const STATUS_NAMES: Readonly<Record<number, string>> = {
  1: 'created', 2: 'running', 3: 'canceled', 4: 'failed', 5: 'pending', 6: 'ended unexpectedly', 7: 'succeeded', 8: 'stopping', 9: 'completed',
};
const FINAL = new Set([3, 4, 6, 7, 9]);

const OPTIONS: OptionTable = [
  { name: 'folder', type: 'string', value: '<F>', help: 'the catalog folder (required)' },
  { name: 'environment', type: 'string', value: '<folder>/<env>', help: "the environment to bind (the project's reference to it becomes create_execution @reference_id);\n'<env>' alone means the project's own folder" },
  { name: 'project', type: 'string', value: '<P>', help: 'the project (required)' },
  { name: 'package', type: 'string', multiple: true, value: '<A.dtsx>', help: 'a package to run, one execution each (repeatable; at least one)' },
  { name: 'param', type: 'string', multiple: true, value: '<name>=<value>', help: "a parameter value for the package named before it (before any --package: for all;\n'Pkg.dtsx:Name=value' names the package). 'Name=v' or '$Package::Name=v' (package),\n'$Project::Name=v' (project); system parameters such as LOGGING_LEVEL=3. The text is\nconverted to the parameter's type (Int32, Boolean true/false/1/0, DateTime, Double…)." },
  { name: 'retry', type: 'string', value: '<N>', help: 'retry_count of start_execution: a failed run is re-queued up to N more times' },
  { name: 'worker', type: 'string', multiple: true, value: '<agent id>', help: 'run only on these workers (useanyworker=0 + add_execution_worker)' },
  { name: 'any-worker', type: 'boolean', help: 'run on any enabled worker (the default)' },
  { name: 'wait', type: 'boolean', help: 'follow the executions; on a failure print its errors; exit 1 unless all succeeded' },
  ...MASTER_TARGET_OPTIONS,
];

interface PackageRun {
  readonly pkg: string;
  readonly parameters: { name: string; value: string; text: true }[];
}

/** Groups --param with its package: by position, or by an explicit `Pkg.dtsx:` prefix. */
export function packageRuns(args: ParsedCommandLine): PackageRun[] {
  const runs: PackageRun[] = [];
  const forAll: { name: string; value: string; text: true }[] = [];
  const explicit: { pkg: string; p: { name: string; value: string; text: true }; raw: string }[] = [];
  for (const t of args.tokens) {
    if (t.kind !== 'option') continue;
    if (t.name === 'package') runs.push({ pkg: t.value!, parameters: [...forAll] });
    if (t.name !== 'param') continue;
    const raw = t.value!;
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param expects name=value, got '${raw}'`);
    let name = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    const colon = /^([^:$]+\.dtsx):(.+)$/i.exec(name);
    if (colon) {
      name = colon[2]!;
      explicit.push({ pkg: colon[1]!, p: { name, value, text: true }, raw });
      continue;
    }
    const p = { name, value, text: true as const };
    if (runs.length === 0) forAll.push(p);
    else runs[runs.length - 1]!.parameters.push(p);
  }
  for (const e of explicit) {
    const targets = runs.filter((r) => r.pkg.toLowerCase() === e.pkg.toLowerCase());
    if (targets.length === 0) throw new UsageError(`--param ${e.raw}: '${e.pkg}' is not one of the --package values (${runs.map((r) => r.pkg).join(', ') || 'none'})`);
    for (const r of targets) r.parameters.push(e.p);
  }
  return runs;
}

export const command: Command = {
  name: 'execute',
  summary: 'Run packages in Scale Out (several packages, parameters, retries, machine selection)',
  options: OPTIONS,
  usage: usageText(`usage: scaleout execute --folder <F> --project <P> --package <A.dtsx> [--param <name>=<value> …]
                        [--package <B.dtsx> [--param …]] [--environment <folder>/<env>] [--retry <N>]
                        [--worker <agent id> … | --any-worker]
                        [--wait] [--data <dir> | -S <https://master:port> -U <login> -P <password> [--ca <pem>]]`, `
  Example: --package Hello.dtsx --package MayFail.dtsx --param ShouldFail=false runs Hello.dtsx with its
  defaults and MayFail.dtsx with ShouldFail=false. A package whose parameters or workers are refused is not
  created; the packages before it are already started (their ids are printed).
  Exit code: 0 all started (with --wait: all succeeded), 1 otherwise, 2 bad usage.`, OPTIONS),
  async run(argv, io) {
    const args = parseCommandLine(argv, OPTIONS, { maxPositionals: 0 });
    const folder = args.string('folder');
    const project = args.string('project');
    const runs = packageRuns(args);
    if (!folder || !project || runs.length === 0) throw new UsageError('--folder, --project and at least one --package are required');
    const retryText = args.string('retry');
    const retryCount = retryText === undefined ? 0 : Number(retryText);
    if (!/^\d+$/.test(retryText ?? '0') || !Number.isSafeInteger(retryCount)) throw new UsageError(`--retry expects a non-negative integer, got '${retryText}'`);
    const workers = args.strings('worker');
    if (workers.length > 0 && args.bool('any-worker')) throw new UsageError('--worker and --any-worker exclude each other');
    const target = targetFromFlags((n) => args.string(n), io.cwd, io.env);
    const started: { pkg: string; id: number }[] = [];
    for (const run of runs) {
      const environment = args.string('environment');
      const body: StartExecutionBody = { folder, project, package: run.pkg, parameters: run.parameters, retryCount, workers, useAnyWorker: workers.length === 0, ...(environment ? { environment } : {}) };
      try {
        const { executionId } = await apiCall<{ executionId: number }>(target, 'POST', '/api/v1/executions', body);
        started.push({ pkg: run.pkg, id: executionId });
        io.stdout.write(`Started execution ${executionId} of ${folder}\\${project}\\${run.pkg}${retryCount ? ` (retry count ${retryCount})` : ''}.\n`);
      } catch (err) {
        if (!SsoError.is(err)) throw err;
        const rest = runs.slice(runs.indexOf(run) + 1).map((r) => r.pkg);
        io.stderr.write(`scaleout execute: ${run.pkg}: ${err.message.replace(/^POST \/api\/v1\/executions: /, '')}${err.number ? ` [${err.number}]` : ''}\n`);
        io.stderr.write(`  ${started.length === 0 ? 'no execution was started' : `already started: ${started.map((s) => `${s.id} (${s.pkg})`).join(', ')}`}${rest.length ? `; not tried: ${rest.join(', ')}` : ''}\n`);
        return 1;
      }
    }
    if (!args.bool('wait')) return 0;
    const results = await waitForExecutions(target, started, (line) => io.stdout.write(line + '\n'));
    const bad = results.filter((r) => r.status !== 7);
    for (const r of bad) await printFailure(target, r, io.stdout, args.string('data'));
    io.stdout.write(bad.length === 0 ? `All ${results.length} execution(s) succeeded.\n` : `${bad.length} of ${results.length} execution(s) did not succeed.\n`);
    return bad.length === 0 ? 0 : 1;
  },
};

/**
 * The error messages (event_messages of type 120) of the execution's last attempt: those after the
 * package's last OnPreExecute (each attempt starts the package again), and the command showing all.
 */
export async function printFailure(target: ApiTarget, r: ExecutionResultRow, out: NodeJS.WritableStream, dataDir: string | undefined): Promise<void> {
  const query = `SELECT event_message_id, message_type, event_name, message_source_name, package_name, message FROM catalog.event_messages WHERE operation_id = ${r.id} ORDER BY event_message_id`;
  let rows: Record<string, unknown>[] = [];
  try {
    const result = await apiCall<{ outputs?: { kind: string; rows?: Record<string, unknown>[]; columns?: { name: string }[] }[] }>(target, 'POST', '/api/v1/sql', query, 'text/plain');
    rows = resultRows(result);
  } catch { /* the summary below still says where to look */ }
  const pkgName = String(r.row['package_name'] ?? r.pkg).replace(/\.dtsx$/i, '');
  let start = -1;
  rows.forEach((m, i) => { if (m['event_name'] === 'OnPreExecute' && String(m['message_source_name']) === pkgName) start = i; });
  const errors = rows.slice(start + 1).filter((m) => Number(m['message_type']) === 120);
  out.write(`execution ${r.id} (${r.pkg}) ${STATUS_NAMES[r.status] ?? r.status}${errors.length ? '; errors of its last attempt:' : ' (no error messages were logged)'}\n`);
  for (const e of errors.slice(0, 10)) out.write(`  ${String(e['message_source_name'] ?? '')}: ${String(e['message'] ?? '')}\n`);
  if (errors.length > 10) out.write(`  … and ${errors.length - 10} more\n`);
  const where = dataDir !== undefined ? `--data ${dataDir}` : target.endpoint.startsWith('https://') && target.user ? `-S ${target.endpoint} -U ${target.user} -P …` : '';
  out.write(`  all messages: scaleout sql ${where} -Q "SELECT message_time, message_type, message_source_name, message FROM catalog.event_messages WHERE operation_id = ${r.id} ORDER BY event_message_id"\n`.replace('sql  -Q', 'sql -Q'));
}

/** Rows of the first result set of a /api/v1/sql answer, as objects. */
function resultRows(result: unknown): Record<string, unknown>[] {
  const outputs = Array.isArray(result) ? result : (result as { outputs?: unknown[] } | null)?.outputs ?? [];
  for (const o of outputs as { kind?: string; columns?: ({ name: string } | string)[]; rows?: unknown[] }[]) {
    if (o.kind !== 'resultset' || !Array.isArray(o.rows)) continue;
    const names = (o.columns ?? []).map((c) => (typeof c === 'string' ? c : c.name));
    return o.rows.map((row) => Array.isArray(row) ? Object.fromEntries(names.map((n, i) => [n, row[i]])) : row as Record<string, unknown>);
  }
  return [];
}

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
