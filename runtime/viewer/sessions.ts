/**
 * Browser sessions of the viewer: a catalog login (checked by `CatalogStore.authenticate`, so the
 * roles are exactly the catalog's) exchanged for a random token carried in an HttpOnly,
 * SameSite=Strict cookie. Sessions live in the master's memory (a restart signs everyone out), end
 * after `idleMs` without use, and are shared by the TLS port and the loopback HTTP port.
 * Roles are captured at sign-in; a role change takes effect at the next sign-in (as a SQL login's
 * token in SQL Server).
 */
import { randomBytes, createHash } from 'node:crypto';
import type { CatalogStore, Principal } from '../../actors/ports.ts';
import { SsoError } from '../../actors/errors.ts';

export const SESSION_COOKIE = 'scaleout_session';

interface Session { readonly principal: Principal; lastUsed: number }

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #basicCache = new Map<string, { principal: Principal; until: number }>();
  readonly #idleMs: number;

  constructor(readonly store: CatalogStore, options: { idleMs?: number } = {}) {
    this.#idleMs = options.idleMs ?? 8 * 3600_000;
  }

  /** Checks the login; resolves a new session token (or rejects with the catalog's 27407 login error). */
  async signIn(name: string, password: string): Promise<{ token: string; principal: Principal }> {
    const principal = await this.store.authenticate(name, password);
    const token = randomBytes(32).toString('base64url');
    this.#sessions.set(token, { principal, lastUsed: Date.now() });
    this.#sweep();
    return { token, principal };
  }

  signOut(token: string | undefined): void {
    if (token) this.#sessions.delete(token);
  }

  /** The principal of a live session, or undefined. */
  principalOf(token: string | undefined): Principal | undefined {
    if (!token) return undefined;
    const s = this.#sessions.get(token);
    if (!s) return undefined;
    const now = Date.now();
    if (now - s.lastUsed > this.#idleMs) { this.#sessions.delete(token); return undefined; }
    s.lastUsed = now;
    return s.principal;
  }

  /** Who calls: the session cookie first, else HTTP Basic (the CLI's way); rejects with SSO_ERR_AUTH. */
  async authenticate(headers: { cookie?: string | undefined; authorization?: string | undefined }): Promise<Principal> {
    const fromCookie = this.principalOf(cookieValue(headers.cookie, SESSION_COOKIE));
    if (fromCookie) return fromCookie;
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(headers.authorization ?? '');
    if (!m) throw new SsoError('SSO_ERR_AUTH', 'login required: sign in (POST /api/v1/session) or send HTTP Basic credentials');
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new SsoError('SSO_ERR_AUTH', 'malformed Basic credentials');
    // scrypt is deliberately slow: a verified login is remembered for a minute under a hash of both parts.
    const key = createHash('sha256').update(decoded).digest('hex');
    const hit = this.#basicCache.get(key);
    if (hit && hit.until > Date.now()) return hit.principal;
    const principal = await this.store.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
    this.#basicCache.set(key, { principal, until: Date.now() + 60_000 });
    return principal;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [t, s] of this.#sessions) if (now - s.lastUsed > this.#idleMs) this.#sessions.delete(t);
  }
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function sessionCookie(token: string, secure: boolean, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}
