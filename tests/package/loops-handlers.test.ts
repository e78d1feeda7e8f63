import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lastAssigned, runFixture } from './run-helpers.ts';

const t = suite('loops, Execute Process, event handlers');

t('For and Foreach loops iterate with mappings; handlers run up the chain', async () => {
  const run = await runFixture(['Loops.dtsx'], 'Loops.dtsx');
  assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
  assert.is(lastAssigned(run, 'User::Log'), '0,1,2,x;y;seq:Boom;pkg;');
  const paths = run.messages(30).map((m) => m.executionPath);
  assert.ok(paths.includes('\\Package\\For[3]\\Append'));
  assert.ok(paths.includes('\\Package\\Each[2]\\Append'));
});

t('System::Propagate = FALSE stops the event at the container handler', async () => {
  const run = await runFixture(['Loops.dtsx'], 'Loops.dtsx', { overrides: [{ propertyPath: '\\Package\\Seq.EventHandlers[OnError]\\Stop.Properties[Disable]', value: 'False' }] });
  assert.is(lastAssigned(run, 'User::Log'), '0,1,2,x;y;seq:Boom;');
});

t('Execute Process: exit code against SuccessValue, stdout captured', async () => {
  const ok = await runFixture(['Loops.dtsx'], 'Loops.dtsx');
  assert.not.ok(ok.messages(120).some((m) => m.source === 'Process'));
  const bad = await runFixture(['Loops.dtsx'], 'Loops.dtsx', { overrides: [{ propertyPath: '\\Package\\Process.Properties[SuccessValue]', value: '0' }] });
  const err = bad.messages(120).find((m) => m.source === 'Process');
  assert.match(err?.text ?? '', /exit code was "3" while the expected was "0"/);
  // The failed process stops the chain (Seq waits on its success).
  assert.not.ok(bad.messages(30).some((m) => m.source === 'Seq'));
});

t('cancellation before the run ends it as canceled', async () => {
  const ac = new AbortController();
  ac.abort();
  const run = await runFixture(['Loops.dtsx'], 'Loops.dtsx', { signal: ac.signal });
  assert.is(run.result.outcome, 'canceled');
});

t.run();
