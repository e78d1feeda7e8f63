import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SsoError } from '../../actors/errors.ts';
import { ReportJournal, type JournalEntry, type JournalOptions } from '../../runtime/agent/journal.ts';

interface Report { readonly n: number; readonly kind: string }
interface Ctx { folder: string; warnings: string[]; clock: { t: number; now(): number }; journals: ReportJournal<Report>[] }

const journal = suite<Ctx>('report journal');

journal.before.each(async (ctx) => {
  ctx.folder = await mkdtemp(join(tmpdir(), 'scaleout-journal-'));
  ctx.warnings = [];
  ctx.clock = { t: 1_700_000_000_000, now() { return this.t; } };
  ctx.journals = [];
});
journal.after.each(async (ctx) => {
  for (const j of ctx.journals) await j.close();
  await rm(ctx.folder, { recursive: true, force: true });
});

async function openJournal(ctx: Ctx, options: Partial<JournalOptions> = {}): Promise<ReportJournal<Report>> {
  const j = await ReportJournal.open<Report>({
    folder: ctx.folder, maxBufferLogCount: 3, maxInMemoryBufferCount: 2, flushIntervalMs: 0,
    clock: ctx.clock, logger: { warn: (_o, msg) => ctx.warnings.push(msg) }, ...options,
  });
  ctx.journals.push(j);
  return j;
}

async function appendMany(j: ReportJournal<Report>, from: number, to: number): Promise<JournalEntry<Report>[]> {
  const out: JournalEntry<Report>[] = [];
  for (let n = from; n <= to; n++) out.push(await j.append({ n, kind: 'task-status' }));
  return out;
}

async function pendingNumbers(j: ReportJournal<Report>): Promise<number[]> {
  const out: number[] = [];
  for await (const e of j.pending()) out.push(e.report.n);
  return out;
}

async function segmentFiles(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((n) => n.startsWith('segment-')).sort();
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

journal('appends get increasing sequence numbers and pending() yields them in order', async (ctx) => {
  const j = await openJournal(ctx);
  const entries = await appendMany(j, 1, 5);
  const seqs = entries.map((e) => e.seq);
  assert.equal(seqs, [...seqs].sort((a, b) => a - b));
  assert.is(new Set(seqs).size, 5);
  assert.is(entries[0]?.at, ctx.clock.t);
  assert.equal(await pendingNumbers(j), [1, 2, 3, 4, 5]);
  assert.is(j.nextEphemeralSeq(), (entries[4]?.seq ?? 0) + 1, 'ephemeral frames share the sequence');
  assert.is((await j.append({ n: 6, kind: 'x' })).seq, (entries[4]?.seq ?? 0) + 2);
});

journal('whole buffers spill to segment files and memory stays within its bound', async (ctx) => {
  const j = await openJournal(ctx);
  for (let n = 1; n <= 20; n++) {
    await j.append({ n, kind: 'event' });
    assert.ok(j.counters.buffers <= 2, `buffers ${j.counters.buffers} after ${n}`);
    assert.ok(j.counters.inMemory <= 6);
  }
  // 7 buffers of 3 (the last holds 2); 2 stay in memory, 5 spilled.
  assert.is(j.counters.spilledSegments, 5);
  assert.is((await segmentFiles(ctx.folder)).length, 5);
  assert.equal(await pendingNumbers(j), range(1, 20), 'replay covers disk then memory, in order');
  const firstSegment = await readFile(join(ctx.folder, (await segmentFiles(ctx.folder))[0] ?? ''), 'utf8');
  assert.equal(firstSegment.trimEnd().split('\n').map((l) => (JSON.parse(l) as JournalEntry<Report>).report.n), [1, 2, 3]);
});

journal('ack drops acknowledged entries and deletes segment files holding nothing else', async (ctx) => {
  const j = await openJournal(ctx);
  const entries = await appendMany(j, 1, 20);
  const seqOf = (n: number): number => entries[n - 1]?.seq ?? -1;
  await j.ack(seqOf(9));
  assert.is((await segmentFiles(ctx.folder)).length, 2, 'segments 1-3, 4-6, 7-9 deleted');
  await j.ack(seqOf(10));
  assert.is((await segmentFiles(ctx.folder)).length, 2, 'a partly acknowledged segment is kept');
  assert.equal(await pendingNumbers(j), range(11, 20));
  await j.ack(seqOf(4));
  assert.is(j.ackedSeq, seqOf(10), 'an older ack is a no-op');
  await j.ack(seqOf(20));
  assert.equal(await pendingNumbers(j), []);
  await j.flush();
  assert.equal(await segmentFiles(ctx.folder), []);
  assert.equal(j.counters, { inMemory: 0, buffers: 1, spilledSegments: 0 });
});

journal('an ack beyond the last seq handed out is a protocol error', async (ctx) => {
  const j = await openJournal(ctx);
  await appendMany(j, 1, 2);
  try {
    await j.ack(j.lastSeq + 1);
    assert.unreachable('accepted');
  } catch (error) {
    assert.ok(SsoError.is(error));
    assert.is((error as SsoError).code, 'SSO_ERR_PROTOCOL');
    assert.match((error as Error).message, /ack up to \d+, but the last seq handed out is \d+/);
  }
});

journal('a restart reloads un-acknowledged entries (acks included) and never reuses a seq', async (ctx) => {
  const first = await openJournal(ctx, { maxBufferLogCount: 100 });
  const entries = await appendMany(first, 1, 10);
  await first.ack(entries[3]?.seq ?? -1);
  await first.close();
  const second = await openJournal(ctx, { maxBufferLogCount: 100 });
  assert.equal(await pendingNumbers(second), range(5, 10));
  const next = await second.append({ n: 11, kind: 'x' });
  assert.ok(next.seq > (entries[9]?.seq ?? Infinity));
  assert.equal(await pendingNumbers(second), range(5, 11));
});

journal('a crash loses only entries that were never on disk; spilled ones come back', async (ctx) => {
  const crashed = await openJournal(ctx);
  const entries = await appendMany(crashed, 1, 10);
  ctx.journals.pop(); // never closed: the process "died"
  const reopened = await openJournal(ctx);
  // 10 entries in buffers of 3 with 2 in memory: buffers 1-3 and 4-6 spilled, 7-10 lived only in memory.
  assert.equal(await pendingNumbers(reopened), range(1, 6));
  const next = await reopened.nextEphemeralSeq();
  assert.ok(next > (entries[9]?.seq ?? Infinity), 'seqs handed out before the crash are not reused');
});

journal('flush() writes in-memory entries so they survive a crash', async (ctx) => {
  const crashed = await openJournal(ctx, { maxBufferLogCount: 100 });
  await appendMany(crashed, 1, 3);
  await crashed.flush();
  await appendMany(crashed, 4, 5);
  await crashed.flush();
  ctx.journals.pop();
  const reopened = await openJournal(ctx, { maxBufferLogCount: 100 });
  assert.equal(await pendingNumbers(reopened), [1, 2, 3, 4, 5]);
});

journal('a torn last line (crash mid-write) and a corrupt line are skipped with warnings naming the file', async (ctx) => {
  const line = (seq: number, n: number): string => JSON.stringify({ seq, at: ctx.clock.t, report: { n, kind: 'x' } });
  await writeFile(join(ctx.folder, 'segment-000000000001.jsonl'), `${line(1, 1)}\n${line(2, 2)}\nnot json at all\n${line(4, 4)}\n{"seq":5,"at":1,"rep`);
  const j = await openJournal(ctx);
  assert.equal(await pendingNumbers(j), [1, 2, 4]);
  assert.ok(ctx.warnings.some((w) => /torn last line in .*segment-000000000001\.jsonl \(line 5\)/.test(w)), ctx.warnings.join('\n'));
  assert.ok(ctx.warnings.some((w) => /unreadable entry in .*segment-000000000001\.jsonl at line 3/.test(w)), ctx.warnings.join('\n'));
  assert.ok((await j.append({ n: 6, kind: 'x' })).seq > 4, 'numbering continues after the reloaded entries');
});

journal('entries older than the retry timeout are dropped with a warning', async (ctx) => {
  const j = await openJournal(ctx, { retryTimeoutMs: 60_000 });
  await appendMany(j, 1, 7); // some spilled to disk, some in memory
  ctx.clock.t += 30_000;
  await appendMany(j, 8, 9);
  ctx.clock.t += 40_000; // 1-7 are now 70 s old, 8-9 are 40 s old
  assert.equal(await pendingNumbers(j), [8, 9]);
  assert.ok(ctx.warnings.some((w) => /dropped 7 report\(s\) up to seq \d+ .*ExecutionLogRetryTimeout/.test(w)), ctx.warnings.join('\n'));
  await j.flush();
  const onDisk = await segmentFiles(ctx.folder);
  for (const name of onDisk) {
    const text = await readFile(join(ctx.folder, name), 'utf8');
    assert.ok(text.includes('"n":8') || text.includes('"n":9') || text.includes('"n":7'), `${name} holds only expired entries`);
  }
});

journal('replaying the same oldest report past ExecutionLogRetryCount warns once, and keeps it', async (ctx) => {
  const j = await openJournal(ctx, { retryCount: 2 });
  await appendMany(j, 1, 2);
  for (let pass = 1; pass <= 5; pass++) assert.equal(await pendingNumbers(j), [1, 2]);
  assert.is(ctx.warnings.filter((w) => /replayed 3 times without an acknowledgement \(ExecutionLogRetryCount 2\)/.test(w)).length, 1);
});

journal('pending() skips what is acknowledged while it runs and includes later appends', async (ctx) => {
  const j = await openJournal(ctx);
  const entries = await appendMany(j, 1, 12);
  const seen: number[] = [];
  for await (const e of j.pending()) {
    seen.push(e.report.n);
    if (e.report.n === 2) await j.ack(entries[7]?.seq ?? -1);
    if (e.report.n === 10) await j.append({ n: 13, kind: 'late' });
  }
  assert.equal(seen, [1, 2, 9, 10, 11, 12, 13]);
});

journal('options are validated with the setting name; calls after close throw naming the state', async (ctx) => {
  for (const [options, pattern] of [
    [{ maxBufferLogCount: 0 }, /ExecutionLogMaxBufferLogCount: expected an integer >= 1, got 0/],
    [{ maxInMemoryBufferCount: 1.5 }, /ExecutionLogMaxInMemoryBufferCount/],
    [{ retryTimeoutMs: -5 }, /ExecutionLogRetryTimeout/],
    [{ folder: '' }, /ExecutionLogCacheFolder/],
  ] as const) {
    try {
      await openJournal(ctx, options);
      assert.unreachable(JSON.stringify(options));
    } catch (error) {
      assert.is((error as SsoError).code, 'SSO_ERR_CONFIG_INVALID');
      assert.match((error as Error).message, pattern);
    }
  }
  const j = await openJournal(ctx);
  await j.close();
  await j.close();
  try {
    await j.append({ n: 1, kind: 'x' });
    assert.unreachable('append after close');
  } catch (error) {
    assert.is((error as SsoError).code, 'SSO_ERR_ILLEGAL_STATE');
    assert.match((error as Error).message, /the journal is closed/);
  }
});

journal('a report that cannot be serialised is refused with a clear error and no seq is used', async (ctx) => {
  const j = await openJournal(ctx);
  const before = j.lastSeq;
  const circular: Record<string, unknown> = { n: 1 };
  circular.self = circular;
  try {
    await j.append(circular as unknown as Report);
    assert.unreachable('accepted');
  } catch (error) {
    assert.match((error as Error).message, /not JSON-serialisable/);
  }
  assert.is(j.lastSeq, before);
});

journal.run();
