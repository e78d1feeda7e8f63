import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PerfCounterName, PerfCounterSampler, nodeHost, readMachineProperties, type HostProbe } from '../../runtime/agent/perf-counters.ts';

const perf = suite('perf counters and machine properties');

/** A host whose CPU times the test advances by hand. */
function fakeHost(): HostProbe & { tick(busyPerCore: number, idlePerCore: number): void } {
  const cores = [0, 1].map(() => ({ model: '  Fake CPU @ 3.0GHz ', times: { user: 1000, nice: 0, sys: 500, idle: 8500, irq: 0 } }));
  return {
    hostname: () => 'worker-01',
    userName: () => { throw new Error('no passwd entry'); },
    osDescription: () => 'Linux 6.1 (linux x64)',
    cpus: () => cores.map((c) => ({ model: c.model, times: { ...c.times } })),
    totalMemoryBytes: () => 16 * 1024 ** 3,
    freeMemoryBytes: () => 6 * 1024 ** 3,
    loadAverage1m: () => 1.234,
    processRssBytes: () => 150 * 1024 ** 2,
    nodeVersion: () => 'v20.0.0',
    tick(busy, idle) {
      for (const c of cores) { c.times.user += busy; c.times.idle += idle; }
    },
  };
}

perf('CPU % is the busy share of CPU time since the previous sample', () => {
  const host = fakeHost();
  const sampler = new PerfCounterSampler({ host, clock: { now: () => 42 } });
  host.tick(300, 100);
  const first = Object.fromEntries(sampler.sample().map((s) => [s.name, s.value]));
  assert.is(first[PerfCounterName.cpuPercent], 75);
  host.tick(100, 900);
  assert.is(sampler.sample().find((s) => s.name === PerfCounterName.cpuPercent)?.value, 10);
  assert.is(sampler.sample().find((s) => s.name === PerfCounterName.cpuPercent)?.value, 10, 'no elapsed tick keeps the last figure');
  assert.is(sampler.lastCpuPercent, 10);
});

perf('samples carry memory, RSS and load, all stamped with the clock', () => {
  const sampler = new PerfCounterSampler({ host: fakeHost(), clock: { now: () => 1_700_000_000_000 } });
  const samples = sampler.sample();
  assert.equal(samples.map((s) => s.name), ['CpuPercent', 'AvailableMemoryMB', 'ProcessRssMB', 'LoadAverage1m']);
  assert.ok(samples.every((s) => s.timestamp === 1_700_000_000_000));
  const byName = Object.fromEntries(samples.map((s) => [s.name, s.value]));
  assert.is(byName.AvailableMemoryMB, 6 * 1024);
  assert.is(byName.ProcessRssMB, 150);
  assert.is(byName.LoadAverage1m, 1.2);
});

perf('on the real host every counter is a finite number in range', async () => {
  const sampler = new PerfCounterSampler();
  let x = 0;
  for (let i = 0; i < 2_000_000; i++) x += Math.sqrt(i);
  assert.ok(x > 0);
  const byName = Object.fromEntries(sampler.sample().map((s) => [s.name, s.value]));
  for (const value of Object.values(byName)) assert.ok(Number.isFinite(value));
  assert.ok((byName.CpuPercent ?? -1) >= 0 && (byName.CpuPercent ?? 101) <= 100);
  assert.ok((byName.AvailableMemoryMB ?? 0) > 0 && (byName.AvailableMemoryMB ?? Infinity) <= nodeHost.totalMemoryBytes() / 1024 ** 2);
  assert.ok((byName.ProcessRssMB ?? 0) > 0);
  assert.ok((byName.LoadAverage1m ?? -1) >= 0);
});

perf('machine properties name the machine, account, OS, CPU and versions', () => {
  const props = readMachineProperties({ agentVersion: '0.1.0', host: fakeHost() });
  assert.equal(props, {
    MachineName: 'worker-01',
    UserAccount: process.env.USER ?? process.env.LOGNAME ?? `uid:${process.getuid?.()}`,
    OS: 'Linux 6.1 (linux x64)',
    CPU: 'Fake CPU @ 3.0GHz',
    Cores: '2',
    TotalMemoryMB: '16384',
    NodeVersion: 'v20.0.0',
    AgentVersion: '0.1.0',
  });
  assert.ok(Object.isFrozen(props));
  const real = readMachineProperties({ agentVersion: '0.1.0' });
  assert.ok((real.MachineName ?? '').length > 0);
  assert.ok(Number(real.Cores) >= 1);
  assert.is(real.NodeVersion, process.version);
});

perf.run();
