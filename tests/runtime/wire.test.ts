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

test('batch frames (protocol 2): K assignments or K reports per frame, every item validated by path, direction checked', () => {
  const payload = { executionId: 5, operationGuid: 'g', folderName: 'F', projectName: 'P', projectId: 1, projectVersionLsn: 1, projectSha256: 'a'.repeat(64),
    packageName: 'A.dtsx', use32BitRuntime: false, parameters: [], propertyOverrides: [] };
  const item = (n: number) => ({ taskId: `t${n}`, jobId: 'j', executionId: 5, attempt: 1, maxAttempts: 1, leaseExpiry: 1, payload });
  const assignBatch = { type: 'assign-batch', seq: 3, assignments: [item(1), item(2)] };
  assert.equal(parseMasterFrame(JSON.stringify(assignBatch)), assignBatch);
  assert.ok(isProtocolError(parseWorkerFrame(JSON.stringify(assignBatch))), 'assign-batch is master → worker only');
  const reports = { type: 'task-status-batch', seq: 4, reports: [{ taskId: 't1', attempt: 1, status: 5 }, { taskId: 't2', attempt: 2, status: 4, message: 'boom' }] };
  assert.equal(parseWorkerFrame(JSON.stringify(reports)), reports);
  assert.ok(isProtocolError(parseMasterFrame(JSON.stringify(reports))), 'task-status-batch is worker → master only');
  const cases: [unknown, string][] = [
    [{ ...reports, reports: [] }, 'frame(task-status-batch).reports: expected at least one report'],
    [{ ...reports, reports: [{ taskId: 't1', attempt: 0, status: 5 }] }, 'frame(task-status-batch).reports[0].attempt'],
    [{ ...reports, reports: Array.from({ length: 1001 }, (_, i) => ({ taskId: `t${i}`, attempt: 1, status: 5 })) }, 'frame(task-status-batch).reports: expected array of at most 1000 items'],
    [{ ...assignBatch, assignments: [item(1), { ...item(2), payload: { ...payload, projectSha256: 'x' } }] }, 'frame(assign-batch).assignments[1].payload.projectSha256'],
  ];
  for (const [frame, path] of cases) {
    const r = parseFrame(JSON.stringify(frame));
    assert.ok(isProtocolError(r), path);
    assert.match((r as { message: string }).message, path);
  }
  // An error frame may name the task of a batch it refuses; a welcome may say the master's protocol.
  const err = { type: 'error', seq: 9, replyTo: 4, taskId: 't2', code: 'SSO_ERR_CATALOG', number: 27246, message: 'no', retryable: false };
  assert.equal(parseMasterFrame(JSON.stringify(err)), err);
  const welcome = { type: 'welcome', seq: 1, enabled: true, registered: false, settings: { leaseMs: 1000 }, heldTasks: [], protocol: 2 };
  assert.equal(parseMasterFrame(JSON.stringify(welcome)), welcome);
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
