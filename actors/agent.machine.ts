/**
 * The worker agent's lifecycle: connect to the master (with capped exponential backoff), say hello,
 * wait until enabled, then pull tasks while it has free slots and the machine has room (CPU and
 * memory gates), drain when disabled or stopping. Pure: the socket, the heartbeat frame and the
 * task runs are effects provided by runtime/agent.
 */
import { assign, setup } from 'xstate';
import type { AgentEvent } from './events.ts';

export interface AgentInput {
  readonly agentId: string;
  /** MaxTaskCount: tasks held at once. */
  readonly maxTaskCount: number;
  /** TaskRequestMaxCPU: no pull while CPU busy % is at or above this. */
  readonly taskRequestMaxCpu: number;
  /** TaskRequestMinMemory: no pull while free memory (MB) is at or below this. */
  readonly taskRequestMinMemoryMb: number;
  /** AgentHeartbeatInterval in ms. */
  readonly agentHeartbeatMs: number;
  /** First reconnect delay in ms; doubled after each failed attempt. */
  readonly reconnectBaseMs: number;
  /** Cap of the reconnect delay in ms. */
  readonly reconnectMaxMs: number;
}

export interface PerfSample {
  readonly cpuPercent: number;
  readonly freeMemoryMb: number;
}

export interface AgentContext extends AgentInput {
  /** Task ids of the runs in flight. */
  readonly running: readonly string[];
  /** The master's word on `IsEnabled` (from welcome / enabled-changed). */
  readonly enabled: boolean;
  readonly stopRequested: boolean;
  /** Consecutive failed connection attempts (drives the backoff); reset by WELCOME. */
  readonly failures: number;
  /** Free slots advertised by the outstanding pull; 0 = no pull outstanding. */
  readonly pulledSlots: number;
  /** Last perf sample; null until the first one (pulling is then allowed). */
  readonly perf: PerfSample | null;
}

/** `openConnection`: open the WSS connection; answer with CONNECTED or CONNECT_FAILED. */
export interface OpenConnectionParams { readonly agentId: string; readonly attempt: number }
/** `sendHello`: the hello frame; the master answers with WELCOME. */
export interface SendHelloParams { readonly agentId: string; readonly maxTaskCount: number; readonly runningTaskIds: readonly string[] }
/** `sendHeartbeat`: the agent heartbeat frame (perf counters added by the root). */
export interface SendAgentHeartbeatParams { readonly agentId: string; readonly runningTaskIds: readonly string[] }
/** `pull`: ask for up to `freeSlots` tasks; it replaces any outstanding pull, 0 withdraws it. */
export interface PullParams { readonly agentId: string; readonly freeSlots: number }
/** `startTaskRun`: spawn the task-run actor for an assignment. */
export interface StartTaskRunParams { readonly taskId: string; readonly attempt: number; readonly assignment: unknown }
/** `abortAllTasks`: STOP {force}: kill every run in flight. */
export interface AbortAllTasksParams { readonly taskIds: readonly string[] }
/** `closeConnection`: the agent stopped. */
export interface CloseConnectionParams { readonly agentId: string }

/** The reconnect delay after `failures` consecutive failures: base × 2^(failures−1), capped. */
export function reconnectDelayMs(context: Pick<AgentContext, 'reconnectBaseMs' | 'reconnectMaxMs' | 'failures'>): number {
  const exponent = Math.max(0, Math.min(context.failures - 1, 30));
  return Math.min(context.reconnectMaxMs, context.reconnectBaseMs * 2 ** exponent);
}

/** Whether the last perf sample lets the agent ask for work. */
export function perfAllowsPull(context: Pick<AgentContext, 'perf' | 'taskRequestMaxCpu' | 'taskRequestMinMemoryMb'>): boolean {
  if (context.perf === null) return true;
  return context.perf.cpuPercent < context.taskRequestMaxCpu && context.perf.freeMemoryMb > context.taskRequestMinMemoryMb;
}

const HEARTBEAT_TIMER = 'agentHeartbeat';

const agentSetup = setup({
  types: {
    input: {} as AgentInput,
    context: {} as AgentContext,
    events: {} as AgentEvent,
  },
  actions: {
    openConnection: (_, _params: OpenConnectionParams) => {},
    sendHello: (_, _params: SendHelloParams) => {},
    sendHeartbeat: (_, _params: SendAgentHeartbeatParams) => {},
    pull: (_, _params: PullParams) => {},
    startTaskRun: (_, _params: StartTaskRunParams) => {},
    abortAllTasks: (_, _params: AbortAllTasksParams) => {},
    closeConnection: (_, _params: CloseConnectionParams) => {},
    recordPerf: assign(({ context, event }) =>
      event.type === 'PERF_SAMPLE' ? { perf: { cpuPercent: event.cpuPercent, freeMemoryMb: event.freeMemoryMb } } : { perf: context.perf }),
    recordEnabled: assign(({ context, event }) =>
      event.type === 'WELCOME' || event.type === 'ENABLED_CHANGED' ? { enabled: event.enabled } : { enabled: context.enabled }),
    removeTask: assign(({ context, event }) =>
      event.type === 'TASK_FINISHED' ? { running: context.running.filter((id) => id !== event.taskId) } : {}),
    requestStop: assign({ stopRequested: true }),
  },
  guards: {
    stopNow: ({ context, event }) => event.type === 'STOP' && (event.force === true || context.running.length === 0),
    stoppedAndIdle: ({ context }) => context.stopRequested && context.running.length === 0,
    stopRequested: ({ context }) => context.stopRequested,
    disabledWithTasks: ({ context }) => !context.enabled && context.running.length > 0,
    disabled: ({ context }) => !context.enabled,
  },
  delays: {
    reconnectDelay: ({ context }) => reconnectDelayMs(context),
    agentHeartbeat: ({ context }) => context.agentHeartbeatMs,
  },
});

const open = agentSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({ type: 'openConnection', params: { agentId: context.agentId, attempt: context.failures + 1 } });
});

const hello = agentSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({ type: 'sendHello', params: { agentId: context.agentId, maxTaskCount: context.maxTaskCount, runningTaskIds: context.running } });
});

/** (Re)arms the heartbeat loop: one pending tick at a time, under a fixed id. */
const armHeartbeat = agentSetup.enqueueActions(({ enqueue }) => {
  enqueue.cancel(HEARTBEAT_TIMER);
  enqueue.raise({ type: 'AGENT_HEARTBEAT_TICK' }, { delay: 'agentHeartbeat', id: HEARTBEAT_TIMER });
});

const heartbeat = agentSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({ type: 'sendHeartbeat', params: { agentId: context.agentId, runningTaskIds: context.running } });
});

/** Advertise as many free slots as the agent wants now, when that differs from the outstanding pull. */
const evaluatePull = agentSetup.enqueueActions(({ context, enqueue }) => {
  const wanted = perfAllowsPull(context) ? Math.max(0, context.maxTaskCount - context.running.length) : 0;
  if (wanted === context.pulledSlots) return;
  enqueue.assign({ pulledSlots: wanted });
  enqueue({ type: 'pull', params: { agentId: context.agentId, freeSlots: wanted } });
});

/** Leaving `active` on a live connection withdraws the outstanding pull; a lost one is moot. */
const withdrawPull = agentSetup.enqueueActions(({ context, event, enqueue }) => {
  if (context.pulledSlots === 0) return;
  enqueue.assign({ pulledSlots: 0 });
  if (event.type !== 'CONNECTION_LOST') enqueue({ type: 'pull', params: { agentId: context.agentId, freeSlots: 0 } });
});

const acceptTask = agentSetup.enqueueActions(({ context, event, enqueue }) => {
  if (event.type !== 'TASK_ASSIGNED') return;
  // A duplicate assign (a replay after reconnect) must not start a second run.
  if (context.running.includes(event.taskId)) return;
  enqueue.assign({ running: [...context.running, event.taskId] });
  enqueue({ type: 'startTaskRun', params: { taskId: event.taskId, attempt: event.attempt, assignment: event.assignment } });
});

const abortAll = agentSetup.enqueueActions(({ context, enqueue }) => {
  if (context.running.length > 0) enqueue({ type: 'abortAllTasks', params: { taskIds: context.running } });
});

const close = agentSetup.enqueueActions(({ context, enqueue }) => {
  enqueue.cancel(HEARTBEAT_TIMER);
  enqueue({ type: 'closeConnection', params: { agentId: context.agentId } });
});

const stopHeartbeat = agentSetup.enqueueActions(({ enqueue }) => {
  enqueue.cancel(HEARTBEAT_TIMER);
});

const connectionLost = { target: '#agent.reconnecting', actions: stopHeartbeat } as const;
const stopFromConnected = [
  { guard: 'stopNow', target: '#agent.stopped', actions: [abortAll] },
  { target: '#agent.route', actions: 'requestStop' },
] as const;

/**
 * Worker-side agent machine: connecting → registering → (waitingForEnable | active | draining) →
 * stopped, with `reconnecting` (delay `reconnectDelay`, exponential and capped) after
 * CONNECT_FAILED or CONNECTION_LOST. While active it requests `pull` whenever the number of slots
 * it wants changes (running < maxTaskCount and the perf gates pass). ENABLED_CHANGED(false) →
 * draining (runs go on, no pulling) or waitingForEnable when idle; STOP → stopped once runs finish
 * (they keep reporting, reconnecting if need be), or at once with `force` (`abortAllTasks`).
 *
 * Effects (no-op by default): `openConnection`, `sendHello`, `sendHeartbeat` (every
 * `agentHeartbeatMs` once welcomed), `pull`, `startTaskRun`, `abortAllTasks`, `closeConnection`.
 */
export const agentMachine = agentSetup.createMachine({
  id: 'agent',
  context: ({ input }) => ({
    ...input,
    running: [],
    enabled: false,
    stopRequested: false,
    failures: 0,
    pulledSlots: 0,
    perf: null,
  }),
  initial: 'connecting',
  on: {
    PERF_SAMPLE: { actions: 'recordPerf' },
    TASK_ASSIGNED: { actions: acceptTask },
    TASK_FINISHED: { actions: 'removeTask' },
    STOP: [
      { guard: 'stopNow', target: '.stopped', actions: [abortAll] },
      // Disconnected with runs in flight: keep reconnecting so their reports reach the master.
      { actions: 'requestStop' },
    ],
    AGENT_HEARTBEAT_TICK: { actions: [heartbeat, armHeartbeat] },
  },
  states: {
    connecting: {
      entry: open,
      on: {
        CONNECTED: 'registering',
        CONNECT_FAILED: 'reconnecting',
        CONNECTION_LOST: 'reconnecting',
      },
    },
    registering: {
      entry: hello,
      on: {
        WELCOME: { target: 'route', actions: ['recordEnabled', assign({ failures: 0 }), armHeartbeat] },
        CONNECTION_LOST: connectionLost,
        STOP: stopFromConnected,
      },
    },
    /** Transient: where a welcomed agent belongs, from enabled / stop / tasks in flight. */
    route: {
      always: [
        { guard: 'stoppedAndIdle', target: 'stopped' },
        { guard: 'stopRequested', target: 'draining' },
        { guard: 'disabledWithTasks', target: 'draining' },
        { guard: 'disabled', target: 'waitingForEnable' },
        { target: 'active' },
      ],
    },
    waitingForEnable: {
      on: {
        ENABLED_CHANGED: { target: 'route', actions: 'recordEnabled' },
        CONNECTION_LOST: connectionLost,
        STOP: stopFromConnected,
      },
    },
    active: {
      entry: evaluatePull,
      exit: withdrawPull,
      on: {
        PERF_SAMPLE: { actions: ['recordPerf', evaluatePull] },
        TASK_ASSIGNED: { actions: [acceptTask, evaluatePull] },
        TASK_FINISHED: { actions: ['removeTask', evaluatePull] },
        ENABLED_CHANGED: { target: 'route', actions: 'recordEnabled' },
        CONNECTION_LOST: connectionLost,
        STOP: stopFromConnected,
      },
    },
    /** Runs in flight go on and report; nothing new is pulled (disabled, or stopping). */
    draining: {
      on: {
        TASK_FINISHED: { target: 'route', actions: 'removeTask' },
        ENABLED_CHANGED: { target: 'route', actions: 'recordEnabled' },
        CONNECTION_LOST: connectionLost,
        STOP: stopFromConnected,
      },
    },
    reconnecting: {
      entry: assign(({ context }) => ({ failures: context.failures + 1, pulledSlots: 0 })),
      after: { reconnectDelay: 'connecting' },
    },
    stopped: {
      type: 'final',
      entry: close,
    },
  },
});

export type AgentMachine = typeof agentMachine;
