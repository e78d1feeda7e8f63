/**
 * Per-component phase times for `catalog.execution_component_phases` (Performance and Verbose logging
 * levels), with SSIS's phase names. Our runtime's calls map onto them as follows:
 *   Validate          the component's `validate` (validatePipeline)
 *   PrepareForExecute `create` (the runtime object is built: properties read, columns bound)
 *   PreExecute        `prepare`
 *   PrimeOutput       `produce` (sources)
 *   ProcessInput      `receive` and `inputDone` (inputs)
 *   PostExecute       `finish`
 *   Cleanup           `cleanup`
 * One row per component and phase it went through. Its start is when the phase was first entered and its
 * length the time the component itself spent in it: a component's `send` awaits its downstream
 * components, and that time is theirs, so it is subtracted (as SSIS counts a buffer's work to the
 * component that does it). So `end_time - start_time` is the component's active time in the phase,
 * what the documented `SUM(DATEDIFF(ms, start_time, end_time))` query adds up.
 */
import type { ComponentHost, ComponentRuntime } from './component.ts';
import type { PipelineComponent } from './pipeline.ts';

export const PHASE_NAMES = ['Validate', 'PrepareForExecute', 'PreExecute', 'PrimeOutput', 'ProcessInput', 'PostExecute', 'Cleanup'] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

interface Accum { start: number; busy: number }

export interface PhaseRow {
  readonly component: string;
  readonly phase: PhaseName;
  readonly start: number;
  readonly end: number;
}

export class PhaseClock {
  private readonly phases = new Map<string, { name: string; order: number; byPhase: Map<PhaseName, Accum> }>();
  /** Time each component spent waiting on its downstream (inside `send`). */
  private readonly sent = new Map<string, number>();

  constructor(private readonly wall: () => number = Date.now, private readonly mono: () => number = () => performance.now()) {}

  private entry(c: PipelineComponent): { name: string; order: number; byPhase: Map<PhaseName, Accum> } {
    let e = this.phases.get(c.id);
    if (!e) { e = { name: c.name, order: this.phases.size, byPhase: new Map() }; this.phases.set(c.id, e); }
    return e;
  }

  /** Adds `busy` ms to a phase first entered at `start` (wall clock ms). */
  add(c: PipelineComponent, phase: PhaseName, start: number, busy: number): void {
    const by = this.entry(c).byPhase;
    const a = by.get(phase);
    if (a) a.busy += Math.max(0, busy);
    else by.set(phase, { start, busy: Math.max(0, busy) });
  }

  /** Runs `fn` as `phase` of `c`, counting only the component's own time. */
  async time<T>(c: PipelineComponent, phase: PhaseName, fn: () => T | Promise<T>): Promise<T> {
    const start = this.wall();
    const t0 = this.mono();
    const sent0 = this.sent.get(c.id) ?? 0;
    try {
      return await fn();
    } finally {
      this.add(c, phase, start, this.mono() - t0 - ((this.sent.get(c.id) ?? 0) - sent0));
    }
  }

  /** Times a synchronous step (validation, construction). */
  timeSync<T>(c: PipelineComponent, phase: PhaseName, fn: () => T): T {
    const start = this.wall();
    const t0 = this.mono();
    try {
      return fn();
    } finally {
      this.add(c, phase, start, this.mono() - t0);
    }
  }

  /** Builds a component's runtime (PrepareForExecute) on a host whose `send` time is counted as downstream time. */
  create(c: PipelineComponent, host: ComponentHost, create: (host: ComponentHost) => ComponentRuntime): ComponentRuntime {
    const timedHost: ComponentHost = {
      ...host,
      send: async (output, rows) => {
        const t0 = this.mono();
        try { await host.send(output, rows); } finally { this.sent.set(c.id, (this.sent.get(c.id) ?? 0) + (this.mono() - t0)); }
      },
      // `handle` and the rest close over the original host; only `send` needs timing.
    };
    const rt = this.timeSync(c, 'PrepareForExecute', () => create(timedHost));
    const timed: ComponentRuntime = {
      prepare: () => this.time(c, 'PreExecute', async () => { await rt.prepare?.(); }),
      finish: () => this.time(c, 'PostExecute', async () => { await rt.finish?.(); }),
      cleanup: () => this.time(c, 'Cleanup', async () => { await rt.cleanup?.(); }),
    };
    if (rt.produce) timed.produce = () => this.time(c, 'PrimeOutput', () => rt.produce!());
    if (rt.receive) timed.receive = (input, rows) => this.time(c, 'ProcessInput', () => rt.receive!(input, rows));
    if (rt.inputDone) timed.inputDone = (input) => this.time(c, 'ProcessInput', () => rt.inputDone!(input));
    return timed;
  }

  /** One row per component and phase, components in the order first seen, phases in SSIS's order. */
  rows(): PhaseRow[] {
    const out: PhaseRow[] = [];
    for (const e of [...this.phases.values()].sort((a, b) => a.order - b.order)) {
      for (const phase of PHASE_NAMES) {
        const a = e.byPhase.get(phase);
        if (a) out.push({ component: e.name, phase, start: a.start, end: a.start + Math.round(a.busy * 1000) / 1000 });
      }
    }
    return out;
  }
}
