import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { openSqliteCatalog } from '../../runtime/catalog/sqlite-catalog-store.ts';
import type { SqliteCatalogStore } from '../../runtime/catalog/sqlite-catalog-store.ts';
import { executeTsql } from '../../runtime/tsql/interpreter.ts';
import type { TsqlOutput } from '../../runtime/tsql/interpreter.ts';
import { MAX_NESTING } from '../../runtime/tsql/parser.ts';

// Issue 8, finding 6 (T-SQL): hostile texts never reach a stack trace. Deep nesting is refused as
// SQL Server refuses it (Msg 191, "nested too deeply", with its line); every generated text is
// either run or answered with numbered errors that carry a line, and the front door never throws.
const test = suite('security: hostile T-SQL is refused with SQL Server errors, never a stack trace');
let dir: string;
let store: SqliteCatalogStore;
test.before(async () => { dir = mkdtempSync(join(tmpdir(), 'scaleout-tsql-hostile-')); store = await openSqliteCatalog({ path: join(dir, 'ssisdb.sqlite') }); });
test.after(async () => { await store?.close(); rmSync(dir, { recursive: true, force: true }); });

const run = (text: string) => executeTsql(text, { store, caller: SYSTEM_PRINCIPAL });
const errors = (outs: readonly TsqlOutput[]) => outs.filter((o): o is TsqlOutput & { kind: 'error' } => o.kind === 'error');

test('SELECT ((((…1…)))) 5,000 deep: Msg 191 on its line, not a stack overflow', async () => {
  const r = await run(`PRINT 'before'\nGO\nSELECT ${'('.repeat(5000)}1${')'.repeat(5000)}`);
  const [e] = errors(r.outputs);
  assert.ok(e, JSON.stringify(r.outputs).slice(0, 300));
  assert.is(e!.number, 191);
  assert.is(e!.line, 1);
  assert.match(e!.message, /nested too deeply/);
});

test('3,000 nested IF and 3,000 nested BEGIN: Msg 191 with the line where the limit is passed', async () => {
  const ifs = Array.from({ length: 3000 }, () => 'IF 1 = 1').join('\n') + "\nPRINT 'deep'";
  const e1 = errors((await run(ifs)).outputs);
  assert.is(e1.length, 1);
  assert.is(e1[0]!.number, 191);
  assert.ok(e1[0]!.line > 100 && e1[0]!.line <= MAX_NESTING + 1, `the line where the limit is passed (${e1[0]!.line})`);
  const begins = 'BEGIN\n'.repeat(3000) + "PRINT 'x'\n" + 'END\n'.repeat(3000);
  assert.is(errors((await run(begins)).outputs)[0]?.number, 191);
});

test('long operator chains, NOT and sign chains are bounded too; a deep but allowed expression still evaluates', async () => {
  for (const text of [`SELECT ${Array(20000).fill('1').join(' + ')}`, `IF ${'NOT '.repeat(5000)}1 = 1 PRINT 'x'`, `SELECT ${'- '.repeat(5000)}1`,
    `SELECT ${'CASE WHEN 1 = 1 THEN '.repeat(3000)}1${' END'.repeat(3000)}`, `SELECT ${'ABS('.repeat(4000)}1${')'.repeat(4000)}`,
    `IF ${Array(20000).fill('1 = 1').join(' AND ')} PRINT 'x'`]) {
    const e = errors((await run(text)).outputs);
    assert.is(e[0]?.number, 191, text.slice(0, 40));
  }
  const ok = await run(`SELECT ${'('.repeat(MAX_NESTING - 5)}2${')'.repeat(MAX_NESTING - 5)} * (${Array(500).fill('1').join(' + ')}) AS v`);
  const rs = ok.outputs.find((o) => o.kind === 'resultset') as { rows: unknown[][] } | undefined;
  assert.equal(rs?.rows.map((r) => String(r[0])), ['1000']);
});

test('bigint and int overflow: Msg 8115, as SQL Server', async () => {
  const cases: [string, number | string][] = [
    ['SELECT -9223372036854775808 - 1', 8115], ['SELECT 9223372036854775807 + 1', 8115], ['SELECT 2147483647 + 1', 8115],
    ['SELECT -2147483648 - 1', 8115], ['DECLARE @b bigint = -9223372036854775808; SELECT -@b', 8115], ['DECLARE @b bigint = -9223372036854775808; SELECT @b / -1', 8115],
    ['DECLARE @i int = -2147483648; SELECT @i * -1', 8115], ['SELECT CAST(3000000000 AS int)', 8115],
    ['SELECT -9223372036854775808', '-9223372036854775808'], ['SELECT -2147483648', '-2147483648'], ['SELECT 9223372036854775807', '9223372036854775807'],
  ];
  for (const [text, want] of cases) {
    const r = await run(text);
    if (typeof want === 'number') {
      const e = errors(r.outputs)[0];
      assert.is(e?.number, want, `${text}: ${JSON.stringify(r.outputs, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 200)}`);
      assert.match(e!.message, /Arithmetic overflow error converting expression to data type (int|bigint)/);
    } else {
      const rs = r.outputs.find((o) => o.kind === 'resultset') as { rows: unknown[][] } | undefined;
      assert.is(String(rs?.rows[0]?.[0]), want, text);
    }
  }
});

// ---- generated hostile texts ----

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

function hostileTexts(count: number): string[] {
  const root = fileURLToPath(new URL('../tsql/scripts/', import.meta.url));
  const seeds = readdirSync(root).filter((f) => f.endsWith('.sql')).map((f) => readFileSync(join(root, f), 'utf8'));
  const r = rng(8);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const fragments = ["'", '"', '[', ']', '(', ')', '/*', '*/', '--', 'N\'', '@', '@@', ';', ',', 'GO', 'EXEC', 'SELECT', 'IF', 'ELSE', 'BEGIN', 'END', 'CASE', 'WHEN',
    'CAST(', 'CONVERT(', 'NULL', '0x', '1e309', '-9223372036854775808', '99999999999999999999999999999999999999', '\u0000', '\uffff', '\ud800', 'é', '💥', '\t', '\r\n',
    'DECLARE @x', 'SET @x =', 'RAISERROR(', 'THROW', 'catalog.', '[catalog].[start_execution]', 'WHERE', 'ORDER BY', 'TOP', 'LIKE', 'ESCAPE', 'BETWEEN', 'IN (', '%', '/ 0'];
  const out: string[] = [];
  while (out.length < count) {
    const base = pick(seeds);
    const kind = out.length % 6;
    if (kind === 0) out.push(base.slice(0, Math.floor(r() * base.length)));                              // truncated anywhere
    else if (kind === 1) {                                                                                 // fragments spliced in
      let t = base;
      for (let i = 0; i < 1 + Math.floor(r() * 5); i++) { const at = Math.floor(r() * t.length); t = t.slice(0, at) + pick(fragments) + t.slice(at); }
      out.push(t);
    } else if (kind === 2) {                                                                               // characters deleted
      let t = base;
      for (let i = 0; i < 1 + Math.floor(r() * 8); i++) { const at = Math.floor(r() * t.length); t = t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 4)); }
      out.push(t);
    } else if (kind === 3) out.push(Array.from({ length: 5 + Math.floor(r() * 40) }, () => pick(fragments)).join(r() < 0.5 ? ' ' : ''));   // token soup
    else if (kind === 4) {                                                                                 // deep or huge variants
      const n = 200 + Math.floor(r() * 6000);
      out.push(pick([`SELECT ${'('.repeat(n)}1${')'.repeat(n)}`, `${'IF 1=1 '.repeat(n)}PRINT 1`, `SELECT '${'x'.repeat(n * 50)}'`, `SELECT ${'('.repeat(n)}`,
        `PRINT ${"N'a' + ".repeat(n)}N'b'`, `DECLARE @v nvarchar(max) = '${"''".repeat(n)}'; SELECT @v`, `/* ${'/* '.repeat(n)}`, `SELECT [${']]'.repeat(n)}`]));
    } else out.push(base.split('\n').map((l) => (r() < 0.3 ? l.split('').reverse().join('') : l)).join('\n'));   // lines garbled
  }
  return out;
}

test('200 generated hostile texts: each is run or refused with numbered errors that carry a line; nothing throws', async () => {
  const texts = hostileTexts(200);
  let refused = 0;
  for (const [i, text] of texts.entries()) {
    let outs: readonly TsqlOutput[];
    try {
      outs = (await run(text)).outputs;
    } catch (err) {
      assert.unreachable(`text #${i} threw ${String((err as Error)?.stack ?? err).slice(0, 400)}\n--- text:\n${text.slice(0, 300)}`);
      return;
    }
    for (const e of errors(outs)) {
      refused++;
      assert.ok(Number.isInteger(e.number) && e.number > 0, `text #${i}: error without a number ${JSON.stringify(e)}`);
      // A procedure's parameter errors are at "Line 0" of that procedure, as SQL Server prints them.
      assert.ok(Number.isInteger(e.line) && (e.line >= 1 || (e.procedure !== undefined && e.line === 0)), `text #${i}: error without a line ${JSON.stringify(e)}`);
      assert.not.match(e.message, /RangeError|TypeError|Maximum call stack|\n\s+at /, `text #${i}: a stack trace leaked: ${e.message.slice(0, 200)}`);
    }
  }
  assert.ok(refused >= 100, `most hostile texts are refused (${refused} errors)`);
});

test.run();
