/**
 * The `worker:<guid>` actor: the master's view of one worker agent — online or not, enabled or not,
 * how many tasks it holds against its capacity. It decides whether a `pull` may claim tasks, so
 * that a disabled (draining) or full worker never gets new work.
 */
import { assign, setup } from 'xstate';
import type { WorkerAgentEvent } from './events.ts';

export interface WorkerAgentInput {
  readonly workerAgentId: string;
  /** No heartbeat (or hello) for this long → offline; e.g. 3 × AgentHeartbeatInterval, in ms. */
  readonly offlineAfterMs: number;
  /** The catalog's `IsEnabled` (workers register disabled). */
  readonly isEnabled?: boolean;
  /** Capacity until the worker says hello (MaxTaskCount); default 0 (claims nothing). */
  readonly capacity?: number;
  /** Tasks the catalog says this worker holds (rehydration). */
  readonly taskIds?: readonly string[];
}

export interface WorkerAgentContext {
  readonly workerAgentId: string;
  readonly offlineAfterMs: number;
  readonly isEnabled: boolean;
  /** MaxTaskCount from the last hello. */
  readonly capacity: number;
  /** Tasks currently held (leased or running) by this worker. */
  readonly taskIds: readonly string[];
}

/** `claimTask`: claim up to `slots` ready tasks for this worker (pull_task) and assign them. */
export interface ClaimTaskParams {
  readonly workerAgentId: string;
  readonly slots: number;
}

/** `refusePull`: drop the worker's outstanding pull; nothing will be claimed for it. */
export interface RefusePullParams {
  readonly workerAgentId: string;
  readonly reason: 'offline' | 'disabled' | 'full' | 'withdrawn';
}

/** `notifyEnabledChanged`: push an `enabled-changed` frame to the connected worker. */
export interface NotifyEnabledChangedParams {
  readonly workerAgentId: string;
  readonly enabled: boolean;
}

/** `markOnline` / `markOffline`: liveness changed (for the catalog's LastOnlineTime, the viewer). */
export interface WorkerLivenessParams {
  readonly workerAgentId: string;
}

/** Free slots as the master counts them: capacity minus tasks held, never negative. */
export function freeSlots(context: Pick<WorkerAgentContext, 'capacity' | 'taskIds'>): number {
  return Math.max(0, context.capacity - context.taskIds.length);
}

const workerSetup = setup({
  types: {
    input: {} as WorkerAgentInput,
    context: {} as WorkerAgentContext,
    events: {} as WorkerAgentEvent,
  },
  actions: {
    claimTask: (_, _params: ClaimTaskParams) => {},
    refusePull: (_, _params: RefusePullParams) => {},
    notifyEnabledChanged: (_, _params: NotifyEnabledChangedParams) => {},
    markOnline: (_, _params: WorkerLivenessParams) => {},
    markOffline: (_, _params: WorkerLivenessParams) => {},
    recordHello: assign(({ context, event }) => {
      if (event.type !== 'HELLO') return {};
      return {
        capacity: Math.max(0, Math.trunc(event.maxTaskCount)),
        isEnabled: event.isEnabled ?? context.isEnabled,
        taskIds: event.runningTaskIds === undefined ? context.taskIds : [...new Set(event.runningTaskIds)],
      };
    }),
    addTask: assign(({ context, event }) =>
      event.type === 'TASK_ASSIGNED' && !context.taskIds.includes(event.taskId) ? { taskIds: [...context.taskIds, event.taskId] } : {}),
    removeTask: assign(({ context, event }) =>
      event.type === 'TASK_RELEASED' ? { taskIds: context.taskIds.filter((id) => id !== event.taskId) } : {}),
  },
  guards: {
    isEnabled: ({ context }) => context.isEnabled,
    holdsTasks: ({ context }) => context.taskIds.length > 0,
    canClaim: ({ context, event }) => event.type === 'PULL' && context.isEnabled && Math.min(event.freeSlots, freeSlots(context)) > 0,
  },
  delays: {
    offlineAfter: ({ context }) => context.offlineAfterMs,
  },
});

const liveness = (type: 'markOnline' | 'markOffline') =>
  workerSetup.enqueueActions(({ context, enqueue }) => {
    enqueue({ type, params: { workerAgentId: context.workerAgentId } });
  });

const setEnabled = (enabled: boolean) =>
  workerSetup.enqueueActions(({ context, enqueue }) => {
    if (context.isEnabled === enabled) return;
    enqueue.assign({ isEnabled: enabled });
    enqueue({ type: 'notifyEnabledChanged', params: { workerAgentId: context.workerAgentId, enabled } });
  });

const answerPull = workerSetup.enqueueActions(({ context, event, enqueue, check }) => {
  if (event.type !== 'PULL') return;
  if (check('canClaim')) {
    enqueue({ type: 'claimTask', params: { workerAgentId: context.workerAgentId, slots: Math.min(Math.trunc(event.freeSlots), freeSlots(context)) } });
    return;
  }
  const reason = !context.isEnabled ? 'disabled' : event.freeSlots <= 0 ? 'withdrawn' : 'full';
  enqueue({ type: 'refusePull', params: { workerAgentId: context.workerAgentId, reason } });
});

const refuseOffline = workerSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({ type: 'refusePull', params: { workerAgentId: context.workerAgentId, reason: 'offline' } });
});

/**
 * Master-side worker machine: offline | online.disabled.{idle,draining} | online.enabled.{idle,busy}.
 * HELLO brings it online; each HEARTBEAT restarts the `offlineAfter` delay (by re-entering
 * `online`, whose substate is recomputed from context); DISCONNECTED or the delay → offline.
 * Disabled while holding tasks = draining: no new claims, held tasks go on. PULL requests
 * `claimTask` only when enabled with free slots, else `refusePull`.
 *
 * Effects (no-op by default): `claimTask`, `refusePull`, `notifyEnabledChanged`, `markOnline`,
 * `markOffline`. No output: the actor lives as long as the worker is registered.
 */
export const workerAgentMachine = workerSetup.createMachine({
  id: 'worker',
  context: ({ input }) => ({
    workerAgentId: input.workerAgentId,
    offlineAfterMs: input.offlineAfterMs,
    isEnabled: input.isEnabled ?? false,
    capacity: input.capacity ?? 0,
    taskIds: [...(input.taskIds ?? [])],
  }),
  initial: 'offline',
  on: {
    // Holds are tracked whatever the liveness: a task outlives a reconnect until its lease ends.
    TASK_ASSIGNED: { actions: 'addTask' },
    TASK_RELEASED: { actions: 'removeTask' },
  },
  states: {
    offline: {
      on: {
        HELLO: { target: 'online', actions: ['recordHello', liveness('markOnline')] },
        ENABLE: { actions: assign({ isEnabled: true }) },
        DISABLE: { actions: assign({ isEnabled: false }) },
        PULL: { actions: refuseOffline },
      },
    },
    online: {
      initial: 'route',
      after: { offlineAfter: { target: 'offline', actions: liveness('markOffline') } },
      on: {
        HEARTBEAT: { target: 'online', reenter: true },
        HELLO: { target: 'online', reenter: true, actions: 'recordHello' },
        DISCONNECTED: { target: 'offline', actions: liveness('markOffline') },
        ENABLE: { target: '.route', actions: setEnabled(true) },
        DISABLE: { target: '.route', actions: setEnabled(false) },
        PULL: { actions: answerPull },
        TASK_ASSIGNED: { target: '.route', actions: 'addTask' },
        TASK_RELEASED: { target: '.route', actions: 'removeTask' },
      },
      states: {
        /** Transient: the substate follows from context (enabled flag, tasks held). */
        route: {
          always: [
            { guard: 'isEnabled', target: 'enabled' },
            { target: 'disabled' },
          ],
        },
        disabled: {
          initial: 'route',
          states: {
            route: { always: [{ guard: 'holdsTasks', target: 'draining' }, { target: 'idle' }] },
            idle: {},
            /** Disabled while holding tasks: they run to the end, nothing new is claimed. */
            draining: {},
          },
        },
        enabled: {
          initial: 'route',
          states: {
            route: { always: [{ guard: 'holdsTasks', target: 'busy' }, { target: 'idle' }] },
            idle: {},
            busy: {},
          },
        },
      },
    },
  },
});

export type WorkerAgentMachine = typeof workerAgentMachine;
