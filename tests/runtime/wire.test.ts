import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFrame, parseWorkerFrame, parseMasterFrame, isProtocolError, encodeFrame } from '../../runtime/transport/wire.ts';
import type { HelloFrame, EventsFrame } from '../../runtime/transport/wire.ts';

const test = suite('wire protocol');
const AGENT = '6583054a-e915-4c2a-80e4-c765e79ef61d';

const hello: HelloFrame = {
  type: 'hello', seq: 0, agentId: AGENT, machineProperties: { MachineName: 'box', UserAccount: null },
  versions: { protocol: 1, agent: '0.1.0', node: 'v20' }, capacity: { maxTaskCount: 4 }, runningTasks: [{ taskId: 't1', attempt: 2 }],
};

test('a valid hello round-trips', () => {
  const f = parseFrame(encodeFrame(hello));
  assert.not.ok(isProtocolError(f));
  assert.equal(f, hello);
});

test("hello carries the worker's LeaseInternval, bounded to at least one second", () => {
  const withLease = { ...hello, capacity: { maxTaskCount: 4, leaseMs: 90_000 } };
  assert.equal(parseFrame(encodeFrame(withLease)), withLease);
  const r = parseFrame(JSON.stringify({ ...hello, capacity: { maxTaskCount: 4, leaseMs: 5 } }));
  assert.ok(isProtocolError(r));
  assert.match(String((r as { message: string }).message), /capacity.*leaseMs/);
});

test('an events batch validates every message and names the bad field', () => {
  const good: EventsFrame = {
    type: 'events', seq: 7, taskId: '00000000-0000-4000-8000-0000000000aa', attempt: 1, statistics: [],
    messages: [{ eventMessageGuid: '00000000-0000-4000-8000-000000000001', operationId: 5, messageTime: 1, messageType: 70, messageSourceType: 30,
      message: 'hi', packageName: 'A.dtsx', eventName: 'OnInformation', messageSourceName: 'A', messageSourceId: 'x', packagePath: '\\Package', executionPath: '\\A', threadId: 1 }],
  };
  assert.equal(parseFrame(JSON.stringify(good)), good);
  const bad = JSON.parse(JSON.stringify(good));
  bad.messages[0].operationId = 'five';
  const r = parseFrame(JSON.stringify(bad));
  assert.ok(isProtocolError(r));
  assert.match((r as { message: string }).message, 'messages[0].operationId');
});

test('malformed and unknown frames are protocol errors, never throws', () => {
  for (const text of ['', 'not json', '[]', 'null', '{"type":"nope","seq":1}', '{"type":"pull","seq":-1,"slots":1,"assignedSeen":0}',
    '{"type":"pull","seq":1,"slots":"2","assignedSeen":0}', '{"type":"task-status","seq":1,"taskId":"t","attempt":1,"status":9}',
    '{"type":"hello","seq":0,"agentId":"not-a-guid"}']) {
    assert.ok(isProtocolError(parseFrame(text)), text);
  }
});

test('direction is checked', () => {
  assert.ok(isProtocolError(parseWorkerFrame('{"type":"ack","seq":1,"upTo":3}')));
  assert.ok(isProtocolError(parseMasterFrame(encodeFrame(hello))));
  assert.not.ok(isProtocolError(parseMasterFrame('{"type":"ack","seq":1,"upTo":3}')));
});

test.run();
