/**
 * `scaleout login create|list|drop|grant|revoke`: catalog logins from the command line. Each verb is
 * the T-SQL statement of the front door (CREATE LOGIN, sys.sql_logins, DROP LOGIN, ALTER [SERVER]
 * ROLE … ADD/DROP MEMBER) run on the catalog the flags name, so the same rules and SQL Server error
 * numbers apply whether it is typed here or sent by `scaleout sql`. A new login's password is read
 * from stdin or generated; a generated one goes to a 0600 file and/or, only when asked, to stdout.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command, CommandIo } from '../command.ts';
import { UsageError } from '../command.ts';
import { nearestOption, parseCommandLine, usageText } from '../options.ts';
import type { OptionTable } from '../options.ts';
import { Roles } from '../../../actors/catalog-codes.ts';
import type { Role } from '../../../actors/catalog-codes.ts';
import type { TsqlOutput } from '../../tsql/interpreter.ts';
import { formatOutput } from '../../tsql/format.ts';

const OPTIONS: OptionTable = [
  { name: 'role', type: 'string', multiple: true, value: '<role>', help: `create/grant/revoke: a catalog role (repeatable): ${Roles.join(', ')}` },
  { name: 'password-stdin', type: 'boolean', help: "create: read the new login's password from the first line of stdin" },
  { name: 'password-file', type: 'string', value: '<file>', help: 'create: generate a password and write it to this new file (mode 0600)' },
  { name: 'show-password', type: 'boolean', help: 'create: generate a password and print it on stdout' },
  { name: 'data', type: 'string', value: '<dir>', help: "a 'scaleout up' data folder (default ./.scaleout when no -S); logs in as its admin" },
  { name: 'S', type: 'string', value: '<catalog file | https://master:port>', help: 'a catalog file (as the local OS user, sysadmin) or a remote master' },
  { name: 'U', type: 'string', value: '<login>', help: 'the login acting (a sysadmin; or SCALEOUT_USER)' },
  { name: 'P', type: 'string', value: '<password>', help: 'its password (or SCALEOUT_PASSWORD)' },
  { name: 'ca', type: 'string', value: '<pem>', help: "with -S https://…: the master's certificate to trust" },
];

/** `[name]` with `]` doubled: any login name is safe in the generated T-SQL. */
export function bracket(name: string): string {
  return `[${name.replace(/\]/g, ']]')}]`;
}

/** `N'text'` with quotes doubled. */
export function nstring(text: string): string {
  return `N'${text.replace(/'/g, "''")}'`;
}

function roleOf(text: string): Role {
  const r = Roles.find((x) => x.toLowerCase() === text.toLowerCase());
  if (r === undefined) {
    const near = nearestOption(text, Roles.map((name) => ({ name, type: 'string' as const, help: '' })));
    throw new UsageError(`unknown role '${text}'${near ? ` (did you mean ${near.replace(/^--/, '')}?)` : ''}; roles: ${Roles.join(', ')}`);
  }
  return r;
}

/** The statement adding (or removing) `role` for `name`: sysadmin is a server role, the rest database roles. */
export function roleStatement(name: string, role: Role, add: boolean): string {
  return `ALTER ${role === 'sysadmin' ? 'SERVER ROLE' : 'ROLE'} ${role} ${add ? 'ADD' : 'DROP'} MEMBER ${bracket(name)}`;
}

async function firstLine(io: CommandIo): Promise<string> {
  const rl = createInterface({ input: io.stdin, terminal: false, crlfDelay: Infinity });
  for await (const line of rl) { rl.close(); return line; }
  return '';
}

export const command: Command = {
  name: 'login',
  summary: 'Create, list, drop logins and grant or revoke their roles in the catalog',
  options: OPTIONS,
  usage: usageText(`usage: scaleout login create <name> [--role <role> …] (--password-stdin | --password-file <f> | --show-password) [target]
       scaleout login list [target]
       scaleout login drop <name> [target]
       scaleout login grant|revoke <name> --role <role> … [target]
  target: --data <dir> | -S <catalog file> | -S https://master:port -U <sysadmin> -P <password> [--ca <pem>]`, `
  The same as CREATE LOGIN … WITH PASSWORD, SELECT … FROM sys.sql_logins, DROP LOGIN and ALTER [SERVER] ROLE …
  ADD/DROP MEMBER in 'scaleout sql'. Only a sysadmin manages logins. A password is never printed unless
  --show-password asks for it. The first admin of a new catalog (no login yet) is created on the catalog
  machine with -S <CatalogPath>, which acts as the local user:
    scaleout login create admin --role sysadmin --role ssis_admin --password-file ./admin-password -S <CatalogPath>
  Exit code 1 when the catalog refused (the Msg is printed), 2 for bad usage.`, OPTIONS),
  async run(argv, io) {
    const [verb, ...rest] = argv;
    const args = parseCommandLine(rest, OPTIONS);
    const get = (n: string) => args.string(n);
    const roles = args.strings('role').map(roleOf);
    const name = args.positionals[0];
    const want = (n: number, what: string) => {
      if (args.positionals.length < n) throw new UsageError(`${verb} needs ${what}`);
      if (args.positionals.length > n) throw new UsageError(`unexpected argument '${args.positionals[n]}'`);
    };
    const onlyFor = (flags: string[], verbs: string[]) => {
      for (const f of flags) if (args.has(f) && !verbs.includes(verb!)) throw new UsageError(`--${f} goes with ${verbs.join(' / ')} only`);
    };
    onlyFor(['password-stdin', 'password-file', 'show-password'], ['create']);
    onlyFor(['role'], ['create', 'grant', 'revoke']);

    const { runTsqlOn } = await import('./sql.ts');
    let errors = 0;
    const sink = (o: TsqlOutput) => {
      if (o.kind === 'error' && o.level > 10) { errors++; io.stderr.write(formatOutput(o)); return; }
      if (o.kind === 'rowcount') return;
      io.stdout.write(formatOutput(o));
    };
    const run = async (text: string): Promise<boolean> => {
      const before = errors;
      const ok = await runTsqlOn(get, io, text, sink);
      return ok && errors === before;
    };

    switch (verb) {
      case 'create': {
        want(1, 'a login name');
        const fromStdin = args.bool('password-stdin');
        const file = get('password-file');
        const show = args.bool('show-password');
        if (fromStdin && (file !== undefined || show)) throw new UsageError('--password-stdin reads the password; --password-file and --show-password are for a generated one');
        if (!fromStdin && file === undefined && !show) throw new UsageError('say where the password comes from: --password-stdin, or a generated one into --password-file <f> and/or --show-password');
        const password = fromStdin ? await firstLine(io) : randomBytes(18).toString('base64url');
        if (password === '') throw new UsageError('--password-stdin: stdin gave an empty password');
        if (!(await run(`CREATE LOGIN ${bracket(name!)} WITH PASSWORD = ${nstring(password)}`))) return 1;
        // The login exists from here on: its file is written before the roles, so a failing grant
        // never leaves a login whose password nobody knows.
        if (file !== undefined) {
          const path = resolve(io.cwd, file);
          try {
            await writeFile(path, `${password}\n`, { mode: 0o600, flag: 'wx' });
          } catch (err) {
            await run(`DROP LOGIN ${bracket(name!)}`);
            throw new UsageError(`--password-file ${path}: ${(err as Error).message} (the login was not kept)`);
          }
        }
        for (const role of roles) if (!(await run(roleStatement(name!, role, true)))) return 1;
        io.stdout.write(`Created login '${name}'${roles.length ? ` with ${roles.join(', ')}` : ' (no roles yet)'}.\n`);
        if (file !== undefined) io.stdout.write(`Its password is in ${resolve(io.cwd, file)} (readable by you only).\n`);
        if (show) io.stdout.write(`Password: ${password}\n`);
        return 0;
      }
      case 'list': {
        want(0, '');
        return (await run('SELECT name, roles, create_date FROM sys.sql_logins ORDER BY name')) ? 0 : 1;
      }
      case 'drop': {
        want(1, 'a login name');
        if (!(await run(`DROP LOGIN ${bracket(name!)}`))) return 1;
        io.stdout.write(`Dropped login '${name}'.\n`);
        return 0;
      }
      case 'grant':
      case 'revoke': {
        want(1, 'a login name');
        if (roles.length === 0) throw new UsageError(`${verb} needs at least one --role`);
        for (const role of roles) if (!(await run(roleStatement(name!, role, verb === 'grant')))) return 1;
        io.stdout.write(`${verb === 'grant' ? 'Granted' : 'Revoked'} ${roles.join(', ')} ${verb === 'grant' ? 'to' : 'from'} '${name}'.\n`);
        return 0;
      }
      case undefined:
        throw new UsageError('give create, list, drop, grant or revoke');
      default:
        throw new UsageError(`unknown subcommand '${verb}' (expected create, list, drop, grant or revoke)`);
    }
  },
};
