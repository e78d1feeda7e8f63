import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  T, compileExpression, evaluateAs, formatSsisValue, fromSsisValue, toSsisValue, typeForVarType, typeToString, TypeCode,
} from '../../executor/package/expressions/index.ts';
import { jsToSsisValue } from '../../executor/package/expressions/values.ts';
import { evalError, mapScope, run, typ, val } from '../helpers/expression-scope.ts';


const casts = suite('expression casts');
casts('documented cast examples', () => {
  assert.is(val('(DT_I4) 3.57'), '4');
  assert.is(val('(DT_STR,1,1252)5'), '5');
  assert.is(typ('(DT_STR,1,1252)5'), 'DT_STR(1,1252)');
  assert.is(val('(DT_WSTR,3)"Cat"'), 'Cat');
  assert.is(val('(DT_DECIMAl,2)500'), '500');
  assert.is(typ('(DT_DECIMAL,2)500'), 'DT_DECIMAL(2)');
  assert.is(val('(DT_NUMERIC,7,3)4000'), '4000.000');
  assert.is(val('(DT_BOOL)"True"'), 'True');
  assert.is(val('(DT_DBDATE) "1999-10-11"'), '1999-10-11');
  assert.is(val('(DT_DBTIME2, 5) "16:34:52.12345"'), '16:34:52.12345');
  assert.is(val('(DT_DBTIMESTAMP2, 4) "1999-10-11 16:34:52.1234"'), '1999-10-11 16:34:52.1234');
  assert.is(val('(DT_DBTIMESTAMPOFFSET, 7) "1999-10-11 16:34:52.1234567 + 5:35"'), '1999-10-11 16:34:52.1234567 +05:35');
});
casts('strings: truncation is an error; DT_STR counts bytes of its code page', () => {
  evalError('(DT_WSTR,3)"abcd"', /does not fit DT_WSTR\(3\).*truncation/);
  evalError('(DT_STR,3,1252)"abcd"', /does not fit DT_STR\(3,1252\)/);
  evalError('(DT_STR,3,65001)"äbc"', /4 bytes/);
  assert.is(val('(DT_WSTR,10)TRUE'), 'True');
  assert.is(val('(DT_WSTR,10)-12'), '-12');
  assert.is(val('(DT_WSTR,10)1.50'), '1.50');
  assert.is(val('(DT_WSTR,10)(DT_CY)1.50'), '1.5');
  assert.is(val('(DT_WSTR,25)((DT_R8)1/3)'), '0.333333333333333');
  assert.is(val('(DT_WSTR,25)1E20'), '1E+20');
  assert.is(val('(DT_WSTR,25)(DT_R4)0.1'), '0.1');
  assert.is(val('(DT_WSTR,40)(DT_GUID)"6f9619ff-8b86-d011-b42d-00c04fc964ff"'), '{6F9619FF-8B86-D011-B42D-00C04FC964FF}');
  assert.is(val('(DT_NTEXT)"long" + "er"'), 'longer');
});
casts('integers: range checks, rounding half away from zero, string parsing', () => {
  assert.is(val('(DT_I4)2.5'), '3');
  assert.is(val('(DT_I4)-2.5'), '-3');
  assert.is(val('(DT_I4)" 42 "'), '42');
  assert.is(val('(DT_I8)"9223372036854775807"'), '9223372036854775807');
  assert.is(val('(DT_UI1)255'), '255');
  assert.is(val('(DT_I4)TRUE'), '-1');
  assert.is(val('(DT_I4)FALSE'), '0');
  evalError('(DT_I4)"abc"', /conversion of 'abc' \(DT_WSTR\(3\)\) to DT_I4 failed/);
  evalError('(DT_UI1)256', /to DT_UI1 failed.*overflow/);
  evalError('(DT_I1)-129', /to DT_I1 failed/);
  evalError('(DT_I4)(DT_R8)1E300', /to DT_I4 failed/);
});
casts('reals, decimals, currency and Booleans', () => {
  assert.is(val('(DT_R8)"1.5e3"'), '1500');
  assert.is(val('(DT_R4)1.1 == (DT_R4)1.1'), 'True');
  assert.is(val('(DT_NUMERIC,5,2)"123.456"'), '123.46');
  evalError('(DT_NUMERIC,4,2)"123.4"', /does not fit the precision/);
  assert.is(val('(DT_CY)"922337203685477.5807"'), '922337203685477.5807');
  evalError('(DT_CY)"922337203685477.5808"', /to DT_CY failed/);
  assert.is(val('(DT_BOOL)0'), 'False');
  assert.is(val('(DT_BOOL)-3'), 'True');
  assert.is(val('(DT_BOOL)"false"'), 'False');
  assert.is(val('(DT_BOOL)"1"'), 'True');
  evalError('(DT_BOOL)"maybe"', /to DT_BOOL failed/);
});
casts('dates: accepted text formats and conversions between date types', () => {
  assert.is(val('(DT_DBTIMESTAMP)"2024-01-15 10:30:45.123"'), '2024-01-15 10:30:45.123000000');
  assert.is(val('(DT_DBTIMESTAMP)"2024-01-15T10:30:45"'), '2024-01-15 10:30:45');
  assert.is(val('(DT_DBTIMESTAMP)"01/15/2024 2:05:00 PM"'), '2024-01-15 14:05:00');
  assert.is(val('(DT_DBTIMESTAMP)"20240115"'), '2024-01-15 00:00:00');
  assert.is(val('(DT_DBTIMESTAMP)"2024/01/15"'), '2024-01-15 00:00:00');
  assert.is(val('(DT_DATE)"2024-01-15 13:00:00"'), '1/15/2024 1:00:00 PM');
  assert.is(val('(DT_DATE)"2024-01-15"'), '1/15/2024');
  assert.is(val('(DT_DBDATE)(DT_DBTIMESTAMP)"2024-01-15 10:30:45"'), '2024-01-15');
  assert.is(val('(DT_DBTIME)(DT_DBTIMESTAMP)"2024-01-15 10:30:45.5"'), '10:30:45');
  assert.is(val('(DT_DBTIMESTAMP2,7)"2024-01-15 10:30:45.1234567"'), '2024-01-15 10:30:45.1234567');
  assert.is(val('(DT_DBTIMESTAMP)(DT_DBTIMESTAMP2,7)"2024-01-15 10:30:45.1234567"'), '2024-01-15 10:30:45.123000000');
  assert.is(val('(DT_DBTIMESTAMPOFFSET,0)(DT_DBDATE)"2024-01-15"'), '2024-01-15 00:00:00 +00:00');
  assert.is(val('(DT_R8)(DT_DATE)"1900-01-01"'), '2');
  assert.is(val('(DT_DATE)2.5'), '1/1/1900 12:00:00 PM');
  evalError('(DT_DBDATE)"2024-02-30"', /to DT_DBDATE failed/);
  evalError('(DT_DBTIMESTAMP)"yesterday"', /recognised format/);
  evalError('(DT_DBDATE)5', /cast from DT_I4 to DT_DBDATE is not supported/);
  evalError('(DT_I4)(DT_DBDATE)"2024-01-01"', /not supported/);
});
casts('GUID and binary', () => {
  evalError('(DT_GUID)"not-a-guid"', /to DT_GUID failed/);
  assert.is(val('(DT_BYTES,4)"ab"'), '61006200');
  evalError('(DT_BYTES,2)"ab"', /does not fit DT_BYTES\(2\)/);
  assert.is(val('(DT_BYTES,16)(DT_GUID)"{00112233-4455-6677-8899-AABBCCDDEEFF}"'), '33221100554477668899AABBCCDDEEFF');
  evalError('(DT_GUID)5', /not supported/);
});
casts('a cast of NULL is a NULL of the target type', () => {
  const r = run('(DT_WSTR,5)NULL(DT_I4)');
  assert.is(r.value, null);
  assert.is(typeToString(r.type), 'DT_WSTR(5)');
});
casts.run();

const values = suite('expression values: variables in and out, evaluateAs');
values('TypeCode mapping of variables and parameters', () => {
  assert.equal(toSsisValue('True', TypeCode.Boolean), { type: T.BOOL, value: true });
  assert.equal(toSsisValue('-1', TypeCode.Boolean).value, true);
  assert.equal(toSsisValue(42, TypeCode.Int32), { type: T.I4, value: 42 });
  assert.equal(toSsisValue('42', TypeCode.Int64), { type: T.I8, value: 42n });
  assert.equal(toSsisValue(7n, TypeCode.UInt64), { type: T.UI8, value: 7n });
  assert.equal(toSsisValue('12.50', TypeCode.Decimal), { type: T.decimal(2), value: { unscaled: 1250n, scale: 2 } });
  assert.is(typeToString(toSsisValue('abc', TypeCode.String).type), 'DT_WSTR(3)');
  assert.is(typeToString(toSsisValue('x', TypeCode.Char).type), 'DT_UI2');
  assert.is(typeToString(toSsisValue(1.5, TypeCode.Single).type), 'DT_R4');
  assert.is(formatSsisValue(toSsisValue('2025-12-06T00:00:00', TypeCode.DateTime)), '12/6/2025');
  assert.is(formatSsisValue(toSsisValue("01-01-1899 12:00:00 AM", TypeCode.DateTime)), '1/1/1899');
  assert.is(formatSsisValue(toSsisValue(new Date(2024, 0, 15, 10, 30, 45), TypeCode.DateTime)), '1/15/2024 10:30:45 AM');
  assert.is(toSsisValue(null, TypeCode.Int32).value, null);
  assert.is(toSsisValue(undefined, TypeCode.DBNull).type.name, 'DT_NULL');
});
values('bad variable values and Object variables are clear errors', () => {
  assert.throws(() => toSsisValue('abc', TypeCode.Int32, 'variable User::N'), (e: Error) => /variable User::N.*DT_I4/.test(e.message) && (e as unknown as { code: string }).code === 'SSO_ERR_EXPRESSION_EVAL');
  assert.throws(() => toSsisValue({} as never, TypeCode.Object, 'variable User::Rs'), /User::Rs has data type Object/);
  assert.throws(() => toSsisValue('3000000000', TypeCode.Int32), /DT_I4/);
});
values('.dtsx VARTYPE codes map to expression types', () => {
  assert.is(typeForVarType(3)?.name, 'DT_I4');
  assert.is(typeForVarType(8)?.name, 'DT_WSTR');
  assert.is(typeForVarType(11)?.name, 'DT_BOOL');
  assert.is(typeForVarType(7)?.name, 'DT_DATE');
  assert.is(typeForVarType(6)?.name, 'DT_CY');
  assert.is(typeForVarType(13), undefined);
  assert.equal(jsToSsisValue('-1', typeForVarType(11)!).value, true);
  assert.equal(jsToSsisValue('10000.00', typeForVarType(6)!).value, { unscaled: 100000000n, scale: 4 });
});
values('fromSsisValue gives JS natives', () => {
  assert.is(fromSsisValue(run('1 + 1')), 2);
  assert.is(fromSsisValue(run('1L + 1')), 2n);
  assert.is(fromSsisValue(run('(DT_CY)1.5')), '1.5');
  assert.is(fromSsisValue(run('1.50 + 0')), '1.50');
  assert.is(fromSsisValue(run('NULL(DT_I4)')), null);
  assert.is(fromSsisValue(run('"a"')), 'a');
  const d = fromSsisValue(run('GETDATE()')) as Date;
  assert.is(d.getTime(), new Date(2024, 0, 15, 10, 30, 45, 123).getTime());
  const o = fromSsisValue(run('(DT_DBTIMESTAMPOFFSET,0)"2024-01-01 12:00:00 +02:00"')) as Date;
  assert.is(o.toISOString(), '2024-01-01T10:00:00.000Z');
});
values('evaluateAs converts to the property type', () => {
  const scope = mapScope({ 'User::N': toSsisValue(7, TypeCode.Int32) });
  assert.equal(evaluateAs(compileExpression('@N + 1'), scope, T.wstr(0)), { type: T.wstr(1), value: '8' });
  assert.equal(evaluateAs(compileExpression('"12"'), scope, T.I4), { type: T.I4, value: 12 });
  assert.equal(evaluateAs(compileExpression('@N > 1'), scope, T.BOOL), { type: T.BOOL, value: true });
  assert.throws(() => evaluateAs(compileExpression('@N'), scope, T.BOOL), /DT_BOOL is required/);
  assert.throws(() => evaluateAs(compileExpression('"abcdef"'), scope, T.wstr(3)), /truncation/);
  assert.is(evaluateAs(compileExpression('NULL(DT_WSTR,3)'), scope, T.I4).value, null);
});
values.run();
