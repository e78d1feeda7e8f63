/**
 * The SQL Server script runner offline: fake `mssql` requests replay what the driver emits (recordsets
 * with real `mssql` column types, rows, row counts, info messages, RequestErrors built as mssql builds
 * them, tedious' DONEPROC), and the outputs must print through format.ts as the embedded catalog prints.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EventEmitter } from 'node:events';
import sql from 'mssql';
import {
  BatchOutputCollector, executeTsqlOnSqlServer, mssqlColumnType, mssqlErrorOutput, procedureCalls, renderMssqlValue, sessionContextBatch,
} from '../../runtime/tsql/mssql-runner.ts';
import type { RequestLike, RequestSource } from '../../runtime/tsql/mssql-runner.ts';
import { formatOutputs } from '../../runtime/tsql/format.ts';
import { SsoError } from '../../actors/errors.ts';
import type { TsqlOutput } from '../../runtime/tsql/interpreter.ts';

// ---- fakes shaped like mssql 12 / tedious 19 ---------------------------------------------------

type Column = { index: number; name: string; type: unknown; scale?: number; precision?: number; length?: number; nullable: boolean };
const col = (index: number, name: string, type: unknown, extra: Partial<Column> = {}): Column => ({ index, name, type, nullable: true, ...extra });

/** A RequestError exactly as mssql's tedious driver makes one from a tedious error token. */
function requestError(info: { number: number; class: number; state: number; message: string; procName?: string; lineNumber: number }): sql.RequestError {
  const inner = Object.assign(new Error(info.message), { info: { serverName: 'db', procName: '', ...info } });
  return new sql.RequestError(inner as unknown as string, 'EREQUEST');
}

type Ev =
  | ['recordset', Column[]] | ['row', unknown[]] | ['rowsaffected', number]
  | ['info', { message: string; number: number; class: number; state: number }] | ['error', unknown] | ['doneProc', number | undefined];

class FakeServer implements RequestSource {
  readonly batches: string[] = [];
  constructor(private readonly respond: (text: string) => Ev[], private readonly tracking = true) {}
  request(): RequestLike {
    return this.tracking ? new TrackingRequest(this) : new PlainRequest(this);
  }
  replay(request: EventEmitter & RequestLike, text: string, driver: EventEmitter | null): void {
    this.batches.push(text);
    for (const ev of this.respond(text)) {
      if (ev[0] === 'doneProc') driver?.emit('doneProc', undefined, true, ev[1]);
      else if (request.stream) request.emit(ev[0], ev[1]);
    }
    if (request.stream) request.emit('done', {});
  }
}

class PlainRequest extends EventEmitter implements RequestLike {
  stream = false;
  arrayRowMode = false;
  constructor(protected readonly server: FakeServer) { super(); }
  async batch(text: string): Promise<unknown> {
    this.server.replay(this, text, null);
    return {};
  }
}

/** Like mssql: hands the driver request to `_setCurrentRequest` before sending. */
class TrackingRequest extends PlainRequest {
  _setCurrentRequest(_driver: unknown): this { return this; }
  override async batch(text: string): Promise<unknown> {
    const driver = new EventEmitter();
    this._setCurrentRequest(driver);
    this.server.replay(this, text, driver);
    return {};
  }
}

const print = (outputs: readonly TsqlOutput[]) => formatOutputs(outputs);

// ---- values and types --------------------------------------------------------------------------

const values = suite('mssql runner: column types and values');

values('mssql column types map to the type names format.ts aligns by', () => {
  const cases: [unknown, string][] = [
    [sql.BigInt, 'bigint'], [sql.Int, 'int'], [sql.SmallInt, 'smallint'], [sql.TinyInt, 'tinyint'], [sql.Bit, 'bit'],
    [sql.NVarChar, 'nvarchar'], [sql.VarChar, 'varchar'], [sql.UniqueIdentifier, 'uniqueidentifier'],
    [sql.DateTimeOffset, 'datetimeoffset'], [sql.DateTime2, 'datetime2'], [sql.Float, 'float'], [sql.Real, 'real'],
    [sql.Decimal, 'decimal'], [sql.Numeric, 'numeric'], [sql.Money, 'money'], [sql.Variant, 'sql_variant'], [sql.VarBinary, 'varbinary'],
  ];
  for (const [type, name] of cases) assert.is(mssqlColumnType({ name: 'c', type }), name);
  assert.is(mssqlColumnType({ name: 'c', type: undefined }), 'nvarchar');
});

values('values render as the interpreter renders them', () => {
  const at = new Date(Date.UTC(2001, 1, 3, 4, 5, 6, 789));
  Object.defineProperty(at, 'nanosecondsDelta', { value: 0.0004567, enumerable: false });
  assert.is(renderMssqlValue(at, 'datetimeoffset'), '2001-02-03 04:05:06.7894567 +00:00');
  assert.is(renderMssqlValue(at, 'datetime2'), '2001-02-03 04:05:06.7894567');
  assert.is(renderMssqlValue(new Date(Date.UTC(2001, 1, 3, 4, 5, 6, 789)), 'datetime'), '2001-02-03 04:05:06.789');
  assert.is(renderMssqlValue(new Date(Date.UTC(2001, 1, 3)), 'date'), '2001-02-03');
  assert.is(renderMssqlValue('9223372036854775807', 'bigint'), '9223372036854775807');
  assert.is(renderMssqlValue(true, 'bit'), '1');
  assert.is(renderMssqlValue(false, 'bit'), '0');
  assert.is(renderMssqlValue(3.14159, 'decimal', { scale: 2 }), '3.14');
  assert.is(renderMssqlValue(3.5, 'numeric', { scale: 6 }), '3.500000');
  assert.is(renderMssqlValue(12, 'money'), '12.0000');
  assert.is(renderMssqlValue(12.5, 'float'), '12.5');
  assert.is(renderMssqlValue(1e20, 'float'), '1E+20');
  assert.is(renderMssqlValue('64C020E2-F819-4C2D-A22F-EFB31A91E70A', 'uniqueidentifier'), '64c020e2-f819-4c2d-a22f-efb31a91e70a');
  assert.is(renderMssqlValue(Buffer.from([0x50, 0x4b, 0x03]), 'varbinary'), '0x504B03');
  assert.is(renderMssqlValue(-1, 'sql_variant'), '-1');
  assert.is(renderMssqlValue('x', 'sql_variant'), 'x');
  assert.is(renderMssqlValue(null, 'int'), null);
  assert.is(renderMssqlValue(undefined, 'nvarchar'), null);
});

// ---- EXEC calls ----------------------------------------------------------------------------------

const calls = suite('mssql runner: procedure calls of a batch');

calls('EXEC / EXECUTE with three-part, empty-schema and return-status forms; strings, comments and dynamic EXEC are not calls', () => {
  const text = [
    "DECLARE @rc int, @id bigint",
    "EXEC @rc = [SSISDB].[catalog].[create_execution] N'f', N'p', N'k.dtsx', @execution_id = @id OUTPUT",
    "-- EXEC catalog.not_a_call",
    "PRINT 'EXEC catalog.not_a_call_either'",
    "execute SSISDB..create_folder N'x'",
    "EXEC ('SELECT 1')",
    "/* EXEC x */ EXEC catalog.start_execution @id",
    "EXECUTE AS LOGIN = N'reader'; REVERT",
  ].join('\n');
  assert.equal(procedureCalls(text), [
    { line: 2, name: 'create_execution' }, { line: 5, name: 'create_folder' }, { line: 7, name: 'start_execution' },
  ]);
  assert.equal(procedureCalls("SELECT 'unclosed"), []);
});

// ---- errors ------------------------------------------------------------------------------------

const errors = suite('mssql runner: errors');

errors('a catalog error (THROW 50000 with the [number] prefix) prints as the SSISDB error of the EXEC that raised it', () => {
  const err = requestError({ number: 50000, class: 16, state: 1, procName: 'raise_catalog_error', lineNumber: 32, message: "[27243] The cluster worker agent 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' does not exist or you do not have sufficient permissions." });
  const out = mssqlErrorOutput(err, { line: 4, name: 'enable_worker_agent' });
  assert.is(print([out!]), "Msg 27243, Level 16, State 1, Procedure enable_worker_agent, Line 4\nThe cluster worker agent 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' does not exist or you do not have sufficient permissions.\n");
  // Without the EXEC, the server's procedure and line stay.
  assert.equal(mssqlErrorOutput(err), { kind: 'error', number: 27243, level: 16, state: 1, procedure: 'raise_catalog_error', line: 32, message: "The cluster worker agent 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' does not exist or you do not have sufficient permissions." });
});

errors('other SQL errors keep their number, level, state, procedure and line; a prefix that is not a catalog number is left alone', () => {
  const e201 = requestError({ number: 201, class: 16, state: 4, procName: 'create_execution', lineNumber: 0, message: "Procedure or function 'create_execution' expects parameter '@execution_id', which was not supplied." });
  assert.is(print([mssqlErrorOutput(e201)!]), "Msg 201, Level 16, State 4, Procedure create_execution, Line 0\nProcedure or function 'create_execution' expects parameter '@execution_id', which was not supplied.\n");
  const e208 = requestError({ number: 208, class: 16, state: 1, lineNumber: 1, message: "Invalid object name 'catalog.no_such_view'." });
  assert.is(print([mssqlErrorOutput(e208)!]), "Msg 208, Level 16, State 1, Line 1\nInvalid object name 'catalog.no_such_view'.\n");
  const raised = requestError({ number: 50000, class: 16, state: 1, lineNumber: 3, message: '[12345] not ours' });
  assert.is(mssqlErrorOutput(raised)!.number, 50000);
  assert.is(mssqlErrorOutput(new Error('socket hang up')), null);
});

// ---- whole scripts -------------------------------------------------------------------------------

const scripts = suite('mssql runner: scripts through fake requests');

scripts('messages, result sets, row counts and errors come out in order and print like the embedded catalog', async () => {
  const server = new FakeServer((text) => {
    if (text.includes('sp_set_session_context')) return [];
    return [
      ['info', { message: 'hello', number: 0, class: 0, state: 1 }],
      ['recordset', [col(0, 'WorkerAgentId', sql.UniqueIdentifier), col(1, 'IsEnabled', sql.Bit), col(2, 'n', sql.BigInt), col(3, 'LastOnlineTime', sql.DateTimeOffset, { scale: 7 })]],
      ['row', ['64C020E2-F819-4C2D-A22F-EFB31A91E70A', true, '2', new Date(Date.UTC(2001, 1, 3, 4, 5, 6, 789))]],
      ['row', ['0E9D2B7A-5C1F-4F3E-8A6B-2D4C6E8F0A1B', false, '10', null]],
      ['rowsaffected', 2],
      ['rowsaffected', 1],
      ['error', requestError({ number: 8134, class: 16, state: 1, lineNumber: 4, message: 'Divide by zero error encountered.' })],
      ['recordset', [col(0, '', sql.Int)]],
      ['row', [3]],
    ];
  });
  const result = await executeTsqlOnSqlServer('PRINT 1\nGO\n', { pool: server, caller: { name: "o'brien", roles: ['ssis_admin', 'sysadmin'] } });
  assert.is(result.errorCount, 1);
  assert.is(print(result.outputs), [
    'hello',
    'WorkerAgentId                        IsEnabled n  LastOnlineTime',
    '------------------------------------ --------- -- ----------------------------------',
    '64c020e2-f819-4c2d-a22f-efb31a91e70a         1  2 2001-02-03 04:05:06.7890000 +00:00',
    '0e9d2b7a-5c1f-4f3e-8a6b-2d4c6e8f0a1b         0 10 NULL',
    '',
    '(2 rows affected)',
    '',
    '',
    '(1 row affected)',
    '',
    'Msg 8134, Level 16, State 1, Line 4',
    'Divide by zero error encountered.',
    '',
    '-',
    '3',
    '',
  ].join('\n'));
  assert.is(server.batches[0], sessionContextBatch({ name: "o'brien", roles: ['ssis_admin', 'sysadmin'] }));
  assert.match(server.batches[0]!, /@value = N'o''brien';/);
  assert.match(server.batches[0]!, /@value = N'ssis_admin,sysadmin';/);
  assert.is(server.batches[1], 'PRINT 1');
});

const WORKER_SCRIPT = [
  "DECLARE @id bigint",                                                                          // 1
  "EXEC catalog.create_execution N'folder1', N'project1', N'package1.dtsx', @execution_id = @id OUTPUT", // 2
  "EXEC catalog.add_execution_worker @id, '64c020e2-f819-4c2d-a22f-efb31a91e70a'",               // 3
  "EXEC catalog.add_execution_worker @id, '0e9d2b7a-5c1f-4f3e-8a6b-2d4c6e8f0a1b'",               // 4
  "PRINT 'two workers added'",                                                                   // 5
  "EXEC catalog.add_execution_worker @id, 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'",               // 6
].join('\n');
const UNKNOWN_WORKER = "[27243] The cluster worker agent 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' does not exist or you do not have sufficient permissions.";

scripts('a catalog error names the EXEC that was running: completed procedures are counted from DONEPROC', async () => {
  const server = new FakeServer(() => [
    ['doneProc', 0], ['doneProc', 0], ['doneProc', 0],
    ['info', { message: 'two workers added', number: 0, class: 0, state: 1 }],
    ['error', requestError({ number: 50000, class: 16, state: 1, procName: 'raise_catalog_error', lineNumber: 32, message: UNKNOWN_WORKER })],
  ]);
  const result = await executeTsqlOnSqlServer(WORKER_SCRIPT, { pool: server });
  assert.is(server.batches.length, 1, 'no caller: no SESSION_CONTEXT batch');
  assert.is(print(result.outputs), `two workers added\nMsg 27243, Level 16, State 1, Procedure add_execution_worker, Line 6\n${UNKNOWN_WORKER.slice(8)}\n`);
});

scripts('without DONEPROC tracking a catalog error goes to the next EXEC of the procedure the server names', async () => {
  const server = new FakeServer(() => [
    ['error', requestError({ number: 50000, class: 16, state: 1, procName: 'add_execution_worker', lineNumber: 20, message: UNKNOWN_WORKER })],
    ['error', requestError({ number: 50000, class: 16, state: 1, procName: 'add_execution_worker', lineNumber: 20, message: UNKNOWN_WORKER })],
    ['error', requestError({ number: 50000, class: 16, state: 1, procName: 'raise_catalog_error', lineNumber: 32, message: UNKNOWN_WORKER })],
  ], false);
  const result = await executeTsqlOnSqlServer(WORKER_SCRIPT, { pool: server });
  const lines = result.outputs.map((o) => (o.kind === 'error' ? `${o.procedure}:${o.line}` : o.kind));
  assert.equal(lines, ['add_execution_worker:3', 'add_execution_worker:4', 'raise_catalog_error:32']);
});

scripts('GO n runs the batch n times; the DONEPROC count restarts with each batch', async () => {
  const server = new FakeServer((text) => (text.startsWith('EXEC') ? [
    ['doneProc', 0],
    ['error', requestError({ number: 50000, class: 16, state: 1, procName: 'raise_catalog_error', lineNumber: 32, message: '[27124] The operation cannot be stopped: the operation is not valid or is not running.' })],
  ] : []));
  const result = await executeTsqlOnSqlServer('PRINT 0\nGO\nEXEC catalog.create_folder N\'x\'\nEXEC catalog.stop_operation 999\nGO 2\n', { pool: server });
  assert.equal(server.batches, ['PRINT 0', "EXEC catalog.create_folder N'x'\nEXEC catalog.stop_operation 999", "EXEC catalog.create_folder N'x'\nEXEC catalog.stop_operation 999"]);
  assert.equal(result.outputs.map((o) => (o.kind === 'error' ? `${o.number} ${o.procedure} ${o.line}` : o.kind)), ['27124 stop_operation 2', '27124 stop_operation 2']);
});

scripts('a driver failure (no SQL error number) is an SSO_ERR_CATALOG_IO naming the batch line, after what came before was sent', async () => {
  const seen: TsqlOutput[] = [];
  const server = new FakeServer((text) => (text.startsWith('SELECT 2') ? [['error', Object.assign(new Error('Connection lost - read ECONNRESET'), { code: 'ESOCKET' })]] : [['info', { message: 'first', number: 0, class: 0, state: 1 }]]));
  const err = await executeTsqlOnSqlServer('PRINT 1\nGO\nSELECT 2\n', { pool: server, onOutput: (o) => seen.push(o) }).then(() => null, (e: unknown) => e);
  assert.ok(SsoError.is(err), String(err));
  assert.is((err as SsoError).code, 'SSO_ERR_CATALOG_IO');
  assert.match((err as SsoError).message, /line 3: Connection lost/);
  assert.equal(seen, [{ kind: 'message', text: 'first' }]);
});

scripts('the collector also takes object-shaped recordsets (mssql without arrayRowMode)', () => {
  const out: TsqlOutput[] = [];
  const c = new BatchOutputCollector([], (o) => out.push(o));
  c.recordset({ b: col(1, 'b', sql.NVarChar), a: col(0, 'a', sql.Int) });
  c.row({ a: 7, b: 'x' });
  c.end();
  assert.equal(out, [{ kind: 'resultset', columns: [{ name: 'a', type: 'int' }, { name: 'b', type: 'nvarchar' }], rows: [['7', 'x']] }]);
});

values.run();
calls.run();
errors.run();
scripts.run();
