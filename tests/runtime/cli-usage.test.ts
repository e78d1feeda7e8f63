import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { killAll, spawnCli } from '../helpers/cli-process.ts';
import type { Command } from '../../runtime/cli/command.ts';
import { nearestOption, parseCommandLine } from '../../runtime/cli/options.ts';
import { UsageError } from '../../runtime/cli/command.ts';

// The command line as a user meets it: the real `scaleout` as a child process.
const test = suite('scaleout command line: strict options, suggestions, exit codes, --help from the table');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
test.after(async () => { await killAll(); });

async function run(args: string[]): Promise<{ code: number | string; out: string }> {
  const c = spawnCli(args);
  const code = await c.exited(30_000);
  return { code, out: c.output() };
}

test('an unknown option is refused with exit 2 and the nearest known option', async () => {
  const up = await run(['up', '--bogus']);
  assert.is(up.code, 2);
  assert.match(up.out, /scaleout up: unknown option '--bogus'/);
  const ex = await run(['execute', '--retri', '2']);
  assert.is(ex.code, 2);
  assert.match(ex.out, /unknown option '--retri' \(did you mean --retry\?\)/);
  const cmd = await run(['exceute']);
  assert.is(cmd.code, 2);
  assert.match(cmd.out, /unknown command 'exceute' \(did you mean 'execute'\?\)/);
});

test('bad usage is exit 2 everywhere: missing value, value for a switch, -S without -U', async () => {
  const noValue = await run(['sql', '-Q']);
  assert.is(noValue.code, 2, noValue.out);
  assert.match(noValue.out, /-Q/);
  const switchValue = await run(['demo', '--once=yes']);
  assert.is(switchValue.code, 2, switchValue.out);
  assert.match(switchValue.out, /--once/);
  const deploy = await run(['deploy', 'examples/HelloScaleOut', '--folder', 'X', '-S', 'https://127.0.0.1:1']);
  assert.is(deploy.code, 2, deploy.out);
  assert.match(deploy.out, /with -S give a login: -U <login>/);
  const extra = await run(['up', 'stray']);
  assert.is(extra.code, 2);
  assert.match(extra.out, /unexpected argument 'stray'/);
});

test('-v and --version print the package version; failed work is exit 1', async () => {
  const version = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string }).version;
  for (const flag of ['-v', '--version']) {
    const r = await run([flag]);
    assert.is(r.code, 0);
    assert.is(r.out.trim(), `scaleout ${version}`);
  }
  const missing = await run(['validate', 'no/such/project']);
  assert.is(missing.code, 1);
});

test('every command\'s --help lists every option of the table that parses it', async () => {
  for (const name of ['up', 'demo', 'master', 'worker', 'deploy', 'execute', 'sql', 'cert', 'catalog', 'validate', 'login', 'service']) {
    let mod: { command: Command };
    try { mod = await import(`../../runtime/cli/commands/${name}.ts`) as { command: Command }; } catch { continue; }
    const { command } = mod;
    for (const o of command.options) {
      const text = o.name.length === 1 ? `-${o.name}` : `--${o.name}`;
      assert.ok(command.usage.includes(text), `${name} --help shows ${text}`);
      // …and the same table parses it: a string option takes a value, a boolean none.
      const parsed = parseCommandLine(o.type === 'string' ? [text, 'x'] : [text], command.options);
      assert.ok(parsed.has(o.name), `${name} parses ${text}`);
    }
  }
  const help = await run(['execute', '--help']);
  assert.is(help.code, 0);
  assert.match(help.out, /--retry <N>\s+retry_count/);
});

test('nearest option: typos and prefixes, nothing for unrelated words; parse errors are UsageErrors', () => {
  const table = [{ name: 'retry', type: 'string' as const, help: '' }, { name: 'wait', type: 'boolean' as const, help: '' }, { name: 'worker', type: 'string' as const, help: '' }];
  assert.is(nearestOption('--retri', table), '--retry');
  assert.is(nearestOption('--wiat', table), '--wait');
  assert.is(nearestOption('--work', table), '--worker');
  assert.is(nearestOption('--zzzzzzzz', table), undefined);
  assert.throws(() => parseCommandLine(['--wait=1'], table), (e: unknown) => e instanceof UsageError);
});

test('writing to a closed pipe ends quietly (validate … | true)', () => {
  const r = spawnSync('bash', ['-c', 'node --import tsx runtime/cli/main.ts validate examples/HelloScaleOut --warnings 2>"$ERR" | true; echo ${PIPESTATUS[0]}; cat "$ERR"'], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, ERR: `${ROOT}/.epipe-${process.pid}.err` }, timeout: 30_000,
  });
  spawnSync('rm', ['-f', `${ROOT}/.epipe-${process.pid}.err`]);
  assert.is(r.stdout.split('\n')[0], '0', r.stdout);
  assert.not.match(r.stdout, /EPIPE|Unhandled/);
});

test.run();
