/**
 * Per-task logs on the worker, as SSIS Scale Out keeps them: one folder per task under
 * `TasksRootFolder`, named with the TaskId, holding one line per event (`time level [source] message`),
 * filtered by the `TaskLogLevel` bit flags, rolled into a new file every `TaskLogSegment`, and
 * switched off entirely by `TaskLogEnabled = false`. A logging failure never fails the task.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { SsoError } from '../../actors/errors.ts';
import { MessageType } from '../../actors/catalog-codes.ts';
import type { WallClock } from '../../actors/ports.ts';
import { TaskLogFlags } from '../../config/setting-values.ts';
import type { TaskLogFlag } from '../../config/setting-values.ts';
import type { PackageEvent } from '../../executor/package/api.ts';

/** `TaskLogLevel` bit flags (reference §2.2), as the settings reader decodes them. */
export const TaskLogLevel = TaskLogFlags;
export type TaskLogLevelName = TaskLogFlag;

/** 0x7E: everything except Verbose (the SSIS default). */
export const DEFAULT_TASK_LOG_LEVEL = 126;
const ALL_LEVELS = 0x7f;

/**
 * The task-log level of a package message type. Errors and task failures are `Error`; warnings
 * `Warning`; progress `Progress`; information, status changes and pre/post-execute (the outline of
 * a run) `Information`; validation, diagnostics, variable changes, custom and unknown events
 * `Verbose`. `CriticalError` (the run itself broke) and `Audit` (task lifecycle) are written by the
 * agent, not derived from package events.
 */
export function levelOfMessageType(messageType: number): TaskLogLevelName {
  switch (messageType) {
    case MessageType.error:
    case MessageType.taskFailed:
      return 'Error';
    case MessageType.warning:
      return 'Warning';
    case MessageType.progress:
      return 'Progress';
    case MessageType.information:
    case MessageType.statusChange:
    case MessageType.preExecute:
    case MessageType.postExecute:
      return 'Information';
    default:
      return 'Verbose';
  }
}

export interface TaskLogSettings {
  /** `TasksRootFolder`; each task gets `<rootFolder>/<taskId>/`. */
  readonly rootFolder: string;
  /** `TaskLogEnabled`. @default true */
  readonly enabled?: boolean;
  /** `TaskLogLevel` bit flags. @default 126 */
  readonly levelMask?: number;
  /** `TaskLogSegment` in ms: time covered by one file; 0 = one file for the whole task. @default 0 */
  readonly segmentMs?: number;
  readonly clock?: WallClock;
  readonly logger?: { warn(obj: object, msg: string): void };
}

interface ResolvedTaskLogSettings {
  readonly rootFolder: string;
  readonly enabled: boolean;
  readonly levelMask: number;
  readonly segmentMs: number;
}

/** Validates task-log settings, naming the setting in the error (`SSO_ERR_CONFIG_INVALID`). */
export function resolveTaskLogSettings(settings: TaskLogSettings): ResolvedTaskLogSettings {
  const enabled = settings.enabled ?? true;
  if (typeof enabled !== 'boolean') throw invalid('TaskLogEnabled', 'expected true or false', enabled);
  const levelMask = settings.levelMask ?? DEFAULT_TASK_LOG_LEVEL;
  if (!Number.isInteger(levelMask) || levelMask < 0 || levelMask > ALL_LEVELS) throw invalid('TaskLogLevel', `expected bit flags between 0 and ${ALL_LEVELS}`, levelMask);
  const segmentMs = settings.segmentMs ?? 0;
  if (!Number.isInteger(segmentMs) || segmentMs < 0) throw invalid('TaskLogSegment', 'expected a non-negative duration in ms', segmentMs);
  if (enabled && (typeof settings.rootFolder !== 'string' || settings.rootFolder === '')) throw invalid('TasksRootFolder', 'expected a folder path', settings.rootFolder);
  return Object.freeze({ rootFolder: settings.rootFolder, enabled, levelMask, segmentMs });
}

function invalid(setting: string, expected: string, got: unknown): SsoError {
  return new SsoError('SSO_ERR_CONFIG_INVALID', `${setting}: ${expected}, got ${JSON.stringify(got)}`, { where: setting });
}

const SAFE_TASK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `20240131T120000Z`-style stamp used in segment file names (sortable, no colons). */
function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** One line, whatever the message holds: line breaks become `\n`, tabs stay. */
function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * The log of one task. Writes are ordered and buffered; `close()` waits until everything is on
 * disk. When disabled, every write is a no-op and nothing is created.
 *
 * Created only when needed: the agent's own lifecycle lines (`audit`) are held in memory until a
 * line of the run itself (a package event or a critical error) is written; only then are the folder
 * and the file created, with the held lines first. A run that says nothing leaves no folder and no
 * file (`written` stays false), so a no-op execution costs no file operations (issue 15).
 */
export class TaskLog {
  readonly taskId: string;
  /** `<rootFolder>/<taskId>`, or null when task logs are disabled. */
  readonly folder: string | null;
  readonly settings: ResolvedTaskLogSettings;
  #clock: WallClock;
  #logger: { warn(obj: object, msg: string): void };
  #openedAt: number;
  #window = -1;
  #stream: WriteStream | null = null;
  #pending: Promise<void>[] = [];
  #failed: Error | null = null;
  #closed = false;
  /** Audit lines held until the run writes its first line (see the class comment). */
  #held: { level: TaskLogLevelName; source: string; message: string; time: number }[] = [];
  #materialized = false;
  #folderMade = false;

  private constructor(taskId: string, folder: string | null, settings: ResolvedTaskLogSettings, options: TaskLogSettings) {
    this.taskId = taskId;
    this.folder = folder;
    this.settings = settings;
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#logger = options.logger ?? { warn() {} };
    this.#openedAt = this.#clock.now();
  }

  /**
   * Opens the log of `taskId` (its folder is created with the first line of the run). `taskId` must
   * be a plain folder name (a GUID in practice); anything else is refused with `SSO_ERR_PROTOCOL`,
   * since it came from the master.
   */
  static async open(settings: TaskLogSettings, taskId: string): Promise<TaskLog> {
    const resolved = resolveTaskLogSettings(settings);
    if (typeof taskId !== 'string' || !SAFE_TASK_ID.test(taskId) || taskId.includes('..')) {
      throw new SsoError('SSO_ERR_PROTOCOL', `task log: task id ${JSON.stringify(taskId)} is not a plain folder name (letters, digits, '.', '_', '-')`, { where: 'taskId' });
    }
    if (!resolved.enabled) return new TaskLog(taskId, null, resolved, settings);
    return new TaskLog(taskId, join(resolved.rootFolder, taskId), resolved, settings);
  }

  /** True once a line reached the file (the folder exists): a log worth uploading. */
  get written(): boolean {
    return this.#materialized;
  }

  /** The error that stopped this log, if a write failed (later writes are dropped). */
  get failure(): Error | null {
    return this.#failed;
  }

  /** True when a line at this level would be written. */
  accepts(level: TaskLogLevelName): boolean {
    return this.folder !== null && (this.settings.levelMask & TaskLogLevel[level]) !== 0;
  }

  /** Writes one line, if the level passes the mask. `time` defaults to the clock. */
  write(level: TaskLogLevelName, source: string, message: string, time: number = this.#clock.now()): void {
    if (this.#closed || this.#failed !== null || !this.accepts(level)) return;
    if (!this.#materialized) {
      if (level === 'Audit') { this.#held.push({ level, source, message, time }); return; }
      this.#materialized = true;
      for (const h of this.#held.splice(0)) this.#line(h.level, h.source, h.message, h.time);
    }
    this.#line(level, source, message, time);
  }

  #line(level: TaskLogLevelName, source: string, message: string, time: number): void {
    if (this.#failed !== null) return;
    const stream = this.#streamFor(time);
    if (stream === null) return;
    stream.write(`${new Date(time).toISOString()} ${level} [${oneLine(source)}] ${oneLine(message)}\n`);
  }

  /** Writes a package event at the level its message type maps to (statistics are Verbose). */
  writeEvent(event: PackageEvent): void {
    if (event.kind === 'message') {
      const m = event.message;
      this.write(levelOfMessageType(m.messageType), m.messageSourceName || m.packageName, m.message, m.messageTime);
    } else if (event.kind === 'phase') {
      const p = event.phase;
      this.write('Verbose', p.subcomponentName, `component phase ${p.phase} of ${p.executionPath}: ${Math.max(0, p.endTime - p.startTime)} ms`, p.endTime);
    } else {
      const s = event.statistic;
      const result = ['success', 'failure', 'completion', 'canceled'][s.executionResult] ?? String(s.executionResult);
      this.write('Verbose', s.executableName, `executable ${s.executionPath} ended: ${result} in ${s.executionDuration} ms`, s.endTime);
    }
  }

  /** Task lifecycle (assigned, started, ended, canceled by whom). */
  audit(message: string): void {
    this.write('Audit', 'Agent', message);
  }

  /** The run itself broke (thread crash, engine failure). */
  critical(message: string): void {
    this.write('CriticalError', 'Agent', message);
  }

  /** Flushes and closes the current file. Idempotent; never rejects (see `failure`). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#endStream();
    await Promise.all(this.#pending);
  }

  #streamFor(time: number): WriteStream | null {
    const window = this.settings.segmentMs === 0 ? 0 : Math.max(0, Math.floor((time - this.#openedAt) / this.settings.segmentMs));
    // Only roll forward: a late event with an older time goes to the current file.
    if (this.#stream !== null && window <= this.#window) return this.#stream;
    this.#endStream();
    this.#window = window;
    const name = this.settings.segmentMs === 0 ? 'task.log' : `task-${fileStamp(this.#openedAt + window * this.settings.segmentMs)}.log`;
    const path = join(this.folder as string, name);
    if (!this.#folderMade) {
      // Synchronous on purpose: once per task that writes, and the stream must open after it.
      try {
        mkdirSync(this.folder as string, { recursive: true });
      } catch (error) {
        this.#failed = error as Error;
        this.#logger.warn({ folder: this.folder, err: (error as Error).message }, `task log: cannot create ${this.folder}; lines of task ${this.taskId} are dropped`);
        return null;
      }
      this.#folderMade = true;
    }
    const stream = createWriteStream(path, { flags: 'a', encoding: 'utf8' });
    this.#pending.push(new Promise<void>((resolve) => {
      stream.once('close', resolve);
      stream.once('error', (error) => {
        if (this.#failed === null) {
          this.#failed = error;
          this.#logger.warn({ file: path, err: error.message }, `task log: cannot write ${path}; further lines of task ${this.taskId} are dropped`);
        }
        resolve();
      });
    }));
    this.#stream = stream;
    return stream;
  }

  #endStream(): void {
    this.#stream?.end();
    this.#stream = null;
  }
}
