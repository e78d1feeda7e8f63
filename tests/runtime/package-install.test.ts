/**
 * The package as a user gets it: `npm pack` (whose prepack builds dist/ afresh) makes a tarball with
 * the bin, the compiled code and the bundled example, and nothing of the tests, fixtures or benches;
 * installed globally into a scratch prefix, its `scaleout` bin answers --version and runs
 * `scaleout demo --once` (master, worker, catalog, the example's executions) in an empty folder.
 * Dependencies come from the npm cache when they are there (--prefer-offline).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const test = suite('npm pack → npm install -g → scaleout --version, scaleout demo --once');
let scratch: string;
test.before(() => { scratch = mkdtempSync(join(tmpdir(), 'scaleout-pack-')); });
test.after(() => { rmSync(scratch, { recursive: true, force: true }); });

test('the packed tarball installs and its bin runs the demo', async () => {
  const packDir = join(scratch, 'pack');
  mkdirSync(packDir);
  await run('npm', ['pack', '--pack-destination', packDir, '--silent'], { cwd: ROOT, timeout: 600_000, maxBuffer: 16 << 20 });
  const [tarball] = readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');
  const { stdout: listing } = await run('tar', ['tzf', join(packDir, tarball!)], { maxBuffer: 16 << 20 });
  const files = listing.split('\n').filter(Boolean);
  for (const must of ['package/bin/scaleout.js', 'package/dist/runtime/cli/main.js', 'package/dist/executor/pool/task-thread.js', 'package/dist/examples/HelloScaleOut/Hello.dtsx', 'package/package.json', 'package/README.md']) {
    assert.ok(files.includes(must), `the tarball holds ${must}`);
  }
  const stray = files.filter((f) => /^package\/(tests|bench|scripts|node_modules)\//.test(f) || /\.test\.[jt]s$/.test(f) || /\/fixtures\//.test(f) || /^package\/dist\/.*\.ts$/.test(f) && !f.endsWith('.d.ts'));
  assert.equal(stray, [], 'no tests, fixtures, benches or sources in the package');

  const prefix = join(scratch, 'prefix');
  await run('npm', ['install', '-g', '--prefix', prefix, join(packDir, tarball!), '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { timeout: 1_200_000, maxBuffer: 16 << 20 });
  const bin = join(prefix, 'bin', 'scaleout');
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const { stdout: v } = await run(bin, ['--version'], { timeout: 60_000 });
  assert.is(v.trim(), `scaleout ${version}`);

  const work = join(scratch, 'work');
  mkdirSync(work);
  const { stdout: demo } = await run(bin, ['demo', '--once'], { cwd: work, timeout: 300_000, maxBuffer: 16 << 20 });
  assert.match(demo, /Hello\.dtsx\s+\[ok\]/);
  assert.match(demo, /\[failed, as expected\]/);
  assert.match(demo, /Demo done\./);
  assert.ok(readdirSync(join(work, '.scaleout')).includes('MasterSettings.config'), 'the data folder was made in the working folder');
});

test.run();
