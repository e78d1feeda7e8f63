import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { TaskPool } from '../../executor/pool/task-pool.ts';
import type { PackageEvent, RunPackageRequest } from '../../executor/package/api.ts';
import { reportSkip } from '../helpers/skip.ts';

// The default runner is the real package engine, loaded lazily inside the thread.
const engine = suite<{ pool: TaskPool }>('task pool: the default runner is the package engine');
const exampleDir = new URL('../../examples/HelloScaleOut/', import.meta.url);
const engineFile = new URL('../../executor/package/run-package.ts', import.meta.url);
const available = existsSync(exampleDir) && existsSync(engineFile);

engine.before((ctx) => {
  ctx.pool = new TaskPool({ maxThreads: 2, minThreads: 0 });
});
engine.after(async (ctx) => {
  await ctx.pool.destroy();
});

function helloProject(): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const name of readdirSync(exampleDir)) if (!name.endsWith('.md')) files[name] = readFileSync(new URL(name, exampleDir));
  return zipSync(files);
}

function request(packageName: string, parameters: RunPackageRequest['parameters'] = []): RunPackageRequest {
  return { executionId: 41, projectBytes: helloProject(), packageName, parameters, propertyOverrides: [] };
}

if (!available) {
  reportSkip('task pool default engine', 'examples/HelloScaleOut or executor/package/run-package.ts is absent');
} else {
  engine('Hello.dtsx runs in a thread and succeeds, its events flowing back', async ({ pool }) => {
    const events: PackageEvent[] = [];
    const result = await pool.run(request('Hello.dtsx'), { onEvent: (e) => events.push(e) });
    assert.equal(result, { outcome: 'succeeded', errors: [] });
    const names = events.flatMap((e) => (e.kind === 'message' ? [e.message.eventName] : []));
    assert.ok(names.includes('OnPreExecute') && names.includes('OnPostExecute'), names.join(','));
    assert.ok(events.every((e) => e.kind !== 'message' || e.message.operationId === 41));
  });

  engine('a package that fails on purpose ends as failed with its error messages', async ({ pool }) => {
    const result = await pool.run(request('MayFail.dtsx', [{ objectType: 30, name: 'ShouldFail', value: true }]));
    assert.is(result.outcome, 'failed');
    assert.ok(result.errors.length > 0);
  });

  engine('a project that is not a zip fails with the engine\'s message, not a crash', async ({ pool }) => {
    const result = await pool.run({ ...request('Hello.dtsx'), projectBytes: new Uint8Array([1, 2, 3]) });
    assert.is(result.outcome, 'failed');
    assert.is(result.failure?.code, 'SSO_ERR_PROJECT_INVALID');
  });
}

engine.run();
