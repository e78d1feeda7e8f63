/**
 * Sensitive values encrypted at rest (issue 14): the catalog file and its WAL, searched byte for byte
 * (UTF-8 and UTF-16LE), never contain a sensitive value that was set — environment variable, server
 * parameter value, execution parameter value, property override — while getExecutionPayload (what a
 * worker is handed) still has it. The key file is 0600; SCALEOUT_CATALOG_KEY replaces it; a missing
 * or foreign key is refused naming the file; rotation re-encrypts everything and old envelopes go.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { openSqliteCatalog, type SqliteCatalogStore } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { readProjectFolder } from '../../executor/package/project-archive.ts';
import { SsoError } from '../../actors/errors.ts';
import { runCli } from '../helpers/cli-process.ts';

const S = SYSTEM_PRINCIPAL;
const dir = mkdtempSync(join(tmpdir(), 'sso-encryption-'));
const tinyDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'projects', 'tiny');
const test = suite('catalog encryption at rest');
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A non-sensitive value: the same search must find it, or the search proves nothing. */
const VISIBLE = 'VisibleValue-0b5e42';
const SECRETS = { env: 'EnvSecret-4f1c9e', param: 'ApiKey-88d2b7', exec: 'ExecSecret-31aa0c', override: 'OverrideSecret-7e6d55' };

/** Every file of the catalog (main file, -wal, -shm) searched for the text in UTF-8 and UTF-16LE. */
function filesContaining(path: string, text: string): string[] {
  const hits: string[] = [];
  for (const f of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(f)) continue;
    const bytes = readFileSync(f);
    if (bytes.includes(Buffer.from(text, 'utf8')) || bytes.includes(Buffer.from(text, 'utf16le'))) hits.push(f);
  }
  return hits;
}

async function populate(store: SqliteCatalogStore): Promise<number> {
  await store.createFolder(S, { folderName: 'F' });
  await store.deployProject(S, { folderName: 'F', projectName: 'tiny', project: await readProjectFolder(tinyDir) });
  await store.createEnvironment(S, { folderName: 'F', environmentName: 'prod' });
  await store.createEnvironmentVariable(S, { folderName: 'F', environmentName: 'prod', variableName: 'Pw', dataType: 'String', sensitive: true, value: SECRETS.env });
  await store.createEnvironmentVariable(S, { folderName: 'F', environmentName: 'prod', variableName: 'Open', dataType: 'String', sensitive: false, value: VISIBLE });
  await store.createEnvironmentReference(S, { folderName: 'F', projectName: 'tiny', environmentName: 'prod', referenceType: 'R' });
  const ref = Number((await store.queryView(S, 'catalog.environment_references')).rows[0]!['reference_id']);
  await store.setObjectParameterValue(S, { objectType: 20, folderName: 'F', projectName: 'tiny', parameterName: 'Password', parameterValue: 'Pw', valueType: 'R' });
  await store.setObjectParameterValue(S, { objectType: 30, folderName: 'F', projectName: 'tiny', objectName: 'Load Data.dtsx', parameterName: 'ApiKey', parameterValue: SECRETS.param });
  const { executionId } = await store.createExecution(S, { folderName: 'F', projectName: 'tiny', packageName: 'Load Data.dtsx', runInScaleOut: true, referenceId: ref });
  await store.setExecutionPropertyOverrideValue(S, { executionId, propertyPath: '\\Package.Connections[Source].Properties[Password]', propertyValue: SECRETS.override, sensitive: true });
  // A second execution whose sensitive parameter is set on the execution itself.
  const { executionId: second } = await store.createExecution(S, { folderName: 'F', projectName: 'tiny', packageName: 'Load Data.dtsx', runInScaleOut: true });
  await store.setExecutionParameterValue(S, { executionId: second, objectType: 20, parameterName: 'Password', parameterValue: SECRETS.exec });
  return executionId;
}

async function expectValues(store: SqliteCatalogStore, executionId: number): Promise<void> {
  const p = await store.getExecutionPayload(executionId);
  assert.is(p.parameters.find((x) => x.name === 'Password')!.value, SECRETS.env);
  assert.is(p.parameters.find((x) => x.name === 'ApiKey')!.value, SECRETS.param);
  assert.is(p.propertyOverrides[0]!.value, SECRETS.override);
  const second = await store.getExecutionPayload(executionId + 1);
  assert.is(second.parameters.find((x) => x.name === 'Password')!.value, SECRETS.exec);
}

test('no sensitive value is in the catalog file or its WAL, in any view, while the worker payload has them all', async () => {
  const path = join(dir, 'a.db');
  const store = await openSqliteCatalog({ path, env: {} });
  assert.is(statSync(`${path}.key`).mode & 0o777, 0o600, 'the key file is 0600');
  assert.is(store.keySource, `${path}.key`);
  const executionId = await populate(store);
  assert.ok(filesContaining(path, VISIBLE).length > 0, 'the byte search finds a value stored in clear');
  for (const secret of Object.values(SECRETS)) assert.equal(filesContaining(path, secret), [], `'${secret}' found at rest (open, WAL not checkpointed)`);
  const views = JSON.stringify(await Promise.all(store.listViews().map((v) => store.queryView(S, v))), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  for (const secret of Object.values(SECRETS)) assert.not.ok(views.includes(secret), `'${secret}' shown in a view`);
  await expectValues(store, executionId);
  await store.close();
  for (const secret of Object.values(SECRETS)) assert.equal(filesContaining(path, secret), [], `'${secret}' found at rest (closed)`);
  // Reopened with the same key file: still readable.
  const again = await openSqliteCatalog({ path, env: {} });
  await expectValues(again, executionId);
  await again.close();
});

test('rotation re-encrypts every value; the old key no longer opens anything; the key file stays 0600', async () => {
  const path = join(dir, 'b.db');
  const store = await openSqliteCatalog({ path, env: {} });
  const executionId = await populate(store);
  const oldKey = readFileSync(`${path}.key`, 'utf8');
  const { reencrypted } = await store.rotateKey();
  // The variable, the ApiKey server value, each execution's Password and ApiKey copies (2 × 2), the override.
  assert.is(reencrypted, 7);
  const newKey = readFileSync(`${path}.key`, 'utf8');
  assert.is.not(newKey, oldKey);
  assert.is(statSync(`${path}.key`).mode & 0o777, 0o600);
  assert.not.ok(existsSync(`${path}.key.new`));
  await expectValues(store, executionId);
  await store.close();
  // With the old key supplied instead, every envelope is refused, naming the key ids.
  const withOld = await openSqliteCatalog({ path, env: { SCALEOUT_CATALOG_KEY: oldKey.trim() } });
  try {
    await withOld.getExecutionPayload(executionId);
    assert.unreachable('the old key decrypted a rotated value');
  } catch (error) {
    assert.ok(SsoError.is(error) && /encrypted with another catalog key/.test(error.message), String(error));
  } finally {
    await withOld.close();
  }
});

test('SCALEOUT_CATALOG_KEY replaces the key file; a missing key, a bad key and a world-readable key file are refused by name', async () => {
  const path = join(dir, 'c.db');
  const key = randomBytes(32).toString('hex');
  const store = await openSqliteCatalog({ path, env: { SCALEOUT_CATALOG_KEY: key } });
  assert.is(store.keySource, 'env');
  assert.not.ok(existsSync(`${path}.key`), 'no key file when the operator supplies the key');
  const executionId = await populate(store);
  const rotated = await store.rotateKey();
  assert.match(rotated.newKeyHex ?? '', /^[0-9a-f]{64}$/, 'rotation with an operator key hands the new key back');
  await store.close();
  const again = await openSqliteCatalog({ path, env: { SCALEOUT_CATALOG_KEY: rotated.newKeyHex! } });
  await expectValues(again, executionId);
  await again.close();
  // Envelopes exist and no key anywhere: refused, naming the key file.
  try {
    await openSqliteCatalog({ path, env: {} });
    assert.unreachable('opened without its key');
  } catch (error) {
    assert.ok(SsoError.is(error) && error.message.includes(`${path}.key`) && /holds encrypted values/.test(error.message), String(error));
  }
  try {
    await openSqliteCatalog({ path, env: { SCALEOUT_CATALOG_KEY: 'not-a-key' } });
    assert.unreachable('a malformed key was accepted');
  } catch (error) {
    assert.ok(SsoError.is(error) && /SCALEOUT_CATALOG_KEY must hold a 256-bit key/.test(error.message), String(error));
  }
  const p2 = join(dir, 'd.db');
  await (await openSqliteCatalog({ path: p2, env: {} })).close();
  chmodSync(`${p2}.key`, 0o644);
  try {
    await openSqliteCatalog({ path: p2, env: {} });
    assert.unreachable('a world-readable key file was accepted');
  } catch (error) {
    assert.ok(SsoError.is(error) && /readable by others/.test(error.message) && error.message.includes(`${p2}.key`), String(error));
  }
  unlinkSync(`${p2}.key`);
});

test('scaleout catalog rotate-key --data rotates the key of a stopped catalog', async () => {
  const data = join(dir, 'data');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(data);
  mkdirSync(join(data, 'catalog'));
  const path = join(data, 'catalog', 'ssisdb.sqlite');
  const store = await openSqliteCatalog({ path, env: {} });
  const executionId = await populate(store);
  await store.close();
  const before = readFileSync(`${path}.key`, 'utf8');
  const r = await runCli(['catalog', 'rotate-key', '--data', data]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Re-encrypted 7 sensitive values with a new catalog key/);
  assert.is.not(readFileSync(`${path}.key`, 'utf8'), before);
  const again = await openSqliteCatalog({ path, env: {} });
  await expectValues(again, executionId);
  await again.close();
});

test.run();
