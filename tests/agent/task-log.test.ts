import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SsoError } from '../../actors/errors.ts';
import { MessageType } from '../../actors/catalog-codes.ts';
import type { EventMessageInput } from '../../actors/ports.ts';
import { TaskLog, TaskLogLevel, levelOfMessageType, type TaskLogSettings } from '../../runtime/agent/task-log.ts';

interface Ctx { root: string; clock: { t: number; now(): number } }
const taskLog = suite<Ctx>('task logs');
const TASK = '64c020e2-f819-4c2d-a22f-efb31a91e70a';
const T0 = Date.UTC(2024, 0, 31, 12, 0, 0);

taskLog.before.each(async (ctx) => {
  ctx.root = await mkdtemp(join(tmpdir(), 'scaleout-tasklog-'));
  ctx.clock = { t: T0, now() { return this.t; } };
});
taskLog.after.each(async (ctx) => {
  await rm(ctx.root, { recursive: true, force: true });
});

function settings(ctx: Ctx, extra: Partial<TaskLogSettings> = {}): TaskLogSettings {
  return { rootFolder: ctx.root, clock: ctx.clock, ...extra };
}

function message(messageType: number, text: string, time: number, source = 'Data Flow Task'): { kind: 'message'; message: EventMessageInput } {
  return {
    kind: 'message',
    message: {
      eventMessageGuid: '00000000-0000-4000-8000-000000000001', operationId: 5, messageTime: time, messageType,
      messageSourceType: 60, message: text, packageName: 'Load.dtsx', eventName: 'OnX', messageSourceName: source,
      messageSourceId: '{1}', packagePath: '\\Package', executionPath: '\\Package', threadId: 0,
    },
  };
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).trimEnd().split('\n');
}

taskLog('one line per event, in a folder named with the TaskId, filtered by the default level (no Verbose)', async (ctx) => {
  const log = await TaskLog.open(settings(ctx), TASK);
  log.audit('task assigned, attempt 1');
  log.writeEvent(message(MessageType.preValidate, 'validating', T0 + 1));
  log.writeEvent(message(MessageType.information, 'rows: 10\nsecond line', T0 + 2));
  log.writeEvent(message(MessageType.warning, 'truncation', T0 + 3));
  log.writeEvent(message(MessageType.error, 'login failed', T0 + 4, 'OLE DB Source'));
  log.writeEvent(message(MessageType.progress, 'Validating: 50% complete', T0 + 5));
  log.writeEvent({ kind: 'statistic', statistic: { statisticGuid: 's', operationId: 5, packageName: 'Load.dtsx', executableName: 'Load', executableGuid: 'g', packagePath: '\\Package', executionPath: '\\Package', startTime: T0, endTime: T0 + 6, executionDuration: 6, executionResult: 0 } });
  log.critical('the package thread crashed');
  await log.close();
  assert.is(log.folder, join(ctx.root, TASK));
  assert.equal(await readdir(join(ctx.root, TASK)), ['task.log']);
  assert.equal(await lines(join(ctx.root, TASK, 'task.log')), [
    '2024-01-31T12:00:00.000Z Audit [Agent] task assigned, attempt 1',
    '2024-01-31T12:00:00.002Z Information [Data Flow Task] rows: 10\\nsecond line',
    '2024-01-31T12:00:00.003Z Warning [Data Flow Task] truncation',
    '2024-01-31T12:00:00.004Z Error [OLE DB Source] login failed',
    '2024-01-31T12:00:00.005Z Progress [Data Flow Task] Validating: 50% complete',
    '2024-01-31T12:00:00.000Z CriticalError [Agent] the package thread crashed',
  ]);
});

taskLog('TaskLogLevel bit flags select exactly the levels written', async (ctx) => {
  const log = await TaskLog.open(settings(ctx, { levelMask: TaskLogLevel.Verbose | TaskLogLevel.Error }), TASK);
  log.writeEvent(message(MessageType.preValidate, 'validating', T0));
  log.writeEvent(message(MessageType.information, 'info', T0));
  log.writeEvent(message(MessageType.taskFailed, 'task failed', T0));
  log.audit('not written');
  await log.close();
  assert.equal((await lines(join(ctx.root, TASK, 'task.log'))).map((l) => l.split(' ')[1]), ['Verbose', 'Error']);
});

taskLog('message types map onto the task-log levels', () => {
  assert.is(levelOfMessageType(MessageType.error), 'Error');
  assert.is(levelOfMessageType(MessageType.taskFailed), 'Error');
  assert.is(levelOfMessageType(MessageType.warning), 'Warning');
  assert.is(levelOfMessageType(MessageType.progress), 'Progress');
  assert.is(levelOfMessageType(MessageType.information), 'Information');
  assert.is(levelOfMessageType(MessageType.postExecute), 'Information');
  assert.is(levelOfMessageType(MessageType.diagnostic), 'Verbose');
  assert.is(levelOfMessageType(MessageType.custom), 'Verbose');
  assert.is(levelOfMessageType(12345), 'Verbose');
});

taskLog('TaskLogSegment splits the log into one file per time span, never rolling back', async (ctx) => {
  const log = await TaskLog.open(settings(ctx, { segmentMs: 60_000 }), TASK);
  log.audit('first window');
  log.writeEvent(message(MessageType.information, 'still first', T0 + 59_999));
  log.writeEvent(message(MessageType.information, 'second window', T0 + 60_000));
  log.writeEvent(message(MessageType.information, 'late event from the first window', T0 + 10));
  log.writeEvent(message(MessageType.information, 'fourth window', T0 + 200_000));
  await log.close();
  const files = await readdir(join(ctx.root, TASK));
  assert.equal(files.sort(), ['task-20240131T120000Z.log', 'task-20240131T120100Z.log', 'task-20240131T120300Z.log']);
  assert.is((await lines(join(ctx.root, TASK, 'task-20240131T120000Z.log'))).length, 2);
  assert.equal((await lines(join(ctx.root, TASK, 'task-20240131T120100Z.log'))).map((l) => l.split('] ')[1]), ['second window', 'late event from the first window']);
});

taskLog('TaskLogEnabled = false writes nothing and creates no folder', async (ctx) => {
  const log = await TaskLog.open(settings(ctx, { enabled: false }), TASK);
  log.audit('x');
  log.writeEvent(message(MessageType.error, 'y', T0));
  await log.close();
  assert.is(log.folder, null);
  assert.equal(await readdir(ctx.root), []);
});

taskLog('a task id that is not a plain folder name is refused', async (ctx) => {
  for (const bad of ['../escape', 'a/b', '', '..', '.hidden']) {
    try {
      await TaskLog.open(settings(ctx), bad);
      assert.unreachable(bad);
    } catch (error) {
      assert.ok(SsoError.is(error), String(error));
      assert.is((error as SsoError).code, 'SSO_ERR_PROTOCOL');
    }
  }
});

taskLog('settings are validated naming the setting', async (ctx) => {
  for (const [extra, pattern] of [
    [{ levelMask: 128 }, /TaskLogLevel: expected bit flags between 0 and 127, got 128/],
    [{ segmentMs: -1 }, /TaskLogSegment/],
    [{ rootFolder: '' }, /TasksRootFolder: expected a folder path/],
  ] as const) {
    try {
      await TaskLog.open(settings(ctx, extra), TASK);
      assert.unreachable(JSON.stringify(extra));
    } catch (error) {
      assert.is((error as SsoError).code, 'SSO_ERR_CONFIG_INVALID');
      assert.match((error as Error).message, pattern);
    }
  }
});

taskLog('a log that cannot be written reports a failure but never throws at the task', async (ctx) => {
  const warnings: string[] = [];
  const log = await TaskLog.open(settings(ctx, { logger: { warn: (_o, m) => warnings.push(m) } }), TASK);
  // A file where the task folder should be: creating the folder (with the run's first line) fails.
  await rm(join(ctx.root, TASK), { recursive: true, force: true });
  await writeFile(join(ctx.root, TASK), 'not a folder');
  log.audit('lost');
  log.critical('lost too');
  log.critical('dropped without another warning');
  await log.close();
  assert.ok(log.failure !== null);
  assert.is(log.written, true);
  assert.is(warnings.length, 1);
  assert.match(warnings[0] ?? '', /cannot (create|write) .*/);
});

taskLog('a run that writes nothing leaves no folder and no file: the agent\'s own lines are held until the run writes', async (ctx) => {
  const log = await TaskLog.open(settings(ctx), TASK);
  log.audit('task assigned, attempt 1');
  log.audit('task ended: succeeded');
  await log.close();
  assert.is(log.written, false);
  assert.equal(await readdir(ctx.root), []);
  const second = await TaskLog.open(settings(ctx), TASK);
  second.audit('task assigned, attempt 2');
  second.writeEvent(message(MessageType.warning, 'late', T0 + 9));
  second.audit('task ended: failed');
  await second.close();
  assert.is(second.written, true);
  assert.equal((await lines(join(ctx.root, TASK, 'task.log'))).map((l) => l.split('] ')[1]), ['task assigned, attempt 2', 'late', 'task ended: failed']);
});

taskLog.run();
