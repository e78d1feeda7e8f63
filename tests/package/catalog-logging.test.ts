/**
 * The events of a run land in the embedded catalog with SSISDB's message types at each LOGGING_LEVEL:
 * runPackage's `message`/`statistic` events are appended to a SQLite catalog (temp file) for a
 * created and started execution, then read back through `catalog.event_messages` and
 * `catalog.executable_statistics`, as a log reader would.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import type { EventMessageInput, ExecutableStatisticInput } from '../../actors/ports.ts';
import type { PackageEvent } from '../../executor/package/api.ts';
import { loadProjectFromParts } from '../../executor/package/load-project.ts';
import { readProjectFolder } from '../../executor/package/project-archive.ts';
import { runPackageWith } from '../../executor/package/run-package.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import type { SqliteCatalogStore } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { FIXTURES } from './run-helpers.ts';

const S = SYSTEM_PRINCIPAL;
const dir = mkdtempSync(join(tmpdir(), 'scaleout-catlog-'));
let store: SqliteCatalogStore;

const cl = suite('run events in the catalog by LOGGING_LEVEL');
cl.before(async () => {
  store = await openSqliteCatalog({ path: join(dir, 'catalog.db') });
  await store.createFolder(S, { folderName: 'F' });
  await store.deployProject(S, { folderName: 'F', projectName: 'Tiny Project', project: await readProjectFolder(join(FIXTURES, '..', 'projects', 'with-dtproj')) });
});
cl.after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs ControlFlow.dtsx (one failing task, handled) for a new catalog execution; returns what the views show for it. */
async function runAndLog(level: number) {
  const { executionId } = await store.createExecution(S, { folderName: 'F', projectName: 'Tiny Project', packageName: 'Main.dtsx', runInScaleOut: true });
  await store.startExecution(S, { executionId });
  const project = loadProjectFromParts(new Map([['ControlFlow.dtsx', readFileSync(join(FIXTURES, 'ControlFlow.dtsx'))]]), 'fixture');
  const events: PackageEvent[] = [];
  const result = await runPackageWith({
    executionId, projectBytes: new Uint8Array(), packageName: 'ControlFlow.dtsx',
    parameters: [{ objectType: 50, name: 'LOGGING_LEVEL', value: level }], propertyOverrides: [],
  }, { emit: (e) => events.push(e) }, new AbortController().signal, { project });
  const messages: EventMessageInput[] = events.flatMap((e) => (e.kind === 'message' ? [e.message] : []));
  const stats: ExecutableStatisticInput[] = events.flatMap((e) => (e.kind === 'statistic' ? [e.statistic] : []));
  await store.appendEventMessages(S, messages);
  await store.appendEventMessages(S, messages); // replayed after a reconnect: idempotent
  await store.appendExecutableStatistics(S, stats);
  const em = (await store.queryView(S, 'catalog.event_messages')).rows.filter((r) => Number(r.operation_id) === executionId);
  const es = (await store.queryView(S, 'catalog.executable_statistics')).rows.filter((r) => Number(r.execution_id) === executionId);
  return { result, sent: messages.length, em, es, types: new Set(em.map((r) => Number(r.message_type))) };
}

cl('Verbose (3): every event type, each once, with paths and names', async () => {
  const r = await runAndLog(3);
  assert.is(r.result.outcome, 'succeeded');
  assert.is(r.em.length, r.sent, 'one row per event, replays ignored');
  for (const t of [10, 20, 30, 40, 50, 70, 120, 130]) assert.ok(r.types.has(t), `message type ${t}`);
  const err = r.em.find((x) => Number(x.message_type) === 120)!;
  assert.is(err.event_name, 'OnError');
  assert.is(err.package_path, '\\Package\\Fail');
  assert.is(err.execution_path, '\\Package\\Fail');
  assert.is(err.message_source_name, 'Fail');
  assert.is(err.package_name, 'ControlFlow.dtsx');
  assert.is(Number(err.message_source_type), 40);
  assert.match(String(err.message), /divide by zero/);
  assert.ok(r.es.length > 5);
  const fail = r.es.find((x) => String(x.execution_path) === '\\Package\\Fail')!;
  assert.is(Number(fail.execution_result), 1);
});

cl('Basic (1): no diagnostics or custom events, statistics kept', async () => {
  const r = await runAndLog(1);
  for (const t of [30, 40, 50, 70, 120]) assert.ok(r.types.has(t), `message type ${t}`);
  for (const t of [90, 140, 200]) assert.not.ok(r.types.has(t));
  assert.ok(r.es.length > 5);
});

cl('Performance (2): only errors, warnings and status changes, plus statistics', async () => {
  const r = await runAndLog(2);
  assert.equal([...r.types].sort((a, b) => a - b), [50, 120]);
  assert.ok(r.es.length > 5);
  assert.is(Number(r.es.find((x) => String(x.execution_path) === '\\Package')?.execution_result), 0);
});

cl('None (0): status changes only, no statistics', async () => {
  const r = await runAndLog(0);
  assert.equal([...r.types], [50]);
  assert.ok(r.em.length >= 2, 'running and succeeded');
  assert.is(r.es.length, 0);
});

cl.run();
