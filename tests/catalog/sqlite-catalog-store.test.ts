/**
 * Runs the CatalogStore conformance suite on the embedded SQLite adapter, each test on a fresh
 * temporary catalog file, with a hand-moved clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogStoreConformance, type ConformanceClock } from '../conformance/catalog-store.suite.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { environmentsConformance } from '../conformance/environments.suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'sso-catalog-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));

let t = Date.parse('2024-01-01T00:00:00.000Z');
const clock: ConformanceClock = { now: () => t, advance: (ms) => { t += ms; } };
let n = 0;

catalogStoreConformance('sqlite', () => openSqliteCatalog({ path: join(dir, `catalog-${++n}.db`), clock }), { clock });

environmentsConformance('sqlite', () => openSqliteCatalog({ path: join(dir, `catalog-${++n}.db`), clock }));
