/**
 * DelayValidation and ValidateExternalMetadata on small hand-written packages (SQLite), the way SSIS
 * behaves with them:
 * - the classic story: an Execute SQL Task creates the table a later Data Flow writes into. With
 *   DelayValidation=False the package fails validation at its start ('Opening a rowset for
 *   "[dbo].[Target]" failed', DTS_E_CANNOTGETIROWSET, then VS_ISBROKEN) and nothing runs (not even
 *   the Execute SQL Task); with DelayValidation=True on the Data Flow, on a Sequence around it or on
 *   the package, the Data Flow is validated just before it runs, after the table exists, and runs;
 *   with ValidateExternalMetadata=False on the destination the check is skipped and the package runs;
 * - external columns the table does not have: DTS_W_EXTERNALMETADATACOLUMNSOUTOFSYNC and
 *   VS_NEEDSNEWMETADATA; with ValidateExternalMetadata=False the component is trusted and runs;
 * - an OLE DB Source reading a missing table fails validation the same way;
 * - a task is validated again just before it runs: a table dropped by an earlier task fails the
 *   Data Flow at its validation, before any row moves.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import Database from 'better-sqlite3';
import { errorsOf, tempDir } from './helpers.ts';
import { buildPackage } from './builder.ts';
import type { PackageSpec } from './builder.ts';
import { runParts } from '../package/run-helpers.ts';
import type { Run } from '../package/run-helpers.ts';

const t = tempDir('delay-validation');
const test = suite('DelayValidation and ValidateExternalMetadata');
test.after(() => t.remove());

const DTS_E_CANNOTGETIROWSET = -1071636248;
const DTS_E_INDIVIDUALVALIDATIONSTATUSFAILED = -1073450901;
const DTS_W_EXTERNALMETADATACOLUMNSOUTOFSYNC = -2147192632;

let n = 0;
/** A fresh SQLite database holding Source (Id, Name) with two rows, plus `ddl`. */
function database(ddl = ''): { file: string; conn: string } {
  const file = t.file(`db${++n}.sqlite`);
  const d = new Database(file);
  d.exec(`CREATE TABLE Source (Id INTEGER, Name TEXT); INSERT INTO Source VALUES (1, 'Ann'), (2, 'Bob'); ${ddl}`);
  d.close();
  return { file, conn: `Provider=SQLite;Data Source=${file}` };
}

const cols = [{ name: 'Id', dataType: 'i4', ext: 'Id' }, { name: 'Name', dataType: 'wstr', length: 20, ext: 'Name' }];
const ext = [{ name: 'Id', dataType: 'i4' }, { name: 'Name', dataType: 'wstr', length: 20 }];

/** An Execute SQL Task named `name` on the Db connection (DTSID of the builder's first OLE DB manager). */
function executeSql(name: string, sql: string, id: number): string {
  const esc = sql.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<DTS:Executable DTS:refId="Package\\${name}" DTS:CreationName="Microsoft.ExecuteSQLTask" DTS:DTSID="{44444444-0000-0000-0000-00000000000${id}}" DTS:ExecutableType="Microsoft.ExecuteSQLTask" DTS:ObjectName="${name}">
    <DTS:ObjectData><SQLTask:SqlTaskData SQLTask:Connection="{D0000000-0000-0000-0000-000000000000}" SQLTask:SqlStatementSource="${esc}" xmlns:SQLTask="www.microsoft.com/sqlserver/dts/tasks/sqltask" /></DTS:ObjectData></DTS:Executable>`;
}
const before = (from: string, id: number) => `<DTS:PrecedenceConstraints><DTS:PrecedenceConstraint DTS:refId="Package.PrecedenceConstraints[c${id}]" DTS:CreationName="" DTS:DTSID="{44444444-0000-0000-0000-0000000001${String(id).padStart(2, '0')}}" DTS:From="Package\\${from}" DTS:LogicalAnd="True" DTS:ObjectName="c${id}" DTS:To="Package\\Data Flow Task" /></DTS:PrecedenceConstraints>`;

/**
 * Source (SQL command on Source) → OLE DB Destination `[dbo].[Target]`, after an Execute SQL Task
 * `Create` running `createSql`. `dest` adds attributes/props to the destination.
 */
function story(conn: string, createSql: string, options: { taskProps?: Record<string, string>; destProps?: Record<string, string>; destExternal?: typeof ext; source?: Record<string, string> } = {}): PackageSpec {
  return {
    oledb: [{ name: 'Db', connectionString: conn }],
    components: [
      { name: 'Src', classId: 'Microsoft.OLEDBSource', connection: 'Db', props: options.source ?? { AccessMode: '2', SqlCommand: 'SELECT Id, Name FROM Source ORDER BY Id' },
        outputs: [{ name: 'Out', columns: cols, external: ext }] },
      { name: 'Load', classId: 'Microsoft.OLEDBDestination', connection: 'Db', props: { AccessMode: '3', OpenRowset: '[dbo].[Target]', ...options.destProps },
        inputs: [{ name: 'In', columns: [{ from: 'Src.Out.Id', ext: 'Id' }, { from: 'Src.Out.Name', ext: 'Name' }], external: options.destExternal ?? ext }] },
    ],
    paths: [['Src.Out', 'Load.In']],
    ...(options.taskProps ? { taskProps: options.taskProps } : {}),
    extraExecutables: executeSql('Create', createSql, 1),
    afterExecutables: before('Create', 1),
  };
}

async function run(xml: string): Promise<Run> {
  return runParts(new Map([['P.dtsx', xml]]), 'P.dtsx');
}

/** OnError (120) and OnWarning (110) messages with their codes. */
function messages(r: Run, type: number): { text: string; code: number | null }[] {
  return r.events.flatMap((e) => (e.kind === 'message' && e.message.messageType === type ? [{ text: e.message.message, code: (e.message as { messageCode?: number | null }).messageCode ?? null }] : []));
}

function tables(file: string): string[] {
  const d = new Database(file, { readonly: true });
  try {
    return (d.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").raw(true).all() as string[][]).map((r) => r[0]!);
  } finally {
    d.close();
  }
}

function target(file: string): unknown[] {
  const d = new Database(file, { readonly: true });
  try {
    return d.prepare('SELECT Id, Name FROM Target ORDER BY Id').raw(true).all();
  } finally {
    d.close();
  }
}

const CREATE = 'CREATE TABLE Target (Id INTEGER, Name TEXT)';

test('DelayValidation=False: the package fails validation at its start, naming the table, and nothing runs', async () => {
  const db = database();
  const r = await run(buildPackage(story(db.conn, CREATE)));
  assert.is(r.result.outcome, 'failed', errorsOf(r));
  const errors = messages(r, 120);
  const rowset = errors.find((e) => e.code === DTS_E_CANNOTGETIROWSET);
  assert.ok(rowset, errorsOf(r));
  assert.match(rowset!.text, /\\Package\\Data Flow Task\\Load: .*Opening a rowset for "\[dbo\]\.\[Target\]" failed\. Check that the object exists in the database\./);
  assert.ok(errors.some((e) => e.code === DTS_E_INDIVIDUALVALIDATIONSTATUSFAILED && /"Load" failed validation and returned validation status "VS_ISBROKEN"/.test(e.text)), errorsOf(r));
  assert.equal(tables(db.file), ['Source'], 'validation failed before the Execute SQL Task could run');
  assert.not.ok(r.messages(30).some((m) => /Create: execution has started/.test(m.text)), 'no task started');
});

test('DelayValidation=True on the Data Flow: validated just before it runs, after the table exists', async () => {
  const db = database();
  const r = await run(buildPackage(story(db.conn, CREATE, { taskProps: { DelayValidation: 'True' } })));
  assert.is(r.result.outcome, 'succeeded', errorsOf(r));
  assert.equal(target(db.file), [[1, 'Ann'], [2, 'Bob']]);
});

test('DelayValidation=True on the package (a container around the Data Flow) defers it too', async () => {
  const db = database();
  const xml = buildPackage(story(db.conn, CREATE)).replace('DTS:ObjectName="DataFlowTest">', 'DTS:ObjectName="DataFlowTest" DTS:DelayValidation="True">');
  const r = await run(xml);
  assert.is(r.result.outcome, 'succeeded', errorsOf(r));
  assert.equal(target(db.file), [[1, 'Ann'], [2, 'Bob']]);
});

test('DelayValidation=True on a Sequence container holding the Data Flow; False fails as on the task', async () => {
  for (const delay of ['True', 'False']) {
    const db = database();
    // The built Data Flow Task moved into a Sequence container that runs after Create.
    const xml = buildPackage(story(db.conn, CREATE));
    const dft = /<DTS:Executable DTS:refId="Package\\Data Flow Task"[\s\S]*?<\/DTS:Executable>/.exec(xml)![0];
    const seq = `<DTS:Executable DTS:refId="Package\\Seq" DTS:CreationName="STOCK:SEQUENCE" DTS:DTSID="{44444444-0000-0000-0000-000000000009}" DTS:ExecutableType="STOCK:SEQUENCE" DTS:ObjectName="Seq" DTS:DelayValidation="${delay}"><DTS:Executables>${dft}</DTS:Executables></DTS:Executable>`;
    const r = await run(xml.replace(dft, seq).replace('DTS:To="Package\\Data Flow Task"', 'DTS:To="Package\\Seq"'));
    if (delay === 'True') {
      assert.is(r.result.outcome, 'succeeded', errorsOf(r));
      assert.equal(target(db.file), [[1, 'Ann'], [2, 'Bob']]);
    } else {
      assert.is(r.result.outcome, 'failed', errorsOf(r));
      assert.ok(messages(r, 120).some((e) => e.code === DTS_E_CANNOTGETIROWSET), errorsOf(r));
      assert.equal(tables(db.file), ['Source']);
    }
  }
});

test('ValidateExternalMetadata=False on the destination: the connected check is skipped and the package runs', async () => {
  const db = database();
  const xml = buildPackage(story(db.conn, CREATE)).replace('componentClassID="Microsoft.OLEDBDestination"', 'componentClassID="Microsoft.OLEDBDestination" validateExternalMetadata="False"');
  const r = await run(xml);
  assert.is(r.result.outcome, 'succeeded', errorsOf(r));
  assert.equal(target(db.file), [[1, 'Ann'], [2, 'Bob']]);
});

test('an external column the table does not have: out of sync warning and VS_NEEDSNEWMETADATA; trusted when ValidateExternalMetadata=False', async () => {
  // The table exists (no Execute SQL needed) but lacks Extra, an external column the destination lists without mapping it.
  const withExtra = [...ext, { name: 'Extra', dataType: 'i4' }];
  const db = database('CREATE TABLE Target (Id INTEGER, Name TEXT, Added TEXT);');
  const spec = story(db.conn, 'SELECT 1', { destExternal: withExtra });
  const r = await run(buildPackage(spec));
  assert.is(r.result.outcome, 'failed', errorsOf(r));
  const warnings = messages(r, 110).filter((w) => w.code === DTS_W_EXTERNALMETADATACOLUMNSOUTOFSYNC).map((w) => w.text);
  assert.ok(warnings.some((w) => /The external columns for Load are out of synchronization with the data source columns\. The external column "Extra" needs to be removed from the external columns\./.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /The column "Added" needs to be added to the external columns\./.test(w)), warnings.join('\n'));
  assert.ok(messages(r, 120).some((e) => e.code === DTS_E_INDIVIDUALVALIDATIONSTATUSFAILED && /"Load" failed validation and returned validation status "VS_NEEDSNEWMETADATA"/.test(e.text)), errorsOf(r));
  assert.equal(target(db.file), []);

  const trusted = buildPackage(spec).replace('componentClassID="Microsoft.OLEDBDestination"', 'componentClassID="Microsoft.OLEDBDestination" validateExternalMetadata="False"');
  const r2 = await run(trusted);
  assert.is(r2.result.outcome, 'succeeded', errorsOf(r2));
  assert.equal(target(db.file), [[1, 'Ann'], [2, 'Bob']]);
});

test('an OLE DB Source reading a table that does not exist fails validation at package start', async () => {
  const db = database('CREATE TABLE Target (Id INTEGER, Name TEXT);');
  const r = await run(buildPackage(story(db.conn, 'CREATE TABLE Marker (X INTEGER)', { source: { AccessMode: '0', OpenRowset: '[dbo].[Missing]' } })));
  assert.is(r.result.outcome, 'failed', errorsOf(r));
  assert.ok(messages(r, 120).some((e) => e.code === DTS_E_CANNOTGETIROWSET && /\\Src: .*Opening a rowset for "\[dbo\]\.\[Missing\]" failed/.test(e.text)), errorsOf(r));
  assert.not.ok(tables(db.file).includes('Marker'), 'nothing ran');
});

test('a task is validated again just before it runs: a table dropped by an earlier task fails the Data Flow at validation', async () => {
  const db = database('CREATE TABLE Target (Id INTEGER, Name TEXT);');
  const r = await run(buildPackage(story(db.conn, 'DROP TABLE Target')));
  assert.is(r.result.outcome, 'failed', errorsOf(r));
  assert.not.ok(tables(db.file).includes('Target'), 'the Execute SQL Task ran (start validation passed)');
  const errors = messages(r, 120);
  assert.ok(errors.some((e) => e.code === DTS_E_CANNOTGETIROWSET), errorsOf(r));
  assert.not.ok(errors.some((e) => /DTS_E_PROCESSINPUTFAILED/.test(e.text)), 'the data flow did not start');
});

test.run();
