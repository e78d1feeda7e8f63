/**
 * The agent ⇄ master wire protocol (architecture §5): JSON frames `{ type, seq, … }` on one
 * WebSocket per worker at `/agent/v1`. Both ends validate every frame they receive with
 * `parseFrame`; anything malformed or unknown is a `ProtocolError`, and the receiver closes that one
 * connection with `PROTOCOL_CLOSE_CODE` (never crashes). Frame type names live here only.
 */
import type { ComponentPhaseInput, EventMessageInput, ExecutableStatisticInput, ExecutionPayload, PerfCounterSample, ParameterValue } from '../../actors/ports.ts';

/** WebSocket close code for a protocol violation (4000–4999 is the application range). */
export const PROTOCOL_CLOSE_CODE = 4400;
/** Close code the master uses when it shuts down gracefully (the worker reconnects with backoff). */
export const SHUTDOWN_CLOSE_CODE = 4001;
/** Close code for a second connection with the same agent id: the older one is replaced. */
export const REPLACED_CLOSE_CODE = 4409;
/**
 * 2 (issue 15): `assign-batch` and `task-status-batch` carry K tasks in one frame. The master sends
 * `assign-batch` only to a worker whose hello says protocol ≥ 2; a worker of protocol 1 gets one
 * `assign` per task as before, and the master accepts both report forms from any worker.
 */
export const PROTOCOL_VERSION = 2;
/** Most tasks one batch frame carries (either direction). */
export const MAX_BATCH_TASKS = 1000;
/** Largest frame either side accepts (an `events` batch or an `assign` with many parameters). */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

export const FrameType = {
  hello: 'hello',
  heartbeat: 'heartbeat',
  pull: 'pull',
  taskStatus: 'task-status',
  taskStatusBatch: 'task-status-batch',
  events: 'events',
  welcome: 'welcome',
  assign: 'assign',
  assignBatch: 'assign-batch',
  taskStatusResult: 'task-status-result',
  cancel: 'cancel',
  enabledChanged: 'enabled-changed',
  ack: 'ack',
  error: 'error',
} as const;

// ---------------------------------------------------------------------------------------------
// worker → master
// ---------------------------------------------------------------------------------------------

/** First frame on every connection. Not journaled (`seq` 0 is allowed). */
export interface HelloFrame {
  readonly type: 'hello';
  readonly seq: number;
  readonly agentId: string;
  /** `MachineName`, `UserAccount`, `OSVersion`, … merged into `machine_properties`. */
  readonly machineProperties: Readonly<Record<string, string | null>>;
  readonly versions: { readonly protocol: number; readonly agent: string; readonly node: string };
  /** `MaxTaskCount`, and `LeaseInternval` in ms: how long a held task's lease lasts after each report. */
  readonly capacity: { readonly maxTaskCount: number; readonly leaseMs?: number };
  /** Tasks this worker is still running (after a reconnect), so the master keeps their leases. */
  readonly runningTasks: readonly { readonly taskId: string; readonly attempt: number }[];
}

export interface HeartbeatFrame {
  readonly type: 'heartbeat';
  readonly seq: number;
  readonly perfCounters: readonly PerfCounterSample[];
  readonly runningTaskIds: readonly string[];
}

/**
 * "I can take `slots` more tasks." Replaces any earlier pull of this connection. `assignedSeen` is
 * how many `assign` frames the worker had received on this connection when it computed `slots`,
 * so the master discounts assignments still in flight and never over-assigns.
 */
export interface PullFrame {
  readonly type: 'pull';
  readonly seq: number;
  readonly slots: number;
  readonly assignedSeen: number;
}

/** A task's state: 2 (running heartbeat, renews the lease), 3, 4 failed, 5 succeeded, 6 canceled. */
export interface TaskStatusFrame {
  readonly type: 'task-status';
  readonly seq: number;
  readonly taskId: string;
  readonly attempt: number;
  readonly status: number;
  readonly message?: string;
}

/** One task's report inside a `task-status-batch` (the fields of a `task-status` frame). */
export interface TaskStatusReport {
  readonly taskId: string;
  readonly attempt: number;
  readonly status: number;
  readonly message?: string;
}

/**
 * K task reports (usually final ones finished in the same tick) in one journaled frame with one
 * seq. The master applies every report on its own, exactly as K `task-status` frames (each must be
 * the sender's own task and attempt: one refused report refuses only itself, answered by an `error`
 * naming its taskId), commits them in one transaction, and answers each with `task-status-result`
 * (replyTo this frame's seq).
 */
export interface TaskStatusBatchFrame {
  readonly type: 'task-status-batch';
  readonly seq: number;
  readonly reports: readonly TaskStatusReport[];
}

/**
 * A batch of one run's log; each message/statistic has a GUID so replays are applied once. The
 * master accepts it only from the agent that holds `taskId` under `attempt` (the catalog's current
 * attempt), and only for that task's execution (every `operationId`).
 */
export interface EventsFrame {
  readonly type: 'events';
  readonly seq: number;
  /** Required by the master; optional in the type only for batches journaled by an older agent. */
  readonly taskId?: string;
  readonly attempt?: number;
  readonly messages: readonly EventMessageInput[];
  readonly statistics: readonly ExecutableStatisticInput[];
  /** catalog.execution_component_phases rows (absent from older agents). */
  readonly componentPhases?: readonly ComponentPhaseInput[];
}

export type WorkerFrame = HelloFrame | HeartbeatFrame | PullFrame | TaskStatusFrame | TaskStatusBatchFrame | EventsFrame;

// ---------------------------------------------------------------------------------------------
// master → worker
// ---------------------------------------------------------------------------------------------

/** Settings the master imposes on the worker for this connection. */
export interface EffectiveSettings {
  readonly leaseMs: number;
}

export interface WelcomeFrame {
  readonly type: 'welcome';
  readonly seq: number;
  readonly enabled: boolean;
  readonly registered: boolean;
  readonly settings: EffectiveSettings;
  /**
   * Of the runs the hello named, those still this worker's (same attempt, lease held or given
   * back); the worker stops the others. Absent from masters that predate it: keep every run.
   */
  readonly heldTasks?: readonly string[];
  /** The master's protocol version; absent from masters of protocol 1 (no batch frames). */
  readonly protocol?: number;
}

export interface AssignFrame {
  readonly type: 'assign';
  readonly seq: number;
  readonly taskId: string;
  readonly jobId: string;
  readonly executionId: number;
  /** The claim's attempt number: the fencing token every report of this run must carry. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Lease end, ms since the epoch; renewed by each `task-status` 2. */
  readonly leaseExpiry: number;
  readonly payload: ExecutionPayload;
}

/** An `assign` frame's fields, one task of an `assign-batch`. */
export type AssignItem = Omit<AssignFrame, 'type' | 'seq'>;

/** K assignments answering one pull (protocol ≥ 2); the worker counts each as one `assign` seen. */
export interface AssignBatchFrame {
  readonly type: 'assign-batch';
  readonly seq: number;
  readonly assignments: readonly AssignItem[];
}

export interface TaskStatusResultFrame {
  readonly type: 'task-status-result';
  readonly seq: number;
  /** The worker's `seq` this answers. */
  readonly replyTo: number;
  readonly taskId: string;
  readonly attempt: number;
  /** Effective status: the reported one, 6 (cancelled: stop the run) or 1 (re-queued). */
  readonly status: number;
}

export interface CancelFrame {
  readonly type: 'cancel';
  readonly seq: number;
  readonly taskId: string;
  readonly attempt: number;
}

export interface EnabledChangedFrame {
  readonly type: 'enabled-changed';
  readonly seq: number;
  readonly enabled: boolean;
}

/** Every worker frame with `seq <= upTo` is committed (or obsolete) and may leave the journal. */
export interface AckFrame {
  readonly type: 'ack';
  readonly seq: number;
  readonly upTo: number;
}

export interface ErrorFrame {
  readonly type: 'error';
  readonly seq: number;
  /** The worker frame this refers to, when there is one. */
  readonly replyTo?: number;
  /** The task of a `task-status-batch` this error refuses (the other reports of the batch stand). */
  readonly taskId?: string;
  readonly code: string;
  readonly number?: number;
  readonly message: string;
  /** True when the same report may succeed later (keep it in the journal). */
  readonly retryable: boolean;
}

export type MasterFrame = WelcomeFrame | AssignFrame | AssignBatchFrame | TaskStatusResultFrame | CancelFrame | EnabledChangedFrame | AckFrame | ErrorFrame;
/** A frame before its sender stamps `seq` (distributes over the union). */
export type Unsequenced<F> = F extends unknown ? Omit<F, 'seq'> : never;
export type Frame = WorkerFrame | MasterFrame;

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/** Why a frame was refused: `path` names the offending field (`frame.messages[3].operationId`). */
export class ProtocolError {
  readonly kind = 'protocol-error' as const;
  constructor(readonly path: string, readonly expected: string, readonly got: string) {}
  get message(): string { return `${this.path}: expected ${this.expected}, got ${this.got}`; }
}

export function isProtocolError(value: unknown): value is ProtocolError {
  return value instanceof ProtocolError;
}

type Obj = Record<string, unknown>;

class Fail extends Error {
  constructor(readonly pe: ProtocolError) { super(pe.message); }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return v.length > 40 ? `string "${v.slice(0, 40)}…"` : `string "${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v;
}

function fail(path: string, expected: string, got: unknown): never {
  throw new Fail(new ProtocolError(path, expected, describe(got)));
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'object', v);
  return v as Obj;
}
function str(o: Obj, k: string, path: string, opts: { max?: number; optional?: boolean } = {}): string | undefined {
  const v = o[k];
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'string') fail(`${path}.${k}`, 'string', v);
  if (v.length > (opts.max ?? 1 << 20)) fail(`${path}.${k}`, `string of at most ${opts.max} characters`, v);
  return v;
}
function reqStr(o: Obj, k: string, path: string, max?: number): string {
  return str(o, k, path, max === undefined ? {} : { max }) as string;
}
function nullableStr(o: Obj, k: string, path: string): string | null | undefined {
  const v = o[k];
  if (v === undefined || v === null) return v as null | undefined;
  if (typeof v !== 'string') fail(`${path}.${k}`, 'string or null', v);
  return v;
}
function int(o: Obj, k: string, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${path}.${k}`, `integer in [${min}, ${max}]`, v);
  return v;
}
function optInt(o: Obj, k: string, path: string): number | null | undefined {
  const v = o[k];
  if (v === undefined || v === null) return v as null | undefined;
  return int(o, k, path, Number.MIN_SAFE_INTEGER);
}
function num(o: Obj, k: string, path: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path}.${k}`, 'finite number', v);
  return v;
}
function bool(o: Obj, k: string, path: string): boolean {
  const v = o[k];
  if (typeof v !== 'boolean') fail(`${path}.${k}`, 'boolean', v);
  return v;
}
function guid(o: Obj, k: string, path: string): string {
  const v = o[k];
  if (typeof v !== 'string' || !GUID.test(v)) fail(`${path}.${k}`, 'GUID', v);
  return v;
}
function arr(o: Obj, k: string, path: string, max = 100_000): unknown[] {
  const v = o[k];
  if (!Array.isArray(v)) fail(`${path}.${k}`, 'array', v);
  if (v.length > max) fail(`${path}.${k}`, `array of at most ${max} items`, `${v.length} items`);
  return v;
}
function scalar(v: unknown, path: string): string | number | boolean | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v as string | number | boolean | null;
  return fail(path, 'string, number, boolean or null', v);
}
function stringMap(v: unknown, path: string): Record<string, string | null> {
  const o = obj(v, path);
  const out: Record<string, string | null> = {};
  for (const [k, val] of Object.entries(o)) {
    if (val !== null && typeof val !== 'string') fail(`${path}.${k}`, 'string or null', val);
    out[k] = val as string | null;
  }
  return out;
}

const TASK_STATUSES: ReadonlySet<number> = new Set([2, 3, 4, 5, 6]);

function eventMessage(v: unknown, path: string): EventMessageInput {
  const o = obj(v, path);
  const ctx = o['context'] === undefined ? undefined : arr(o, 'context', path, 10_000).map((c, i) => {
    const p = `${path}.context[${i}]`;
    const co = obj(c, p);
    return {
      contextDepth: int(co, 'contextDepth', p),
      packagePath: reqStr(co, 'packagePath', p),
      contextType: int(co, 'contextType', p),
      contextSourceName: reqStr(co, 'contextSourceName', p),
      contextSourceId: reqStr(co, 'contextSourceId', p),
      propertyName: reqStr(co, 'propertyName', p),
      propertyValue: scalar(co['propertyValue'], `${p}.propertyValue`),
    };
  });
  const m: EventMessageInput = {
    eventMessageGuid: guid(o, 'eventMessageGuid', path),
    operationId: int(o, 'operationId', path, 1),
    messageTime: num(o, 'messageTime', path),
    messageType: int(o, 'messageType', path, -1, 1000),
    messageSourceType: int(o, 'messageSourceType', path, 0, 1000),
    message: reqStr(o, 'message', path),
    packageName: reqStr(o, 'packageName', path),
    eventName: reqStr(o, 'eventName', path),
    messageSourceName: reqStr(o, 'messageSourceName', path),
    messageSourceId: reqStr(o, 'messageSourceId', path),
    packagePath: reqStr(o, 'packagePath', path),
    executionPath: reqStr(o, 'executionPath', path),
    threadId: int(o, 'threadId', path, Number.MIN_SAFE_INTEGER),
    ...opt('extendedInfoId', optInt(o, 'extendedInfoId', path)),
    ...opt('packageLocationType', str(o, 'packageLocationType', path, { optional: true })),
    ...opt('packagePathFull', str(o, 'packagePathFull', path, { optional: true })),
    ...opt('subcomponentName', nullableStr(o, 'subcomponentName', path)),
    ...opt('messageCode', optInt(o, 'messageCode', path)),
    ...(ctx === undefined ? {} : { context: ctx }),
  };
  return m;
}

function opt<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}

function statistic(v: unknown, path: string): ExecutableStatisticInput {
  const o = obj(v, path);
  const ev = o['executionValue'];
  return {
    statisticGuid: guid(o, 'statisticGuid', path),
    operationId: int(o, 'operationId', path, 1),
    packageName: reqStr(o, 'packageName', path),
    executableName: reqStr(o, 'executableName', path),
    executableGuid: reqStr(o, 'executableGuid', path),
    packagePath: reqStr(o, 'packagePath', path),
    executionPath: reqStr(o, 'executionPath', path),
    startTime: num(o, 'startTime', path),
    endTime: num(o, 'endTime', path),
    executionDuration: num(o, 'executionDuration', path),
    executionResult: int(o, 'executionResult', path, 0, 3),
    ...(ev === undefined ? {} : { executionValue: scalar(ev, `${path}.executionValue`) }),
  };
}

function componentPhase(v: unknown, path: string): ComponentPhaseInput {
  const o = obj(v, path);
  return {
    phaseGuid: guid(o, 'phaseGuid', path),
    operationId: int(o, 'operationId', path, 1),
    packageName: reqStr(o, 'packageName', path, 260),
    taskName: reqStr(o, 'taskName', path, 4000),
    subcomponentName: reqStr(o, 'subcomponentName', path, 4000),
    phase: reqStr(o, 'phase', path, 128),
    startTime: num(o, 'startTime', path),
    endTime: num(o, 'endTime', path),
    executionPath: reqStr(o, 'executionPath', path),
  };
}

function payload(v: unknown, path: string): ExecutionPayload {
  const o = obj(v, path);
  return {
    executionId: int(o, 'executionId', path, 1),
    operationGuid: reqStr(o, 'operationGuid', path),
    folderName: reqStr(o, 'folderName', path),
    projectName: reqStr(o, 'projectName', path),
    projectId: int(o, 'projectId', path, 1),
    projectVersionLsn: int(o, 'projectVersionLsn', path, 1),
    projectSha256: (() => { const s = reqStr(o, 'projectSha256', path); if (!/^[0-9a-f]{64}$/.test(s)) fail(`${path}.projectSha256`, 'hex SHA-256', s); return s; })(),
    packageName: reqStr(o, 'packageName', path),
    use32BitRuntime: bool(o, 'use32BitRuntime', path),
    parameters: arr(o, 'parameters', path).map((p, i) => {
      const pp = `${path}.parameters[${i}]`;
      const po = obj(p, pp);
      const objectType = int(po, 'objectType', pp);
      if (objectType !== 20 && objectType !== 30 && objectType !== 50) fail(`${pp}.objectType`, '20, 30 or 50', objectType);
      return {
        objectType: objectType as 20 | 30 | 50,
        name: reqStr(po, 'name', pp),
        dataType: reqStr(po, 'dataType', pp),
        value: scalar(po['value'], `${pp}.value`) as ParameterValue,
        sensitive: bool(po, 'sensitive', pp),
      };
    }),
    propertyOverrides: arr(o, 'propertyOverrides', path).map((p, i) => {
      const pp = `${path}.propertyOverrides[${i}]`;
      const po = obj(p, pp);
      return { propertyPath: reqStr(po, 'propertyPath', pp), value: reqStr(po, 'value', pp), sensitive: bool(po, 'sensitive', pp) };
    }),
    // Optional: a master without data taps sends none.
    ...(o['dataTaps'] === undefined ? {} : {
      dataTaps: arr(o, 'dataTaps', path, 1000).map((t, i) => {
        const tp = `${path}.dataTaps[${i}]`;
        const to = obj(t, tp);
        const taskPackagePath = nullableStr(to, 'taskPackagePath', tp) ?? null;
        const dataflowTaskGuid = to['dataflowTaskGuid'] === null || to['dataflowTaskGuid'] === undefined ? null : guid(to, 'dataflowTaskGuid', tp);
        if ((taskPackagePath === null) === (dataflowTaskGuid === null)) fail(tp, 'exactly one of taskPackagePath and dataflowTaskGuid', t);
        const dataFilename = reqStr(to, 'dataFilename', tp, 255);
        if (/[\\/]/.test(dataFilename) || dataFilename === '.' || dataFilename === '..') fail(`${tp}.dataFilename`, 'a bare file name', dataFilename);
        const maxRows = to['maxRows'] === null || to['maxRows'] === undefined ? null : int(to, 'maxRows', tp, 1, 2147483647);
        return { dataTapId: int(to, 'dataTapId', tp, 1), taskPackagePath, dataflowTaskGuid, dataflowPathIdString: reqStr(to, 'dataflowPathIdString', tp, 4000), dataFilename, maxRows };
      }),
    }),
  };
}

function taskReport(o: Obj, p: string): TaskStatusReport {
  const status = int(o, 'status', p);
  if (!TASK_STATUSES.has(status)) fail(`${p}.status`, 'task status 2, 3, 4, 5 or 6', status);
  return { taskId: reqStr(o, 'taskId', p, 100), attempt: int(o, 'attempt', p, 1), status, ...opt('message', str(o, 'message', p, { optional: true, max: 64 * 1024 })) };
}

function assignment(o: Obj, p: string): AssignItem {
  return {
    taskId: reqStr(o, 'taskId', p, 100),
    jobId: reqStr(o, 'jobId', p, 100),
    executionId: int(o, 'executionId', p, 1),
    attempt: int(o, 'attempt', p, 1),
    maxAttempts: int(o, 'maxAttempts', p, 1),
    leaseExpiry: num(o, 'leaseExpiry', p),
    payload: payload(o['payload'], `${p}.payload`),
  };
}

function frame(o: Obj): Frame {
  const type = o['type'];
  const p = `frame(${typeof type === 'string' ? type : '?'})`;
  const seq = int(o, 'seq', p);
  switch (type) {
    case 'hello': {
      const versions = obj(o['versions'], `${p}.versions`);
      const capacity = obj(o['capacity'], `${p}.capacity`);
      return {
        type, seq,
        agentId: guid(o, 'agentId', p),
        machineProperties: stringMap(o['machineProperties'], `${p}.machineProperties`),
        versions: { protocol: int(versions, 'protocol', `${p}.versions`, 1), agent: reqStr(versions, 'agent', `${p}.versions`, 100), node: reqStr(versions, 'node', `${p}.versions`, 100) },
        capacity: {
          maxTaskCount: int(capacity, 'maxTaskCount', `${p}.capacity`, 1, 10_000),
          ...(capacity['leaseMs'] === undefined ? {} : { leaseMs: int(capacity, 'leaseMs', `${p}.capacity`, 1000, 7 * 24 * 3_600_000) }),
        },
        runningTasks: arr(o, 'runningTasks', p, 10_000).map((t, i) => {
          const tp = `${p}.runningTasks[${i}]`;
          const to = obj(t, tp);
          return { taskId: reqStr(to, 'taskId', tp, 100), attempt: int(to, 'attempt', tp, 1) };
        }),
      };
    }
    case 'heartbeat':
      return {
        type, seq,
        perfCounters: arr(o, 'perfCounters', p, 1000).map((c, i) => {
          const cp = `${p}.perfCounters[${i}]`;
          const co = obj(c, cp);
          return { name: reqStr(co, 'name', cp, 256), value: num(co, 'value', cp), timestamp: num(co, 'timestamp', cp) };
        }),
        runningTaskIds: arr(o, 'runningTaskIds', p, 10_000).map((t, i) => { if (typeof t !== 'string') fail(`${p}.runningTaskIds[${i}]`, 'string', t); return t; }),
      };
    case 'pull':
      return { type, seq, slots: int(o, 'slots', p, 0, 10_000), assignedSeen: int(o, 'assignedSeen', p) };
    case 'task-status':
      return { type, seq, ...taskReport(o, p) };
    case 'task-status-batch': {
      const reports = arr(o, 'reports', p, MAX_BATCH_TASKS).map((r, i) => taskReport(obj(r, `${p}.reports[${i}]`), `${p}.reports[${i}]`));
      if (reports.length === 0) fail(`${p}.reports`, 'at least one report', 'an empty array');
      return { type, seq, reports };
    }
    case 'events':
      return {
        type, seq,
        // Optional on the wire only so that a batch journaled by an older agent (which did not name
        // its task) is refused as a report, settled and dropped, instead of closing the connection
        // on every replay; the master accepts no batch without them.
        ...opt('taskId', str(o, 'taskId', p, { optional: true, max: 100 })),
        ...(o['attempt'] === undefined ? {} : { attempt: int(o, 'attempt', p, 1) }),
        messages: arr(o, 'messages', p).map((m, i) => eventMessage(m, `${p}.messages[${i}]`)),
        statistics: arr(o, 'statistics', p).map((s, i) => statistic(s, `${p}.statistics[${i}]`)),
        ...(o['componentPhases'] === undefined ? {} : { componentPhases: arr(o, 'componentPhases', p).map((s, i) => componentPhase(s, `${p}.componentPhases[${i}]`)) }),
      };
    case 'welcome': {
      const s = obj(o['settings'], `${p}.settings`);
      const held = o['heldTasks'] === undefined ? undefined : arr(o, 'heldTasks', p).map((t, i) => {
        if (typeof t !== 'string' || t.length > 100) fail(`${p}.heldTasks[${i}]`, 'a task id', t);
        return t as string;
      });
      return {
        type, seq, enabled: bool(o, 'enabled', p), registered: bool(o, 'registered', p), settings: { leaseMs: int(s, 'leaseMs', `${p}.settings`, 1) },
        ...(held === undefined ? {} : { heldTasks: held }), ...(o['protocol'] === undefined ? {} : { protocol: int(o, 'protocol', p, 1) }),
      };
    }
    case 'assign':
      return { type, seq, ...assignment(o, p) };
    case 'assign-batch': {
      const assignments = arr(o, 'assignments', p, MAX_BATCH_TASKS).map((a, i) => assignment(obj(a, `${p}.assignments[${i}]`), `${p}.assignments[${i}]`));
      if (assignments.length === 0) fail(`${p}.assignments`, 'at least one assignment', 'an empty array');
      return { type, seq, assignments };
    }
    case 'task-status-result':
      return { type, seq, replyTo: int(o, 'replyTo', p), taskId: reqStr(o, 'taskId', p, 100), attempt: int(o, 'attempt', p, 1), status: int(o, 'status', p, 1, 6) };
    case 'cancel':
      return { type, seq, taskId: reqStr(o, 'taskId', p, 100), attempt: int(o, 'attempt', p, 1) };
    case 'enabled-changed':
      return { type, seq, enabled: bool(o, 'enabled', p) };
    case 'ack':
      return { type, seq, upTo: int(o, 'upTo', p) };
    case 'error': {
      const number = optInt(o, 'number', p);
      const replyTo = optInt(o, 'replyTo', p);
      return {
        type, seq,
        code: reqStr(o, 'code', p, 100), message: reqStr(o, 'message', p, 64 * 1024), retryable: bool(o, 'retryable', p),
        ...(number === undefined || number === null ? {} : { number }),
        ...(replyTo === undefined || replyTo === null ? {} : { replyTo }),
        ...opt('taskId', str(o, 'taskId', p, { optional: true, max: 100 })),
      };
    }
    default:
      return fail('frame.type', `one of ${Object.values(FrameType).join(', ')}`, type);
  }
}

/** Parses and validates one frame's text; never throws. */
export function parseFrame(text: string): Frame | ProtocolError {
  if (text.length > MAX_FRAME_BYTES) return new ProtocolError('frame', `at most ${MAX_FRAME_BYTES} bytes`, `${text.length} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return new ProtocolError('frame', 'JSON', `invalid JSON (${(err as Error).message})`);
  }
  try {
    return frame(obj(value, 'frame'));
  } catch (err) {
    if (err instanceof Fail) return err.pe;
    return new ProtocolError('frame', 'a valid frame', String(err));
  }
}

const WORKER_TYPES: ReadonlySet<string> = new Set(['hello', 'heartbeat', 'pull', 'task-status', 'task-status-batch', 'events']);

/** A worker frame, or a ProtocolError when the text is malformed or is a master → worker frame. */
export function parseWorkerFrame(text: string): WorkerFrame | ProtocolError {
  const f = parseFrame(text);
  if (isProtocolError(f)) return f;
  if (!WORKER_TYPES.has(f.type)) return new ProtocolError('frame.type', 'a worker → master frame', `"${f.type}"`);
  return f as WorkerFrame;
}

/** A master frame, or a ProtocolError when the text is malformed or is a worker → master frame. */
export function parseMasterFrame(text: string): MasterFrame | ProtocolError {
  const f = parseFrame(text);
  if (isProtocolError(f)) return f;
  if (WORKER_TYPES.has(f.type)) return new ProtocolError('frame.type', 'a master → worker frame', `"${f.type}"`);
  return f as MasterFrame;
}

export function encodeFrame(f: Frame): string {
  return JSON.stringify(f);
}
