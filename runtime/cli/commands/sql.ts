/**
 * `scaleout sql`: sqlcmd for the catalog. Runs T-SQL scripts (`-i`), one-off queries (`-Q`) or an
 * interactive `1>` prompt against the embedded catalog of a `scaleout up` folder (`--data`), a catalog
 * file (`-S <file>`), a remote master or a SQL Server catalog (`-S "Server=…;…"`), printing results
 * like sqlcmd and exiting 1 when any error was printed (sqlcmd -b).
 */
import { constants as fsConstants } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import type { CatalogStore, Principal } from '../../../actors/ports.ts';
import { SsoError } from '../../../actors/errors.ts';
import type { Command, CommandIo } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandLine, usageText } from '../options.ts';
import type { OptionTable } from '../options.ts';
import { executeTsql, runBatch } from '../../tsql/interpreter.ts';
import type { TsqlOptions, TsqlOutput, TsqlResult } from '../../tsql/interpreter.ts';
import { apiCall, targetFromFlags } from '../../transport/api-client.ts';
import { formatCsv, formatOutput } from '../../tsql/format.ts';
import type { TableLayout } from '../../tsql/format.ts';
import { endsInsideLiteral, goLine } from '../../tsql/batches.ts';

/** The login `scaleout up` creates; its password is in `<data>/admin-password`. */
export const ADMIN_LOGIN = 'admin';
const DEFAULT_DATA_DIR = '.scaleout';
const CATALOG_IN_DATA = join('catalog', 'ssisdb.sqlite');

const OPTIONS: OptionTable = [
  { name: 'data', type: 'string', value: '<dir>', help: "a 'scaleout up' folder (default ./.scaleout when no -S)" },
  { name: 'S', type: 'string', value: '<server>', help: 'a catalog file, https://master:port, or a SQL Server connection string' },
  { name: 'U', type: 'string', value: '<login>', help: 'a catalog login (or SCALEOUT_USER)' },
  { name: 'P', type: 'string', value: '<password>', help: 'its password (or SCALEOUT_PASSWORD / SQLCMDPASSWORD)' },
  { name: 'ca', type: 'string', value: '<pem>', help: "with -S https://…: the master's certificate to trust (<data>/master.crt)" },
  { name: 'i', type: 'string', multiple: true, value: '<file.sql>', help: 'run a script file (repeatable, in order)' },
  { name: 'Q', type: 'string', value: '"<T-SQL>"', help: 'run the text' },
  { name: 'o', type: 'string', value: '<out.csv>', help: 'write the result sets as CSV to the file' },
  { name: 'W', type: 'boolean', help: 'remove trailing spaces: columns are not padded (sqlcmd -W)' },
  { name: 's', type: 'string', value: '<char>', help: "column separator (sqlcmd -s; default ' ')" },
  { name: 'b', type: 'boolean', help: 'accepted for sqlcmd compatibility: an error always makes the exit code 1' },
];

const usage = usageText(`usage: scaleout sql [-S <catalog file | https://master:port | connection string> | --data <dir>] [-U <login> -P <password>]
                  [-i <file.sql> … | -Q "<T-SQL>"] [-o <out.csv>] [-W] [-s <char>]`, `
  Runs T-SQL against the SSISDB catalog: the catalog procedures (EXEC [SSISDB].[catalog].[create_execution] …)
  and views (SELECT … FROM [catalog].[worker_agents] WHERE … ORDER BY …), with DECLARE/SET/SELECT of
  variables, batches separated by GO, PRINT, RAISERROR, IF/ELSE. Output is printed like sqlcmd.

  --data <dir>  a 'scaleout up' folder: opens <dir>/catalog/ssisdb.sqlite (default ./.scaleout when no -S).
                Without -U, logs in as '${ADMIN_LOGIN}' with the password in <dir>/admin-password when that
                file is readable.
  -S <file>     a catalog file. Without -U (and without a readable admin-password) the caller is the local
                user '<os user>' with sysadmin: whoever can write the file controls the catalog anyway,
                as a trusted connection does on SQL Server.
  -S "Server=…;Database=…;User Id=…;Password=…"
                a SQL Server catalog (an ADO.NET connection string, told by its '=' and ';'): batches go to
                the server as they are. With -U/-P the catalog login is checked against the catalog and
                asserted to it (honoured for a sysadmin/db_owner/ssis_admin SQL login); without, the SQL
                login acts as itself.
  -S https://…  a remote master: the text is sent to its POST /api/v1/sql route (HTTP Basic over TLS,
                -U/-P required, --ca <pem> to trust its certificate; @project_path is read on the master).
  -U, -P        a catalog login (also SCALEOUT_USER / SCALEOUT_PASSWORD, or SQLCMDPASSWORD for -P).
  -i <file>     run a script file (repeatable, in order). -Q "<text>" runs the text.
                With neither, reads statements at a 1> prompt; GO runs them, exit or quit leaves.
  -o <file>     write the result sets as CSV (RFC 4180) to <file>; messages still print here.
  -W, -s <c>    sqlcmd's layout: unpadded columns; another column separator (e.g. -s "|" or -s ",").
  Exit code 1 when any error was printed, 0 otherwise, 2 for bad usage.`, OPTIONS);

interface Connection {
  readonly store: CatalogStore;
  readonly caller: Principal;
  readonly serverName: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function readable(path: string): Promise<boolean> {
  return access(path, fsConstants.R_OK).then(() => true, () => false);
}

/** Opens the catalog named by the flags and logs in; null (after printing Msg 18456) when the login fails. */
async function connect(get: (name: string) => string | undefined, io: CommandIo): Promise<Connection | null> {
  const server = get('S');
  let dataDir = get('data');
  let catalogPath: string;
  if (server !== undefined) {
    if (dataDir !== undefined) throw new UsageError('give either -S or --data, not both');
    catalogPath = resolve(io.cwd, server);
  } else {
    dataDir = resolve(io.cwd, dataDir ?? DEFAULT_DATA_DIR);
    catalogPath = join(dataDir, CATALOG_IN_DATA);
  }
  if (!(await exists(catalogPath))) {
    throw new SsoError('SSO_ERR_CATALOG_IO', `the catalog file '${catalogPath}' does not exist${dataDir !== undefined ? ` (run 'scaleout up --data ${dataDir}' first)` : ''}`, { where: catalogPath });
  }

  let login = get('U') ?? io.env['SCALEOUT_USER'];
  let password = get('P') ?? io.env['SCALEOUT_PASSWORD'] ?? io.env['SQLCMDPASSWORD'];
  if (login === undefined && password !== undefined && get('P') !== undefined) throw new UsageError('-P needs -U <login>');
  if (login === undefined && dataDir !== undefined) {
    const pwFile = join(dataDir, 'admin-password');
    if (await readable(pwFile)) {
      login = ADMIN_LOGIN;
      password = (await readFile(pwFile, 'utf8')).trim();
    }
  }
  if (login !== undefined && password === undefined) throw new UsageError(`a password is needed for login '${login}': -P <password> or SCALEOUT_PASSWORD`);

  const { openSqliteCatalog } = await import('../../catalog/sqlite-catalog-store.ts');
  const store = await openSqliteCatalog({ path: catalogPath });
  if (login === undefined) {
    return { store, caller: { name: userInfo().username, roles: ['sysadmin'] }, serverName: 'scaleout' };
  }
  try {
    const caller = await store.authenticate(login, password!);
    return { store, caller, serverName: 'scaleout' };
  } catch (err) {
    await store.close();
    if (SsoError.is(err) && err.number === 27407) {
      io.stdout.write(formatOutput({ kind: 'error', number: 18456, level: 14, state: 1, line: 1, message: `Login failed for user '${login}'.` }));
      return null;
    }
    throw err;
  }
}

/** Prints outputs as they come; with -o, result sets go to the CSV instead of the screen. */
function printer(io: CommandIo, csv: boolean, layout: TableLayout = {}): { sink: (o: TsqlOutput) => void; errors: () => number; all: TsqlOutput[] } {
  let errors = 0;
  const all: TsqlOutput[] = [];
  const sink = (o: TsqlOutput) => {
    all.push(o);
    if (o.kind === 'error' && o.level > 10) errors++;
    if (csv && o.kind === 'resultset') return;
    io.stdout.write(formatOutput(o, layout) + (o.kind === 'rowcount' ? '\n' : ''));
  };
  return { sink, errors: () => errors, all };
}

async function interactive(conn: Connection, io: CommandIo, options: TsqlOptions, sink: (o: TsqlOutput) => void): Promise<void> {
  const rl = createInterface({ input: io.stdin, terminal: false, crlfDelay: Infinity });
  let buffer: string[] = [];
  const prompt = () => io.stdout.write(`${buffer.length + 1}> `);
  const run = async (repeat: number) => {
    const text = buffer.join('\n');
    buffer = [];
    if (text.trim() === '') return;
    for (let i = 0; i < repeat; i++) await runBatch({ text, startLine: 1, repeat: 1 }, { ...options, store: conn.store, caller: conn.caller }, sink);
  };
  prompt();
  for await (const line of rl) {
    const inside = endsInsideLiteral(buffer.join('\n'));
    if (!inside && /^\s*(exit|quit)\s*(\(\s*\))?\s*;?\s*$/i.test(line)) { buffer = []; rl.close(); return; }
    const go = inside ? null : goLine(line);
    if (go) await run(go.repeat);
    else buffer.push(line);
    prompt();
  }
  io.stdout.write('\n');
  await run(1);
}

/** `-S https://master:port`: each script (or prompt batch) goes to the master's T-SQL route. */
async function runRemote(get: (name: string) => string | undefined, io: CommandIo, scripts: readonly string[], interactiveMode: boolean, sink: (o: TsqlOutput) => void): Promise<boolean> {
  const target = targetFromFlags(get, io.cwd, io.env);
  const send = async (text: string): Promise<boolean> => {
    try {
      const result = await apiCall<TsqlResult>(target, 'POST', '/api/v1/sql', text, 'text/plain');
      for (const o of result.outputs) sink(o);
      return true;
    } catch (err) {
      if (SsoError.is(err) && (err.code === 'SSO_ERR_AUTH' || err.number === 27407)) {
        sink({ kind: 'error', number: 18456, level: 14, state: 1, line: 1, message: `Login failed for user '${target.user}'.` });
        return false;
      }
      throw err;
    }
  };
  if (!interactiveMode) {
    for (const text of scripts) if (!(await send(text.replace(/^\ufeff/, '')))) return false;
    return true;
  }
  const rl = createInterface({ input: io.stdin, terminal: false, crlfDelay: Infinity });
  let buffer: string[] = [];
  const prompt = () => io.stdout.write(`${buffer.length + 1}> `);
  prompt();
  for await (const line of rl) {
    const inside = endsInsideLiteral(buffer.join('\n'));
    if (!inside && /^\s*(exit|quit)\s*(\(\s*\))?\s*;?\s*$/i.test(line)) { buffer = []; rl.close(); return true; }
    const go = inside ? null : goLine(line);
    if (go) {
      const text = buffer.join('\n');
      buffer = [];
      if (text.trim() !== '') for (let i = 0; i < go.repeat; i++) if (!(await send(text))) { rl.close(); return false; }
    } else buffer.push(line);
    prompt();
  }
  io.stdout.write('\n');
  if (buffer.join('\n').trim() !== '') await send(buffer.join('\n'));
  return true;
}

/** `-S` holding an ADO.NET connection string (`Server=…;Database=…`) rather than a file or a URL. */
function isConnectionString(server: string): boolean {
  return server.includes('=') && server.includes(';');
}

/**
 * `-S "Server=…;…"`: the scripts (or prompt batches) run on that SQL Server catalog through the mssql
 * runner, on one session. -U/-P name a catalog login, checked with the catalog's own passwords and then
 * asserted through SESSION_CONTEXT; false (after printing Msg 18456) when that login fails.
 */
async function runOnSqlServer(connectionString: string, get: (name: string) => string | undefined, io: CommandIo, scripts: readonly string[], interactiveMode: boolean, sink: (o: TsqlOutput) => void): Promise<boolean> {
  const { mssqlConfigFromConnectionString } = await import('../../catalog/mssql-connection.ts');
  const { executeTsqlOnSqlServer, openSqlServerSession, runSqlServerBatch } = await import('../../tsql/mssql-runner.ts');
  const config = mssqlConfigFromConnectionString(connectionString);
  const login = get('U') ?? io.env['SCALEOUT_USER'];
  const password = get('P') ?? io.env['SCALEOUT_PASSWORD'] ?? io.env['SQLCMDPASSWORD'];
  if (login === undefined && get('P') !== undefined) throw new UsageError('-P needs -U <login>');
  if (login !== undefined && password === undefined) throw new UsageError(`a password is needed for login '${login}': -P <password> or SCALEOUT_PASSWORD`);
  let caller: Principal | undefined;
  if (login !== undefined) {
    const { openMssqlCatalog } = await import('../../catalog/mssql-catalog-store.ts');
    const store = await openMssqlCatalog({ config });
    try {
      caller = await store.authenticate(login, password!);
    } catch (err) {
      if (SsoError.is(err) && err.number === 27407) {
        sink({ kind: 'error', number: 18456, level: 14, state: 1, line: 1, message: `Login failed for user '${login}'.` });
        return false;
      }
      throw err;
    } finally {
      await store.close();
    }
  }
  const pool = await openSqlServerSession(config);
  const options = { pool, onOutput: sink, ...(caller === undefined ? {} : { caller }) };
  try {
    if (!interactiveMode) {
      for (const text of scripts) await executeTsqlOnSqlServer(text.replace(/^\ufeff/, ''), options);
      return true;
    }
    const rl = createInterface({ input: io.stdin, terminal: false, crlfDelay: Infinity });
    let buffer: string[] = [];
    const run = async (repeat: number) => {
      const text = buffer.join('\n');
      buffer = [];
      if (text.trim() !== '') for (let i = 0; i < repeat; i++) await runSqlServerBatch({ text, startLine: 1, repeat: 1 }, options, sink);
    };
    const prompt = () => io.stdout.write(`${buffer.length + 1}> `);
    prompt();
    for await (const line of rl) {
      const inside = endsInsideLiteral(buffer.join('\n'));
      if (!inside && /^\s*(exit|quit)\s*(\(\s*\))?\s*;?\s*$/i.test(line)) { buffer = []; rl.close(); return true; }
      const go = inside ? null : goLine(line);
      if (go) await run(go.repeat);
      else buffer.push(line);
      prompt();
    }
    io.stdout.write('\n');
    await run(1);
    return true;
  } finally {
    await pool.close().catch(() => undefined);
  }
}

export const command: Command = {
  name: 'sql',
  summary: 'Run T-SQL (catalog procedures and views) against the catalog, like sqlcmd',
  usage,
  options: OPTIONS,
  async run(argv, io) {
    const args = parseCommandLine(argv, OPTIONS, { maxPositionals: 0 });
    const get = (n: string) => args.string(n);
    const inputs = args.strings('i');
    const separator = get('s');
    if (separator !== undefined && separator.length !== 1) throw new UsageError(`-s expects one character, got '${separator}'`);
    const layout: TableLayout = { trim: args.bool('W'), ...(separator !== undefined ? { separator } : {}) };
    const query = get('Q');
    if (inputs.length > 0 && query !== undefined) throw new UsageError('give -i <file> or -Q "<text>", not both');
    const scripts: string[] = [];
    for (const file of inputs) {
      const path = resolve(io.cwd, file);
      try {
        scripts.push(await readFile(path, 'utf8'));
      } catch (err) {
        throw new SsoError('SSO_ERR_CONFIG_IO', `cannot read the script '${path}': ${(err as Error).message}`, { where: path });
      }
    }
    if (query !== undefined) scripts.push(query);
    const csvPath = get('o') === undefined ? undefined : resolve(io.cwd, get('o')!);

    const server = get('S');
    if (server !== undefined && /^https?:\/\//i.test(server)) {
      if (get('data') !== undefined) throw new UsageError('give either -S or --data, not both');
      const out = printer(io, csvPath !== undefined, layout);
      const ok = await runRemote(get, io, scripts, inputs.length === 0 && query === undefined, out.sink);
      if (csvPath !== undefined) await writeFile(csvPath, formatCsv(out.all));
      return !ok || out.errors() > 0 ? 1 : 0;
    }
    if (server !== undefined && isConnectionString(server)) {
      if (get('data') !== undefined) throw new UsageError('give either -S or --data, not both');
      const out = printer(io, csvPath !== undefined, layout);
      const ok = await runOnSqlServer(server, get, io, scripts, inputs.length === 0 && query === undefined, out.sink);
      if (csvPath !== undefined) await writeFile(csvPath, formatCsv(out.all));
      return !ok || out.errors() > 0 ? 1 : 0;
    }
    const conn = await connect(get, io);
    if (conn === null) return 1;
    const out = printer(io, csvPath !== undefined, layout);
    const options: TsqlOptions = { store: conn.store, caller: conn.caller, cwd: io.cwd, serverName: conn.serverName, onOutput: out.sink };
    try {
      if (inputs.length === 0 && query === undefined) await interactive(conn, io, options, out.sink);
      else for (const text of scripts) await executeTsql(text.replace(/^\ufeff/, ''), options);
    } finally {
      await conn.store.close();
    }
    if (csvPath !== undefined) await writeFile(csvPath, formatCsv(out.all));
    return out.errors() > 0 ? 1 : 0;
  },
};

/**
 * Runs T-SQL text on the catalog the flags name (`--data`, `-S <catalog file>`, `-S https://…`), as
 * `scaleout sql -Q` would, sending every output to `sink`. For commands built on the front door
 * (`scaleout login`). False when the login failed; errors in the text reach `sink` as errors.
 */
export async function runTsqlOn(get: (name: string) => string | undefined, io: CommandIo, text: string, sink: (o: TsqlOutput) => void): Promise<boolean> {
  const server = get('S');
  if (server !== undefined && /^https?:\/\//i.test(server)) {
    if (get('data') !== undefined) throw new UsageError('give either -S or --data, not both');
    return runRemote(get, io, [text], false, sink);
  }
  if (server !== undefined && isConnectionString(server)) {
    throw new UsageError('-S "Server=…": on a SQL Server catalog use scaleout sql with the same statements');
  }
  const conn = await connect(get, io);
  if (conn === null) return false;
  try {
    await executeTsql(text, { store: conn.store, caller: conn.caller, cwd: io.cwd, serverName: conn.serverName, onOutput: sink });
  } finally {
    await conn.store.close();
  }
  return true;
}
