/**
 * T-SQL for reports: DATEDIFF / DATEADD / DATEPART with SQL Server's boundary rules, GETDATE and
 * SYSDATETIMEOFFSET, aggregates with GROUP BY and HAVING, inner and left joins between catalog views
 * (with 209 / 4104 / 8120 where SQL Server says them), status numbers staying numbers, and sqlcmd's
 * -W and -s through the real `scaleout sql`.
 */
import { PassThrough, Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../runtime/cli/main.ts';
import { dateAdd, dateDiff, datePart } from '../../runtime/tsql/date-functions.ts';
import { formatDateTime, parseDateTime } from '../../runtime/tsql/values.ts';
import type { SqlValue } from '../../runtime/tsql/values.ts';
import { copySeeded, seedCatalog } from './seed-catalog.ts';
import type { SeededCatalog } from './seed-catalog.ts';

const test = suite('tsql for reports: dates, GROUP BY/HAVING, joins, -W/-s');
let template: SeededCatalog;
let c: SeededCatalog;
test.before(async () => {
  template = await seedCatalog();
  c = await copySeeded(template);
  // Three more executions (created, status 1) beside the seeded one (pending, status 5), one with a parameter set.
  const r = await sql(['-Q', `DECLARE @id bigint
EXEC catalog.create_execution @folder_name = 'folder1', @project_name = 'project1', @package_name = 'package1.dtsx', @execution_id = @id OUTPUT
EXEC catalog.set_execution_parameter_value @id, 50, 'LOGGING_LEVEL', 3
EXEC catalog.create_execution @folder_name = 'folder1', @project_name = 'project1', @package_name = 'package1.dtsx', @execution_id = @id OUTPUT
EXEC catalog.create_execution @folder_name = 'folder1', @project_name = 'project1', @package_name = 'package1.dtsx', @execution_id = @id OUTPUT`]);
  assert.is(r.code, 0, r.out);
});
test.after(async () => { await c.remove(); await template.remove(); });

async function sql(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = new Writable({ write(chunk, _e, cb) { out += String(chunk); cb(); } });
  const code = await main(['sql', '--data', c.dataDir, ...args], { stdout: sink, stderr: sink, stdin: new PassThrough(), env: {}, cwd: process.cwd() });
  return { code, out };
}

const dt = (text: string, type = 'datetime2'): SqlValue => ({ type, value: parseDateTime(text) });

test('DATEDIFF counts boundaries crossed, as SQL Server does', () => {
  const n = (part: string, a: string, b: string) => Number(dateDiff(datePart(part, 'DATEDIFF'), dt(a), dt(b)).value);
  assert.is(n('year', '2025-12-31 23:59:59', '2026-01-01 00:00:00'), 1);
  assert.is(n('yy', '2026-01-01', '2026-12-31'), 0);
  assert.is(n('month', '2026-01-31', '2026-02-01'), 1);
  assert.is(n('quarter', '2026-03-31', '2026-04-01'), 1);
  assert.is(n('day', '2026-01-01 23:59', '2026-01-02 00:01'), 1);
  assert.is(n('dd', '2026-01-02', '2026-01-01'), -1);
  assert.is(n('week', '2026-11-28', '2026-11-29'), 1, 'Saturday → Sunday crosses a week boundary');
  assert.is(n('week', '2026-11-29', '2026-12-05'), 0);
  assert.is(n('hour', '2026-01-01 10:59', '2026-01-01 11:00'), 1);
  assert.is(n('minute', '2026-01-01 10:00:59', '2026-01-01 10:01:00'), 1);
  assert.is(n('ss', '2026-01-01 00:00:00.999', '2026-01-01 00:00:01.000'), 1);
  assert.is(n('ms', '2026-01-01 00:00:00.250', '2026-01-01 00:00:01.000'), 750);
  assert.is(n('mcs', '2026-01-01 00:00:00.0000010', '2026-01-01 00:00:00.0000250'), 24);
  // A datetimeoffset is compared in UTC.
  assert.is(Number(dateDiff(datePart('hour', 'DATEDIFF'), dt('2026-01-01 10:00 +02:00', 'datetimeoffset'), dt('2026-01-01 10:00 +00:00', 'datetimeoffset')).value), 2);
  assert.is(dateDiff(datePart('day', 'DATEDIFF'), { type: 'null', value: null }, dt('2026-01-01')).value, null);
  assert.throws(() => datePart('fortnight', 'DATEDIFF'), /'fortnight' is not a recognized datediff option/);
  assert.throws(() => dateDiff(datePart('ns', 'DATEDIFF'), dt('1900-01-01'), dt('2026-01-01')), /overflow/);
});

test('DATEADD keeps the type and the offset, and clamps to the end of the month', () => {
  const add = (part: string, n: number, v: SqlValue) => { const r = dateAdd(datePart(part, 'DATEADD'), { type: 'int', value: BigInt(n) }, v); return formatDateTime(r.value as never, r.type); };
  assert.is(add('month', 1, dt('2026-01-31')), '2026-02-28 00:00:00.0000000');
  assert.is(add('year', 1, dt('2024-02-29 12:30')), '2025-02-28 12:30:00.0000000');
  assert.is(add('day', -7, dt('2026-03-03 08:00')), '2026-02-24 08:00:00.0000000');
  assert.is(add('hh', 5, dt('2026-01-01 22:00 +02:00', 'datetimeoffset')), '2026-01-02 03:00:00.0000000 +02:00');
  assert.is(add('ms', 1500, dt('2026-01-01 00:00:00', 'datetime')), '2026-01-01 00:00:01.500');
  assert.throws(() => dateAdd(datePart('year', 'DATEADD'), { type: 'int', value: 9000n }, dt('2026-01-01')), /overflow/);
});

test('date functions in queries: GETDATE, SYSDATETIMEOFFSET, DATEADD windows, DATEPART; bad dateparts are errors', async () => {
  let r = await sql(['-Q', `SELECT DATEDIFF(second, '2026-01-01 00:00:00', '2026-01-01 00:01:30') AS s,
  DATEDIFF(minute, DATEADD(minute, -90, GETDATE()), GETDATE()) AS m,
  DATEPART(weekday, '2026-11-29') AS dw, DATEPART(month, SYSDATETIMEOFFSET()) - DATEPART(mm, GETDATE()) AS same
SELECT COUNT(*) AS recent FROM catalog.executions WHERE created_time > DATEADD(day, -1, SYSDATETIMEOFFSET())`]);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /s\s+m\s+dw\s+same\n[- ]+\n\s*90\s+90\s+1\s+0\n/);
  assert.match(r.out, /recent\n-+\n\s*4\n/);
  r = await sql(['-Q', "SELECT DATEDIFF(fortnight, GETDATE(), GETDATE())"]);
  assert.is(r.code, 1);
  assert.match(r.out, /Msg 155, Level 16, State 1, Line 1\n'fortnight' is not a recognized datediff option\./);
});

test('GROUP BY and HAVING over a catalog view; status numbers stay numbers', async () => {
  const r = await sql(['-Q', `SELECT status, COUNT(*) AS n, MIN(execution_id) AS first_id, MAX(execution_id) AS last_id, SUM(execution_id) AS total, AVG(execution_id) AS mean
FROM catalog.executions GROUP BY status ORDER BY status
SELECT status, COUNT(*) AS n FROM catalog.executions GROUP BY status HAVING COUNT(*) > 1
SELECT COUNT(*) AS n FROM catalog.executions WHERE 1 = 0`]);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /status n first_id last_id total mean\n[- ]+\n\s+1 3\s+3\s+5\s+12\s+4\n\s+5 1\s+2\s+2\s+2\s+2\n\n\(2 rows affected\)/);
  assert.match(r.out, /status n\n[- ]+\n\s+1 3\n\n\(1 row affected\)/);
  assert.match(r.out, /n\n-+\n0\n\n\(1 row affected\)/, 'an aggregate over no rows is one row');
});

test('inner and left joins between catalog views, with aliases and qualified names', async () => {
  const r = await sql(['-Q', `SELECT e.execution_id, COUNT(m.event_message_id) AS messages
FROM catalog.executions AS e LEFT OUTER JOIN catalog.event_messages m ON m.operation_id = e.execution_id
GROUP BY e.execution_id ORDER BY e.execution_id
SELECT e.execution_id, p.parameter_value FROM catalog.executions e
INNER JOIN catalog.execution_parameter_values p ON p.execution_id = e.execution_id AND p.parameter_name = 'LOGGING_LEVEL' AND p.runtime_override = 1
SELECT COUNT(*) AS pairs FROM catalog.executions e JOIN catalog.operations o ON o.operation_id = e.execution_id WHERE o.status = e.status`]);
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /execution_id messages\n[- ]+\n\s+2\s+1\n\s+3\s+0\n\s+4\s+0\n\s+5\s+0\n\n\(4 rows affected\)/);
  assert.match(r.out, /execution_id parameter_value\n[- ]+\n\s+3 3\n\n\(1 row affected\)/);
  assert.match(r.out, /pairs\n-+\n\s*4\n/);
});

test('join and grouping errors carry SQL Server numbers: 209, 4104, 1011, 8120', async () => {
  const msg = async (q: string) => { const r = await sql(['-Q', q]); assert.is(r.code, 1, r.out); return /Msg (\d+), Level \d+, State \d+, Line \d+\n(.*)/.exec(r.out)!.slice(1, 3).join(': '); };
  assert.is(await msg('SELECT status FROM catalog.executions e JOIN catalog.operations o ON o.operation_id = e.execution_id'), "209: Ambiguous column name 'status'.");
  assert.is(await msg('SELECT x.status FROM catalog.executions e JOIN catalog.operations o ON o.operation_id = e.execution_id'), '4104: The multi-part identifier "x.status" could not be bound.');
  assert.is(await msg('SELECT 1 FROM catalog.executions e JOIN catalog.operations e ON 1 = 1'), "1011: The correlation name 'e' is specified multiple times in a FROM clause.");
  assert.is(await msg('SELECT package_name, COUNT(*) FROM catalog.executions GROUP BY status'), "8120: Column 'catalog.executions.package_name' is invalid in the select list because it is not contained in either an aggregate function or the GROUP BY clause.");
  assert.is(await msg('SELECT status FROM catalog.executions GROUP BY status HAVING folder_name = 1'), "8120: Column 'catalog.executions.folder_name' is invalid in the HAVING clause because it is not contained in either an aggregate function or the GROUP BY clause.");
  assert.is(await msg('SELECT e.execution_id FROM catalog.executions e JOIN catalog.operations o ON o.nope = 1'), "207: Invalid column name 'nope'.");
});

test('-W trims the padding and -s sets the separator, as sqlcmd', async () => {
  const r = await sql(['-W', '-s', '|', '-Q', 'SELECT execution_id, folder_name, status FROM catalog.executions WHERE execution_id = 2']);
  assert.is(r.code, 0, r.out);
  assert.ok(r.out.startsWith('execution_id|folder_name|status\n------------|-----------|------\n2|folder1|5\n'), r.out);
  const padded = await sql(['-s', ',', '-Q', 'SELECT execution_id, folder_name FROM catalog.executions WHERE execution_id = 2']);
  assert.ok(padded.out.startsWith('execution_id,folder_name\n------------,-----------\n           2,folder1\n'), padded.out);
  const bad = await sql(['-s', '||', '-Q', 'SELECT 1']);
  assert.is(bad.code, 2);
});

test.run();
