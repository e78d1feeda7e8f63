/**
 * `scaleout data-tap list|get`: the files of an execution's data taps (`catalog.add_data_tap`,
 * `add_data_tap_by_guid`), which its worker uploaded to the master when the attempt ended, through
 * the master's API (`/api/v1/executions/<id>/data-taps`), so the caller's catalog roles apply: only a
 * login that may read the execution gets them. Taps are added with T-SQL before `start_execution`:
 *   scaleout sql --data … -Q "… EXEC catalog.add_data_tap @execution_id, N'\Package\Data Flow Task',
 *                             N'Paths[OLE DB Source.OLE DB Source Output]', N'rows.csv', 100, @tap OUTPUT …"
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { MASTER_TARGET_OPTIONS, parseCommandLine, usageText } from '../options.ts';
import type { OptionTable } from '../options.ts';
import { apiCall, targetFromFlags } from '../../transport/api-client.ts';
import { SsoError } from '../../../actors/errors.ts';

const OPTIONS: OptionTable = [
  { name: 'execution', type: 'string', value: '<id>', help: 'the execution (required)' },
  { name: 'file', type: 'string', value: '<name>', help: 'get: the data tap file (the @data_filename given to add_data_tap; a looped\ndata flow adds <n>_<name> for its n-th run)' },
  { name: 'attempt', type: 'string', value: '<n>', help: 'get: that attempt of the execution (default: the newest that has the file)' },
  { name: 'out', short: 'o', type: 'string', value: '<file>', help: 'get: write the CSV to this file instead of stdout' },
  ...MASTER_TARGET_OPTIONS,
];

const positiveInt = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d{0,15}$/.test(text)) throw new UsageError(`--${flag} expects a positive integer, got '${text}'`);
  return Number(text);
};

export const command: Command = {
  name: 'data-tap',
  summary: "List or fetch the CSV files of an execution's data taps (catalog.add_data_tap)",
  options: OPTIONS,
  usage: usageText(`usage: scaleout data-tap list --execution <id> [--data <dir> | -S <https://master:port> -U <login> -P <password> [--ca <pem>]]
       scaleout data-tap get --execution <id> --file <name> [--attempt <n>] [-o <file>] [target options]`, `
  The worker that ran the execution writes each tapped path's rows (a header of column names, then at most
  @max_rows rows) to <task folder>/DataDumps/<name> and uploads the files to the master when the attempt
  ends; these commands read them back. Exit code: 0 ok, 1 not found or not allowed, 2 bad usage.`, OPTIONS),
  async run(argv, io) {
    const args = parseCommandLine(argv, OPTIONS, { maxPositionals: 1 });
    const verb = args.positionals[0];
    if (verb !== 'list' && verb !== 'get') throw new UsageError(verb === undefined ? "say 'list' or 'get'" : `unknown verb '${verb}' (expected list or get)`);
    const execution = positiveInt('execution', args.string('execution'));
    if (execution === undefined) throw new UsageError('--execution is required');
    const target = targetFromFlags((n) => args.string(n), io.cwd, io.env);
    try {
      if (verb === 'list') {
        const { items } = await apiCall<{ items: { attempt: number; file: string; bytes: number }[] }>(target, 'GET', `/api/v1/executions/${execution}/data-taps`);
        if (items.length === 0) { io.stdout.write(`Execution ${execution} has no data tap files (yet: they arrive when an attempt ends).\n`); return 0; }
        io.stdout.write('attempt  bytes      file\n');
        for (const i of items) io.stdout.write(`${String(i.attempt).padEnd(8)} ${String(i.bytes).padEnd(10)} ${i.file}\n`);
        return 0;
      }
      const file = args.string('file');
      if (!file) throw new UsageError('get needs --file <name>');
      const attempt = positiveInt('attempt', args.string('attempt'));
      const bytes = await apiCall<Buffer>(target, 'GET', `/api/v1/executions/${execution}/data-taps/${encodeURIComponent(file)}${attempt ? `?attempt=${attempt}` : ''}`, undefined, undefined, 'bytes');
      const out = args.string('out');
      if (out) {
        await writeFile(resolve(io.cwd, out), bytes);
        io.stdout.write(`Wrote ${bytes.byteLength} bytes to ${out}.\n`);
      } else io.stdout.write(bytes);
      return 0;
    } catch (err) {
      if (!SsoError.is(err)) throw err;
      io.stderr.write(`scaleout data-tap: ${err.message}\n`);
      return 1;
    }
  },
};
