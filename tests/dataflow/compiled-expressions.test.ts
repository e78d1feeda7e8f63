/**
 * Compiled column expressions (`dataflow/compiled-expressions.ts`) against the general evaluator:
 * for every expression and every row of a table with NULLs, empty strings, extreme integers,
 * zeros, negative numbers and long text, the compiled closure either gives exactly the general
 * evaluator's value (after the Derived Column's conversion to the column type) or returns FALLBACK,
 * and it must return FALLBACK wherever the general evaluator fails (overflow, divide by zero,
 * truncation, bad SUBSTRING arguments). Expressions outside the covered forms must not compile.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compileExpression, evaluateAs } from '../../executor/package/expressions/evaluate.ts';
import { T, typeToString } from '../../executor/package/expressions/types.ts';
import type { SsisType } from '../../executor/package/expressions/types.ts';
import { FALLBACK, compileColumnExpression, compileConversion } from '../../executor/package/dataflow/compiled-expressions.ts';
import type { Cell } from '../../executor/package/dataflow/types.ts';

const test = suite('data flow: compiled column expressions match the general evaluator');

const columns: Record<string, { slot: number; type: SsisType }> = {
  Name: { slot: 0, type: T.wstr(10) }, Code: { slot: 1, type: T.str(4, 1252) }, Id: { slot: 2, type: T.I4 }, Small: { slot: 3, type: T.I2 },
  Amount: { slot: 4, type: T.R8 }, Ratio: { slot: 5, type: T.R4 }, Flag: { slot: 6, type: T.BOOL }, Count: { slot: 7, type: T.UI4 }, Big: { slot: 8, type: T.I8 },
  Utf: { slot: 9, type: T.str(6, 65001) },
};
const rows: Cell[][] = [
  ['alice', 'FR', 1, 2, 500, 0.5, true, 3, 10n, 'abc'],
  [null, null, null, null, null, null, null, null, null, null],
  ['', '', 0, 0, 0, 0, false, 0, 0n, ''],
  ['  Bob Smith', 'DE  ', 2147483647, 32767, -499.99, -1.25, false, 4294967295, -1n, 'éé'],
  ['ÉLODIE', 'US', -2147483648, -32768, 1e300, 3.4e38, true, 1, 1n, 'ééé'],
  ['x', 'JP', -7, 3, 499.999, 16777217, null, 2, 5n, 'ab'],
];

const typed: [string, SsisType][] = [
  ['UPPER(Name) + "-" + Code', T.wstr(60)],
  ['UPPER(Name) + "-" + Code', T.wstr(6)],
  ['LOWER(Name) + Code', T.str(8, 1252)],
  ['TRIM(Name)', T.wstr(10)], ['LTRIM(Name) + "|"', T.wstr(20)], ['RTRIM(Code) + "|"', T.wstr(20)],
  ['LEN(Name)', T.I4], ['LEN(Name) + Id', T.I4], ['LEN(Name)', T.R8],
  ['SUBSTRING(Name, 2, 3)', T.wstr(3)], ['SUBSTRING(Name, Small, 2)', T.wstr(5)], ['LEFT(Name, 2)', T.wstr(2)], ['RIGHT(Name, Small)', T.wstr(10)],
  ['REPLACE(Name, "l", "LL")', T.wstr(20)], ['REPLACE(Name, Code, "_")', T.wstr(20)],
  ['Id + 1', T.I4], ['Id - 1', T.I4], ['Id * 2', T.I4], ['Id / Small', T.I4], ['Id % Small', T.I4], ['-Id', T.I4], ['-Small', T.I4],
  ['Small * Small', T.I2], ['Amount * 2', T.R8], ['Amount / Id', T.R8], ['Ratio * 2', T.R4], ['Ratio + Small', T.R4], ['Amount + Ratio', T.R8],
  ['Amount', T.I4], ['Id', T.R8], ['Id', T.I2], ['Amount', T.R4], ['-Amount', T.R8],
  ['(DT_WSTR, 12) Id', T.wstr(12)], ['(DT_WSTR, 3) Id', T.wstr(3)], ['(DT_I4) Amount', T.I4], ['(DT_R8) Name', T.R8], ['(DT_I2) Id', T.I2], ['(DT_STR, 4, 1252) Name', T.wstr(10)],
  ['(DT_WSTR, 5) Utf', T.str(6, 65001)], ['Utf + "é"', T.str(6, 65001)],
  ['Flag ? Name : Code', T.wstr(10)], ['Id > 0 ? Id : -Id', T.I4], ['ISNULL(Name) ? "none" : Name', T.wstr(10)],
  ['ISNULL(Id)', T.BOOL], ['Flag', T.BOOL], ['!Flag', T.BOOL],
];
const conditions = [
  'Amount >= 500', 'Amount >= 500.5', 'Amount < 0', 'Id == Small', 'Id != Count', 'Ratio > Id', 'Count > Id', 'Name == "alice"', 'Name < Code', 'Code >= "DE"',
  'Flag == TRUE', 'Flag != Flag', 'Flag && Amount > 0', 'Flag || Amount > 0', '!(Amount > 0) && Flag', 'ISNULL(Name) || LEN(Name) > 3',
  'Amount / Id > 1', 'Id + 1 > 0', 'SUBSTRING(Name, 1, 1) == "a"', 'Flag ? Id > 0 : Amount > 0', 'UPPER(Name) == Name',
];

function general(text: string, row: Cell[], type?: SsisType): { ok: true; value: Cell; type: string } | { ok: false } {
  const compiled = compileExpression(text);
  const scope = {
    getVariable: () => undefined,
    getColumn: (name: string) => { const c = columns[name]; return c ? { type: c.type, value: row[c.slot] as Cell } : undefined; },
  };
  try {
    const v = type ? evaluateAs(compiled, scope, type) : compiled.evaluate(scope);
    return { ok: true, value: v.value, type: typeToString(v.type) };
  } catch { return { ok: false }; }
}

const same = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? Object.is(a + 0, b + 0) || (Number.isNaN(a) && Number.isNaN(b)) : a === b);

test('Derived Column expressions: same value as evaluateAs, or FALLBACK exactly where it fails', () => {
  let fastRows = 0;
  for (const [text, type] of typed) {
    const node = compileColumnExpression(compileExpression(text).ast, (n) => columns[n]);
    assert.ok(node, `compiles: ${text}`);
    const conv = compileConversion(node!, type);
    assert.ok(conv, `conversion compiles: ${text} → ${typeToString(type)}`);
    for (const [r, row] of rows.entries()) {
      const want = general(text, row, type);
      const got = conv!(row);
      if (!want.ok) { assert.is(got, FALLBACK, `${text} → ${typeToString(type)}, row ${r}: the general evaluator fails, so the compiled form must fall back`); continue; }
      if (got === FALLBACK) continue;
      fastRows++;
      assert.ok(same(got, want.value), `${text} → ${typeToString(type)}, row ${r}: compiled ${String(got)}, general ${String(want.value)}`);
    }
  }
  assert.ok(fastRows > typed.length * 3, `most rows are decided by the compiled closures (${fastRows})`);
});

test('Conditional Split conditions: TRUE, FALSE and NULL as the general evaluator gives them', () => {
  for (const text of conditions) {
    const node = compileColumnExpression(compileExpression(text).ast, (n) => columns[n]);
    assert.ok(node, `compiles: ${text}`);
    assert.is(node!.kind, 'bool', text);
    for (const [r, row] of rows.entries()) {
      const want = general(text, row);
      const got = node!.fn(row);
      if (!want.ok) { assert.is(got, FALLBACK, `${text}, row ${r}`); continue; }
      if (got === FALLBACK) continue;
      assert.is(want.type, 'DT_BOOL', text);
      assert.is(got, want.value, `${text}, row ${r}`);
    }
  }
});

test('forms outside the compiled set are left to the general evaluator', () => {
  for (const text of ['Big + 1', '@[User::X] + Id', 'GETDATE()', 'Id + 1.5', '(DT_NUMERIC, 10, 2) Amount', 'Name + Id', 'DATEPART("yy", GETDATE()) > 0', 'NULL(DT_I4)', 'Count * -1 > 0', 'Id + Count']) {
    const node = compileColumnExpression(compileExpression(text).ast, (n) => columns[n]);
    assert.is(node, undefined, text);
  }
  // A conversion the compiled set does not cover: a string result into a date column.
  const node = compileColumnExpression(compileExpression('Name').ast, (n) => columns[n])!;
  assert.is(compileConversion(node, T.DBTIMESTAMP), undefined);
});

test.run();
