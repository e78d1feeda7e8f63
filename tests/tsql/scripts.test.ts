/**
 * Runs the T-SQL script suite through the real `scaleout sql` command (argument parsing, login from the
 * data folder's admin-password, the embedded catalog file) on a freshly seeded catalog per script, and
 * the same scripts on SQL Server (sqlserver-target.ts) when `SCALEOUT_TEST_MSSQL` holds a connection
 * string; otherwise that run is reported skipped.
 */
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../runtime/cli/main.ts';
import { reportSkip } from '../helpers/skip.ts';
import { registerScriptSuite } from './script-suite.ts';
import { FIXTURES_DIR, copySeeded, seedCatalog } from './seed-catalog.ts';
import { sqlServerTarget } from './sqlserver-target.ts';
import type { SeededCatalog } from './seed-catalog.ts';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

let template: Promise<SeededCatalog> | undefined;

registerScriptSuite({
  name: 'embedded catalog',
  async close() {
    if (template) await (await template).remove();
  },
  async runScript(file, extraArgs) {
    template ??= seedCatalog();
    const seeded = await copySeeded(await template);
    try {
      const stdout = new Capture();
      const stderr = new Capture();
      const exitCode = await main(['sql', '--data', seeded.dataDir, ...extraArgs, '-i', file], {
        stdout, stderr, stdin: new PassThrough(), env: {}, cwd: FIXTURES_DIR,
      });
      return { output: stdout.text + stderr.text, exitCode };
    } finally {
      await seeded.remove();
    }
  },
});

const mssql = process.env['SCALEOUT_TEST_MSSQL'];
if (mssql !== undefined && mssql.trim() !== '') {
  registerScriptSuite(sqlServerTarget(mssql));
} else {
  reportSkip('tsql scripts (SQL Server)', 'SCALEOUT_TEST_MSSQL is not set (a SQL Server connection string; see runtime/catalog/README-sqlserver.md)');
}
