/**
 * SMTP connection managers: `SmtpServer=host;UseWindowsAuthentication=False;EnableSsl=False;` as
 * SSIS writes them, plus extensions for a Linux worker: `Port=` (default 25, or 465 with EnableSsl),
 * and `UserName=`/`Password=` for an authenticated relay. Windows authentication has no meaning
 * here: such a connection sends without credentials unless a user name is given (the Send Mail
 * Task warns). EnableSsl=True means TLS from the first byte on port 465, STARTTLS otherwise.
 */
import { SsoError } from '../../../actors/errors.ts';
import type { ConnectionManagerDef } from '../model.ts';
import { boolKey, parseConnectionString } from './connection-string.ts';

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  readonly enableSsl: boolean;
  readonly useWindowsAuthentication: boolean;
  readonly user?: string;
  readonly password?: string;
  readonly timeoutMs: number;
}

export function smtpSettings(cm: ConnectionManagerDef): SmtpSettings {
  const what = `SMTP connection manager '${cm.name}'`;
  if (cm.creationName.toUpperCase() !== 'SMTP') throw new SsoError('SSO_ERR_CONNECTION', `connection manager '${cm.name}' is a ${cm.creationName} connection, expected SMTP`, { where: cm.name });
  const keys = parseConnectionString(cm.connectionString, what);
  const host = (keys.get('SmtpServer', 'Server', 'Host') ?? cm.properties.SmtpServer ?? '').trim();
  if (host === '') throw new SsoError('SSO_ERR_CONNECTION', `${what} names no SmtpServer`, { where: cm.name });
  const enableSsl = boolKey(keys.get('EnableSsl') ?? cm.properties.EnableSsl, false);
  const portText = keys.get('Port');
  const port = portText === undefined ? (enableSsl ? 465 : 25) : Number(portText);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new SsoError('SSO_ERR_CONNECTION', `${what}: Port '${portText}' is not a number from 1 to 65535`, { where: cm.name });
  const user = keys.get('UserName', 'User', 'User ID');
  const password = keys.get('Password');
  const timeout = Number(keys.get('Timeout') ?? cm.properties.Timeout ?? 100);
  return {
    host, port, enableSsl,
    useWindowsAuthentication: boolKey(keys.get('UseWindowsAuthentication') ?? cm.properties.UseWindowsAuthentication, false),
    ...(user ? { user } : {}), ...(password !== undefined ? { password } : {}),
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : 100000,
  };
}
