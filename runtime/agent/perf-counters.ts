/**
 * What a worker agent tells the master about its machine: the machine properties it registers with
 * (`internal.machine_properties`; `MachineName` and `UserAccount` also land on the worker row) and the
 * performance counter samples of each heartbeat (`worker_agent_perfcounter`). The host is injectable
 * so tests get exact numbers.
 */
import os from 'node:os';
import type { PerfCounterSample, WallClock } from '../../actors/ports.ts';

/** Counter names as stored in `worker_agent_perfcounter.PerfCounterName`. */
export const PerfCounterName = {
  /** Machine-wide CPU busy %, 0–100, averaged over all cores since the previous sample. */
  cpuPercent: 'CpuPercent',
  /** Memory available to new work, MB (Linux: MemAvailable). */
  availableMemoryMb: 'AvailableMemoryMB',
  /** Resident set size of the agent process (all its package threads included), MB. */
  processRssMb: 'ProcessRssMB',
  /** 1-minute load average (0 where the OS has none). */
  loadAverage1m: 'LoadAverage1m',
} as const;

/** Property names as stored in `machine_properties.PropertyName`. */
export const MachinePropertyName = {
  machineName: 'MachineName',
  userAccount: 'UserAccount',
  os: 'OS',
  cpu: 'CPU',
  cores: 'Cores',
  totalMemoryMb: 'TotalMemoryMB',
  nodeVersion: 'NodeVersion',
  agentVersion: 'AgentVersion',
} as const;

/** The parts of `node:os` and `process` the counters read; tests pass a fake. */
export interface HostProbe {
  hostname(): string;
  /** May throw (a uid without a passwd entry, as in some containers). */
  userName(): string;
  osDescription(): string;
  cpus(): readonly { readonly model: string; readonly times: { readonly user: number; readonly nice: number; readonly sys: number; readonly idle: number; readonly irq: number } }[];
  totalMemoryBytes(): number;
  freeMemoryBytes(): number;
  loadAverage1m(): number;
  processRssBytes(): number;
  nodeVersion(): string;
}

export const nodeHost: HostProbe = {
  hostname: () => os.hostname(),
  userName: () => os.userInfo().username,
  osDescription: () => `${os.type()} ${os.release()} (${os.platform()} ${os.arch()})`,
  cpus: () => os.cpus(),
  totalMemoryBytes: () => os.totalmem(),
  freeMemoryBytes: () => os.freemem(),
  loadAverage1m: () => os.loadavg()[0] ?? 0,
  processRssBytes: () => process.memoryUsage.rss(),
  nodeVersion: () => process.version,
};

const MB = 1024 * 1024;
const round1 = (n: number): number => Math.round(n * 10) / 10;

function userAccount(host: HostProbe): string | null {
  try {
    const name = host.userName();
    if (name !== '') return name;
  } catch { /* fall through to the environment */ }
  return process.env.USER ?? process.env.LOGNAME ?? (typeof process.getuid === 'function' ? `uid:${process.getuid()}` : null);
}

/**
 * The machine properties a worker registers with. Values are strings (the catalog column is
 * nvarchar); a value that cannot be determined is null.
 */
export function readMachineProperties(options: { readonly agentVersion: string; readonly host?: HostProbe }): Readonly<Record<string, string | null>> {
  const host = options.host ?? nodeHost;
  const cpus = host.cpus();
  return Object.freeze({
    [MachinePropertyName.machineName]: host.hostname() || null,
    [MachinePropertyName.userAccount]: userAccount(host),
    [MachinePropertyName.os]: host.osDescription() || null,
    [MachinePropertyName.cpu]: cpus[0]?.model.trim() || null,
    [MachinePropertyName.cores]: String(cpus.length),
    [MachinePropertyName.totalMemoryMb]: String(Math.round(host.totalMemoryBytes() / MB)),
    [MachinePropertyName.nodeVersion]: host.nodeVersion(),
    [MachinePropertyName.agentVersion]: options.agentVersion,
  });
}

interface CpuTotals { readonly busy: number; readonly total: number }

function cpuTotals(host: HostProbe): CpuTotals {
  let busy = 0;
  let total = 0;
  for (const { times } of host.cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/**
 * Takes perf counter samples. CPU % is measured between consecutive `sample()` calls (the first
 * call measures since construction), so call it once per heartbeat.
 */
export class PerfCounterSampler {
  #host: HostProbe;
  #clock: WallClock;
  #previous: CpuTotals;
  #lastCpuPercent = 0;

  constructor(options: { readonly host?: HostProbe; readonly clock?: WallClock } = {}) {
    this.#host = options.host ?? nodeHost;
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#previous = cpuTotals(this.#host);
  }

  /** CPU % of the last sample, without taking a new one (for pull decisions between heartbeats). */
  get lastCpuPercent(): number {
    return this.#lastCpuPercent;
  }

  /** One sample of every counter, all stamped with the same time. */
  sample(): PerfCounterSample[] {
    const now = cpuTotals(this.#host);
    const dTotal = now.total - this.#previous.total;
    const dBusy = now.busy - this.#previous.busy;
    // No tick elapsed (two calls in a row): keep the last figure rather than report 0 or NaN.
    if (dTotal > 0) this.#lastCpuPercent = round1(Math.min(100, Math.max(0, (100 * dBusy) / dTotal)));
    this.#previous = now;
    const timestamp = this.#clock.now();
    return [
      { name: PerfCounterName.cpuPercent, value: this.#lastCpuPercent, timestamp },
      { name: PerfCounterName.availableMemoryMb, value: Math.round(this.#host.freeMemoryBytes() / MB), timestamp },
      { name: PerfCounterName.processRssMb, value: round1(this.#host.processRssBytes() / MB), timestamp },
      { name: PerfCounterName.loadAverage1m, value: round1(this.#host.loadAverage1m()), timestamp },
    ];
  }
}
