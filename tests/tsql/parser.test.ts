/**
 * Lexer, batch splitter and parser of the T-SQL front door: every construct the catalog's scripts use,
 * and syntax errors with SQL Server's numbers, texts and batch lines.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tokenize, TsqlSyntaxError } from '../../runtime/tsql/lexer.ts';
import { splitBatches, endsInsideLiteral, goLine } from '../../runtime/tsql/batches.ts';
import { parseBatch, parseExpression } from '../../runtime/tsql/parser.ts';
import type { Statement } from '../../runtime/tsql/parser.ts';

function syntaxError(text: string): TsqlSyntaxError {
  try {
    parseBatch(text);
  } catch (err) {
    if (err instanceof TsqlSyntaxError) return err;
    throw err;
  }
  throw new Error(`no syntax error in: ${text}`);
}

const lexer = suite('tsql lexer');

lexer('identifiers, variables, strings, numbers, binary, comments', () => {
  const t = tokenize(`[SSISDB].[cat]]x]."q""d" @v @@VERSION N'it''s' 'x' 12 1.5 2e3 0x0aFF -- c\n/* a /* nested */ b */ <> !=`);
  assert.equal(t.map((x) => x.kind), ['ident', 'op', 'ident', 'op', 'ident', 'variable', 'sysvar', 'string', 'string', 'number', 'number', 'number', 'binary', 'op', 'op', 'eof']);
  assert.equal(t[2]!.value, 'cat]x');
  assert.equal(t[4]!.value, 'q"d');
  assert.equal(t[7]!.value, "it's");
  assert.ok(t[7]!.unicode);
  assert.not.ok(t[8]!.unicode);
  assert.equal(t[12]!.value, '0aFF');
  assert.equal(t[13]!.line, 2);
});

lexer('unterminated string, identifier and comment', () => {
  assert.throws(() => tokenize("SELECT 'abc"), (e: TsqlSyntaxError) => e.number === 105 && e.message === "Unclosed quotation mark after the character string 'abc'.");
  assert.throws(() => tokenize('SELECT [abc'), (e: TsqlSyntaxError) => e.number === 105);
  assert.throws(() => tokenize('/* open /* nested */'), (e: TsqlSyntaxError) => e.number === 113);
  assert.throws(() => tokenize('SELECT 1 ? 2'), (e: TsqlSyntaxError) => e.number === 102 && e.message === "Incorrect syntax near '?'.");
});

lexer.run();

const batches = suite('tsql batches');

batches('GO alone on a line splits; counts, case, comments; not inside strings or comments', () => {
  const b = splitBatches("SELECT 1\ngo\nSELECT 'x\nGO\ny'\n  Go 3 -- thrice\n/*\nGO\n*/\nPRINT 1\nGO\n\nGO\n");
  assert.equal(b.map((x) => [x.startLine, x.repeat]), [[1, 1], [3, 3], [7, 1]]);
  assert.ok(b[1]!.text.includes('GO\ny'));
  assert.equal(splitBatches('SELECT 1').length, 1);
  assert.equal(splitBatches('GOTO x').length, 1);
  assert.equal(goLine(' go 2'), { repeat: 2 });
  assert.equal(goLine('go on'), null);
  assert.ok(endsInsideLiteral("PRINT 'open"));
  assert.not.ok(endsInsideLiteral("PRINT 'closed'"));
});

batches.run();

const parser = suite('tsql parser');

parser('the Scale Out example script', () => {
  const s = parseBatch(`Declare @execution_id bigint
EXEC [SSISDB].[catalog].[create_execution] @package_name=N'package1.dtsx', @execution_id=@execution_id OUTPUT, @folder_name=N'folder1', @use32bitruntime=False, @reference_id=Null
Select @execution_id
DECLARE @var0 smallint = 1
EXEC [SSISDB].[catalog].[set_execution_parameter_value] @execution_id,  @object_type=50, @parameter_value=@var0`);
  assert.equal(s.map((x) => x.kind), ['declare', 'exec', 'select', 'declare', 'exec']);
  const exec = s[1] as Statement & { kind: 'exec' };
  assert.equal(exec.proc.parts, ['SSISDB', 'catalog', 'create_execution']);
  assert.equal(exec.proc.text, 'SSISDB.catalog.create_execution');
  assert.equal(exec.args.map((a) => [a.name, a.output]), [['@package_name', false], ['@execution_id', true], ['@folder_name', false], ['@use32bitruntime', false], ['@reference_id', false]]);
  assert.equal(exec.args[3]!.value, { kind: 'literal', type: 'nvarchar', value: 'False', line: 2 });
  assert.equal((exec.args[4]!.value as { type: string }).type, 'null');
  const second = s[4] as Statement & { kind: 'exec' };
  assert.equal(second.args[0]!.name, undefined);
  assert.equal(second.args[0]!.value.kind, 'variable');
});

parser('EXEC forms: EXECUTE, return status, OUT, DEFAULT, negative numbers, two-part and empty-schema names, bare first statement', () => {
  const [a] = parseBatch('EXECUTE @rc = catalog.start_execution 5, @retry_count = -1') as [Statement & { kind: 'exec' }];
  assert.equal(a.returnVar, '@rc');
  assert.equal((a.args[1]!.value as { value: string }).value, '-1');
  const [b] = parseBatch('EXEC SSISDB..x @p = DEFAULT, @q = @v OUT') as [Statement & { kind: 'exec' }];
  assert.equal(b.proc.parts, ['SSISDB', '', 'x']);
  assert.equal(b.args[0]!.value.kind, 'default');
  assert.ok(b.args[1]!.output);
  const [c, d] = parseBatch('catalog.enable_worker_agent \'abc\'\nEXEC "catalog"."disable_worker_agent" \'abc\';');
  assert.equal(c!.kind, 'exec');
  assert.equal((d as Statement & { kind: 'exec' }).proc.parts, ['catalog', 'disable_worker_agent']);
});

parser('DECLARE with types, several declarations and initial values; SET; SELECT assignment', () => {
  const [d] = parseBatch('DECLARE @a bigint, @b nvarchar(max) = N\'x\', @c decimal(18, 2) = 1.5, @d AS varchar(10), @e uniqueidentifier, @f datetimeoffset(7), @g sql_variant, @h float, @i bit = 1, @j tinyint') as [Statement & { kind: 'declare' }];
  assert.equal(d.decls.map((x) => x.type), [
    { name: 'bigint' }, { name: 'nvarchar', length: 'max' }, { name: 'decimal', precision: 18, scale: 2 }, { name: 'varchar', length: 10 },
    { name: 'uniqueidentifier' }, { name: 'datetimeoffset', length: 7 }, { name: 'sql_variant' }, { name: 'float' }, { name: 'bit' }, { name: 'tinyint' },
  ]);
  const [s, t] = parseBatch('SET @a = @a + 1\nSELECT @a = 1, @b = N\'y\'');
  assert.equal(s!.kind, 'set');
  assert.equal(t!.kind, 'selectassign');
  const e = syntaxError('DECLARE @x nosuchtype');
  assert.equal([e.number, e.message], [2715, 'Column, parameter, or variable #1: Cannot find data type nosuchtype.']);
});

parser('SELECT from a view: TOP, star, aliases, WHERE with every predicate, ORDER BY', () => {
  const [s] = parseBatch(`SELECT TOP 10 *, MachineName AS m, n = 1, 'lit' x FROM [SSISDB].[catalog].[worker_agents] w
WHERE a = 1 AND (b <> 2 OR NOT c < 3) AND d IN (1, 2) AND e NOT LIKE 'x%' ESCAPE '!' AND f IS NOT NULL AND g BETWEEN 1 AND 5
ORDER BY MachineName DESC, 2 ASC`) as [Statement & { kind: 'select' }];
  assert.equal(s.items.length, 4);
  assert.equal(s.items.map((i) => (i.kind === 'expr' ? i.alias : '*')), ['*', 'm', 'n', 'x']);
  assert.equal(s.from!.parts, ['SSISDB', 'catalog', 'worker_agents']);
  assert.equal(s.orderBy!.map((o) => o.desc), [true, false]);
  assert.equal(s.where!.kind, 'binary');
});

parser('expressions: precedence, CAST/CONVERT, functions, CASE, unary minus', () => {
  const e = parseExpression('1 + 2 * 3') as { kind: string; op: string; right: { op: string } };
  assert.equal([e.op, e.right.op], ['+', '*']);
  assert.equal(parseExpression('CAST(@x AS nvarchar(20))').kind, 'cast');
  assert.equal(parseExpression('CONVERT(bigint, N\'5\', 1)').kind, 'cast');
  assert.equal(parseExpression('ISNULL(@a, GETDATE())').kind, 'call');
  assert.equal(parseExpression('CASE WHEN 1 = 1 THEN 2 ELSE 3 END').kind, 'case');
  assert.equal(parseExpression('-5'), { kind: 'literal', type: 'int', value: '-5', line: 1 });
  assert.equal(parseExpression('3000000000').kind === 'literal' && (parseExpression('3000000000') as { type: string }).type, 'bigint');
});

parser('PRINT, RAISERROR, THROW, BEGIN…END, IF…ELSE, USE, RETURN, SET options, semicolons', () => {
  const s = parseBatch(`USE SSISDB; SET NOCOUNT ON;
IF @@ERROR = 0 BEGIN PRINT 'a'; PRINT 'b' END ELSE PRINT 'c';
RAISERROR(N'm %s', 16, 1, N'x') WITH NOWAIT;
THROW 50000, 'x', 1;
RETURN`);
  assert.equal(s.map((x) => x.kind), ['use', 'setoption', 'if', 'raiserror', 'throw', 'return']);
  const iff = s[2] as Statement & { kind: 'if' };
  assert.equal(iff.then.kind, 'block');
  assert.equal(iff.else!.kind, 'print');
});

parser('syntax errors name the token and the batch line (102 / 156)', () => {
  let e = syntaxError('SELECT 1\nSELECT 2 +\n');
  assert.equal([e.number, e.line, e.message], [102, 2, "Incorrect syntax near '+'."]);
  e = syntaxError('SELECT name\nFROM WHERE');
  assert.equal([e.number, e.line, e.message], [156, 2, "Incorrect syntax near the keyword 'WHERE'."]);
  e = syntaxError("EXEC catalog.x @a = 1 @b = 2");
  assert.equal([e.number, e.message], [102, "Incorrect syntax near '@b'."]);
  e = syntaxError("EXEC catalog.x @a = 1 + 1");
  assert.equal([e.number, e.message], [102, "Incorrect syntax near '+'."]);
  e = syntaxError('SELECT @a = 1, 2');
  assert.equal(e.number, 141);
  e = syntaxError('\n\nDECLARE @x TABLE (a int)');
  assert.equal([e.number, e.line], [156, 3]);
  e = syntaxError('UPDATE catalog.folders SET name = 1');
  assert.equal([e.number, e.message], [156, "Incorrect syntax near the keyword 'UPDATE'."]);
});

parser.run();
