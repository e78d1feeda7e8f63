/**
 * A 2008 (format 3, `DTS:Property` style) package runs: connection by DTSID with an overridden
 * connection string, constraints by IDREF, Execute SQL into a variable with RaiseChangedEvent, and
 * the OnVariableValueChanged event (message type 80) running its package-level handler.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runFixture } from './run-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'scaleout-legacy-'));
const lg = suite('format 3 package and OnVariableValueChanged');
lg.after(() => rmSync(dir, { recursive: true, force: true }));

lg('runs in order; the changed variable raises OnVariableValueChanged and its handler writes the log row', async () => {
  const file = join(dir, 'ops.db');
  const run = await runFixture(['Legacy2008.dtsx'], 'Legacy2008.dtsx', {
    overrides: [{ propertyPath: '\\Package.Connections[Db].Properties[ConnectionString]', value: `Data Source=${file};Version=3;` }],
  });
  assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
  const changed = run.messages(80);
  assert.is(changed.length, 1);
  assert.is(changed[0]!.source, 'Compute');
  assert.match(changed[0]!.text, /User::Total changed to 42/);
  const db = new Database(file, { readonly: true });
  try {
    assert.equal(db.prepare('SELECT Source, Total FROM ChangeLog').all(), [{ Source: 'Compute', Total: 42 }]);
  } finally { db.close(); }
  // Prepare ran before Compute (constraint by DTSID).
  const order = run.messages(30).map((m) => m.source).filter((s) => s === 'Prepare' || s === 'Compute');
  assert.equal(order, ['Prepare', 'Compute']);
});

lg.run();
