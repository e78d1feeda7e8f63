import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SsoError } from '../../actors/errors.ts';
import { ensureDataFolder } from '../../runtime/local/data-folder.ts';
import type { DataFolder } from '../../runtime/local/data-folder.ts';
import { loadMasterSettings, MASTER_SETTING_DEFS } from '../../config/master-settings.ts';
import { loadWorkerSettings, WORKER_SETTING_DEFS } from '../../config/worker-settings.ts';
import { startWorker } from '../../runtime/agent/index.ts';

// Issue 8, finding 6 (settings): a hostile or broken settings file is refused with the file and the
// line or key, never a library stack trace; a duration below a millisecond is refused naming the key
// (it used to pass and end the worker with exit code 13 after "Ready.").
const test = suite('security: hostile settings files are refused with file, line or key');
let root: string;
let data: DataFolder;
test.before(async () => { root = mkdtempSync(join(tmpdir(), 'scaleout-settings-hostile-')); data = await ensureDataFolder(join(root, 'data')); });
test.after(() => { rmSync(root, { recursive: true, force: true }); });

type Loader = (path: string) => unknown;
const loadWorker: Loader = (p) => loadWorkerSettings(p, { env: {}, writeBackAgentId: false });
const loadMaster: Loader = (p) => loadMasterSettings(p, { env: {} });
const KEYS = [...WORKER_SETTING_DEFS, ...MASTER_SETTING_DEFS].flatMap((d) => [d.key, ...(d.aliases ?? [])]);

let n = 0;
function refusal(load: Loader, text: string): SsoError | 'accepted' {
  const path = join(root, `case-${n++}.config`);
  writeFileSync(path, text);
  try {
    load(path);
    return 'accepted';
  } catch (err) {
    if (!SsoError.is(err)) throw new Error(`not an SsoError (${(err as Error)?.constructor?.name}): ${String((err as Error)?.stack ?? err).slice(0, 500)}\n--- file:\n${text.slice(0, 400)}`);
    assert.ok(err.code === 'SSO_ERR_CONFIG_INVALID' || err.code === 'SSO_ERR_CONFIG_IO', err.code);
    assert.ok(err.message.includes(path), `names the file: ${err.message}`);
    assert.ok(/\.config:\d+/.test(err.message) || KEYS.some((k) => err.message.includes(k)), `names a line or a key: ${err.message}`);
    assert.not.match(err.message, /\n\s+at |node_modules/, 'no stack trace');
    return err;
  }
}

test('a DOCTYPE with an external entity, entity expansion and 5,000 nested tags: file:line errors', () => {
  const xxe = refusal(loadWorker, `<?xml version="1.0"?>\n<!DOCTYPE WorkerSettings [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<WorkerSettings>\n  <DisplayName>&xxe;</DisplayName>\n</WorkerSettings>\n`);
  assert.ok(xxe !== 'accepted');
  assert.match(xxe.message, /case-\d+\.config:2: a <!DOCTYPE> declaration is not allowed/);
  const lol = refusal(loadMaster, `<!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n<MasterSettings><PortNumber>&c;</PortNumber></MasterSettings>`);
  assert.ok(lol !== 'accepted');
  assert.match(lol.message, /:1: a <!DOCTYPE>/);
  const deep = refusal(loadWorker, `<WorkerSettings>\n  <DisplayName>\n${'<a>'.repeat(5000)}x${'</a>'.repeat(5000)}</DisplayName>\n</WorkerSettings>`);
  assert.ok(deep !== 'accepted');
  assert.match(deep.message, /:3: elements nested more than 8 deep/);
  const deepRoot = refusal(loadMaster, `${'<MasterSettings>'.repeat(5000)}`);
  assert.ok(deepRoot !== 'accepted');
});

test('a duration below one millisecond is refused naming the key; fractions of a millisecond above one are whole milliseconds', () => {
  const worker = readFileSync(data.workerConfig, 'utf8');
  const set = (key: string, value: string) => worker.replace('</WorkerSettings>', `  <${key}>${value}</${key}>\n</WorkerSettings>`);
  for (const key of ['ExecutionLogRetryTimeout', 'LeaseInternval', 'TaskHeartbeatInterval', 'TaskLogSegment']) {
    const e = refusal(loadWorker, set(key, '00:00:00.0005'));
    assert.ok(e !== 'accepted', key);
    assert.match(e.message, new RegExp(`${key} must be a TimeSpan of at least 1 millisecond`));
  }
  const ok = loadWorkerSettings(((p) => { writeFileSync(p, set('ExecutionLogRetryTimeout', '00:00:01.0004')); return p; })(join(root, 'frac.config')), { env: {}, writeBackAgentId: false });
  assert.is(ok.settings.executionLogRetryTimeoutMs, 1000);
});

test('a worker whose journal cannot open fails to start (no "Ready." and exit 13 later)', async () => {
  const blocker = join(root, 'not-a-folder');
  writeFileSync(blocker, 'x');
  let failed: unknown;
  try {
    const w = await startWorker(data.workerConfig, { env: { SCALEOUT_WORKER_ExecutionLogCacheFolder: join(blocker, 'elog') }, logger: pino({ level: 'silent' }), noWait: true });
    await w.stop();
  } catch (err) { failed = err; }
  assert.ok(SsoError.is(failed), `startWorker rejected: ${String(failed)}`);
  assert.match((failed as SsoError).message, /not-a-folder/);
});

// ---- generated mutations of valid files ----

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

const HOSTILE_VALUES = ['', ' ', '-1', '0', '00:00:00', '00:00:00.0000001', '-00:00:01', '99999999.00:00:00', '24:00:00', '1e309', 'NaN', 'Infinity', '0x10',
  '2147483648', '-2147483649', '9'.repeat(400), 'x'.repeat(20_000), '&amp;&lt;&gt;', '&#0;', '&#xD800;', '<![CDATA[5]]>', '\u0000', '\uffff', '💥', 'C:\\Windows\\Temp',
  '\\\\server\\share', '~/x', '../../../../etc/passwd', 'https://', 'http://localhost:8391', 'https://[::1', 'ftp://x', 'zzzz', '{GUID}', '00000000-0000-0000-0000-000000000000',
  'true', 'False', '70.0.0', '1,5', 'LocalMachine;My', 'Verbose|Audit', '-7', '65536', '0.5'];

function mutate(text: string, r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const elements = [...text.matchAll(/<([A-Za-z]+)>([^<]*)<\/\1>/g)];
  switch (Math.floor(r() * 10)) {
    case 0: case 1: case 2: {                                          // a key's value replaced by a hostile one
      const m = pick(elements);
      return text.slice(0, m.index!) + `<${m[1]}>${pick(HOSTILE_VALUES)}</${m[1]}>` + text.slice(m.index! + m[0].length);
    }
    case 3: return text.slice(0, Math.floor(r() * text.length));        // truncated
    case 4: {                                                           // a key twice, or an unknown key, or a nested element
      const m = pick(elements);
      const extra = pick([m[0], `<NoSuchKey${Math.floor(r() * 9)}>1</NoSuchKey${Math.floor(r() * 9)}>`, `<${m[1]}><${m[1]}>1</${m[1]}></${m[1]}>`, `<${m[1]} attr="1"/>`, '<!-- c -->', '<?pi x?>']);
      return text.slice(0, m.index!) + extra + text.slice(m.index!);
    }
    case 5: {                                                           // bytes flipped
      const chars = text.split('');
      for (let i = 0; i < 1 + Math.floor(r() * 6); i++) chars[Math.floor(r() * chars.length)] = pick(['<', '>', '&', '"', "'", '/', '\u0000', '=', ' ', 'é']);
      return chars.join('');
    }
    case 6: return pick([`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/shadow">]>\n`, '<!ENTITY e "x">', '\ufeff\ufeff', '<?xml version="9.9"?>']) + text;
    case 7: {                                                           // tags nested deep inside a key
      const m = pick(elements);
      const d = 2 + Math.floor(r() * 6000);
      return text.slice(0, m.index!) + `<${m[1]}>${'<x>'.repeat(d)}${'</x>'.repeat(d)}</${m[1]}>` + text.slice(m.index! + m[0].length);
    }
    case 8: return text.replace(/<\/(MasterSettings|WorkerSettings)>/, pick(['', '</Other>', '</MasterSettings></WorkerSettings>']));
    default: return text.replace(/>([^<]*)</g, (all, v: string) => (r() < 0.15 ? `>${v}${pick(HOSTILE_VALUES)}<` : all));
  }
}

test('220 generated mutations of valid MasterSettings and WorkerSettings: accepted, or refused naming file and line or key', () => {
  const bases: [string, Loader][] = [[readFileSync(data.workerConfig, 'utf8'), loadWorker], [readFileSync(data.masterConfig, 'utf8'), loadMaster]];
  for (const [text, load] of bases) assert.is(refusal(load, text), 'accepted', 'the unmutated files load');
  const r = rng(20261202);
  let refused = 0;
  for (let i = 0; i < 220; i++) {
    const [text, load] = bases[i % 2]!;
    const mutated = mutate(text, r);
    if (refusal(load, mutated) !== 'accepted') refused++;
  }
  assert.ok(refused >= 120, `most mutations are refused (${refused} of 220)`);
});

test.run();
