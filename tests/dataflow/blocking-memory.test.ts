/**
 * "Inputs larger than memory": a Sort of 400,000 rows (about 60 MB of row data) in a worker thread
 * whose V8 heap is limited to 96 MB — as the worker pool limits a package's thread — spills sorted
 * runs to disk and succeeds instead of dying with ERR_WORKER_OUT_OF_MEMORY; an Aggregate with as
 * many groups stops with an error naming the component instead.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from './helpers.ts';

const test = suite('data flow: Sort and Aggregate larger than the heap');
const t = tempDir('sortmem');
test.after(() => t.remove());

function runInSmallHeap(kind: 'sort' | 'aggregate'): Promise<{ outcome: string; messages: string[] }> {
  return new Promise<{ outcome: string; messages: string[] }>((resolve, reject) => {
    // tsx's ESM hooks do not reach worker threads on Node 20 (see executor/pool/task-thread.ts): load the body through tsImport.
    const body = pathToFileURL(join(import.meta.dirname, 'workers', 'blocking-in-small-heap.ts')).href;
    const w = new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(body)}, ${JSON.stringify(import.meta.url)}))`, {
      eval: true, workerData: { dir: t.dir, rows: 400_000, kind }, resourceLimits: { maxOldGenerationSizeMb: 96 },
    });
    const timer = setTimeout(() => { void w.terminate(); reject(new Error('the worker did not finish in 300 s')); }, 300_000);
    w.once('message', (m) => { clearTimeout(timer); void w.terminate(); resolve(m as { outcome: string; messages: string[] }); });
    w.once('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

test('Sort spills to disk under a 96 MB heap limit and finishes', async () => {
  const result = await runInSmallHeap('sort');
  assert.is(result.outcome, 'succeeded', result.messages.join('\n'));
  assert.ok(result.messages.some((m) => /"Sort" sorted 400000 rows in \d+ runs spilled to disk; 400000 rows sent\./.test(m)), result.messages.join('\n'));
});

test('Aggregate with 400,000 groups under a 96 MB heap limit stops with an error naming it, not an out-of-memory crash', async () => {
  const result = await runInSmallHeap('aggregate');
  assert.is(result.outcome, 'failed');
  assert.ok(result.messages.some((m) => /Agg: the Aggregate stopped after \d+ rows: the worker's memory is nearly exhausted by its \d+ groups/.test(m)), result.messages.join('\n'));
});

test.run();
