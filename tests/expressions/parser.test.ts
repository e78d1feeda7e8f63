import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseExpression, compileExpression, typeToString, type ExpressionAst } from '../../executor/package/expressions/index.ts';

/** Prints an AST as a fully parenthesised string, to check precedence and associativity. */
function show(n: ExpressionAst): string {
  switch (n.kind) {
    case 'literal': return n.text;
    case 'variable': return `@${n.namespace ? `${n.namespace}::` : ''}${n.name}`;
    case 'column': return `[${n.name}]`;
    case 'lineage': return `#${n.id}`;
    case 'unary': return `(${n.op}${show(n.operand)})`;
    case 'cast': return `((${typeToString(n.target)})${show(n.operand)})`;
    case 'binary': return `(${show(n.left)} ${n.op} ${show(n.right)})`;
    case 'conditional': return `(${show(n.test)} ? ${show(n.whenTrue)} : ${show(n.whenFalse)})`;
    case 'call': return `${n.name}(${n.args.map(show).join(', ')})`;
    case 'null': return `NULL(${typeToString(n.type)})`;
  }
}
const p = (t: string): string => show(parseExpression(t));

function syntaxError(text: string): { position: number; token: string; message: string; where: string } {
  try {
    compileExpression(text);
  } catch (e) {
    const err = e as { code: string; position: number; token: string; message: string; where: string };
    assert.is(err.code, 'SSO_ERR_EXPRESSION_SYNTAX', `code for ${text}`);
    return err;
  }
  throw new Error(`expected a syntax error for ${text}`);
}

const precedence = suite('expression parser: precedence and associativity');
precedence('multiplicative binds tighter than additive (documented (5+5)*(4+6) vs 5+5*4+6)', () => {
  assert.is(p('5 + 5 * 4 + 6'), '((5 + (5 * 4)) + 6)');
  assert.is(p('(5 + 5) * (4 + 6)'), '((5 + 5) * (4 + 6))');
});
precedence('full ladder: relational < equality < & < ^ < | < && < ||', () => {
  assert.is(p('1 < 2 == 3 > 4'), '((1 < 2) == (3 > 4))');
  assert.is(p('1 & 2 ^ 3 | 4'), '(((1 & 2) ^ 3) | 4)');
  assert.is(p('a || b && c'), '([a] || ([b] && [c]))');
  assert.is(p('1 == 2 & 3'), '((1 == 2) & 3)');
  assert.is(p('1 | 2 && 3'), '((1 | 2) && 3)');
});
precedence('binary operators associate left to right', () => {
  assert.is(p('10 - 4 - 3'), '((10 - 4) - 3)');
  assert.is(p('100 / 10 / 5'), '((100 / 10) / 5)');
  assert.is(p('7 % 4 * 2'), '((7 % 4) * 2)');
});
precedence('conditional is lowest and right associative', () => {
  assert.is(p('a ? 1 : b ? 2 : 3'), '([a] ? 1 : ([b] ? 2 : 3))');
  assert.is(p('x == 1 || y ? "a" + "b" : "c"'), '((([x] == 1) || [y]) ? ("a" + "b") : "c")');
});
precedence('unary operators and casts bind tighter than binary ones', () => {
  assert.is(p('-1 + 2'), '((-1) + 2)');
  assert.is(p('!a && b'), '((![a]) && [b])');
  assert.is(p('~1 & 3'), '((~1) & 3)');
  assert.is(p('(DT_I4)1.5 + 2'), '(((DT_I4)1.5) + 2)');
  assert.is(p('(DT_STR, 2, 1252) MONTH(@[System::StartTime])'), '((DT_STR(2,1252))MONTH(@System::StartTime))');
  assert.is(p('- - 1'), '(-(-1))');
  assert.is(p('(DT_WSTR,10)(DT_I4)"5"'), '((DT_WSTR(10))((DT_I4)"5"))');
});
precedence.run();

const forms = suite('expression parser: operands');
forms('variables in every documented form', () => {
  assert.is(p('@X'), '@X');
  assert.is(p('@[X]'), '@X');
  assert.is(p('@[User::X]'), '@User::X');
  assert.is(p('@[System::StartTime]'), '@System::StartTime');
  assert.is(p('@[$Package::P]'), '@$Package::P');
  assert.is(p('@[$Project::Conn String]'), '@$Project::Conn String');
  assert.is(p('@User::X'), '@User::X');
});
forms('columns, qualified columns and lineage ids parse', () => {
  assert.is(p('[Col A] + Col2'), '([Col A] + [Col2])');
  assert.is(p('[Src].[Col]'), '[Src.Col]');
  assert.is(p('#123'), '#123');
});
forms('function names, TRUE/FALSE and NULL(...) are case-insensitive', () => {
  assert.is(p('upper("a")'), 'UPPER("a")');
  assert.is(p('true || False'), '(true || False)');
  assert.is(p('null(dt_wstr, 5)'), 'NULL(DT_WSTR(5))');
  assert.is(p('NULL(DT_NUMERIC,10,2)'), 'NULL(DT_NUMERIC(10,2))');
  assert.is(p('GETDATE()'), 'GETDATE()');
});
forms('every parameterised cast form', () => {
  assert.is(p('(DT_STR,30,1252)1'), '((DT_STR(30,1252))1)');
  assert.is(p('(DT_NUMERIC,7,3)1'), '((DT_NUMERIC(7,3))1)');
  assert.is(p('(DT_DECIMAl,2)500'), '((DT_DECIMAL(2))500)');
  assert.is(p('(DT_BYTES,50)"a"'), '((DT_BYTES(50))"a")');
  assert.is(p('(DT_TEXT,1252)"a"'), '((DT_TEXT(1252))"a")');
  assert.is(p('(DT_DBTIME2, 5) "16:34:52.12345"'), '((DT_DBTIME2(5))"16:34:52.12345")');
  assert.is(p('(DT_DBTIMESTAMP2,4)"x"'), '((DT_DBTIMESTAMP2(4))"x")');
  assert.is(p('(DT_DBTIMESTAMPOFFSET,7)"x"'), '((DT_DBTIMESTAMPOFFSET(7))"x")');
  assert.is(p('(DT_GUID)"x"'), '((DT_GUID)"x")');
});
forms('a parenthesised column named like a type is not a cast unless followed by , or )', () => {
  assert.is(p('(a) + 1'), '([a] + 1)');
});
forms.run();

const literals = suite('expression parser: literal types (Literals (SSIS))');
const lit = (t: string): string => {
  const n = parseExpression(t);
  assert.is(n.kind, 'literal');
  return typeToString((n as Extract<ExpressionAst, { kind: 'literal' }>).value.type);
};
const litValue = (t: string): unknown => (parseExpression(t) as Extract<ExpressionAst, { kind: 'literal' }>).value.value;
literals('integers: none → DT_I4, U → DT_UI4, L → DT_I8, UL/LU → DT_UI8', () => {
  assert.is(lit('457'), 'DT_I4');
  assert.is(lit('785u'), 'DT_UI4');
  assert.is(lit('986L'), 'DT_I8');
  assert.is(lit('7945ul'), 'DT_UI8');
  assert.is(lit('7945LU'), 'DT_UI8');
  assert.is(litValue('986L'), 986n);
});
literals('reals: exponent → DT_R8 (F → DT_R4), decimal point → exact DT_NUMERIC', () => {
  assert.is(lit('4E8l'), 'DT_R8');
  assert.is(lit('13e-2f'), 'DT_R4');
  assert.is(lit('6.45E3f'), 'DT_R4');
  assert.is(lit('.89E-2l'), 'DT_R8');
  assert.is(lit('1.05E+7F'), 'DT_R4');
  assert.is(lit('1.E-4f'), 'DT_R4');
  assert.is(lit('.9'), 'DT_NUMERIC(1,1)');
  assert.is(lit('5.8'), 'DT_NUMERIC(2,1)');
  assert.is(lit('0.346'), 'DT_NUMERIC(3,3)');
  assert.is(lit('6.'), 'DT_NUMERIC(1,0)');
  assert.is(lit('137.1567'), 'DT_NUMERIC(7,4)');
  assert.is(lit('2.5L'), 'DT_R8');
  assert.equal(litValue('137.1567'), { unscaled: 1371567n, scale: 4 });
});
literals('hexadecimal literals', () => {
  assert.is(litValue('0xFF0A'), 0xFF0A);
  assert.is(lit('0X000010000U'), 'DT_UI4');
});
literals('strings become DT_WSTR and decode every escape', () => {
  assert.is(lit('"abc"'), 'DT_WSTR(3)');
  assert.is(litValue('"a\\nb\\tc\\"d\\\\e\\x0041\\r\\a\\b\\f\\v"'), 'a\nb\tc"d\\eA\r\x07\b\f\v');
  assert.is(litValue('"C:\\\\Temp\\\\"'), 'C:\\Temp\\');
});
literals('Boolean literals are DT_BOOL', () => {
  assert.is(lit('TRUE'), 'DT_BOOL');
  assert.is(litValue('false'), false);
});
literals.run();

const errors = suite('expression parser: syntax errors report position and token');
errors('dangling operator at the end', () => {
  const e = syntaxError('1 +');
  assert.is(e.position, 4);
  assert.match(e.message, /position 4/);
  assert.match(e.where, /position 4/);
});
errors('unexpected token in the middle', () => {
  const e = syntaxError('@[User::A] + * 2');
  assert.is(e.position, 14);
  assert.is(e.token, '*');
  assert.match(e.message, /'\*'/);
});
errors('single = is rejected with a hint', () => {
  const e = syntaxError('@X = 1');
  assert.is(e.position, 4);
  assert.match(e.message, /==/);
});
errors('unterminated string and unknown escape', () => {
  assert.is(syntaxError('"abc').position, 1);
  const e = syntaxError('"a\\qb"');
  assert.is(e.position, 3);
  assert.match(e.message, /escape/);
});
errors('unbalanced parentheses', () => {
  assert.is(syntaxError('(1 + 2').position, 7);
  assert.is(syntaxError('1 + 2)').position, 6);
  assert.is(syntaxError('()').position, 2);
});
errors('conditional without colon', () => {
  const e = syntaxError('TRUE ? 1 2');
  assert.is(e.position, 10);
});
errors('integer literal too large for DT_I4 without suffix', () => {
  const e = syntaxError('1 + 3000000000');
  assert.is(e.position, 5);
  assert.is(e.token, '3000000000');
});
errors('bad cast parameters name the type', () => {
  assert.match(syntaxError('(DT_WSTR)"a"').message, /DT_WSTR takes 1 parameter/);
  assert.match(syntaxError('(DT_STR,10)"a"').message, /DT_STR takes 2 parameters/);
  assert.match(syntaxError('(DT_NUMERIC,5,6)1').message, /scale of DT_NUMERIC/);
  assert.match(syntaxError('(DT_WSTR,0)"a"').message, /length of DT_WSTR/);
  assert.match(syntaxError('(DT_I4,3)1').message, /DT_I4 takes 0 parameters/);
});
errors('unknown function and wrong argument count are found at compile time', () => {
  const e = syntaxError('1 + FOO(2)');
  assert.is(e.position, 5);
  assert.match(e.message, /unknown function FOO/);
  assert.match(syntaxError('LEFT("abc")').message, /LEFT takes 2 arguments, got 1/);
  assert.match(syntaxError('GETDATE(1)').message, /GETDATE takes 0 arguments/);
});
errors('bare NULL, empty text, stray characters', () => {
  assert.match(syntaxError('NULL').message, /NULL needs a data type/);
  assert.match(syntaxError('   ').message, /empty/);
  assert.is(syntaxError('1 $ 2').token, '$');
  assert.match(syntaxError('NULL(DT_FOO)').message, /unknown data type/);
  assert.is(syntaxError('@').position, 1);
  assert.is(syntaxError('12abc').position, 1);
});
errors.run();
