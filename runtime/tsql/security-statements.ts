/**
 * Logins and roles in the T-SQL front door, as SQL Server spells them:
 *
 *   CREATE LOGIN name WITH PASSWORD = 'pw' [, CHECK_POLICY = OFF, CHECK_EXPIRATION = OFF, DEFAULT_DATABASE = SSISDB]
 *   ALTER LOGIN name WITH PASSWORD = 'pw' [OLD_PASSWORD = 'old']
 *   DROP LOGIN name
 *   ALTER ROLE { ssis_admin | ssis_cluster_executor | ssis_logreader | ssis_cluster_worker } { ADD | DROP } MEMBER name
 *   ALTER SERVER ROLE sysadmin { ADD | DROP } MEMBER name
 *   SELECT … FROM sys.sql_logins   (name, type_desc, create_date, is_disabled, and our `roles` column)
 *
 * Catalog logins are the catalog's principals (scrypt-hashed passwords); there is no separate
 * server/database user, so a login is its own database user. Errors carry SQL Server's numbers
 * (15025 exists, 15151 does not exist or no permission, 15247 no permission, 15116 password too
 * short, 15434 dropping the login in use). Only sysadmin manages logins; a login may change its own
 * password by giving OLD_PASSWORD, as in SQL Server. The grammar lives here, apart from parser.ts, so
 * the two evolve without touching each other; parser.ts hands over at CREATE / ALTER / DROP.
 */
import type { Token } from './lexer.ts';
import { TsqlSyntaxError } from './lexer.ts';
import type { CatalogStore, Principal } from '../../actors/ports.ts';
import { SYSTEM_PRINCIPAL } from '../../actors/ports.ts';
import { isCatalogError } from '../../actors/catalog-errors.ts';
import type { Role } from '../../actors/catalog-codes.ts';
import type { SqlValue } from './values.ts';
import { parseDateTime } from './values.ts';

export type SecurityStatement =
  | { readonly kind: 'create-login'; readonly name: string; readonly password: string; readonly line: number }
  | { readonly kind: 'alter-login'; readonly name: string; readonly password: string; readonly oldPassword?: string; readonly line: number }
  | { readonly kind: 'drop-login'; readonly name: string; readonly line: number }
  | { readonly kind: 'role-member'; readonly server: boolean; readonly role: string; readonly add: boolean; readonly member: string; readonly line: number };

/** What parser.ts lends this grammar: its token cursor and its error reporting. */
export interface ParserCursor {
  peek(offset?: number): Token;
  next(): Token;
  atKeyword(word: string, offset?: number): boolean;
  acceptKeyword(word: string): boolean;
  acceptOp(op: string): boolean;
  expectOp(op: string): Token;
  fail(t?: Token): never;
}

/** The database roles of SSISDB a login can be added to with ALTER ROLE. */
export const DATABASE_ROLES: readonly Role[] = ['ssis_admin', 'ssis_cluster_executor', 'ssis_logreader', 'ssis_cluster_worker'];

function word(c: ParserCursor, w: string): void {
  if (!c.acceptKeyword(w)) c.fail();
}

/** A principal or role name: an identifier, bracketed or not (reserved words only in brackets). */
function principalName(c: ParserCursor): string {
  const t = c.peek();
  if (t.kind !== 'ident') c.fail();
  return c.next().value;
}

function stringLiteral(c: ParserCursor): string {
  const t = c.peek();
  if (t.kind !== 'string') c.fail();
  return c.next().value;
}

/** True when the statement at the cursor is one of ours (CREATE/DROP LOGIN, ALTER LOGIN/ROLE/SERVER ROLE). */
export function atSecurityStatement(c: ParserCursor): boolean {
  if (c.atKeyword('CREATE') || c.atKeyword('DROP')) return c.atKeyword('LOGIN', 1);
  if (c.atKeyword('ALTER')) return c.atKeyword('LOGIN', 1) || c.atKeyword('ROLE', 1) || c.atKeyword('SERVER', 1);
  return false;
}

/** Parses one security statement starting at CREATE / ALTER / DROP. */
export function parseSecurityStatement(c: ParserCursor): SecurityStatement {
  const start = c.next();
  const verb = start.value.toUpperCase();
  const line = start.line;
  if (verb === 'CREATE') {
    word(c, 'LOGIN');
    const name = principalName(c);
    if (c.acceptKeyword('FROM')) {
      // FROM WINDOWS / CERTIFICATE / EXTERNAL PROVIDER: there is no Windows or certificate login here.
      throw new TsqlSyntaxError(15407, `'${name}' is not a valid Windows NT name: this catalog has SQL logins only (CREATE LOGIN … WITH PASSWORD = '…').`, line, 16, 1);
    }
    word(c, 'WITH');
    const password = passwordOption(c);
    while (c.acceptOp(',')) loginOption(c);
    return { kind: 'create-login', name, password, line };
  }
  if (verb === 'DROP') {
    word(c, 'LOGIN');
    return { kind: 'drop-login', name: principalName(c), line };
  }
  // ALTER
  if (c.acceptKeyword('LOGIN')) {
    const name = principalName(c);
    if (!c.atKeyword('WITH')) {
      const t = c.peek();
      if (t.kind === 'ident' && ['ENABLE', 'DISABLE'].includes(t.value.toUpperCase())) {
        throw new TsqlSyntaxError(15151, `Cannot alter the login '${name}': ENABLE/DISABLE is not supported by this catalog (drop the login instead).`, line, 16, 1);
      }
      c.fail();
    }
    c.next();
    const password = passwordOption(c);
    let oldPassword: string | undefined;
    for (;;) {
      if (c.atKeyword('OLD_PASSWORD')) { c.next(); c.expectOp('='); oldPassword = stringLiteral(c); continue; }
      if (c.atKeyword('UNLOCK') || c.atKeyword('MUST_CHANGE')) { c.next(); continue; }
      if (c.acceptOp(',')) { loginOption(c); continue; }
      break;
    }
    return { kind: 'alter-login', name, password, ...(oldPassword !== undefined ? { oldPassword } : {}), line };
  }
  const server = c.acceptKeyword('SERVER');
  word(c, 'ROLE');
  const role = principalName(c);
  let add: boolean;
  if (c.acceptKeyword('ADD')) add = true;
  else if (c.acceptKeyword('DROP')) add = false;
  else return c.fail();
  word(c, 'MEMBER');
  return { kind: 'role-member', server, role, add, member: principalName(c), line };
}

function passwordOption(c: ParserCursor): string {
  word(c, 'PASSWORD');
  c.expectOp('=');
  const t = c.peek();
  // PASSWORD = 0x… HASHED: a hash from another server cannot be used (ours are scrypt).
  if (t.kind === 'binary') throw new TsqlSyntaxError(15021, 'Invalid value given for parameter PASSWORD. Specify a valid parameter value: hashed passwords are not supported here.', t.line, 16, 2);
  return stringLiteral(c);
}

/** CHECK_POLICY / CHECK_EXPIRATION / DEFAULT_DATABASE / DEFAULT_LANGUAGE: accepted, without effect here. */
function loginOption(c: ParserCursor): void {
  const t = c.peek();
  if (t.kind !== 'ident' || !['CHECK_POLICY', 'CHECK_EXPIRATION', 'DEFAULT_DATABASE', 'DEFAULT_LANGUAGE', 'SID'].includes(t.value.toUpperCase())) c.fail();
  c.next();
  c.expectOp('=');
  const v = c.next();
  if (v.kind !== 'ident' && v.kind !== 'string' && v.kind !== 'binary') c.fail(v);
}

/** An error in SQL Server's terms, raised by a security statement (the interpreter reports it). */
export class SecurityStatementError extends Error {
  constructor(readonly number: number, message: string, readonly state = 1) { super(message); }
}

const noPermission = (): SecurityStatementError => new SecurityStatementError(15247, 'User does not have permission to perform this action.');

/** Runs one security statement as `caller`; on success prints nothing, as SQL Server does. */
export async function runSecurityStatement(s: SecurityStatement, store: CatalogStore, caller: Principal): Promise<void> {
  const sysadmin = caller.roles.includes('sysadmin');
  switch (s.kind) {
    case 'create-login': {
      if (!sysadmin) throw noPermission();
      if (s.password.length === 0) throw new SecurityStatementError(15116, 'Password validation failed. The password does not meet the operating system policy requirements because it is too short.');
      try {
        await store.createLogin(caller, { name: s.name, password: s.password, roles: [] });
      } catch (err) {
        if (isCatalogError(err, 27408)) throw new SecurityStatementError(15025, `The server principal '${s.name}' already exists.`);
        if (isCatalogError(err, 27400) || isCatalogError(err, 27102)) throw new SecurityStatementError(15006, `'${s.name}' is not a valid name because it contains invalid characters.`);
        if (isCatalogError(err, 27260)) throw noPermission();
        throw err;
      }
      return;
    }
    case 'alter-login': {
      const cannot = () => new SecurityStatementError(15151, `Cannot alter the login '${s.name}', because it does not exist or you do not have permission.`);
      if (s.password.length === 0) throw new SecurityStatementError(15116, 'Password validation failed. The password does not meet the operating system policy requirements because it is too short.');
      let as = caller;
      if (!sysadmin) {
        // Only one's own password, and only knowing the old one.
        if (s.name.toLowerCase() !== caller.name.toLowerCase()) throw cannot();
        if (s.oldPassword === undefined) throw new SecurityStatementError(15151, `Cannot alter the login '${s.name}': give OLD_PASSWORD = '…' to change your own password.`);
        try { await store.authenticate(caller.name, s.oldPassword); } catch (err) {
          if (isCatalogError(err, 27407)) throw new SecurityStatementError(15151, `Cannot alter the login '${s.name}', because the old password is not correct.`);
          throw err;
        }
        as = SYSTEM_PRINCIPAL;
      }
      try {
        await store.alterLoginPassword(as, { name: s.name, password: s.password });
      } catch (err) {
        if (isCatalogError(err, 27407) || isCatalogError(err, 27260)) throw cannot();
        throw err;
      }
      return;
    }
    case 'drop-login': {
      const cannot = () => new SecurityStatementError(15151, `Cannot drop the login '${s.name}', because it does not exist or you do not have permission.`);
      if (!sysadmin) throw cannot();
      if (s.name.toLowerCase() === caller.name.toLowerCase()) throw new SecurityStatementError(15434, `Could not drop login '${s.name}' as the user is currently logged in.`);
      try {
        await store.dropLogin(caller, { name: s.name });
      } catch (err) {
        if (isCatalogError(err, 27407) || isCatalogError(err, 27260)) throw cannot();
        throw err;
      }
      return;
    }
    case 'role-member': {
      const roleWord = s.server ? 'server role' : 'role';
      const known = s.server ? ['sysadmin'] : DATABASE_ROLES;
      const role = known.find((r) => r.toLowerCase() === s.role.toLowerCase()) as Role | undefined;
      if (role === undefined || !sysadmin) throw new SecurityStatementError(15151, `Cannot alter the ${roleWord} '${s.role}', because it does not exist or you do not have permission.`);
      const cannot = () => new SecurityStatementError(15151, `Cannot ${s.add ? 'add' : 'drop'} the principal '${s.member}', because it does not exist or you do not have permission.`);
      if (!s.add && role === 'sysadmin') {
        const admins = (await store.listLogins(caller)).filter((l) => l.roles.includes('sysadmin'));
        if (admins.length === 1 && admins[0]!.name.toLowerCase() === s.member.toLowerCase()) {
          throw new SecurityStatementError(15151, `Cannot drop the principal '${s.member}' from the server role 'sysadmin': it is its last member, and the catalog could not be managed any more.`);
        }
      }
      try {
        if (s.add) await store.addRoleMember(caller, { name: s.member, role });
        else await store.dropRoleMember(caller, { name: s.member, role });
      } catch (err) {
        if (isCatalogError(err, 27407)) throw cannot();
        if (isCatalogError(err, 27260)) throw new SecurityStatementError(15151, `Cannot alter the ${roleWord} '${s.role}', because it does not exist or you do not have permission.`);
        throw err;
      }
      return;
    }
  }
}

/** `sys.sql_logins` (SQL Server's view, plus a `roles` column listing the login's catalog roles). */
export const SQL_LOGINS_VIEW = 'sys.sql_logins';

export async function sqlLoginsRows(store: CatalogStore, caller: Principal): Promise<{ columns: string[]; rows: Map<string, SqlValue>[] }> {
  const logins = await store.listLogins(caller);
  const columns = ['name', 'type_desc', 'create_date', 'is_disabled', 'roles'];
  const rows = logins.map((l) => {
    const created = parseDateTime(l.createdTime);
    return new Map<string, SqlValue>([
      ['name', { type: 'sysname', value: l.name }],
      ['type_desc', { type: 'nvarchar', value: 'SQL_LOGIN' }],
      ['create_date', { type: 'datetime', value: created }],
      ['is_disabled', { type: 'bit', value: false }],
      ['roles', { type: 'nvarchar', value: l.roles.join(',') }],
    ]);
  });
  return { columns, rows };
}

/** Column types of sys.sql_logins, for headers and comparisons. */
export const SQL_LOGINS_COLUMN_TYPES: Readonly<Record<string, string>> = {
  name: 'sysname', type_desc: 'nvarchar', create_date: 'datetime', is_disabled: 'bit', roles: 'nvarchar',
};
