/**
 * A fresh `scaleout up`-shaped data folder for the T-SQL tests: `<dir>/catalog/ssisdb.sqlite` seeded with
 * an admin login (password in `<dir>/admin-password`, mode 0600), a login without roles, folder1 with
 * project1 (tests/fixtures/tsql/project1) deployed, two registered workers with known ids (one enabled),
 * and execution 2, started, with one event message, its context and one executable statistic.
 */
import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import type { CatalogStore } from '../../actors/ports.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { readProjectFolder } from '../../executor/package/project-archive.ts';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/tsql/', import.meta.url));
export const ADMIN_PASSWORD = 'Adm1n-Passw0rd!';
export const READER_LOGIN = 'reader';
export const READER_PASSWORD = 'Read3r-Passw0rd!';
/** The worker of the examples: registered (disabled), then enabled by the seed. */
export const WORKER_ID = '64c020e2-f819-4c2d-a22f-efb31a91e70a';
/** GUIDs of the seeded event message, statistic and package (fixed, so outputs keep them). */
export const SEEDED_GUIDS = ['c0ffee00-0000-4000-8000-000000000001', 'c0ffee00-0000-4000-8000-000000000002', '6A0F3C2E-1D2B-4C5A-9E11-0000000000A1'];
/** A second worker, registered and left disabled. */
export const IDLE_WORKER_ID = '0e9d2b7a-5c1f-4f3e-8a6b-2d4c6e8f0a1b';

export interface SeededCatalog {
  readonly dataDir: string;
  readonly catalogPath: string;
  remove(): Promise<void>;
}

/** Copies a seeded data folder (seeding hashes passwords with scrypt: do it once, copy per script). */
export async function copySeeded(template: SeededCatalog): Promise<SeededCatalog> {
  const dataDir = await mkdtemp(join(tmpdir(), 'scaleout-tsql-'));
  await cp(template.dataDir, dataDir, { recursive: true });
  return { dataDir, catalogPath: join(dataDir, 'catalog', 'ssisdb.sqlite'), remove: () => rm(dataDir, { recursive: true, force: true }) };
}

export async function seedCatalog(): Promise<SeededCatalog> {
  const dataDir = await mkdtemp(join(tmpdir(), 'scaleout-tsql-'));
  await mkdir(join(dataDir, 'catalog'));
  const catalogPath = join(dataDir, 'catalog', 'ssisdb.sqlite');
  const store = await openSqliteCatalog({ path: catalogPath });
  try {
    await writeFile(join(dataDir, 'admin-password'), ADMIN_PASSWORD + '\n', { mode: 0o600 });
    await seedStore(store);
  } finally {
    await store.close();
  }
  return { dataDir, catalogPath, remove: () => rm(dataDir, { recursive: true, force: true }) };
}

/**
 * The seed itself, on any catalog (the SQL Server target seeds through the mssql adapter): the logins,
 * folder1/project1, the two workers (the first enabled) and execution 2 with its logged rows.
 */
export async function seedStore(store: CatalogStore): Promise<void> {
  await store.createLogin(SYSTEM_PRINCIPAL, { name: 'admin', password: ADMIN_PASSWORD, roles: ['sysadmin', 'ssis_admin'] });
  await store.createLogin(SYSTEM_PRINCIPAL, { name: READER_LOGIN, password: READER_PASSWORD, roles: [] });
  await store.createFolder(SYSTEM_PRINCIPAL, { folderName: 'folder1' });
  const project = await readProjectFolder(join(FIXTURES_DIR, 'project1'));
  await store.deployProject(SYSTEM_PRINCIPAL, { folderName: 'folder1', projectName: 'project1', project });
  for (const [id, machine] of [[WORKER_ID, 'worker-01'], [IDLE_WORKER_ID, 'worker-02']] as const) {
    await store.updateWorkerAgentStatus(SYSTEM_PRINCIPAL, {
      workerAgentId: id,
      perfCounters: [{ name: 'Processor Time', value: 12.5, timestamp: Date.now() }],
      machineProperties: { MachineName: machine, UserAccount: 'scaleout' },
    });
  }
  await store.enableWorkerAgent(SYSTEM_PRINCIPAL, { workerAgentId: WORKER_ID });
  // One finished-looking run with an event (and its context) and an executable statistic, so the
  // logging views have rows: execution 2, logged as a worker would.
  const { executionId } = await store.createExecution(SYSTEM_PRINCIPAL, { folderName: 'folder1', projectName: 'project1', packageName: 'package1.dtsx', runInScaleOut: true });
  await store.startExecution(SYSTEM_PRINCIPAL, { executionId });
  const at = Date.parse('2001-02-03T04:05:06.789Z');
  await store.appendEventMessages(SYSTEM_PRINCIPAL, [{
    eventMessageGuid: 'c0ffee00-0000-4000-8000-000000000001', operationId: executionId, messageTime: at,
    messageType: 70, messageSourceType: 30, message: 'package1:Information: hello from the seed', packageName: 'package1.dtsx',
    eventName: 'OnInformation', messageSourceName: 'package1', messageSourceId: '{6A0F3C2E-1D2B-4C5A-9E11-0000000000A1}',
    packagePath: '\\Package', executionPath: '\\package1', threadId: 1, messageCode: 0,
    context: [{ contextDepth: 1, packagePath: '\\Package', contextType: 60, contextSourceName: 'package1', contextSourceId: '{6A0F3C2E-1D2B-4C5A-9E11-0000000000A1}', propertyName: 'MaxConcurrentExecutables', propertyValue: -1 }],
  }]);
  await store.appendExecutableStatistics(SYSTEM_PRINCIPAL, [{
    statisticGuid: 'c0ffee00-0000-4000-8000-000000000002', operationId: executionId, packageName: 'package1.dtsx',
    executableName: 'package1', executableGuid: '{6A0F3C2E-1D2B-4C5A-9E11-0000000000A1}', packagePath: '\\Package',
    executionPath: '\\package1', startTime: at, endTime: at + 1500, executionDuration: 1500, executionResult: 0,
  }]);
}
