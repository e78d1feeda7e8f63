/**
 * The `worker:<guid>` actor: the master's view of one worker agent — online or not, enabled or not,
 * how many tasks it holds against its capacity. It decides whether a `pull` may claim tasks, so
 * that a disabled (draining) or full worker never gets new work.
 */
import { and, assign, fromPromise, setup, stateIn } from 'xstate';
import type { WorkerAgentEvent } from './events.ts';
import type { TaskRecord } from './ports.ts';
import { serializeError, type SerializedError } from './errors.ts';

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
  /** Slots of the claim in flight (0 when none): they count against the free slots. */
  readonly claimingSlots: number;
}

/**
 * Input of the `claimTasks` promise actor: claim up to `slots` ready tasks for this worker. Its
 * contract (provided at the composition root): resolves after the claim is committed, with the
 * claimed tasks, each already recorded as held by this worker under its new attempt and its
 * execution as running (one statement, `claim_tasks`); rejects when nothing could be committed.
 */
export interface ClaimTasksInput {
  readonly workerAgentId: string;
  readonly slots: number;
}

/** `assignClaimed`: the claim committed; the root readies the claimed tasks and sends them to the worker. */
export interface AssignClaimedParams {
  readonly workerAgentId: string;
  /** Slots the claim asked for: fewer tasks than this means no more ready tasks for this worker now. */
  readonly slots: number;
  readonly tasks: readonly TaskRecord[];
}

/** `claimFailed`: the claim was not committed (nothing was claimed); the next pull or kick retries. */
export interface ClaimFailedParams {
  readonly workerAgentId: string;
  readonly slots: number;
  readonly error: SerializedError;
}

/** `refusePull`: drop the worker's outstanding pull; nothing will be claimed for it. */
export interface RefusePullParams {
  readonly workerAgentId: string;
  /** `claiming`: a claim for this worker is in flight; its end serves the pull again. */
  readonly reason: 'offline' | 'disabled' | 'full' | 'withdrawn' | 'claiming';
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
export function freeSlots(context: Pick<WorkerAgentContext, 'capacity' | 'taskIds'> & { readonly claimingSlots?: number }): number {
  return Math.max(0, context.capacity - context.taskIds.length - (context.claimingSlots ?? 0));
}

const workerSetup = setup({
  types: {
    input: {} as WorkerAgentInput,
    context: {} as WorkerAgentContext,
    events: {} as WorkerAgentEvent,
  },
  actors: {
    /** The claim (claim_tasks), provided at the composition root; rejects by default. */
    claimTasks: fromPromise<readonly TaskRecord[], ClaimTasksInput>(async () => {
      throw new Error('claimTasks is not provided');
    }),
  },
  actions: {
    assignClaimed: (_, _params: AssignClaimedParams) => {},
    claimFailed: (_, _params: ClaimFailedParams) => {},
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
    isOnline: stateIn({ link: 'online' }),
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

/** A PULL that will not claim: why (the root drops the outstanding pull). */
const refusePull = workerSetup.enqueueActions(({ context, event, enqueue, check }) => {
  if (event.type !== 'PULL') return;
  const reason = !check('isOnline') ? 'offline' : !context.isEnabled ? 'disabled' : event.freeSlots <= 0 ? 'withdrawn' : 'full';
  enqueue({ type: 'refusePull', params: { workerAgentId: context.workerAgentId, reason } });
});

const refuseWhileClaiming = workerSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({ type: 'refusePull', params: { workerAgentId: context.workerAgentId, reason: 'claiming' } });
});

/**
 * Master-side worker machine, two parallel regions:
 * - `link`: offline | online.disabled.{idle,draining} | online.enabled.{idle,busy}. HELLO brings it
 *   online; each HEARTBEAT restarts the `offlineAfter` delay (by re-entering `online`, whose substate
 *   is recomputed from context); DISCONNECTED or the delay → offline. Disabled while holding tasks =
 *   draining: no new claims, held tasks go on.
 * - `claim`: idle | claiming. A PULL while online, enabled and with free slots (capacity − tasks held
 *   − slots being claimed) invokes `claimTasks` for min(asked, free) slots; its `onDone` requests
 *   `assignClaimed` with the committed claim, its `onError` `claimFailed`. One claim at a time: a
 *   PULL meanwhile is refused as `claiming` (the claim's end serves the pull again). The claim
 *   region is beside the link, not inside it: a claim committed while the worker went offline or was
 *   disabled still comes back to this actor (its tasks are then the lease sweep's).
 *
 * Effects (no-op by default): `assignClaimed`, `claimFailed`, `refusePull`, `notifyEnabledChanged`,
 * `markOnline`, `markOffline`; invoked: `claimTasks`. No output: the actor lives as long as the
 * worker is registered.
 */
export const workerAgentMachine = workerSetup.createMachine({
  id: 'worker',
  context: ({ input }) => ({
    workerAgentId: input.workerAgentId,
    offlineAfterMs: input.offlineAfterMs,
    isEnabled: input.isEnabled ?? false,
    capacity: input.capacity ?? 0,
    taskIds: [...(input.taskIds ?? [])],
    claimingSlots: 0,
  }),
  type: 'parallel',
  on: {
    // Holds are tracked whatever the liveness: a task outlives a reconnect until its lease ends.
    TASK_ASSIGNED: { actions: 'addTask' },
    TASK_RELEASED: { actions: 'removeTask' },
  },
  states: {
    link: {
      initial: 'offline',
      states: {
        offline: {
          on: {
            HELLO: { target: 'online', actions: ['recordHello', liveness('markOnline')] },
            ENABLE: { actions: assign({ isEnabled: true }) },
            DISABLE: { actions: assign({ isEnabled: false }) },
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
    },
    claim: {
      initial: 'idle',
      states: {
        idle: {
          on: {
            PULL: [
              {
                guard: and(['isOnline', 'canClaim']),
                target: 'claiming',
                actions: assign(({ context, event }) => ({ claimingSlots: Math.min(Math.trunc(event.freeSlots), freeSlots(context)) })),
              },
              { actions: refusePull },
            ],
          },
        },
        claiming: {
          invoke: {
            id: 'claim',
            src: 'claimTasks',
            input: ({ context }) => ({ workerAgentId: context.workerAgentId, slots: context.claimingSlots }),
            onDone: {
              target: 'idle',
              actions: [
                {
                  type: 'assignClaimed',
                  params: ({ context, event }) => ({ workerAgentId: context.workerAgentId, slots: context.claimingSlots, tasks: event.output }),
                },
                // The claimed tasks are held from now on (their task actors confirm with TASK_ASSIGNED).
                assign(({ context, event }) => ({
                  claimingSlots: 0,
                  taskIds: [...context.taskIds, ...event.output.map((t) => t.taskId).filter((id) => !context.taskIds.includes(id))],
                })),
              ],
            },
            onError: {
              target: 'idle',
              actions: [
                {
                  type: 'claimFailed',
                  params: ({ context, event }) => ({ workerAgentId: context.workerAgentId, slots: context.claimingSlots, error: serializeError(event.error) }),
                },
                assign({ claimingSlots: 0 }),
              ],
            },
          },
          on: { PULL: { actions: refuseWhileClaiming } },
        },
      },
    },
  },
});

export type WorkerAgentMachine = typeof workerAgentMachine;
