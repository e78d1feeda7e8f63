/**
 * The expression bridge with typed variables: `.dtsx` DataType codes are COM VARTYPEs (3 Int32,
 * 7 DateTime, 14 Decimal, 8 String) and must reach the evaluator as DT_I4, DT_DATE, DT_DECIMAL and
 * DT_WSTR; results come back as numbers, local Dates, exact decimal text and strings. Checked on a
 * variable scope directly and through property expressions in a running package.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VarScope } from '../../executor/package/variables.ts';
import { VarType } from '../../executor/package/model.ts';
import { lastAssigned, runFixture } from './run-helpers.ts';

const br = suite('expression bridge: variable types');
const dir = mkdtempSync(join(tmpdir(), 'scaleout-bridge-'));
br.after(() => rmSync(dir, { recursive: true, force: true }));

function scope(): VarScope {
  const s = new VarScope(undefined, '\\Package');
  const def = (name: string, dataType: number, value: unknown, expression = '') => s.define({
    namespace: 'User', name, dataType, value: value as never, readOnly: false, evaluateAsExpression: expression !== '', expression, raiseChangedEvent: false, id: '',
  });
  def('I', VarType.int32, 41);
  def('D', VarType.dateTime, new Date(2024, 1, 28, 13, 5, 7));
  def('M', VarType.decimal, 12.345);
  def('S', VarType.string, 'abc');
  def('I2', VarType.int32, 0, '@[User::I] + 1');
  def('D2', VarType.dateTime, null, 'DATEADD("dd", 1, @[User::D])');
  def('M2', VarType.decimal, 0, '@[User::M] + @[User::M]');
  def('S2', VarType.string, '', '@[User::S] + (DT_WSTR,10)@[User::I]');
  return s;
}

br('Int32, DateTime, Decimal and String variables read with their SSIS types', () => {
  const s = scope();
  assert.is(s.evaluate('@[User::I] / 2'), 20, 'integer division: DT_I4, not a double');
  assert.is(s.evaluate('(DT_WSTR,30)@[User::D]'), '2/28/2024 1:05:07 PM');
  assert.is(s.evaluate('DATEPART("hh", @[User::D])'), 13);
  assert.is(s.evaluate('@[User::M] + (DT_DECIMAL,3)0.005'), '12.350', 'exact decimal text, scale kept');
  assert.is(s.evaluate('LEN(@[User::S]) + 1'), 4);
  const d = s.evaluate('DATEADD("mi", 1, @[User::D])');
  assert.ok(d instanceof Date);
  assert.is((d as Date).getTime(), new Date(2024, 1, 28, 13, 6, 7).getTime());
});

br('expression variables convert their result to their own type', () => {
  const s = scope();
  assert.is(s.get('User::I2'), 42);
  const d2 = s.get('User::D2');
  assert.ok(d2 instanceof Date);
  assert.is((d2 as Date).getTime(), new Date(2024, 1, 29, 13, 5, 7).getTime());
  assert.is(s.get('User::M2'), 24.69);
  assert.is(s.get('User::S2'), 'abc41');
  assert.is(typeof s.get('User::I2'), 'number');
});

br('an Object variable holding a recordset cannot be read by an expression', () => {
  const s = scope();
  s.define({ namespace: 'User', name: 'Rows', dataType: VarType.object, value: { kind: 'recordset', columns: [], rows: [] }, readOnly: false, evaluateAsExpression: false, expression: '', raiseChangedEvent: false, id: '' });
  assert.throws(() => s.evaluate('@[User::Rows]'), /User::Rows holds an Object/);
});

br('property expressions on a connection and variables evaluated as expressions in a package', async () => {
  const run = await runFixture(['Bridge.dtsx'], 'Bridge.dtsx', { overrides: [{ propertyPath: '\\Package.Variables[User::Root].Properties[Value]', value: dir }] });
  assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
  // Decimal variables hold JS numbers: 24.690 is stored as 24.69 (the scale of the text is not kept).
  assert.ok(existsSync(join(dir, 'abc41-2024-2-29-24.69-42')), 'the folder named by the connection expression');
  // DATEADD returns DT_DBTIMESTAMP, whose text form is ISO-like (a DT_DATE variable prints M/d/yyyy).
  assert.is(lastAssigned(run, 'User::Summary'), '21|2024-02-29 13:06:07|24.000|ABC41');
});

br.run();
