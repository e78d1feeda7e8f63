import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lastAssigned, runFixture } from './run-helpers.ts';

const cf = suite('control flow: precedence constraints');

cf('runs successors by value, expression, AND/OR and skips what must not run', async () => {
  const run = await runFixture(['ControlFlow.dtsx'], 'ControlFlow.dtsx');
  assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
  // A, B on success of A, C on failure, D on completion, F expression, H expression-or-constraint,
  // J logical OR, K after a disabled task; not E (success of a failure), G (expr AND success), I (AND with a failure).
  assert.is(lastAssigned(run, 'User::Log'), 'ABCDFHJK|len=8');
  const errors = run.messages(120);
  assert.is(errors.length, 1);
  assert.match(errors[0]!.text, /divide by zero/);
  assert.is(errors[0]!.path, '\\Package\\Fail');
});

cf('MaximumErrorCount decides whether one failure fails the package', async () => {
  const run = await runFixture(['ControlFlow.dtsx'], 'ControlFlow.dtsx', { overrides: [{ propertyPath: '\\Package.Properties[MaximumErrorCount]', value: '1' }] });
  assert.is(run.result.outcome, 'failed');
  assert.match(run.result.errors[0]!, /divide by zero/);
});

cf('property overrides reach variables and executables', async () => {
  const run = await runFixture(['ControlFlow.dtsx'], 'ControlFlow.dtsx', {
    overrides: [
      { propertyPath: '\\Package.Variables[User::Flag].Properties[Value]', value: 'False' },
      { propertyPath: '\\Package\\Disabled.Properties[Disable]', value: 'False' },
    ],
  });
  assert.is(run.result.outcome, 'succeeded');
  // Flag False: no F, no H (its Success constraint fails too); the enabled X runs before K. Last waits
  // (AND) on F and H, which never ran, so it does not run either.
  assert.is(lastAssigned(run, 'User::Log'), 'ABCDJXK');
  assert.not.ok(run.messages(30).some((m) => m.source === 'Last'));
});

cf('a bad property path fails before anything runs, naming the path', async () => {
  const run = await runFixture(['ControlFlow.dtsx'], 'ControlFlow.dtsx', { overrides: [{ propertyPath: 'Package.Nope', value: '1' }] });
  assert.is(run.result.outcome, 'failed');
  assert.match(run.result.errors[0]!, /Package\.Nope/);
  assert.is(run.messages(30).length, 0);
});

const lv = suite('events by LOGGING_LEVEL');

lv('Verbose logs everything, Basic drops diagnostics, Performance only errors/warnings, None only status', async () => {
  const types = async (level: number) => new Set((await runFixture(['ControlFlow.dtsx'], 'ControlFlow.dtsx', { level })).messages().map((m) => m.type));
  const verbose = await types(3);
  for (const t of [10, 20, 30, 40, 50, 70, 120, 130]) assert.ok(verbose.has(t), `verbose has ${t}`);
  const basic = await types(1);
  assert.ok(basic.has(30) && basic.has(120));
  const perf = await types(2);
  assert.equal([...perf].sort((a, b) => a - b), [50, 120]);
  const none = await types(0);
  assert.equal([...none], [50]);
});

lv('statistics carry results and are absent at None', async () => {
  const run = await runFixture(['ControlFlow.dtsx'], 'ControlFlow.dtsx', { level: 1 });
  const stats = run.events.flatMap((e) => (e.kind === 'statistic' ? [e.statistic] : []));
  const fail = stats.find((s) => s.executableName === 'Fail');
  assert.is(fail?.executionResult, 1);
  assert.is(stats.find((s) => s.executableName === 'A')?.executionResult, 0);
  assert.is(stats.find((s) => s.executableName === 'ControlFlow')?.packagePath, '\\Package');
  const none = await runFixture(['ControlFlow.dtsx'], 'ControlFlow.dtsx', { level: 0 });
  assert.is(none.events.filter((e) => e.kind === 'statistic').length, 0);
});

cf.run();
lv.run();
