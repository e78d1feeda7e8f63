import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSettingsText } from '../../config/settings-file.ts';
import { SsoError } from '../../actors/errors.ts';

const F = suite('config/settings-file');

function errorOf(fn: () => unknown): SsoError {
  try { fn(); } catch (e) { if (SsoError.is(e)) return e; throw e; }
  throw new Error('no error thrown');
}

F('reads one element per key with lines, through a BOM, comments and CDATA', () => {
  const text = '\ufeff<?xml version="1.0"?>\n<!-- head -->\n<WorkerSettings>\n  <A> 1 &amp; 2 </A>\n  <!-- <B>no</B> -->\n  <C><![CDATA[<x>]]></C>\n  <D/>\n</WorkerSettings>\n';
  const doc = parseSettingsText(text, 'w.config', 'WorkerSettings');
  assert.ok(doc.bom);
  assert.is(doc.shape, 'elements');
  assert.equal(doc.entries.map((e) => [e.key, e.value, e.line]), [['A', '1 & 2', 4], ['C', '<x>', 6], ['D', '', 7]]);
  assert.is(doc.indent, '  ');
  assert.is(doc.newline, '\n');
});

F('reads the .NET appSettings shape', () => {
  const text = '<configuration>\r\n  <appSettings>\r\n    <add key="MaxTaskCount" value="4" />\r\n    <add key="MasterEndpoint" value="https://m&amp;1" />\r\n  </appSettings>\r\n</configuration>\r\n';
  const doc = parseSettingsText(text, 'w.config', 'WorkerSettings');
  assert.is(doc.shape, 'appSettings');
  assert.equal(doc.entries.map((e) => [e.key, e.value, e.line]), [['MaxTaskCount', '4', 3], ['MasterEndpoint', 'https://m&1', 4]]);
  assert.is(doc.newline, '\r\n');
  assert.is(doc.indent, '    ');
});

F('malformed XML names the file and line', () => {
  const e = errorOf(() => parseSettingsText('<WorkerSettings>\n  <A>1</A>\n  <B>2</C>\n</WorkerSettings>', '/etc/w.config', 'WorkerSettings'));
  assert.is(e.code, 'SSO_ERR_CONFIG_INVALID');
  assert.match(e.message, /^\/etc\/w\.config:3: malformed XML/);
  assert.is(e.where, '/etc/w.config:3');
});

F('refuses a wrong root, duplicates, nested elements and an empty file', () => {
  assert.match(errorOf(() => parseSettingsText('<MasterSettings/>', 'x', 'WorkerSettings')).message, /root element is <MasterSettings>; expected <WorkerSettings>/);
  assert.match(errorOf(() => parseSettingsText('<W>\n<A>1</A>\n<a>2</a>\n</W>', 'x', 'W')).message, /x:3: duplicate key a \(first given on line 2\)/);
  assert.match(errorOf(() => parseSettingsText('<W>\n<A><B>1</B></A>\n</W>', 'x', 'W')).message, /x:2: <A> must hold a single text value/);
  assert.match(errorOf(() => parseSettingsText('  \n', 'x', 'W')).message, /empty/);
  assert.match(errorOf(() => parseSettingsText('<configuration><appSettings><add value="1"/></appSettings></configuration>', 'x', 'W')).message, /key attribute/);
});

F.run();
