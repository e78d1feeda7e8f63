/**
 * The worker agent's report journal (SSIS's execution log cache, `ExecutionLogCacheFolder`): every
 * report sent to the master gets a sequence number and is kept until the master acknowledges it, so
 * a reconnect replays what may have been lost and a restart reloads what was journaled on disk.
 * Memory is bounded; whole buffers spill to append-only JSON-lines segment files.
 *
 * Durability contract: an entry is on disk once its buffer spilled, once `flush()` ran (the journal
 * flushes every `flushIntervalMs` and on `close()`), or never if the process died before either. So a
 * crash loses at most the last flush interval of reports, and only if they were also unacknowledged.
 */
import { copyFile, mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { WallClock } from '../../actors/ports.ts';
import { SsoError } from '../../actors/errors.ts';

/** The slice of a pino logger the journal uses. */
export interface JournalLogger {
  warn(obj: object, msg: string): void;
}

export interface JournalOptions {
  /** `ExecutionLogCacheFolder`: where segments and the journal state live. Created if missing. */
  readonly folder: string;
  /** `ExecutionLogMaxBufferLogCount`: entries per in-memory buffer. @default 10000 */
  readonly maxBufferLogCount?: number;
  /** `ExecutionLogMaxInMemoryBufferCount`: buffers held in memory before the oldest spills to disk. @default 10 */
  readonly maxInMemoryBufferCount?: number;
  /**
   * `ExecutionLogRetryCount`: replays (reconnects) of the oldest report without an acknowledgement
   * before a warning says it may be stuck. It never drops anything: the timeout wins. @default 3
   */
  readonly retryCount?: number;
  /** `ExecutionLogRetryTimeout` in ms: a report older than this is dropped with a warning. @default 7 days */
  readonly retryTimeoutMs?: number;
  /** How often in-memory entries are written to disk; 0 = only on spill, `flush()` and `close()`. @default 1000 */
  readonly flushIntervalMs?: number;
  readonly clock?: WallClock;
  readonly logger?: JournalLogger;
}

export interface JournalEntry<T> {
  /** Strictly increasing across restarts (gaps are possible; never reused). */
  readonly seq: number;
  /** When it was journaled, ms since the epoch (the injected clock). */
  readonly at: number;
  readonly report: T;
}

export type JournalState = 'open' | 'closing' | 'closed';

export interface JournalCounters {
  /** Un-acknowledged entries held in memory (some may also be on disk already). */
  readonly inMemory: number;
  /** In-memory buffers (bounded by `maxInMemoryBufferCount`, plus the one being filled). */
  readonly buffers: number;
  /** Segment files of spilled or reloaded buffers, not counting files of buffers still in memory. */
  readonly spilledSegments: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const kDefaults = { maxBufferLogCount: 10_000, maxInMemoryBufferCount: 10, retryCount: 3, retryTimeoutMs: 7 * DAY_MS, flushIntervalMs: 1_000 } as const;
const STATE_FILE = 'journal-state.json';
const SEGMENT_RE = /^segment-(\d{12,})\.jsonl$/;

/** One journaled entry in memory, already serialised (its line is what goes to disk). */
interface Record_ { readonly seq: number; readonly at: number; readonly line: string }

interface MemoryBuffer {
  records: Record_[];
  /** Entries ever appended to this buffer; it is full at `maxBufferLogCount` even after acks trimmed it. */
  appended: number;
  /** Its segment file once written to disk, else null. */
  file: string | null;
  /** Highest seq already written to `file`. */
  persistedSeq: number;
  /** A write to `file` failed part-way: the next write starts with a newline to end the torn line. */
  torn: boolean;
}

interface Segment {
  readonly file: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstAt: number;
  readonly lastAt: number;
}

interface PersistedState { ackedSeq: number; reservedSeq: number }

function segmentName(firstSeq: number): string {
  return `segment-${String(firstSeq).padStart(12, '0')}.jsonl`;
}

function checkInteger(options: JournalOptions, key: 'maxBufferLogCount' | 'maxInMemoryBufferCount' | 'retryCount' | 'retryTimeoutMs' | 'flushIntervalMs', setting: string, min: number): number {
  const value = options[key] ?? kDefaults[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new SsoError('SSO_ERR_CONFIG_INVALID', `${setting}: expected an integer >= ${min}, got ${JSON.stringify(value)}`, { where: `JournalOptions.${key}` });
  }
  return value;
}

function ioError(action: string, path: string, cause: unknown): SsoError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new SsoError('SSO_ERR_AGENT_IO', `report journal: cannot ${action} ${path}: ${detail}`, { where: path, cause });
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}

/**
 * Reads a segment's valid entries in order. A line that does not parse is skipped with a warning
 * naming the file and line; a torn last line (a crash mid-write) is expected and tolerated.
 */
async function* readSegment(path: string, logger: JournalLogger, onUnreadable: (torn: boolean) => void = () => {}): AsyncGenerator<JournalEntry<unknown>> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let bad: { line: number; reason: string } | null = null;
  try {
    for await (const line of lines) {
      lineNo++;
      if (bad !== null) {
        logger.warn({ file: path, line: bad.line }, `report journal: skipped an unreadable entry in ${path} at line ${bad.line} (${bad.reason})`);
        onUnreadable(false);
        bad = null;
      }
      if (line === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        bad = { line: lineNo, reason: error instanceof Error ? error.message : String(error) };
        continue;
      }
      const e = parsed as Partial<JournalEntry<unknown>> | null;
      if (typeof e !== 'object' || e === null || !Number.isSafeInteger(e.seq) || typeof e.at !== 'number' || !('report' in e)) {
        bad = { line: lineNo, reason: 'expected {"seq": integer, "at": number, "report": …}' };
        continue;
      }
      yield e as JournalEntry<unknown>;
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (bad !== null) {
    logger.warn({ file: path, line: bad.line }, `report journal: ignored a torn last line in ${path} (line ${bad.line}), left by an interrupted write`);
    onUnreadable(true);
  }
}

async function fsyncDirectory(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try { await handle.sync(); } finally { await handle.close(); }
}

const silentLogger: JournalLogger = { warn() {} };

/**
 * The journal. Create it with `ReportJournal.open()`, which reloads what a previous run left on
 * disk. Reports must be JSON-serialisable.
 *
 * @example
 * const journal = await ReportJournal.open<WorkerFrame>({ folder: settings.executionLogCacheFolder, … });
 * const { seq } = await journal.append(report);   // send { ...report, seq } now if connected
 * const hb = journal.nextEphemeralSeq();           // heartbeats/pulls: numbered, not journaled
 * await journal.ack(frame.upTo);                   // master committed up to upTo
 * for await (const e of journal.pending()) send({ ...e.report, seq: e.seq });   // after a reconnect
 * await journal.close();                           // graceful stop: flushes memory to disk
 */
export class ReportJournal<T> {
  readonly folder: string;
  readonly maxBufferLogCount: number;
  readonly maxInMemoryBufferCount: number;
  readonly retryCount: number;
  readonly retryTimeoutMs: number;
  #clock: WallClock;
  #logger: JournalLogger;
  #state: JournalState = 'open';
  #buffers: MemoryBuffer[] = [];
  #segments: Segment[] = [];
  #lastSeq: number;
  #ackedSeq: number;
  #reservedSeq: number;
  #reservationBlock: number;
  #reserving: Promise<void> | null = null;
  /** Serialises every disk change (spill, flush, ack, reservation) so they never interleave. */
  #chain: Promise<unknown> = Promise.resolve();
  #flushTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | null = null;
  #replayHead = { seq: -1, passes: 0 };

  private constructor(options: JournalOptions, resolved: { maxBufferLogCount: number; maxInMemoryBufferCount: number; retryCount: number; retryTimeoutMs: number }, loaded: { state: PersistedState; segments: Segment[]; lastSeq: number }) {
    this.folder = options.folder;
    this.maxBufferLogCount = resolved.maxBufferLogCount;
    this.maxInMemoryBufferCount = resolved.maxInMemoryBufferCount;
    this.retryCount = resolved.retryCount;
    this.retryTimeoutMs = resolved.retryTimeoutMs;
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#logger = options.logger ?? silentLogger;
    this.#segments = loaded.segments;
    this.#ackedSeq = loaded.state.ackedSeq;
    this.#lastSeq = Math.max(loaded.lastSeq, loaded.state.reservedSeq, loaded.state.ackedSeq);
    this.#reservedSeq = this.#lastSeq;
    this.#reservationBlock = Math.max(1_000, resolved.maxBufferLogCount);
  }

  /** Opens (creating the folder if needed) and reloads the un-acknowledged entries left on disk. */
  static async open<T>(options: JournalOptions): Promise<ReportJournal<T>> {
    if (typeof options.folder !== 'string' || options.folder === '') {
      throw new SsoError('SSO_ERR_CONFIG_INVALID', 'ExecutionLogCacheFolder: expected a folder path', { where: 'JournalOptions.folder' });
    }
    const resolved = {
      maxBufferLogCount: checkInteger(options, 'maxBufferLogCount', 'ExecutionLogMaxBufferLogCount', 1),
      maxInMemoryBufferCount: checkInteger(options, 'maxInMemoryBufferCount', 'ExecutionLogMaxInMemoryBufferCount', 1),
      retryCount: checkInteger(options, 'retryCount', 'ExecutionLogRetryCount', 0),
      retryTimeoutMs: checkInteger(options, 'retryTimeoutMs', 'ExecutionLogRetryTimeout', 1),
    };
    const flushIntervalMs = checkInteger(options, 'flushIntervalMs', 'flushIntervalMs', 0);
    const logger = options.logger ?? silentLogger;
    const folder = options.folder;
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw ioError('create the folder', folder, error);
    }
    const state = await ReportJournal.#readState(folder, logger);
    const segments: Segment[] = [];
    let lastSeq = 0;
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (error) {
      throw ioError('list', folder, error);
    }
    for (const name of names.filter((n) => n.endsWith('.tmp'))) await rm(join(folder, name), { force: true });
    for (const name of names.filter((n) => SEGMENT_RE.test(n)).sort()) {
      const file = join(folder, name);
      let first: JournalEntry<unknown> | null = null;
      let last: JournalEntry<unknown> | null = null;
      let unreadable = 0;
      let torn = false;
      let entries = 0;
      try {
        for await (const entry of readSegment(file, logger, (tornTail) => { if (tornTail) torn = true; else unreadable++; })) {
          entries++;
          lastSeq = Math.max(lastSeq, entry.seq);
          if (entry.seq <= state.ackedSeq) continue;
          first ??= entry;
          last = entry;
        }
      } catch (error) {
        throw ioError('read', file, error);
      }
      // A segment with unreadable entries (not just a torn last line) is corrupt: what cannot be
      // read is never dropped silently. The file is set aside as `<name>.corrupt-<time>` for a
      // person to look at (a copy, when its readable entries are still replayed from it).
      // (A torn last line alone is an interrupted write, expected after a crash; a file that is
      // nothing but a torn line is set aside too.)
      if (torn && entries === 0) unreadable++;
      if (unreadable > 0) {
        const aside = `${file}.corrupt-${new Date(options.clock?.now() ?? Date.now()).toISOString().replace(/[:.]/g, '-')}`;
        try {
          if (first === null) await rename(file, aside); else await copyFile(file, aside);
        } catch (error) {
          throw ioError('set aside the corrupt segment', file, error);
        }
        logger.warn({ file, setAside: aside, unreadableEntries: unreadable },
          `report journal: ${file} has ${unreadable} unreadable entr${unreadable === 1 ? 'y' : 'ies'}: set aside as ${aside}${first === null ? '' : ' (its readable entries are replayed)'}`);
        if (first === null) continue;
      }
      if (first === null || last === null) {
        await unlink(file).catch(() => {});
        continue;
      }
      segments.push({ file, firstSeq: first.seq, lastSeq: last.seq, firstAt: first.at, lastAt: last.at });
    }
    segments.sort((a, b) => a.firstSeq - b.firstSeq);
    const journal = new ReportJournal<T>(options, resolved, { state, segments, lastSeq });
    await journal.#reserve();
    if (flushIntervalMs > 0) {
      journal.#flushTimer = setInterval(() => {
        journal.flush().catch((error: unknown) => logger.warn({ err: String(error) }, 'report journal: periodic flush failed; retrying at the next interval'));
      }, flushIntervalMs);
      journal.#flushTimer.unref();
    }
    return journal;
  }

  static async #readState(folder: string, logger: JournalLogger): Promise<PersistedState> {
    const path = join(folder, STATE_FILE);
    let text: string;
    try {
      const handle = await open(path, 'r');
      try { text = await handle.readFile('utf8'); } finally { await handle.close(); }
    } catch (error) {
      if (isMissing(error)) return { ackedSeq: 0, reservedSeq: 0 };
      throw ioError('read', path, error);
    }
    try {
      const parsed = JSON.parse(text) as Partial<PersistedState>;
      if (Number.isSafeInteger(parsed.ackedSeq) && Number.isSafeInteger(parsed.reservedSeq)) {
        return { ackedSeq: parsed.ackedSeq as number, reservedSeq: parsed.reservedSeq as number };
      }
    } catch { /* reported below */ }
    logger.warn({ file: path }, `report journal: ${path} is unreadable; starting from the segments alone (acknowledged entries may be replayed once)`);
    return { ackedSeq: 0, reservedSeq: 0 };
  }

  get state(): JournalState {
    return this.#state;
  }

  /** The last sequence number handed out (journaled or ephemeral). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Everything up to this seq is acknowledged (or expired) and gone. */
  get ackedSeq(): number {
    return this.#ackedSeq;
  }

  get counters(): JournalCounters {
    let inMemory = 0;
    for (const b of this.#buffers) inMemory += b.records.length;
    return { inMemory, buffers: this.#buffers.length, spilledSegments: this.#segments.length };
  }

  #assertOpen(method: string): void {
    if (this.#state !== 'open') {
      throw new SsoError('SSO_ERR_ILLEGAL_STATE', `ReportJournal.${method}: the journal is ${this.#state}`, { where: `ReportJournal.${method}` });
    }
  }

  #enqueue<R>(job: () => Promise<R>): Promise<R> {
    const run = this.#chain.then(job, job);
    this.#chain = run.catch(() => {});
    return run;
  }

  /**
   * Journals a report and returns its entry (with its seq). The entry is in memory at once; the
   * promise resolves after any spill this append made necessary, so awaiting it applies backpressure
   * and keeps memory within `maxBufferLogCount × maxInMemoryBufferCount`.
   */
  async append(report: T): Promise<JournalEntry<T>> {
    this.#assertOpen('append');
    if (report === undefined) throw new SsoError('SSO_ERR_PROTOCOL', 'report journal: a report cannot be undefined', { where: 'ReportJournal.append' });
    const at = this.#clock.now();
    const seq = this.#lastSeq + 1;
    let line: string;
    try {
      line = JSON.stringify({ seq, at, report });
    } catch (error) {
      throw new SsoError('SSO_ERR_PROTOCOL', `report journal: the report is not JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`, { where: 'ReportJournal.append' });
    }
    if (line === undefined) throw new SsoError('SSO_ERR_PROTOCOL', 'report journal: the report is not JSON-serialisable', { where: 'ReportJournal.append' });
    this.#lastSeq = seq;
    let buffer = this.#buffers[this.#buffers.length - 1];
    if (buffer === undefined || buffer.appended >= this.maxBufferLogCount) {
      buffer = { records: [], appended: 0, file: null, persistedSeq: 0, torn: false };
      this.#buffers.push(buffer);
    }
    buffer.records.push({ seq, at, line });
    buffer.appended++;
    const waits: Promise<unknown>[] = [];
    if (this.#buffers.length > this.maxInMemoryBufferCount) waits.push(this.#enqueue(() => this.#spill()));
    const reservation = this.#maybeReserve();
    if (seq > this.#reservedSeq) waits.push(reservation);
    await Promise.all(waits);
    return { seq, at, report };
  }

  /**
   * A sequence number for a frame that is not journaled (heartbeat, pull), so that journaled and
   * ephemeral frames share one increasing sequence that survives restarts.
   */
  nextEphemeralSeq(): number {
    this.#assertOpen('nextEphemeralSeq');
    this.#lastSeq++;
    void this.#maybeReserve();
    return this.#lastSeq;
  }

  /**
   * The master committed everything up to `upTo`: drops those entries and deletes segment files that
   * hold nothing else. An ack at or below the current watermark is a no-op; one beyond the last seq
   * handed out is a protocol error.
   */
  async ack(upTo: number): Promise<void> {
    this.#assertOpen('ack');
    if (!Number.isSafeInteger(upTo) || upTo > this.#lastSeq) {
      throw new SsoError('SSO_ERR_PROTOCOL', `report journal: ack up to ${upTo}, but the last seq handed out is ${this.#lastSeq}`, { where: 'ReportJournal.ack' });
    }
    if (upTo <= this.#ackedSeq) return;
    await this.#enqueue(() => this.#advance(upTo));
  }

  /**
   * The un-acknowledged entries in seq order (disk first, then memory), for replay after a reconnect.
   * Entries older than `retryTimeoutMs` are dropped first. Safe to run while appends and acks go on:
   * it yields each entry once, skips what gets acknowledged meanwhile, and includes later appends.
   */
  async *pending(): AsyncGenerator<JournalEntry<T>> {
    this.#assertOpen('pending');
    await this.expire();
    let after = this.#ackedSeq;
    let first = true;
    for (;;) {
      after = Math.max(after, this.#ackedSeq);
      const segment = this.#segments.find((s) => s.lastSeq > after);
      if (segment !== undefined) {
        let progressed = false;
        try {
          for await (const entry of readSegment(segment.file, this.#logger)) {
            if (entry.seq <= after || entry.seq <= this.#ackedSeq) continue;
            if (first) { this.#noteReplayHead(entry); first = false; }
            yield entry as JournalEntry<T>;
            after = entry.seq;
            progressed = true;
          }
        } catch (error) {
          // Deleted by an ack while we read it: those entries are acknowledged, move on.
          if (!isMissing(error)) throw ioError('read', segment.file, error);
        }
        if (!progressed || after < segment.lastSeq) after = Math.max(after, segment.lastSeq);
        continue;
      }
      const record = this.#firstInMemoryAfter(after);
      if (record === undefined) return;
      const entry = JSON.parse(record.line) as JournalEntry<T>;
      if (first) { this.#noteReplayHead(entry); first = false; }
      yield entry;
      after = record.seq;
    }
  }

  /** Drops every entry older than `retryTimeoutMs` (with a warning); resolves with how many. */
  expire(): Promise<number> {
    this.#assertOpen('expire');
    return this.#enqueue(async () => {
      const cutoff = this.#clock.now() - this.retryTimeoutMs;
      let upTo = -1;
      let count = 0;
      let oldest = Number.NaN;
      const consider = (seq: number, at: number): boolean => {
        if (seq <= this.#ackedSeq) return true;
        if (at >= cutoff) return false;
        if (count === 0) oldest = at;
        upTo = seq;
        count++;
        return true;
      };
      scan: {
        for (const segment of this.#segments) {
          if (segment.firstAt >= cutoff) break scan;
          try {
            for await (const entry of readSegment(segment.file, this.#logger)) if (!consider(entry.seq, entry.at)) break scan;
          } catch (error) {
            if (!isMissing(error)) throw ioError('read', segment.file, error);
          }
        }
        for (const buffer of this.#buffers) for (const r of buffer.records) if (!consider(r.seq, r.at)) break scan;
      }
      if (count === 0) return 0;
      this.#logger.warn(
        { dropped: count, upToSeq: upTo, oldestAt: new Date(oldest).toISOString(), retryTimeoutMs: this.retryTimeoutMs },
        `report journal: dropped ${count} report(s) up to seq ${upTo} that the master did not acknowledge within ExecutionLogRetryTimeout`,
      );
      await this.#advance(upTo);
      return count;
    });
  }

  /** Writes every in-memory entry not yet on disk (one fsync per segment written). */
  flush(): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    return this.#enqueue(async () => {
      for (const buffer of this.#buffers) await this.#persist(buffer);
    });
  }

  /** Flushes and closes. Idempotent; other calls afterwards throw `SSO_ERR_ILLEGAL_STATE`. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#state = 'closing';
      clearInterval(this.#flushTimer);
      try {
        await this.flush();
        await this.#chain;
      } finally {
        this.#state = 'closed';
      }
    })();
    return this.#closing;
  }

  // ---- internals (run on the chain unless noted) ----

  #firstInMemoryAfter(after: number): Record_ | undefined {
    for (const buffer of this.#buffers) {
      const last = buffer.records[buffer.records.length - 1];
      if (last === undefined || last.seq <= after) continue;
      // Records are in seq order: binary search for the first one above `after`.
      let lo = 0, hi = buffer.records.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((buffer.records[mid] as Record_).seq > after) hi = mid; else lo = mid + 1;
      }
      return buffer.records[lo];
    }
    return undefined;
  }

  /** Not on the chain: replay bookkeeping only. */
  #noteReplayHead(entry: JournalEntry<unknown>): void {
    if (this.#replayHead.seq === entry.seq) this.#replayHead.passes++;
    else this.#replayHead = { seq: entry.seq, passes: 1 };
    if (this.#replayHead.passes === this.retryCount + 1) {
      this.#logger.warn(
        { seq: entry.seq, at: new Date(entry.at).toISOString(), replays: this.#replayHead.passes, retryTimeoutMs: this.retryTimeoutMs },
        `report journal: the oldest report (seq ${entry.seq}) was replayed ${this.#replayHead.passes} times without an acknowledgement (ExecutionLogRetryCount ${this.retryCount}); it is kept until ExecutionLogRetryTimeout`,
      );
    }
  }

  async #persist(buffer: MemoryBuffer): Promise<void> {
    const fresh = buffer.records.filter((r) => r.seq > buffer.persistedSeq);
    if (fresh.length === 0) return;
    const creating = buffer.file === null;
    const file = buffer.file ?? join(this.folder, segmentName((fresh[0] as Record_).seq));
    try {
      const handle = await open(file, 'a');
      try {
        buffer.file = file;
        await handle.writeFile(`${buffer.torn ? '\n' : ''}${fresh.map((r) => `${r.line}\n`).join('')}`);
        await handle.sync();
        buffer.torn = false;
        buffer.persistedSeq = (fresh[fresh.length - 1] as Record_).seq;
      } catch (error) {
        buffer.torn = true;
        throw error;
      } finally {
        await handle.close();
      }
      if (creating) await fsyncDirectory(this.folder);
    } catch (error) {
      throw ioError('write', file, error);
    }
  }

  async #spill(): Promise<void> {
    while (this.#buffers.length > this.maxInMemoryBufferCount) {
      const buffer = this.#buffers[0] as MemoryBuffer;
      await this.#persist(buffer);
      this.#buffers.shift();
      const first = buffer.records[0];
      const last = buffer.records[buffer.records.length - 1];
      if (first !== undefined && last !== undefined && buffer.file !== null) {
        this.#segments.push({ file: buffer.file, firstSeq: first.seq, lastSeq: last.seq, firstAt: first.at, lastAt: last.at });
      }
    }
  }

  /** Moves the acknowledgement watermark to `upTo`, deletes what it covers and records it durably. */
  async #advance(upTo: number): Promise<void> {
    if (upTo <= this.#ackedSeq) return;
    this.#ackedSeq = upTo;
    const doomed: string[] = [];
    this.#segments = this.#segments.filter((s) => {
      if (s.lastSeq > upTo) return true;
      doomed.push(s.file);
      return false;
    });
    this.#buffers = this.#buffers.filter((b) => {
      const keepFrom = b.records.findIndex((r) => r.seq > upTo);
      b.records = keepFrom === -1 ? [] : b.records.slice(keepFrom);
      if (b.records.length > 0) return true;
      if (b.file !== null) doomed.push(b.file);
      b.file = null;
      b.persistedSeq = 0;
      // The buffer being filled stays (its next entries start a new file); full ones go.
      return b.appended < this.maxBufferLogCount && b === this.#buffers[this.#buffers.length - 1];
    });
    // The watermark goes first: if we crash between the two steps, a leftover file is filtered on reload.
    await this.#writeState();
    for (const file of doomed) {
      try {
        await unlink(file);
      } catch (error) {
        if (!isMissing(error)) this.#logger.warn({ file, err: String(error) }, `report journal: cannot delete acknowledged segment ${file}`);
      }
    }
  }

  #maybeReserve(): Promise<void> {
    if (this.#reserving !== null) return this.#reserving;
    if (this.#lastSeq < this.#reservedSeq - this.#reservationBlock / 2) return Promise.resolve();
    this.#reserving = this.#enqueue(() => this.#reserve()).finally(() => { this.#reserving = null; });
    // A failed reservation is retried by the next append; report it there rather than unhandled here.
    this.#reserving.catch((error: unknown) => this.#logger.warn({ err: String(error) }, 'report journal: cannot record the sequence reservation'));
    return this.#reserving;
  }

  /** Records that seqs up to lastSeq + block may be in use, so a restart never reuses one. */
  async #reserve(): Promise<void> {
    const reserved = this.#lastSeq + this.#reservationBlock;
    const previous = this.#reservedSeq;
    this.#reservedSeq = reserved;
    try {
      await this.#writeState();
    } catch (error) {
      this.#reservedSeq = previous;
      throw error;
    }
  }

  async #writeState(): Promise<void> {
    const path = join(this.folder, STATE_FILE);
    const tmp = `${path}.tmp`;
    const state: PersistedState = { ackedSeq: this.#ackedSeq, reservedSeq: this.#reservedSeq };
    try {
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(`${JSON.stringify(state)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, path);
      await fsyncDirectory(this.folder);
    } catch (error) {
      throw ioError('write', path, error);
    }
  }
}
