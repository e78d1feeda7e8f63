/**
 * Send Mail Task against a real SMTP server (smtp-server) on 127.0.0.1 with an ephemeral port:
 * envelope recipients (To, CC, BCC), headers, priority, the three message sources, attachments, a
 * subject from a property expression, and failures (missing attachment, refused recipient).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { runFixture } from './run-helpers.ts';
import { addressList, priorityOf } from '../../executor/package/tasks/send-mail.ts';

interface Received { from: string; to: string[]; raw: string }

const dir = mkdtempSync(join(tmpdir(), 'scaleout-mail-'));
const bodyFile = join(dir, 'body.txt');
writeFileSync(bodyFile, 'Body from a file\n');
const att1 = join(dir, 'report.csv');
const att2 = join(dir, 'notes.txt');
writeFileSync(att1, 'id,name\n1,Ann\n');
writeFileSync(att2, 'all good');

const received: Received[] = [];
const server = new SMTPServer({
  authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
  onRcptTo(address, _session, cb) {
    if (address.address.startsWith('refuse')) cb(new Error('550 mailbox unavailable'));
    else cb();
  },
  onData(stream, session, cb) {
    let raw = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => { raw += d; });
    stream.on('end', () => {
      received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
      cb();
    });
  },
});
let port = 0;

const mail = suite('Send Mail Task');
mail.before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.server.address() as AddressInfo).port;
});
mail.after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});
mail.before.each(() => { received.length = 0; });

const overrides = (more: { propertyPath: string; value: string }[] = []) => [
  { propertyPath: '\\Package.Connections[Mail].Properties[ConnectionString]', value: `SmtpServer=127.0.0.1;Port=${port};UseWindowsAuthentication=False;EnableSsl=False;` },
  { propertyPath: '\\Package.Connections[BodyFile].Properties[ConnectionString]', value: bodyFile },
  { propertyPath: '\\Package\\Direct.Properties[FileAttachments]', value: `${att1}|${att2}` },
  ...more,
];

/** The decoded text of a raw message's parts that are not attachments (enough for assertions). */
function header(raw: string, name: string): string | undefined {
  const m = new RegExp(`^${name}: ((?:.*)(?:\\r\\n[ \\t].*)*)`, 'mi').exec(raw);
  return m?.[1]?.replace(/\r\n[ \t]+/g, ' ');
}

mail('sends each message with its recipients, subject, priority, body and attachments', async () => {
  const run = await runFixture(['SendMail.dtsx'], 'SendMail.dtsx', { overrides: overrides() });
  assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
  assert.is(received.length, 3);
  const [direct, fromVar, fromFile] = received as [Received, Received, Received];
  assert.is(direct.from, 'ssis@example.test');
  assert.equal(direct.to.sort(), ['ann@example.test', 'bob@example.test', 'cy@example.test', 'dee@example.test']);
  assert.is(header(direct.raw, 'Subject'), 'Load Sales finished');
  assert.is(header(direct.raw, 'To'), 'ann@example.test, bob@example.test');
  assert.is(header(direct.raw, 'Cc'), 'cy@example.test');
  assert.is(header(direct.raw, 'Bcc'), undefined, 'BCC is not a header');
  assert.is(header(direct.raw, 'X-Priority'), '1 (Highest)');
  assert.match(direct.raw, /Line one\r?\nLine two/);
  assert.match(direct.raw, /filename=report\.csv/);
  assert.match(direct.raw, /filename=notes\.txt/);
  assert.ok(direct.raw.includes(Buffer.from('id,name\n1,Ann\n').toString('base64')), 'the CSV attachment content');
  assert.match(fromVar.raw, /Body from a variable/);
  assert.is(header(fromVar.raw, 'X-Priority'), '5 (Lowest)');
  assert.match(fromFile.raw, /Body from a file/);
  assert.is(header(fromFile.raw, 'Subject'), 'from a file');
  assert.ok(run.messages(70).some((m) => m.source === 'Direct' && /to 4 recipient\(s\) through 127\.0\.0\.1/.test(m.text)));
});

mail('Windows authentication sends without credentials and says so', async () => {
  const run = await runFixture(['SendMail.dtsx'], 'SendMail.dtsx', { overrides: overrides([
    { propertyPath: '\\Package.Connections[Mail].Properties[ConnectionString]', value: `SmtpServer=127.0.0.1;Port=${port};UseWindowsAuthentication=True;EnableSsl=False;` },
  ]) });
  assert.is(run.result.outcome, 'succeeded', run.result.errors.join('\n'));
  assert.ok(run.messages(110).some((m) => /uses Windows authentication/.test(m.text)));
});

mail('a missing attachment fails the task before sending; a refused recipient is an OnError with the server text', async () => {
  const missing = await runFixture(['SendMail.dtsx'], 'SendMail.dtsx', { overrides: overrides([{ propertyPath: '\\Package\\Direct.Properties[FileAttachments]', value: join(dir, 'gone.csv') }]) });
  assert.is(missing.result.outcome, 'failed');
  assert.match(missing.result.errors.join('\n'), /the attachment '.*gone\.csv' does not exist/);
  assert.is(received.length, 0);
  const refused = await runFixture(['SendMail.dtsx'], 'SendMail.dtsx', { overrides: overrides([{ propertyPath: '\\Package\\Direct.Properties[ToLine]', value: 'refuse@example.test' }]) });
  assert.is(refused.result.outcome, 'failed');
  const err = refused.messages(120)[0]!;
  assert.is(err.path, '\\Package\\Direct');
  assert.match(err.text, /Sending the message through 127\.0\.0\.1:\d+ failed: .*mailbox unavailable/);
});

mail('address lists and priorities parse as SSIS writes them', () => {
  assert.equal(addressList(' a@x.test; b@x.test,c@x.test ;; '), ['a@x.test', 'b@x.test', 'c@x.test']);
  assert.equal(['High', 'normal', 'Low', '0', '1', '5'].map(priorityOf), ['high', 'normal', 'low', 'normal', 'high', 'low']);
  assert.throws(() => priorityOf('Urgent'), /Priority 'Urgent' is not one of High, Normal, Low/);
});

mail.run();
