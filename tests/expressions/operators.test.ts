import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nullOf, T, toSsisValue, typeToString } from '../../executor/package/expressions/index.ts';
import { evalError, run, typ, val } from '../helpers/expression-scope.ts';


const arith = suite('expression operators: arithmetic and promotion');
arith('integer arithmetic; / truncates toward zero; % keeps the dividend sign', () => {
  assert.is(val('5 + 5 * 4 + 6'), '31');
  assert.is(val('(5 + 5) * (4 + 6)'), '100');
  assert.is(val('7 / 2'), '3');
  assert.is(val('-7 / 2'), '-3');
  assert.is(val('-7 % 3'), '-1');
  assert.is(typ('7 / 2'), 'DT_I4');
});
arith('promotion: signed+unsigned widen to a signed type, long stays long, reals win', () => {
  assert.is(typ('1 + 1U'), 'DT_I8');
  assert.is(typ('1U + 1U'), 'DT_UI4');
  assert.is(typ('1 + 1L'), 'DT_I8');
  assert.is(typ('1 + 1.5E0'), 'DT_R8');
  assert.is(typ('1 + 1.5'), 'DT_NUMERIC(12,1)');
  assert.is(typ('(DT_I2)1 + (DT_UI1)1'), 'DT_I2');
  assert.is(typ('(DT_I1)1 + (DT_UI1)1'), 'DT_I2');
  assert.is(typ('(DT_I2)1 + 1.5F'), 'DT_R4');
  assert.is(typ('1 + 1.5F'), 'DT_R8');
  assert.is(typ('(DT_CY)1 + 2'), 'DT_CY');
  assert.is(typ('(DT_DECIMAL,2)1 + (DT_DECIMAL,2)1'), 'DT_NUMERIC(30,2)');
});
arith('an unsigned 8-byte integer with a signed integer needs an explicit cast', () => {
  evalError('1UL + 1', /explicit cast/);
});
arith('decimals are exact: 0.1 + 0.2 == 0.3, currency keeps four places', () => {
  assert.is(val('0.1 + 0.2'), '0.3');
  assert.is(val('0.1 + 0.2 == 0.3'), 'True');
  assert.is(val('7 / 2.0'), '3.500000');
  assert.is(val('(DT_CY)10.25 * 3'), '30.75');
  assert.is(val('(DT_CY)10 / 3'), '3.3333');
  assert.is(val('(DT_NUMERIC,10,2)12.345'), '12.35');
  assert.is(val('(DT_NUMERIC,10,2)-12.345'), '-12.35');
});
arith('reals follow IEEE arithmetic', () => {
  assert.is(val('1.5E0 * 2'), '3');
  assert.is(val('(DT_R8)1 / 3'), '0.333333333333333');
  assert.is(typ('(DT_R4)1 / (DT_R4)3'), 'DT_R4');
  assert.is(typ('(DT_R4)1 / 3'), 'DT_R8');
});
arith('divide by zero is an error for every numeric type', () => {
  evalError('1/0', /divide by zero/);
  evalError('1 % 0', /divide by zero/);
  evalError('1.5 / 0', /divide by zero/);
  evalError('(DT_R8)1 / 0', /divide by zero/);
});
arith('integer overflow on DT_I4 and DT_I8 is an error naming the type', () => {
  evalError('2147483647 + 1', /overflow.*DT_I4/);
  evalError('-2147483647 - 2', /overflow.*DT_I4/);
  evalError('65536 * 65536', /overflow.*DT_I4/);
  evalError('9223372036854775807L + 1', /overflow.*DT_I8/);
  assert.is(val('2147483647L + 1'), '2147483648');
  evalError('(DT_UI1)200 + (DT_UI1)100', /overflow.*DT_UI1/);
});
arith('unary minus, bitwise and not', () => {
  assert.is(val('-(3)'), '-3');
  assert.is(val('- -3'), '3');
  assert.is(typ('-5U'), 'DT_I8');
  assert.is(val('~0'), '-1');
  assert.is(val('~(DT_UI1)0'), '255');
  assert.is(val('12 & 10'), '8');
  assert.is(val('12 | 3'), '15');
  assert.is(val('12 ^ 10'), '6');
  evalError('1.5 & 1', /integer operands/);
  evalError('-"a"', /numeric operand/);
  evalError('~TRUE', /integer operand/);
});
arith.run();

const strings = suite('expression operators: strings');
strings('+ concatenates strings, mixing with numbers needs a cast', () => {
  assert.is(val('"abc" + "def"'), 'abcdef');
  assert.is(typ('"abc" + "de"'), 'DT_WSTR(5)');
  assert.is(val('"n=" + (DT_WSTR,10)42'), 'n=42');
  evalError('"a" + 1', /DT_WSTR\(1\) and DT_I4 are incompatible for binary operator "\+"/);
  evalError('"a" - "b"', /incompatible/);
});
strings('comparison is case-sensitive and ordinal', () => {
  assert.is(val('"abc" == "abc"'), 'True');
  assert.is(val('"abc" == "ABC"'), 'False');
  assert.is(val('"abc" != "ABC"'), 'True');
  assert.is(val('"B" < "a"'), 'True');
  assert.is(val('"abc" >= "abd"'), 'False');
  evalError('"1" == 1', /incompatible for binary operator "=="/);
});
strings.run();

const compare = suite('expression operators: comparisons and logic');
compare('numeric comparisons across types are exact', () => {
  assert.is(val('1 == 1.0'), 'True');
  assert.is(val('1L < 2U'), 'True');
  assert.is(val('2.5 > 2'), 'True');
  assert.is(val('(DT_R8)0.5 == 0.5'), 'True');
  assert.is(val('3 <= 3'), 'True');
  assert.is(val('3 >= 4'), 'False');
});
compare('dates compare as instants; DT_DBDATE widens (documented example)', () => {
  assert.is(val('(DT_DBTIMESTAMPOFFSET,3) "1999-10-11 20:34:52.123 -3:30" != (DT_DBDATE)"1999-10-12"'), 'True');
  assert.is(val('(DT_DBDATE)"2024-01-01" < (DT_DBTIMESTAMP)"2024-01-01 00:00:01"'), 'True');
  assert.is(val('(DT_DBTIMESTAMPOFFSET,0)"2024-01-01 12:00:00 +02:00" == (DT_DBTIMESTAMPOFFSET,0)"2024-01-01 10:00:00 +00:00"'), 'True');
  evalError('(DT_DBDATE)"2024-01-01" == "2024-01-01"', /incompatible/);
});
compare('Booleans compare only for equality and never with numbers', () => {
  assert.is(val('TRUE == TRUE'), 'True');
  assert.is(val('TRUE != FALSE'), 'True');
  evalError('TRUE < FALSE', /only == and !=/);
  evalError('TRUE == 1', /DT_BOOL and DT_I4 are incompatible/);
});
compare('logical operators need DT_BOOL and follow the documented NULL table', () => {
  const n = 'NULL(DT_BOOL)';
  assert.is(val('TRUE && TRUE'), 'True');
  assert.is(val('TRUE && FALSE'), 'False');
  assert.is(val(`${n} && ${n}`), 'NULL');
  assert.is(val(`${n} && TRUE`), 'NULL');
  assert.is(val(`${n} && FALSE`), 'False');
  assert.is(val(`FALSE && ${n}`), 'False');
  assert.is(val('FALSE || TRUE'), 'True');
  assert.is(val(`${n} || TRUE`), 'True');
  assert.is(val(`${n} || FALSE`), 'NULL');
  assert.is(val('!TRUE'), 'False');
  assert.is(val(`!${n}`), 'NULL');
  evalError('1 && TRUE', /DT_BOOL operands/);
  evalError('!1', /DT_BOOL operands/);
});
compare('&& and || do not evaluate a right operand the left one decides', () => {
  assert.is(val('FALSE && 1/0 == 1'), 'False');
  assert.is(val('TRUE || 1/0 == 1'), 'True');
});
compare.run();

const nulls = suite('expression operators: NULL propagation and the conditional');
nulls('any NULL operand gives a NULL of the result type', () => {
  const r = run('NULL(DT_I4) + 1');
  assert.is(r.value, null);
  assert.is(typeToString(r.type), 'DT_I4');
  assert.is(typ('NULL(DT_WSTR,3) + "ab"'), 'DT_WSTR(5)');
  assert.is(val('NULL(DT_I4) == 1'), 'NULL');
  assert.is(typ('NULL(DT_I4) * 1.5'), 'DT_NUMERIC(13,1)');
  assert.is(val('-NULL(DT_I4)'), 'NULL');
});
nulls('? : picks a branch; a NULL condition gives a NULL of the branch type', () => {
  assert.is(val('1 < 2 ? "yes" : "no"'), 'yes');
  assert.is(val('1 > 2 ? "yes" : "no"'), 'no');
  const r = run('NULL(DT_BOOL) ? 1 : 2');
  assert.is(r.value, null);
  assert.is(typeToString(r.type), 'DT_I4');
  assert.is(typ('TRUE ? 1 : 2L'), 'DT_I8');
  assert.is(typ('TRUE ? "ab" : "abcd"'), 'DT_WSTR(4)');
  assert.is(typ('TRUE ? NULL(DT_WSTR, 10) : "x"'), 'DT_WSTR(10)');
  evalError('1 ? 2 : 3', /condition of "\? :" must be DT_BOOL/);
  evalError('TRUE ? 1 : "a"', /incompatible for the conditional operator/);
});
nulls('the branch not taken may fail without failing the expression', () => {
  assert.is(val('@D != 0 ? 10 / @D : -1', { 'User::D': toSsisValue(0, 9) }), '-1');
});
nulls.run();

const vars = suite('expression operators: variables');
vars('qualified and unqualified variables; unqualified defaults to User::', () => {
  const v = { 'User::X': toSsisValue(5, 9), 'System::MachineName': toSsisValue('box', 18), '$Package::P': toSsisValue('7', 9), '$Project::Q': toSsisValue(true, 3) };
  assert.is(val('@X + @[User::X]', v), '10');
  assert.is(val('@[System::MachineName] + "!"', v), 'box!');
  assert.is(val('@[$Package::P] * 2', v), '14');
  assert.is(val('@[$Project::Q] ? "on" : "off"', v), 'on');
});
vars('resolveName maps an unqualified name to its namespace', async () => {
  const { compileExpression } = await import('../../executor/package/expressions/index.ts');
  const c = compileExpression('@Where');
  const r = c.evaluate({ getVariable: (n) => (n === 'Custom::Where' ? toSsisValue('here', 18) : undefined), resolveName: (n) => `Custom::${n}` });
  assert.is(r.value, 'here');
  assert.equal(c.references, ['Where']);
});
vars('a missing variable is an evaluation error naming it', () => {
  evalError('@[User::Nope] + 1', /"User::Nope" was not found/);
  evalError('@Missing', /"User::Missing" was not found/);
});
vars('a scope that throws is reported with the variable name', async () => {
  const { compileExpression } = await import('../../executor/package/expressions/index.ts');
  try {
    compileExpression('@[User::Bad]').evaluate({ getVariable: () => { throw new Error('locked'); } });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /User::Bad.*locked/);
  }
});
vars('columns and lineage ids are refused outside a data flow, accepted with getColumn', async () => {
  evalError('[Col] + 1', /only be evaluated inside a data flow/);
  evalError('#12', /lineage/);
  const { compileExpression } = await import('../../executor/package/expressions/index.ts');
  const r = compileExpression('[Qty] * 2').evaluate({ getVariable: () => undefined, getColumn: (n) => (n === 'Qty' ? { type: T.I4, value: 21 } : undefined) });
  assert.is(r.value, 42);
});
vars('references list each variable once in order', async () => {
  const { compileExpression } = await import('../../executor/package/expressions/index.ts');
  const c = compileExpression('@[User::A] + @[$Package::B] + @[User::A] + (DATEPART(dd, @[System::StartTime]) > 1 ? "" : [Col])');
  assert.equal(c.references, ['User::A', '$Package::B', 'System::StartTime']);
  assert.equal(c.columns, ['Col']);
});
vars('typed NULL values from the scope keep their type', () => {
  assert.is(val('ISNULL(@N) ? "null" : "set"', { 'User::N': nullOf(T.I4) }), 'null');
});
vars('a decimal times an integer keeps the decimal scale when the precision overflows 38', () => {
  assert.is(val('(DT_DECIMAL,3)12.345 * (DT_I4)2'), '24.690');
  assert.is(typ('(DT_DECIMAL,3)12.345 * (DT_I4)2'), 'DT_NUMERIC(38,3)');
});
vars.run();
