/**
 * OData Source (`Microsoft.ODataSource`, a managed component) over the ODATA connection manager
 * (`Service Document Url=…;User ID=…;Password=…;Timeout=…`). No library is needed: a feed is JSON over
 * HTTP, read with Node's own `fetch`. The feed is `<service url>/<CollectionName>` (or `<ResourcePath>`
 * when `UseResourcePath` is true) plus the `Query` options (`$select=…&$filter=…`); pages follow
 * `@odata.nextLink` (v4) or `odata.nextLink` (v3 JSON light) until none is left, one buffer per page.
 * Rows come from the page's `value` array; each output column takes the property named by its external
 * column (else its own name), text converted to the column's type, a missing or null property as NULL,
 * a nested object or array as its JSON text. A value that does not convert follows the column's
 * error/truncation disposition.
 * Refused with a clear error: Windows authentication (no Kerberos/NTLM here), a next link to another
 * origin (the credentials would leak there), a link that repeats (a server loop), an HTTP error, a body
 * that is not an OData JSON feed. Each request is bounded by the connection's `Timeout` (seconds,
 * default 600) and each page by 256 MiB.
 */
import { SsoError } from '../../../../actors/errors.ts';
import type { ComponentImplementation, Row } from '../component.ts';
import { HRESULT, boolProp, connectionRef, outputsOf, prop } from '../component.ts';
import { checkpoint } from '../runtime.ts';
import { CellError, cellFromJs } from '../types.ts';
import type { ConnectionManagerDef } from '../../model.ts';

const MAX_PAGE_BYTES = 256 * 1024 * 1024;

export interface ODataConnection {
  readonly serviceUrl: string;
  readonly user?: string;
  readonly password?: string;
  readonly timeoutMs: number;
}

/** Parses the ODATA connection manager's connection string (keys case-insensitive). */
export function odataConnection(cm: ConnectionManagerDef): ODataConnection {
  const kv = new Map<string, string>();
  for (const part of cm.connectionString.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) kv.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const url = kv.get('service document url') ?? kv.get('url') ?? (cm.properties['Url'] ?? '');
  if (url === '') throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `the OData connection manager '${cm.name}' has no Service Document Url`, { where: cm.name });
  try { new URL(url); } catch { throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `the OData connection manager '${cm.name}' has an invalid Service Document Url '${url}'`, { where: cm.name }); }
  const auth = (kv.get('authentication') ?? kv.get('authenticationtype') ?? '').toLowerCase();
  if (auth.includes('windows') || (kv.get('integrated security') ?? '').toLowerCase() === 'true') {
    throw new SsoError('SSO_ERR_PACKAGE_UNSUPPORTED', `the OData connection manager '${cm.name}' uses Windows authentication, which cannot run here (use basic authentication: User ID and Password)`, { where: cm.name });
  }
  const timeout = Number(kv.get('timeout') ?? '600');
  const user = kv.get('user id') ?? kv.get('username') ?? kv.get('uid');
  const password = kv.get('password') ?? kv.get('pwd');
  return {
    serviceUrl: url,
    ...(user ? { user } : {}), ...(password !== undefined ? { password } : {}),
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : 600_000,
  };
}

/** The first page's URL: service URL + collection (or resource path) + query options. */
export function feedUrl(service: string, resource: string, query: string): string {
  const base = service.endsWith('/') ? service : `${service}/`;
  const url = new URL(resource.replace(/^\/+/, ''), base);
  const q = query.trim().replace(/^\?/, '');
  if (q !== '') url.search = url.search ? `${url.search}&${q}` : `?${q}`;
  return url.href;
}

export const odataSource: ComponentImplementation = {
  kind: 'odataSource',
  validate(v) {
    const c = v.component;
    const problems = [];
    if (!connectionRef(c)) problems.push({ path: c.path, severity: 'error' as const, message: 'the OData Source has no connection manager' });
    const byPath = boolProp(c, 'UseResourcePath', false);
    if ((byPath ? prop(c, 'ResourcePath') : prop(c, 'CollectionName')).trim() === '') {
      problems.push({ path: c.path, severity: 'error' as const, message: `the OData Source has no ${byPath ? 'ResourcePath (UseResourcePath is true)' : 'CollectionName'}` });
    }
    return problems;
  },
  create(host) {
    const c = host.component;
    const { normal, error } = outputsOf(c);
    const output = normal[0];
    return {
      async produce() {
        const ref = connectionRef(c);
        const cm = ref ? host.connection(ref) : undefined;
        if (!cm) throw new SsoError('SSO_ERR_PACKAGE_VALIDATION', `${c.path}: the connection manager '${ref ?? ''}' is not defined`);
        const conn = odataConnection(cm);
        const resource = boolProp(c, 'UseResourcePath', false) ? prop(c, 'ResourcePath') : prop(c, 'CollectionName');
        let next: string | undefined = feedUrl(conn.serviceUrl, resource, prop(c, 'Query'));
        const origin = new URL(conn.serviceUrl).origin;
        const headers: Record<string, string> = { accept: 'application/json;odata.metadata=minimal, application/json;q=0.9', 'odata-maxversion': '4.0', maxdataserviceversion: '3.0' };
        if (conn.user !== undefined) headers['authorization'] = `Basic ${Buffer.from(`${conn.user}:${conn.password ?? ''}`).toString('base64')}`;
        const plans = (output?.columns ?? []).map((col) => ({
          col, slot: host.slot(col.lineageId),
          name: output!.externalColumns.find((e) => e.id === col.externalMetadataColumnId)?.name ?? col.name,
        }));
        const seen = new Set<string>();
        let rowNumber = 0;
        while (next !== undefined) {
          checkpoint(host.signal);
          if (seen.has(next)) throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: the OData service sent the next link '${next}' again (a paging loop)`);
          seen.add(next);
          if (new URL(next).origin !== origin) throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${c.path}: the OData next link '${next}' leaves the service's origin ${origin}; not followed`);
          const page = await fetchPage(c.path, next, headers, conn.timeoutMs, host.signal);
          const rows: Row[] = [];
          for (const entity of page.value) {
            rowNumber++;
            const row = host.newRow();
            let keep = true;
            for (const p of plans) {
              const raw = typeof entity === 'object' && entity !== null ? (entity as Record<string, unknown>)[p.name] : undefined;
              const js = raw !== null && typeof raw === 'object' ? JSON.stringify(raw) : raw;
              try {
                row[p.slot] = cellFromJs(js, p.col.type!);
              } catch (err) {
                if (!(err instanceof CellError)) throw err;
                const trunc = err.problem === 'truncation';
                const r = host.handle(row, rowNumber, {
                  problem: err.problem, column: p.col, code: trunc ? HRESULT.flatFileSourceTruncated : HRESULT.flatFileSourceCantConvert,
                  message: `the OData property '${p.name}' value ${JSON.stringify(js)?.slice(0, 60)} cannot be converted: ${err.message}`,
                }, trunc ? p.col.truncationDisposition : p.col.errorDisposition, error);
                if (r === 'redirect') { keep = false; break; }
                row[p.slot] = null;
              }
            }
            if (keep) rows.push(row);
            if (rows.length >= host.bufferRows && output) await host.send(output, rows.splice(0));
          }
          if (output && rows.length > 0) await host.send(output, rows);
          await host.flushErrors();
          next = page.nextLink === undefined ? undefined : new URL(page.nextLink, next).href;
        }
      },
    };
  },
};

async function fetchPage(where: string, url: string, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<{ value: unknown[]; nextLink?: string }> {
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: 'error', signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
  } catch (err) {
    throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${where}: the OData feed '${url}' cannot be read: ${(err as Error).message}`, { where: url, cause: err });
  }
  const length = Number(res.headers.get('content-length') ?? '0');
  if (length > MAX_PAGE_BYTES) throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${where}: the OData page '${url}' is larger than ${MAX_PAGE_BYTES} bytes`, { where: url });
  const text = await res.text();
  if (!res.ok) throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${where}: the OData feed '${url}' answered HTTP ${res.status} ${res.statusText}: ${text.slice(0, 200)}`, { where: url });
  let body: unknown;
  try { body = JSON.parse(text); } catch { throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${where}: the OData feed '${url}' did not answer JSON (${(res.headers.get('content-type') ?? 'no content type')}): ${text.slice(0, 100)}`, { where: url }); }
  const o = body as Record<string, unknown> | null;
  const value = o && typeof o === 'object' ? (o['value'] ?? (o['d'] as Record<string, unknown> | undefined)?.['results']) : undefined;
  if (!Array.isArray(value)) throw new SsoError('SSO_ERR_DATAFLOW_DATA', `${where}: the OData feed '${url}' has no 'value' array of entities`, { where: url });
  const nextLink = o!['@odata.nextLink'] ?? o!['odata.nextLink'] ?? (o!['d'] as Record<string, unknown> | undefined)?.['__next'];
  return { value, ...(typeof nextLink === 'string' && nextLink !== '' ? { nextLink } : {}) };
}
