/**
 * `scaleout catalog install | upgrade | status --connection "<ADO.NET connection string>"`: puts the
 * SSISDB-compatible catalog (catalog-sql/sqlserver/) into a SQL Server database, brings it up to date,
 * or says where it stands. The embedded SQLite catalog needs none of this (it migrates itself).
 * `scaleout catalog rotate-key --data <dir> | --file <catalog>`: gives the embedded catalog a new key
 * and re-encrypts its sensitive values (issue 14); run it while the master is stopped.
 */
import sql from 'mssql';
import type { Command, CommandIo } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseCommandLine, usageText } from '../options.ts';
import type { OptionTable, ParsedCommandLine } from '../options.ts';
import { describeConfig, mssqlConfigFromConnectionString } from '../../catalog/mssql-connection.ts';
import { catalogStatus, ensureDatabase, installCatalog } from '../../catalog/mssql-install.ts';
import { loadSqlServerScripts, SQLSERVER_SCHEMA_VERSION } from '../../catalog/sqlserver-scripts.ts';
import { SsoError } from '../../../actors/errors.ts';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openSqliteCatalog } from '../../catalog/sqlite-catalog-store.ts';

const BUILD = '0.1.0';

const OPTIONS: OptionTable = [
  { name: 'connection', type: 'string', value: '<cs>', help: 'ADO.NET form: "Server=host,1433;Database=SSISDB;User Id=sa;Password=…;\nEncrypt=true;TrustServerCertificate=true". Default: $SCALEOUT_MSSQL_CONNECTION.' },
  { name: 'create-database', type: 'boolean', help: '(install) create the database first when it does not exist' },
  { name: 'quiet', type: 'boolean', help: '(install, upgrade) no per-script lines' },
  { name: 'data', type: 'string', value: '<dir>', help: "(rotate-key) a 'scaleout up' folder: its catalog/ssisdb.sqlite" },
  { name: 'file', type: 'string', value: '<catalog>', help: '(rotate-key) the embedded catalog file itself' },
];

const usage = usageText('usage: scaleout catalog <install | upgrade | status> --connection "<connection string>" [options]\n       scaleout catalog rotate-key --data <dir> | --file <catalog.sqlite>', `
  install   Creates (or re-applies, idempotently) every schema object, view, procedure, role and
            grant of the catalog, in one transaction, and records the schema version.
  upgrade   Applies only the scripts that are new or changed since the last install/upgrade.
  status    Shows the installed and shipped schema versions and the scripts still to apply.
  rotate-key  (embedded catalog) A new AES-256 key; every sensitive value re-encrypted in one
            transaction; the key file (<catalog>.key, 0600) replaced. With SCALEOUT_CATALOG_KEY the
            new key is printed for you to install instead. Stop the master first.`, OPTIONS);

function connectionFrom(args: ParsedCommandLine, io: CommandIo): string {
  const cs = args.string('connection') ?? io.env['SCALEOUT_MSSQL_CONNECTION'];
  if (cs === undefined || cs.trim() === '') throw new UsageError('--connection "<connection string>" is required (or set SCALEOUT_MSSQL_CONNECTION)');
  return cs;
}

async function withPool<T>(config: sql.config, fn: (pool: sql.ConnectionPool) => Promise<T>): Promise<T> {
  const pool = new sql.ConnectionPool(config);
  try {
    await pool.connect();
  } catch (error) {
    await pool.close().catch(() => undefined);
    throw new SsoError('SSO_ERR_CATALOG_IO', `Cannot connect to ${describeConfig(config)}: ${(error as Error).message}`, { where: String(config.server), cause: error });
  }
  try {
    return await fn(pool);
  } finally {
    await pool.close().catch(() => undefined);
  }
}

async function rotateKey(args: ParsedCommandLine, io: CommandIo): Promise<number> {
  const data = args.string('data');
  const file = args.string('file');
  if ((data === undefined) === (file === undefined)) throw new UsageError('rotate-key needs exactly one of --data <dir> or --file <catalog>');
  const path = file !== undefined ? resolve(io.cwd, file) : join(resolve(io.cwd, data!), 'catalog', 'ssisdb.sqlite');
  if (!existsSync(path)) throw new SsoError('SSO_ERR_CATALOG_IO', `the catalog file '${path}' does not exist`, { where: path });
  const store = await openSqliteCatalog({ path, env: io.env });
  try {
    const { reencrypted, newKeyHex } = await store.rotateKey();
    io.stdout.write(`Re-encrypted ${reencrypted} sensitive values with a new catalog key.\n`);
    if (newKeyHex !== undefined) io.stdout.write(`The key comes from SCALEOUT_CATALOG_KEY: set it to the new key before the next start:\n${newKeyHex}\n`);
    else io.stdout.write(`The new key is in ${store.keySource} (mode 0600).\n`);
  } finally {
    await store.close();
  }
  return 0;
}

export const command: Command = {
  name: 'catalog',
  summary: 'Install, upgrade or inspect the catalog in SQL Server',
  usage,
  options: OPTIONS,
  async run(argv, io) {
    const args = parseCommandLine(argv, OPTIONS);
    const verb = args.positionals[0];
    if (verb === undefined) throw new UsageError('give install, upgrade, status or rotate-key');
    if (verb === 'rotate-key') return rotateKey(args, io);
    if (!['install', 'upgrade', 'status'].includes(verb)) throw new UsageError(`unknown subcommand '${verb}' (expected install, upgrade or status)`);
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument '${args.positionals[1]}'`);
    if (verb !== 'install' && args.bool('create-database')) throw new UsageError('--create-database goes with install only');
    const config = mssqlConfigFromConnectionString(connectionFrom(args, io));
    const scripts = loadSqlServerScripts();
    const quiet = args.bool('quiet');

    if (verb === 'status') {
      const s = await withPool(config, (pool) => catalogStatus(pool, scripts));
      const lines = [
        `Server:             ${describeConfig(config)} (SQL Server ${s.productVersion}, compatibility level ${s.compatibilityLevel})`,
        `Installed version:  ${s.installedVersion === null ? 'none (run scaleout catalog install)' : `${s.installedVersion} (build ${s.installedBuild}, ${s.installedTime?.toISOString() ?? '?'})`}`,
        `Shipped version:    ${s.shippedVersion} (${scripts.length} scripts)`,
        `Pending scripts:    ${s.pending.length}${s.pending.length > 0 && s.pending.length <= 10 ? ` (${s.pending.join(', ')})` : ''}`,
        `Changed scripts:    ${s.changed.length}${s.changed.length > 0 && s.changed.length <= 10 ? ` (${s.changed.join(', ')})` : ''}`,
      ];
      io.stdout.write(lines.join('\n') + '\n');
      // 0 up to date, 1 something to apply: scripts can test it.
      return s.installedVersion === SQLSERVER_SCHEMA_VERSION && s.pending.length === 0 && s.changed.length === 0 ? 0 : 1;
    }

    if (verb === 'install' && args.bool('create-database')) {
      const { created, database } = await ensureDatabase(config);
      if (created) io.stdout.write(`Created database '${database}'.\n`);
    }
    const mode = verb === 'install' ? 'install' : 'upgrade';
    const progress = (s: { name: string }): void => { io.stdout.write(`  ${s.name}\n`); };
    const report = await withPool(config, (pool) => installCatalog(pool, { mode, build: BUILD, scripts, ...(quiet ? {} : { onScript: progress }) }));
    const from = report.previousVersion === null ? 'new catalog' : `from version ${report.previousVersion}`;
    io.stdout.write(`${verb === 'install' ? 'Installed' : 'Upgraded'} the catalog in '${report.database}' to schema version ${report.version} (${from}): ${report.applied.length} script${report.applied.length === 1 ? '' : 's'} applied, ${report.unchanged} unchanged.\n`);
    return 0;
  },
};
