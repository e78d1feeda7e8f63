import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FUNCTION_NAMES, formatSsisValue, toSsisValue, typeToString, type SsisValue } from '../../executor/package/expressions/index.ts';
import { evalError, run, typ, val } from '../helpers/expression-scope.ts';


const math = suite('expression functions: mathematical');
math('ABS keeps the type; overflow on the minimum', () => {
  assert.is(val('ABS(-1234.56)'), '1234.56');
  assert.is(val('ABS(-5)'), '5');
  assert.is(typ('ABS(-5L)'), 'DT_I8');
  assert.is(val('ABS((DT_R8)-2.5)'), '2.5');
  evalError('ABS((DT_I1)-128)', /ABS.*overflow/);
});
math('CEILING and FLOOR (documented 0.00 / -0.5 style examples)', () => {
  assert.is(val('CEILING(123.74)'), '124.00');
  assert.is(val('CEILING(-123.74)'), '-123.00');
  assert.is(val('FLOOR(123.74)'), '123.00');
  assert.is(val('FLOOR(-123.74)'), '-124.00');
  assert.is(val('FLOOR((DT_R8)-1.5)'), '-2');
  assert.is(val('CEILING(7)'), '7');
});
math('ROUND keeps the argument type: ROUND(137.1567,3) is 137.1570', () => {
  assert.is(val('ROUND(137.1567,3)'), '137.1570');
  assert.is(typ('ROUND(137.1567,3)'), 'DT_NUMERIC(7,4)');
  assert.is(val('ROUND(-2.5, 0)'), '-3.0');
  assert.is(val('ROUND((DT_R8)2.345, 2)'), '2.35');
  assert.is(val('ROUND(15, 1)'), '15');
  evalError('ROUND(1.5, -1)', /ROUND: the length must be 0 or more/);
});
math('EXP, LN, LOG, POWER, SQRT, SQUARE return DT_R8', () => {
  assert.is(val('EXP(0)'), '1');
  assert.is(val('LN(1)'), '0');
  assert.is(val('LOG(1000)'), '3');
  assert.is(val('POWER(2, 10)'), '1024');
  assert.is(val('SQRT(16)'), '4');
  assert.is(val('SQUARE(12)'), '144');
  assert.is(typ('SQRT(16)'), 'DT_R8');
  assert.is(typ('SQUARE(12)'), 'DT_R8');
  evalError('LN(0)', /LN: the argument must be greater than 0/);
  evalError('LOG(-1)', /LOG: the argument must be greater than 0/);
  evalError('SQRT(-4)', /SQRT: the argument must not be negative/);
  evalError('POWER(-8, 0.5)', /POWER: a negative number/);
  evalError('EXP(1000)', /EXP: the result is out of the range/);
  evalError('SQRT("4")', /SQRT: argument 1 must be numeric, got DT_WSTR/);
});
math('SIGN returns -1, 0 or 1', () => {
  assert.is(val('SIGN(-123.456)'), '-1');
  assert.is(val('SIGN(0)'), '0');
  assert.is(val('SIGN((DT_R8)5)'), '1');
  assert.is(typ('SIGN(5L)'), 'DT_I4');
});
math.run();

const strings = suite('expression functions: string');
strings('documented examples', () => {
  assert.is(val('TOKEN("a little white dog"," ",2)'), 'little');
  assert.is(val('TOKEN("a little white dog"," ",1)'), 'a');
  assert.is(val('TOKEN("a:little|white dog","| ,.:",4)'), 'dog');
  assert.is(val('TOKEN("a little white dog","|",1)'), 'a little white dog');
  assert.is(val('TOKEN("        a little white dog", " ", 1)'), 'a');
  assert.is(val('TOKEN("a little white dog"," ",99)'), '');
  assert.is(val('TOKENCOUNT("a little white dog"," ")'), '4');
  assert.is(val('TOKENCOUNT("", " ")'), '0');
  const path = { 'User::Path': toSsisValue('c:\\program files\\data\\myfile.txt', 18) };
  assert.is(val('TOKEN(@[User::Path], "\\\\", TOKENCOUNT(@[User::Path], "\\\\"))', path), 'myfile.txt');
  assert.is(val('FINDSTRING("New York, NY, NY","NY",1)'), '11');
  assert.is(val('FINDSTRING("New York, NY, NY","NY",3)'), '0');
  assert.is(val('FINDSTRING("Anderson","n",2)'), '8');
  assert.is(val('SUBSTRING("Mountain Bike", 1, 8)'), 'Mountain');
  assert.is(val('SUBSTRING("Mountain Bike", 10, 100)'), 'Bike');
  assert.is(val('SUBSTRING("abc", 5, 2)'), '');
  assert.is(val('HEX(400)'), '190');
  assert.is(val('HEX((DT_I2)750)'), '2EE');
  assert.is(val('HEX(-1)'), 'FFFFFFFF');
  assert.is(val('HEX((DT_I1)-1)'), 'FF');
  assert.is(val('RIGHT("Mountain Bike", 4)'), 'Bike');
  assert.is(val('RIGHT("ab", 5)'), 'ab');
  assert.is(val('LEFT("Mountain Bike", 8)'), 'Mountain');
  assert.is(val('LEN("Mountain Bike")'), '13');
  assert.is(val('LEN("  x  ")'), '5');
  assert.is(val('LOWER("Mountain BIKE")'), 'mountain bike');
  assert.is(val('UPPER("Mountain Bike")'), 'MOUNTAIN BIKE');
  assert.is(val('LTRIM("   Mountain Bike")'), 'Mountain Bike');
  assert.is(val('RTRIM("Mountain Bike   ")'), 'Mountain Bike');
  assert.is(val('TRIM("   New York   ")'), 'New York');
  assert.is(val('TRIM("\\tx ")'), '\tx');
  assert.is(val('REPLACE("Mountain Bike", "Mountain","All Terrain")'), 'All Terrain Bike');
  assert.is(val('REPLACE("a-b-c", "-", "")'), 'abc');
  assert.is(val('REPLICATE("Mountain Bike", 2)'), 'Mountain BikeMountain Bike');
  assert.is(val('REPLICATE("x", 0)'), '');
  assert.is(val('REVERSE("Mountain Bike")'), 'ekiB niatnuoM');
  assert.is(val('CODEPOINT("Adventure Works")'), '65');
  assert.is(typ('CODEPOINT("A")'), 'DT_UI2');
});
strings('NULL arguments give NULL results', () => {
  for (const f of ['LEN(NULL(DT_WSTR,5))', 'UPPER(NULL(DT_WSTR,5))', 'SUBSTRING(NULL(DT_WSTR,5),1,2)', 'FINDSTRING("a", NULL(DT_WSTR,1), 1)',
    'TOKEN(NULL(DT_WSTR,5)," ",1)', 'RIGHT("abc", NULL(DT_I4))', 'HEX(NULL(DT_I4))', 'CODEPOINT(NULL(DT_WSTR,1))', 'TRIM(NULL(DT_WSTR,2))']) {
    assert.is(val(f), 'NULL', f);
  }
});
strings('argument errors name the function and the argument', () => {
  evalError('LEN(123)', /LEN: argument 1 must be a string/);
  evalError('UPPER(TRUE)', /UPPER: argument 1 must be a string/);
  evalError('SUBSTRING("abc", "1", 2)', /SUBSTRING: argument 2 must be an integer/);
  evalError('SUBSTRING("abc", 0, 2)', /SUBSTRING: the start position must be 1 or more/);
  evalError('SUBSTRING("abc", 1, -1)', /SUBSTRING: the length must not be negative/);
  evalError('LEFT("abc", -1)', /LEFT: .*negative/);
  evalError('RIGHT("abc", -1)', /RIGHT: .*negative/);
  evalError('FINDSTRING("abc", "b", 0)', /FINDSTRING: the occurrence must be greater than 0/);
  evalError('TOKEN("abc", " ", 0)', /TOKEN: the occurrence must be greater than 0/);
  evalError('REPLACE("abc", "", "x")', /REPLACE: the search string must not be empty/);
  evalError('REPLICATE("abc", -1)', /REPLICATE: .*negative/);
  evalError('HEX(1.5)', /HEX: argument 1 must be an integer/);
});
strings.run();

const dates = suite('expression functions: date and time');
const start = { 'System::StartTime': toSsisValue('2024-03-05T14:07:09', 16) };
dates('GETDATE and GETUTCDATE use the scope clock and return DT_DBTIMESTAMP', () => {
  assert.is(val('GETDATE()'), '2024-01-15 10:30:45.123000000');
  assert.is(typ('GETDATE()'), 'DT_DBTIMESTAMP');
  const utc = new Date(Date.UTC(2024, 0, 15, 9, 30, 45, 123));
  const r = run('GETUTCDATE()');
  assert.is(typeToString(r.type), 'DT_DBTIMESTAMP');
  // The fixed clock is a local time; its UTC rendering depends on the host zone, so compare instants.
  const expected = new Date(2024, 0, 15, 10, 30, 45, 123);
  const p = (n: number) => String(n).padStart(2, '0');
  assert.is(formatSsisValue(r), `${expected.getUTCFullYear()}-${p(expected.getUTCMonth() + 1)}-${p(expected.getUTCDate())} ${p(expected.getUTCHours())}:${p(expected.getUTCMinutes())}:${p(expected.getUTCSeconds())}.123000000`);
  assert.ok(utc instanceof Date);
});
dates('YEAR, MONTH, DAY on dates and date strings return DT_I4', () => {
  assert.is(val('YEAR(@[System::StartTime])', start), '2024');
  assert.is(val('MONTH(@[System::StartTime])', start), '3');
  assert.is(val('DAY(@[System::StartTime])', start), '5');
  assert.is(val('DAY((DT_DBTIMESTAMP)"11/04/2002")'), '4');
  assert.is(val('MONTH("2002-11-04")'), '11');
  assert.is(typ('YEAR(GETDATE())'), 'DT_I4');
  assert.is(val('YEAR(NULL(DT_DBTIMESTAMP))'), 'NULL');
  evalError('YEAR(5)', /YEAR: argument 1 must be a date/);
});
dates('DATEPART with every datepart name and abbreviation', () => {
  const d = '(DT_DBTIMESTAMP)"2024-03-05 14:07:09.250"'; // a Tuesday, day 65 of a leap year
  const expect: Record<string, number> = {
    year: 2024, yy: 2024, yyyy: 2024, quarter: 1, qq: 1, q: 1, month: 3, mm: 3, m: 3,
    dayofyear: 65, dy: 65, y: 65, day: 5, dd: 5, d: 5, week: 10, wk: 10, ww: 10, weekday: 3, dw: 3,
    hour: 14, Hh: 14, minute: 7, mi: 7, n: 7, second: 9, ss: 9, s: 9, millisecond: 250, Ms: 250,
  };
  for (const [part, want] of Object.entries(expect)) assert.is(val(`DATEPART("${part}", ${d})`), String(want), part);
  assert.is(val(`DATEPART(dd, ${d})`), '5', 'unquoted datepart');
  assert.is(val('DATEPART("month", (DT_DBTIMESTAMP)"11/04/2002")'), '11');
  assert.is(val('DATEPART("dw", (DT_DBDATE)"2024-01-14")'), '1', 'Sunday is 1');
  assert.is(val('DATEPART("dw", (DT_DBDATE)"2024-01-20")'), '7', 'Saturday is 7');
  assert.is(val('DATEPART("wk", (DT_DBDATE)"2024-01-06")'), '1');
  assert.is(val('DATEPART("wk", (DT_DBDATE)"2024-01-07")'), '2');
  evalError('DATEPART("fortnight", GETDATE())', /"fortnight" is not a datepart/);
});
dates('DATEADD returns DT_DBTIMESTAMP; months clamp to the month end', () => {
  assert.is(val('DATEADD("Month", 1, (DT_DBTIMESTAMP)"8/31/2003")'), '2003-09-30 00:00:00');
  assert.is(val('DATEADD("day", -1, (DT_DBDATE)"2024-03-01")'), '2024-02-29 00:00:00');
  assert.is(val('DATEADD("yy", 1, (DT_DBDATE)"2024-02-29")'), '2025-02-28 00:00:00');
  assert.is(val('DATEADD("qq", 1, (DT_DBDATE)"2024-01-31")'), '2024-04-30 00:00:00');
  assert.is(val('DATEADD("wk", 2, (DT_DBDATE)"2024-01-01")'), '2024-01-15 00:00:00');
  assert.is(val('DATEADD("hh", 25, (DT_DBDATE)"2024-01-01")'), '2024-01-02 01:00:00');
  assert.is(val('DATEADD("mi", -30, (DT_DBTIMESTAMP)"2024-01-01 00:10:00")'), '2023-12-31 23:40:00');
  assert.is(val('DATEADD("ss", 61, (DT_DBDATE)"2024-01-01")'), '2024-01-01 00:01:01');
  assert.is(val('DATEADD("ms", 5, (DT_DBDATE)"2024-01-01")'), '2024-01-01 00:00:00.005000000');
  assert.is(typ('DATEADD("d", 1, GETDATE())'), 'DT_DBTIMESTAMP');
  assert.is(val('DATEADD("d", NULL(DT_I4), GETDATE())'), 'NULL');
  evalError('DATEADD("yy", 9000, (DT_DBDATE)"2024-01-01")', /DATEADD: .*date range/);
});
dates('DATEDIFF counts boundaries crossed', () => {
  assert.is(val('DATEDIFF("dd", (DT_DBTIMESTAMP)"8/1/2003", (DT_DBTIMESTAMP)"8/8/2003")'), '7');
  assert.is(val('DATEDIFF("yy", (DT_DBDATE)"2023-12-31", (DT_DBDATE)"2024-01-01")'), '1');
  assert.is(val('DATEDIFF("mm", (DT_DBDATE)"2024-01-31", (DT_DBDATE)"2024-02-01")'), '1');
  assert.is(val('DATEDIFF("qq", (DT_DBDATE)"2024-03-31", (DT_DBDATE)"2024-04-01")'), '1');
  assert.is(val('DATEDIFF("wk", (DT_DBDATE)"2024-01-06", (DT_DBDATE)"2024-01-07")'), '1');
  assert.is(val('DATEDIFF("wk", (DT_DBDATE)"2024-01-07", (DT_DBDATE)"2024-01-13")'), '0');
  assert.is(val('DATEDIFF("hh", (DT_DBTIMESTAMP)"2024-01-01 10:59:59", (DT_DBTIMESTAMP)"2024-01-01 11:00:00")'), '1');
  assert.is(val('DATEDIFF("mi", (DT_DBTIMESTAMP)"2024-01-01 10:00:00", (DT_DBTIMESTAMP)"2024-01-01 09:30:00")'), '-30');
  assert.is(val('DATEDIFF("ss", (DT_DBDATE)"2024-01-01", (DT_DBDATE)"2024-01-02")'), '86400');
  assert.is(val('DATEDIFF("ms", (DT_DBTIMESTAMP)"2024-01-01 00:00:00.100", (DT_DBTIMESTAMP)"2024-01-01 00:00:01")'), '900');
  evalError('DATEDIFF("ms", (DT_DBDATE)"1900-01-01", (DT_DBDATE)"2024-01-01")', /DATEDIFF: .*does not fit DT_I4/);
});
dates.run();

const nulls = suite('expression functions: NULL functions and coverage');
nulls('ISNULL, NULL(type) and REPLACENULL', () => {
  assert.is(val('ISNULL(NULL(DT_I4))'), 'True');
  assert.is(val('ISNULL(5)'), 'False');
  assert.is(typ('NULL(DT_STR,10,1252)'), 'DT_STR(10,1252)');
  assert.is(typ('NULL(DT_DBTIMESTAMP2,3)'), 'DT_DBTIMESTAMP2(3)');
  assert.is(val('REPLACENULL(NULL(DT_I4), 0)'), '0');
  assert.is(val('REPLACENULL(7, 0)'), '7');
  assert.is(typ('REPLACENULL(NULL(DT_I4), 0L)'), 'DT_I8');
  assert.is(val('REPLACENULL(NULL(DT_WSTR,5), "none")'), 'none');
  const v = { 'User::M': { type: { name: 'DT_WSTR', length: 4 }, value: null } as SsisValue };
  assert.is(val('REPLACENULL(@[User::M], "Unknown")', v), 'Unknown');
});
nulls('every documented function is implemented', () => {
  const documented = ['ABS', 'CEILING', 'EXP', 'FLOOR', 'LN', 'LOG', 'POWER', 'ROUND', 'SIGN', 'SQUARE', 'SQRT', 'CODEPOINT',
    'FINDSTRING', 'HEX', 'LEFT', 'LEN', 'LOWER', 'LTRIM', 'REPLACE', 'REPLICATE', 'REVERSE', 'RIGHT', 'RTRIM', 'SUBSTRING',
    'TOKEN', 'TOKENCOUNT', 'TRIM', 'UPPER', 'DATEADD', 'DATEDIFF', 'DATEPART', 'DAY', 'GETDATE', 'GETUTCDATE', 'MONTH',
    'YEAR', 'ISNULL', 'REPLACENULL'];
  for (const f of documented) assert.ok(FUNCTION_NAMES.includes(f), f);
});
nulls.run();
