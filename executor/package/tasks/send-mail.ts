/**
 * Send Mail Task: one message through nodemailer over the task's SMTP connection manager
 * (connections/smtp.ts). From/To/CC/BCC are `;`-separated address lists (`,` accepted too), the body
 * comes from the task (DirectInput), a FILE connection or a variable, Priority sets X-Priority/
 * Importance, and FileAttachments is a `|`-separated list of paths that must exist. The message is
 * plain text, as SSIS sends it.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import nodemailer from 'nodemailer';
import { SsoError } from '../../../actors/errors.ts';
import { prepareFileConnection } from '../connections/files.ts';
import { smtpSettings } from '../connections/smtp.ts';
import type { Problem, TaskContext, TaskImplementation } from './registry.ts';
import { localName } from '../xml.ts';

/** Task property names (expressions, overrides) → `SendMailTaskData` attribute names. */
const ALIASES: Readonly<Record<string, string>> = {
  SmtpConnection: 'SMTPServer', FromLine: 'From', ToLine: 'To', CCLine: 'CC', BCCLine: 'BCC',
};

type Priority = 'high' | 'normal' | 'low';

/** `High`/`Normal`/`Low`, or numbers: 1 and 2 high, 0 and 3 normal, 4 and 5 low. */
export function priorityOf(raw: string | undefined): Priority {
  const t = (raw ?? '').trim().toLowerCase();
  if (t === '' || t === 'normal' || t === '0' || t === '3') return 'normal';
  if (t === 'high' || t === '1' || t === '2') return 'high';
  if (t === 'low' || t === '4' || t === '5') return 'low';
  throw new Error(`Priority '${raw}' is not one of High, Normal, Low`);
}

/**
 * Effective settings by attribute name. Overrides and property expressions arrive with lower-cased
 * names (and may use the property name rather than the attribute name), so names match case-insensitively.
 */
function settings(props: Readonly<Record<string, string>>): Record<string, string> {
  const canonical = new Map<string, string>();
  for (const n of ['SMTPServer', 'From', 'To', 'CC', 'BCC', 'Subject', 'Priority', 'MessageSourceType', 'MessageSource', 'FileAttachments']) canonical.set(n.toLowerCase(), n);
  for (const [prop, attr] of Object.entries(ALIASES)) canonical.set(prop.toLowerCase(), attr);
  const s: Record<string, string> = {};
  // Attributes first, then the names that only overrides/expressions use, so those win.
  const entries = Object.entries(props).filter(([k]) => !k.startsWith('xmlns')).map(([k, v]) => [localName(k), v] as const);
  for (const [k, v] of entries) if (k !== k.toLowerCase() || !canonical.has(k)) s[canonical.get(k.toLowerCase()) ?? k] = v;
  for (const [k, v] of entries) if (k === k.toLowerCase() && canonical.has(k)) s[canonical.get(k)!] = v;
  return s;
}

/** `a@x; b@y,c@z` → addresses, empty entries dropped. */
export function addressList(raw: string | undefined): string[] {
  return (raw ?? '').split(/[;,]/).map((a) => a.trim()).filter((a) => a !== '');
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/;

export const sendMailTask: TaskImplementation = {
  kind: 'sendMail',
  validate(v) {
    const s = settings(v.task.objectData?.attrs ?? {});
    const path = v.task.path;
    const out: Problem[] = [];
    const expr = (...names: string[]) => v.task.propertyExpressions.some((p) => names.some((n) => p.name.toLowerCase() === n.toLowerCase()));
    const conn = s.SMTPServer ?? '';
    if (conn === '' && !expr('SmtpConnection')) out.push({ path, severity: 'error', message: 'the Send Mail Task has no SMTP connection' });
    else if (conn !== '' && !v.hasConnection(conn)) out.push({ path, severity: 'error', message: `the SMTP connection '${conn}' does not exist` });
    if ((s.From ?? '').trim() === '' && !expr('FromLine')) out.push({ path, severity: 'error', message: 'the Send Mail Task has no From address' });
    if ([s.To, s.CC, s.BCC].every((x) => addressList(x).length === 0) && !expr('ToLine', 'CCLine', 'BCCLine')) {
      out.push({ path, severity: 'error', message: 'the Send Mail Task has no recipient (To, CC or BCC)' });
    }
    try { priorityOf(s.Priority); } catch (err) { out.push({ path, severity: 'error', message: (err as Error).message }); }
    const type = (s.MessageSourceType ?? 'DirectInput').toLowerCase();
    if (!expr('MessageSource')) {
      if ((type === 'variable' || type === '2') && !v.hasVariable(s.MessageSource ?? '')) out.push({ path, severity: 'error', message: `the message variable '${s.MessageSource ?? ''}' does not exist` });
      if ((type === 'fileconnection' || type === '1') && !v.hasConnection(s.MessageSource ?? '')) out.push({ path, severity: 'error', message: `the message file connection '${s.MessageSource ?? ''}' does not exist` });
    }
    return out;
  },

  async execute(ctx) {
    const s = settings(ctx.props);
    const cm = ctx.connection(s.SMTPServer ?? '');
    if (!cm) throw new SsoError('SSO_ERR_PACKAGE_RUN', `the SMTP connection '${s.SMTPServer ?? ''}' does not exist`, { where: ctx.task.path });
    const smtp = smtpSettings(cm);
    const from = (s.From ?? '').trim();
    const to = addressList(s.To), cc = addressList(s.CC), bcc = addressList(s.BCC);
    for (const a of [from, ...to, ...cc, ...bcc]) {
      if (!ADDRESS.test(a)) throw new SsoError('SSO_ERR_PACKAGE_RUN', `'${a}' is not an e-mail address`, { where: ctx.task.path });
    }
    if (to.length + cc.length + bcc.length === 0) throw new SsoError('SSO_ERR_PACKAGE_RUN', 'the message has no recipient (To, CC or BCC)', { where: ctx.task.path });
    const body = await messageBody(ctx, s);
    const attachments = [];
    for (const p of (s.FileAttachments ?? '').split('|').map((x) => x.trim()).filter((x) => x !== '')) {
      const st = await stat(p).catch(() => undefined);
      if (!st?.isFile()) throw new SsoError('SSO_ERR_PACKAGE_RUN', `the attachment '${p}' does not exist or is not a file`, { where: ctx.task.path });
      attachments.push({ filename: basename(p), path: p });
    }
    if (smtp.useWindowsAuthentication && smtp.user === undefined) {
      ctx.warning(`The SMTP connection '${cm.name}' uses Windows authentication, which this worker cannot do: the message is sent without credentials.`);
    }
    const transport = nodemailer.createTransport({
      host: smtp.host, port: smtp.port,
      secure: smtp.enableSsl && smtp.port === 465,
      requireTLS: smtp.enableSsl && smtp.port !== 465,
      ignoreTLS: !smtp.enableSsl,
      connectionTimeout: smtp.timeoutMs, greetingTimeout: smtp.timeoutMs, socketTimeout: smtp.timeoutMs,
      ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    });
    try {
      const info = await transport.sendMail({
        from, ...(to.length ? { to } : {}), ...(cc.length ? { cc } : {}), ...(bcc.length ? { bcc } : {}),
        subject: s.Subject ?? '', text: body, priority: priorityOf(s.Priority), attachments,
      });
      if (info.rejected.length > 0) {
        // As .NET's SmtpClient: a refused recipient fails the send, even if others accepted it.
        const why = ((info as { rejectedErrors?: Error[] }).rejectedErrors ?? []).map((e) => e.message).join('; ') || info.response;
        ctx.error(`${ctx.task.path}: Sending the message through ${smtp.host}:${smtp.port} failed: the server refused ${info.rejected.map(String).join(', ')}: ${why}`);
        return 'failure';
      }
      ctx.information(`Sent the message "${s.Subject ?? ''}" to ${[...to, ...cc, ...bcc].length} recipient(s) through ${smtp.host}:${smtp.port} (${info.response}).`);
      return 'success';
    } catch (err) {
      ctx.error(`${ctx.task.path}: Sending the message through ${smtp.host}:${smtp.port} failed: ${(err as Error).message}`);
      return 'failure';
    } finally {
      transport.close();
    }
  },
};

async function messageBody(ctx: TaskContext, s: Record<string, string>): Promise<string> {
  const type = (s.MessageSourceType ?? 'DirectInput').trim().toLowerCase();
  const source = s.MessageSource ?? '';
  if (type === 'directinput' || type === '0' || type === '') return source;
  if (type === 'variable' || type === '2') {
    const v = ctx.getVariable(source);
    return v === null ? '' : String(v);
  }
  if (type === 'fileconnection' || type === '1') {
    const cm = ctx.connection(source);
    if (!cm) throw new SsoError('SSO_ERR_PACKAGE_RUN', `the message file connection '${source}' does not exist`, { where: ctx.task.path });
    return readFile(await prepareFileConnection(cm, ctx.workingDirectory), 'utf8');
  }
  throw new SsoError('SSO_ERR_PACKAGE_RUN', `MessageSourceType '${s.MessageSourceType}' is not one of DirectInput, FileConnection, Variable`, { where: ctx.task.path });
}
