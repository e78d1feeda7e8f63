/**
 * OData Source against a loopback OData v4 JSON service (node:http on 127.0.0.1): paging through
 * `@odata.nextLink` (absolute and relative), the Query options and basic authentication sent, NULLs and
 * nested values, v3 `odata.nextLink`; bad input: HTTP errors, a body that is not a feed, a next link to
 * another origin, a paging loop, a value that does not convert, Windows authentication, no collection.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ColumnSpec, PackageSpec } from './builder.ts';
import { errorsOf, runSpec, tempDir } from './helpers.ts';
import type { DataTapSpec } from '../../actors/ports.ts';

const test = suite('data flow: OData Source');
let server: Server;
let base = '';
const requests: { url: string; auth: string | undefined }[] = [];
let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

test.before(async () => {
  server = createServer((req, res) => { requests.push({ url: req.url ?? '', auth: req.headers.authorization }); handler(req, res); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.after(async () => { await new Promise<void>((r) => server.close(() => r())); });

const json = (res: ServerResponse, body: unknown, status = 200) => { res.writeHead(status, { 'content-type': 'application/json;odata.metadata=minimal' }); res.end(JSON.stringify(body)); };
const PEOPLE = [
  { Id: 1, Name: 'Ann', Born: '1990-05-01T00:00:00Z', Active: true, Address: { City: 'Oslo' } },
  { Id: 2, Name: null, Born: null, Active: false },
  { Id: 3, Name: 'Cy, "the" third', Born: '2001-12-31T23:59:00Z', Active: true, Address: null },
  { Id: 4, Name: 'Dee', Active: false },
];
const peopleService = (req: IncomingMessage, res: ServerResponse) => {
  if (req.headers.authorization !== `Basic ${Buffer.from('reader:s3cret').toString('base64')}`) { json(res, { error: { message: 'no' } }, 401); return; }
  const u = new URL(req.url ?? '/', base);
  const skip = Number(u.searchParams.get('$skiptoken') ?? '0');
  const page = PEOPLE.slice(skip, skip + 2 - (skip === 2 ? 1 : 0));
  const nextSkip = skip + page.length;
  const next = nextSkip >= PEOPLE.length ? undefined : skip === 0 ? `${base}/svc/People?$skiptoken=${nextSkip}` : `People?$skiptoken=${nextSkip}`;
  json(res, { '@odata.context': `${base}/svc/$metadata#People`, value: page, ...(next ? { '@odata.nextLink': next } : {}) });
};

const cols: ColumnSpec[] = [
  { name: 'Id', dataType: 'i4', ext: 'Id' }, { name: 'Name', dataType: 'wstr', length: 30, ext: 'Name' }, { name: 'Born', dataType: 'dbTimeStamp', ext: 'Born' },
  { name: 'Active', dataType: 'bool', ext: 'Active' }, { name: 'Address', dataType: 'wstr', length: 60, ext: 'Address' },
];
function spec(props: Record<string, string>, connectionString: string, columns: ColumnSpec[] = cols): PackageSpec {
  return {
    extraConnections: `<DTS:ConnectionManager DTS:refId="Package.ConnectionManagers[Feed]" DTS:CreationName="ODATA" DTS:DTSID="{0DA7A000-0000-0000-0000-000000000001}" DTS:ObjectName="Feed"><DTS:ObjectData><DTS:ConnectionManager DTS:ConnectionString="${connectionString.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" /></DTS:ObjectData></DTS:ConnectionManager>`,
    variables: [{ name: 'N', dataType: 3, value: '0' }],
    components: [
      {
        name: 'People', classId: 'Microsoft.ODataSource', connection: 'Feed', props: { UseResourcePath: 'false', DefaultStringLength: '4000', ...props },
        outputs: [{ name: 'Out', columns, external: columns.map((c) => ({ name: c.ext ?? c.name, dataType: c.dataType, length: c.length })) }, { name: 'Errors', error: true }],
      },
      { name: 'Count', classId: 'Microsoft.RowCount', props: { VariableName: 'User::N' }, inputs: [{ name: 'In' }], outputs: [{ name: 'Out', syncWith: 'In' }] },
    ],
    paths: [['People.Out', 'Count.In']],
  };
}
const tap: DataTapSpec[] = [{ dataTapId: 1, taskPackagePath: '\\Package\\Data Flow Task', dataflowTaskGuid: null, dataflowPathIdString: 'Paths[People.Out]', dataFilename: 'people.csv', maxRows: null }];
const conn = () => `Service Document Url=${base}/svc/;User ID=reader;Password=s3cret;Timeout=10`;

test('pages through @odata.nextLink (absolute, then relative) with the Query options and basic authentication', async () => {
  handler = peopleService;
  requests.length = 0;
  const work = tempDir('odata');
  try {
    const run = await runSpec(spec({ CollectionName: 'People', Query: '$select=Id,Name,Born,Active,Address' }, conn()), { workingDirectory: work.dir, dataTaps: tap });
    assert.is(run.result.outcome, 'succeeded', errorsOf(run));
    assert.is(work.read('DataDumps/people.csv'), 'Id,Name,Born,Active,Address\r\n1,Ann,1990-05-01 00:00:00,True,"{""City"":""Oslo""}"\r\n2,,,False,\r\n3,"Cy, ""the"" third",2001-12-31 23:59:00,True,\r\n4,Dee,,False,\r\n');
    assert.equal(requests.map((r) => r.url), ['/svc/People?$select=Id,Name,Born,Active,Address', '/svc/People?$skiptoken=2', '/svc/People?$skiptoken=3']);
    assert.ok(requests.every((r) => r.auth?.startsWith('Basic ')));
  } finally { work.remove(); }
});

test('v3 JSON light (odata.nextLink) and ResourcePath', async () => {
  handler = (req, res) => {
    const second = (req.url ?? '').includes('page=2');
    json(res, { 'odata.metadata': 'x', value: second ? [{ Id: 9 }] : [{ Id: 8 }], ...(second ? {} : { 'odata.nextLink': `${base}/v3/Things?page=2` }) });
  };
  requests.length = 0;
  const work = tempDir('odata-v3');
  try {
    const run = await runSpec(spec({ UseResourcePath: 'true', ResourcePath: 'Things' }, `Service Document Url=${base}/v3`, [cols[0]!]), { workingDirectory: work.dir, dataTaps: tap });
    assert.is(run.result.outcome, 'succeeded', errorsOf(run));
    assert.is(work.read('DataDumps/people.csv'), 'Id\r\n8\r\n9\r\n');
    assert.equal(requests.map((r) => r.url), ['/v3/Things', '/v3/Things?page=2']);
    assert.ok(requests.every((r) => r.auth === undefined), 'no credentials configured, none sent');
  } finally { work.remove(); }
});

test('bad input: HTTP errors, not a feed, a next link to another origin, a paging loop, a value that does not convert', async () => {
  handler = (_req, res) => json(res, { error: { message: 'boom' } }, 500);
  const e500 = await runSpec(spec({ CollectionName: 'People' }, conn()));
  assert.is(e500.result.outcome, 'failed');
  assert.match(errorsOf(e500), /People: the OData feed 'http:\/\/127\.0\.0\.1:\d+\/svc\/People' answered HTTP 500/);
  handler = (_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>login</html>'); };
  assert.match(errorsOf(await runSpec(spec({ CollectionName: 'People' }, conn()))), /did not answer JSON \(text\/html\)/);
  handler = (_req, res) => json(res, { value: [{ Id: 1 }], '@odata.nextLink': 'http://example.invalid/svc/People?$skiptoken=1' });
  assert.match(errorsOf(await runSpec(spec({ CollectionName: 'People' }, conn()))), /the OData next link 'http:\/\/example\.invalid\/svc\/People\?\$skiptoken=1' leaves the service's origin/);
  handler = (_req, res) => json(res, { value: [{ Id: 1 }], '@odata.nextLink': `${base}/svc/People?$skiptoken=1` });
  assert.match(errorsOf(await runSpec(spec({ CollectionName: 'People' }, conn()))), /sent the next link '.*\$skiptoken=1' again \(a paging loop\)/);
  handler = (_req, res) => json(res, { value: [{ Id: 'seven' }] });
  assert.match(errorsOf(await runSpec(spec({ CollectionName: 'People' }, conn()))), /People: row 1 column "Id": the OData property 'Id' value "seven" cannot be converted/);
  handler = peopleService;
  assert.match(errorsOf(await runSpec(spec({ CollectionName: 'People' }, `Service Document Url=${base}/svc/`))), /answered HTTP 401/);
});

test('refused by validation: Windows authentication, no collection', async () => {
  handler = peopleService;
  const windows = await runSpec(spec({ CollectionName: 'People' }, `Service Document Url=${base}/svc/;Authentication=WindowsAuthentication`));
  assert.match(errorsOf(windows), /the OData connection manager 'Feed' uses Windows authentication, which cannot run here/);
  const none = await runSpec(spec({ CollectionName: '' }, conn()));
  assert.match(errorsOf(none), /the OData Source has no CollectionName/);
});

test.run();
