/**
 * XML Source from hand-written packages: a file with an external XSD and a variable holding XML with an
 * inline schema; nested rowsets with their `_Id` keys, attributes and child elements as columns, a
 * missing value as NULL, `<rowset>_Text`, an empty document; bad input: a value that does not convert
 * (failing, or redirected to the error output), malformed XML with its line, a schema that lacks an
 * output's rowset or column (validation names them), a missing schema file. Rows are read back through
 * data taps on the outputs' paths.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import type { ColumnSpec, ComponentSpec, PackageSpec } from './builder.ts';
import { errorsOf, runSpec, tempDir } from './helpers.ts';
import type { DataTapSpec } from '../../actors/ports.ts';

const t = tempDir('xml');
const test = suite('data flow: XML Source');
test.after(() => t.remove());

const XSD = `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="orders">
    <xs:complexType><xs:sequence>
      <xs:element name="order" maxOccurs="unbounded">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="customer" type="xs:string" minOccurs="0" />
            <xs:element name="placed" type="xs:dateTime" minOccurs="0" />
            <xs:element name="item" maxOccurs="unbounded" minOccurs="0">
              <xs:complexType><xs:simpleContent><xs:extension base="xs:string">
                <xs:attribute name="sku" type="xs:string" /><xs:attribute name="qty" type="xs:int" />
              </xs:extension></xs:simpleContent></xs:complexType>
            </xs:element>
          </xs:sequence>
          <xs:attribute name="id" type="xs:int" use="required" />
          <xs:attribute name="rush" type="xs:boolean" />
        </xs:complexType>
      </xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>`;

const DATA = `<?xml version="1.0" encoding="utf-8"?>
<orders>
  <order id="10" rush="true"><customer>Ann &amp; Co</customer><placed>2024-03-01T10:30:00</placed>
    <item sku="A-1" qty="2">red</item><item sku="B-2" qty="1" />
  </order>
  <order id="11"><customer>Bob</customer></order>
  <order id="12" rush="false"><placed>2024-03-02T00:00:00</placed><item sku="C-3" qty="5">large, "XL"</item></order>
</orders>`;

const orderCols: ColumnSpec[] = [
  { name: 'order_Id', dataType: 'ui8' }, { name: 'id', dataType: 'i4' }, { name: 'rush', dataType: 'bool' },
  { name: 'customer', dataType: 'wstr', length: 40 }, { name: 'placed', dataType: 'dbTimeStamp' },
];
const itemCols: ColumnSpec[] = [
  { name: 'item_Id', dataType: 'ui8' }, { name: 'order_Id', dataType: 'ui8' }, { name: 'sku', dataType: 'wstr', length: 10 },
  { name: 'qty', dataType: 'i4' }, { name: 'item_Text', dataType: 'wstr', length: 20 },
];

function xmlSpec(props: Record<string, string>, opts: { orders?: ColumnSpec[]; items?: ColumnSpec[]; variables?: PackageSpec['variables']; errorOut?: boolean } = {}): PackageSpec {
  const source: ComponentSpec = {
    name: 'Orders XML', classId: 'Microsoft.XmlSourceAdapter', props,
    outputs: [
      { name: 'order', props: { RowsetID: 'order' }, columns: opts.orders ?? orderCols },
      { name: 'item', props: { RowsetID: 'item' }, columns: opts.items ?? itemCols },
      ...(opts.errorOut ? [{ name: 'Errors', error: true }] : []),
    ],
  };
  const count = (name: string, variable: string): ComponentSpec => ({ name, classId: 'Microsoft.RowCount', props: { VariableName: `User::${variable}` }, inputs: [{ name: 'In' }], outputs: [{ name: 'Out', syncWith: 'In' }] });
  return {
    variables: [{ name: 'Orders', dataType: 3, value: '0' }, { name: 'Items', dataType: 3, value: '0' }, { name: 'Bad', dataType: 3, value: '0' }, ...(opts.variables ?? [])],
    components: [source, count('Count Orders', 'Orders'), count('Count Items', 'Items'), ...(opts.errorOut ? [count('Count Bad', 'Bad')] : [])],
    paths: [['Orders XML.order', 'Count Orders.In'], ['Orders XML.item', 'Count Items.In'], ...(opts.errorOut ? [['Orders XML.Errors', 'Count Bad.In'] as [string, string]] : [])],
  };
}
const taps = (...files: [string, string][]): DataTapSpec[] => files.map(([path, file], i) => ({
  dataTapId: i + 1, taskPackagePath: '\\Package\\Data Flow Task', dataflowTaskGuid: null, dataflowPathIdString: `Paths[Orders XML.${path}]`, dataFilename: file, maxRows: null,
}));

test('a file with an external XSD: nested rowsets with _Id keys, attributes, child elements, _Text, NULL for what is missing', async () => {
  writeFileSync(t.file('orders.xsd'), XSD);
  writeFileSync(t.file('orders.xml'), DATA);
  const work = tempDir('xml-run');
  try {
    const run = await runSpec(xmlSpec({ AccessMode: '0', XMLData: t.file('orders.xml'), XMLSchemaDefinition: t.file('orders.xsd'), UseInlineSchema: 'false' }),
      { workingDirectory: work.dir, dataTaps: taps(['order', 'orders.csv'], ['item', 'items.csv']) });
    assert.is(run.result.outcome, 'succeeded', errorsOf(run));
    assert.is(work.read('DataDumps/orders.csv'), 'order_Id,id,rush,customer,placed\r\n0,10,True,Ann & Co,2024-03-01 10:30:00\r\n1,11,,Bob,\r\n2,12,False,,2024-03-02 00:00:00\r\n');
    assert.is(work.read('DataDumps/items.csv'), 'item_Id,order_Id,sku,qty,item_Text\r\n0,0,A-1,2,red\r\n1,0,B-2,1,\r\n2,2,C-3,5,"large, ""XL"""\r\n');
  } finally { work.remove(); }
});

test('XML data from a variable with an inline schema (relative XSD paths resolve in the task folder); an empty document gives no rows', async () => {
  const inline = DATA.replace('<orders>', `<orders>${XSD.replace('<?xml version="1.0"?>', '')}`);
  const work = tempDir('xml-var');
  try {
    const run = await runSpec(xmlSpec({ AccessMode: '2', XMLDataVariable: 'User::Xml', UseInlineSchema: 'true' }, { variables: [{ name: 'Xml', dataType: 8, value: inline }] }),
      { workingDirectory: work.dir, dataTaps: taps(['item', 'items.csv']) });
    assert.is(run.result.outcome, 'succeeded', errorsOf(run));
    assert.is(work.read('DataDumps/items.csv').split('\r\n').length, 5, 'header, three items, end');
    writeFileSync(work.file('orders.xsd'), XSD);
    writeFileSync(work.file('empty.xml'), '<orders/>');
    const empty = await runSpec(xmlSpec({ AccessMode: '1', XMLDataVariable: 'User::File', XMLSchemaDefinition: 'orders.xsd' }, { variables: [{ name: 'File', dataType: 8, value: 'empty.xml' }] }),
      { workingDirectory: work.dir, dataTaps: taps(['order', 'orders.csv']) });
    assert.is(empty.result.outcome, 'succeeded', errorsOf(empty));
    assert.is(work.read('DataDumps/orders.csv'), 'order_Id,id,rush,customer,placed\r\n');
  } finally { work.remove(); }
});

test('a value that does not convert fails naming the column and row, or is redirected to the error output', async () => {
  writeFileSync(t.file('bad.xml'), DATA.replace('qty="1"', 'qty="one"'));
  const fail = await runSpec(xmlSpec({ AccessMode: '0', XMLData: t.file('bad.xml'), XMLSchemaDefinition: t.file('orders.xsd') }));
  assert.is(fail.result.outcome, 'failed');
  assert.match(errorsOf(fail), /Orders XML: row 2 column "qty": the value 'one' of "qty" in rowset 'item' cannot be converted/);
  const work = tempDir('xml-redirect');
  try {
    const redirected = await runSpec(xmlSpec({ AccessMode: '0', XMLData: t.file('bad.xml'), XMLSchemaDefinition: t.file('orders.xsd') }, {
      errorOut: true, items: itemCols.map((c) => (c.name === 'qty' ? { ...c, error: 'RedirectRow' as const } : c)),
    }), { workingDirectory: work.dir, dataTaps: taps(['item', 'items.csv']) });
    assert.is(redirected.result.outcome, 'succeeded', errorsOf(redirected));
    assert.is(work.read('DataDumps/items.csv'), 'item_Id,order_Id,sku,qty,item_Text\r\n0,0,A-1,2,red\r\n2,2,C-3,5,"large, ""XL"""\r\n');
  } finally { work.remove(); }
});

test('bad input: malformed XML names the line; the schema must declare each rowset and column; a missing schema file is named', async () => {
  writeFileSync(t.file('broken.xml'), '<orders>\n  <order id="1">\n</orders>');
  const broken = await runSpec(xmlSpec({ AccessMode: '0', XMLData: t.file('broken.xml'), XMLSchemaDefinition: t.file('orders.xsd') }));
  assert.is(broken.result.outcome, 'failed');
  assert.match(errorsOf(broken), /Orders XML: '.*broken\.xml' is not well-formed XML \(line 3/);
  const unknownColumn = await runSpec(xmlSpec({ AccessMode: '0', XMLData: t.file('orders.xml'), XMLSchemaDefinition: t.file('orders.xsd') }, { orders: [...orderCols, { name: 'discount', dataType: 'r8' }] }));
  assert.is(unknownColumn.result.outcome, 'failed');
  assert.match(errorsOf(unknownColumn), /the output 'order' column 'discount' is neither an attribute nor a child element of 'order' in the XML schema/);
  const spec = xmlSpec({ AccessMode: '0', XMLData: t.file('orders.xml'), XMLSchemaDefinition: t.file('orders.xsd') });
  (spec.components[0]!.outputs![1]!.props as Record<string, string>).RowsetID = 'line';
  const unknownRowset = await runSpec(spec);
  assert.match(errorsOf(unknownRowset), /the output 'item' reads the rowset 'line', which the XML schema does not declare/);
  const noSchema = await runSpec(xmlSpec({ AccessMode: '0', XMLData: t.file('orders.xml'), XMLSchemaDefinition: t.file('missing.xsd') }));
  assert.match(errorsOf(noSchema), /the XML schema '.*missing\.xsd' cannot be read/);
  const none = await runSpec(xmlSpec({ AccessMode: '0', XMLData: t.file('orders.xml') }));
  assert.match(errorsOf(none), /the XML Source has no schema: set XMLSchemaDefinition to an \.xsd file or UseInlineSchema to true/);
});

test.run();
