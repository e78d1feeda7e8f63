/**
 * `buildMasterServer(deps)`: the master's HTTPS surface as a Fastify instance that never listens
 * (only `runtime/master/master-service.ts` calls `listen()`). Two audiences: worker agents, which
 * must present a trusted client certificate (`/agent/v1` WebSocket and project downloads), and
 * people/the CLI, who log in with HTTP Basic over TLS (`/api/v1/*`, checked by `store.authenticate`).
 */
import { createHash } from 'node:crypto';
import type { ServerOptions } from 'node:https';
import type { TLSSocket, PeerCertificate } from 'node:tls';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { CatalogStore, Principal, ProjectArchive, ParameterValue } from '../../actors/ports.ts';
import { SsoError } from '../../actors/errors.ts';
import { catalogError } from '../../actors/catalog-errors.ts';
import { MAX_FRAME_BYTES } from './wire.ts';
import { SYSTEM_PARAMETER_TYPES, parameterTypes, parameterValueFromText } from './parameter-text.ts';

/** The outcome of checking a worker's client certificate; `reason` is logged on refusal. */
export type PeerCheck = { readonly ok: true; readonly thumbprint: string } | { readonly ok: false; readonly reason: string };

/** Where accepted agent sockets go (the master's agent hub). */
export interface AgentEndpoint {
  accept(socket: WebSocket, peer: { readonly thumbprint: string; readonly remoteAddress: string }): void;
  connectedCount(): number;
}

/** What the REST API tells the actor system so that it reacts at once. */
export interface MasterSignals {
  /** An execution became pending: answer outstanding pulls now. */
  executionStarted(executionId: number): void;
  /** An operation was stopped: cancel its running task on its worker. */
  operationStopped(operationId: number): void;
  /** Something else may have changed through this master's own catalog connection (T-SQL via the API). */
  catalogChanged?(): void;
}

export interface MasterServerDeps {
  /** Prometheus metrics for `GET /metrics` (same login as /api/v1); none: no such route. */
  readonly metrics?: { readonly contentType: string; render(): Promise<string> };
  readonly store: CatalogStore;
  readonly logger: Logger;
  /** HTTPS options with the master certificate; client certificates are requested, not required. */
  readonly https: ServerOptions;
  /** Decides whether a client certificate belongs to a trusted worker. */
  readonly verifyAgentPeer: (peer: PeerCertificate | null, socket: TLSSocket) => PeerCheck;
  readonly agents: AgentEndpoint;
  readonly signals: MasterSignals;
  /** Turns uploaded `.ispac` bytes into a deployable project (executor/package/project-archive.ts). */
  readonly readProjectArchive: (bytes: Uint8Array) => ProjectArchive | Promise<ProjectArchive>;
  /** The T-SQL front door, when present (runtime/tsql). */
  readonly executeTsql?: (text: string, caller: Principal) => Promise<unknown>;
  /** Largest upload accepted by `POST /api/v1/deploy`. Default 256 MiB. */
  readonly maxProjectBytes?: number;
  /** The signed-in viewer session of a request, if any (accepted instead of HTTP Basic). */
  readonly sessionPrincipal?: (request: FastifyRequest) => Principal | undefined;
  /** More routes (the viewer: runtime/viewer/viewer-api.ts), registered before this file's own. */
  readonly extend?: (app: FastifyInstance) => Promise<void>;
}

/** Body of `POST /api/v1/executions`. */
export interface StartExecutionBody {
  readonly folder: string;
  readonly project: string;
  readonly package: string;
  /** `text: true`: the value is command-line text, converted to the parameter's data type here. */
  readonly parameters?: readonly { readonly objectType?: number; readonly name: string; readonly value: ParameterValue; readonly text?: boolean }[];
  readonly retryCount?: number;
  readonly workers?: readonly string[];
  readonly useAnyWorker?: boolean;
  readonly use32BitRuntime?: boolean;
  /**
   * The environment to bind, as `<folder>/<environment>` (or just `<environment>` in the project's own
   * folder): the project's reference to it is looked up and passed as create_execution @reference_id.
   */
  readonly environment?: string;
}

const AUTH_CACHE_MS = 60_000;
/** Catalog refusals for lack of a role or of ownership (27140 role, 27178 execute, 27103/27143 not yours, 27260 logins): 403. */
const PERMISSION_NUMBERS: ReadonlySet<number> = new Set([27103, 27140, 27143, 27178, 27260]);

export async function buildMasterServer(deps: MasterServerDeps): Promise<FastifyInstance> {
  const { store, logger } = deps;
  const app = Fastify({
    https: deps.https,
    loggerInstance: logger,
    bodyLimit: deps.maxProjectBytes ?? 256 * 1024 * 1024,
    // Route schemas refuse unknown fields (400 naming them) instead of silently dropping them.
    ajv: { customOptions: { removeAdditional: false, allowUnionTypes: true } },
  }) as unknown as FastifyInstance;

  await app.register(websocket, { options: { maxPayload: MAX_FRAME_BYTES } });
  app.addContentTypeParser(['application/octet-stream', 'application/zip'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  if (deps.extend) await deps.extend(app);

  // ---- agents: mutual TLS ----
  const checkAgent = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const socket = request.raw.socket as TLSSocket | undefined;
    const peer = typeof socket?.getPeerCertificate === 'function' ? socket.getPeerCertificate() : null;
    const check = deps.verifyAgentPeer(peer && Object.keys(peer).length > 0 ? peer : null, socket as TLSSocket);
    if (!check.ok) {
      logger.warn({ remoteAddress: socket?.remoteAddress, url: request.url, reason: check.reason }, `agent connection refused: ${check.reason}`);
      await reply.code(403).send({ error: 'forbidden', reason: check.reason });
      return;
    }
    (request as FastifyRequest & { agentThumbprint?: string }).agentThumbprint = check.thumbprint;
  };

  app.get('/agent/v1', { websocket: true, preValidation: checkAgent }, (socket, request) => {
    deps.agents.accept(socket, {
      thumbprint: (request as FastifyRequest & { agentThumbprint?: string }).agentThumbprint ?? '',
      remoteAddress: request.raw.socket?.remoteAddress ?? '',
    });
  });

  app.get<{ Params: { version: string; sha256: string } }>('/agent/v1/projects/:version/:sha256', { preValidation: checkAgent }, async (request, reply) => {
    const version = Number(request.params.version);
    const sha = request.params.sha256.toLowerCase();
    if (!Number.isInteger(version) || version < 1 || !/^[0-9a-f]{64}$/.test(sha)) {
      return reply.code(400).send({ error: 'bad-request', message: 'expected /agent/v1/projects/<version lsn>/<hex sha256>' });
    }
    const bytes = await store.getProjectBytes(version, sha);
    if (!bytes) return reply.code(404).send({ error: 'not-found', message: `project version ${version} with hash ${sha} is not in the catalog` });
    return reply.type('application/octet-stream').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });

  // ---- people and the CLI: HTTP Basic over TLS ----
  const authCache = new Map<string, { principal: Principal; until: number }>();
  const authenticate = async (request: FastifyRequest): Promise<Principal> => {
    const fromSession = deps.sessionPrincipal?.(request);
    if (fromSession) return fromSession;
    const header = request.headers.authorization ?? '';
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!m) throw new SsoError('SSO_ERR_AUTH', 'login required: send HTTP Basic credentials');
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new SsoError('SSO_ERR_AUTH', 'malformed Basic credentials');
    // scrypt is deliberately slow, so a verified login is remembered briefly under a hash of both parts.
    const key = createHash('sha256').update(decoded).digest('hex');
    const hit = authCache.get(key);
    const now = Date.now();
    if (hit && hit.until > now) return hit.principal;
    const principal = await store.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
    authCache.set(key, { principal, until: now + AUTH_CACHE_MS });
    return principal;
  };

  app.setErrorHandler((error: unknown, _request, reply) => {
    if (SsoError.is(error)) {
      const status = error.code === 'SSO_ERR_AUTH' ? (error.number === 27407 || /login/i.test(error.message) ? 401 : 403)
        : error.number !== undefined && PERMISSION_NUMBERS.has(error.number) ? 403
        : error.code === 'SSO_ERR_CATALOG' || error.code === 'SSO_ERR_TSQL' || error.code.startsWith('SSO_ERR_PROJECT') || error.code.startsWith('SSO_ERR_PACKAGE') ? 400 : 500;
      if (status === 401) void reply.header('www-authenticate', 'Basic realm="scaleout"');
      return reply.code(status).send({ error: error.code, number: error.number, message: error.message, where: error.where });
    }
    const e = error as { statusCode?: number; message?: string };
    if (typeof e.statusCode === 'number' && e.statusCode < 500) return reply.code(e.statusCode).send({ error: 'bad-request', message: e.message });
    logger.error({ err: error }, 'API request failed');
    return reply.code(500).send({ error: 'internal', message: String(e.message ?? error) });
  });

  // Every API call that may have changed the catalog (deploy, start, stop, T-SQL) made it on this
  // master's own connection, which the external-change poll does not see: re-check at once.
  app.addHook('onResponse', async (request) => {
    if (request.method === 'POST' && request.url.startsWith('/api/')) deps.signals.catalogChanged?.();
  });

  if (deps.metrics) {
    const metrics = deps.metrics;
    app.get('/metrics', async (request, reply) => {
      await authenticate(request);
      return reply.header('content-type', metrics.contentType).send(await metrics.render());
    });
  }

  app.get('/api/v1/health', async () => ({ status: 'ok', agentsConnected: deps.agents.connectedCount() }));

  app.post<{ Querystring: { folder?: string; project?: string; description?: string } }>('/api/v1/deploy', async (request, reply) => {
    const caller = await authenticate(request);
    const folder = request.query.folder;
    if (!folder) return reply.code(400).send({ error: 'bad-request', message: 'query parameter "folder" is required' });
    if (!Buffer.isBuffer(request.body)) return reply.code(400).send({ error: 'bad-request', message: 'send the .ispac bytes with content-type application/octet-stream' });
    const archive = await deps.readProjectArchive(new Uint8Array(request.body));
    const projectName = request.query.project ?? archive.name;
    const created = await ensureFolder(store, caller, folder);
    const out = await store.deployProject(caller, { folderName: folder, projectName, project: archive });
    return { folder, folderCreated: created, project: projectName, ...out, packages: archive.packages.map((p) => p.name) };
  });

  app.post<{ Body: StartExecutionBody }>('/api/v1/executions', async (request, reply) => {
    const caller = await authenticate(request);
    const body = validateStartBody(request.body);
    if (typeof body === 'string') return reply.code(400).send({ error: 'bad-request', message: body });
    const executionId = await startExecution(store, caller, body);
    deps.signals.executionStarted(executionId);
    return { executionId };
  });

  app.get<{ Params: { id: string } }>('/api/v1/executions/:id', async (request, reply) => {
    const caller = await authenticate(request);
    const id = Number(request.params.id);
    if (!Number.isInteger(id) || id < 1) return reply.code(400).send({ error: 'bad-request', message: 'execution id must be a positive integer' });
    const view = await store.queryView(caller, 'catalog.executions');
    const row = view.rows.find((r) => Number(r['execution_id']) === id);
    if (!row) return reply.code(404).send({ error: 'not-found', message: `execution ${id} does not exist or you do not have permission to see it` });
    return row;
  });

  app.post<{ Params: { id: string } }>('/api/v1/executions/:id/stop', async (request, reply) => {
    const caller = await authenticate(request);
    const id = Number(request.params.id);
    if (!Number.isInteger(id) || id < 1) return reply.code(400).send({ error: 'bad-request', message: 'execution id must be a positive integer' });
    const out = await store.stopOperation(caller, { operationId: id });
    deps.signals.operationStopped(id);
    return out;
  });

  app.post('/api/v1/sql', async (request, reply) => {
    const caller = await authenticate(request);
    if (!deps.executeTsql) return reply.code(501).send({ error: 'not-implemented', message: 'this master has no T-SQL front door' });
    const text = typeof request.body === 'string' ? request.body : (request.body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string') return reply.code(400).send({ error: 'bad-request', message: 'send T-SQL as text/plain or as {"text": "…"}' });
    // start_execution, enable_worker_agent, stop_operation…: the onResponse hook re-checks the hub.
    const result = await deps.executeTsql(text, caller);
    return JSON.parse(JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  });

  return app;
}

async function ensureFolder(store: CatalogStore, caller: Principal, folderName: string): Promise<boolean> {
  try {
    await store.createFolder(caller, { folderName });
    return true;
  } catch (err) {
    // 27190-class "already exists" errors vary by adapter; any error for an existing folder is fine.
    const view = await store.queryView(caller, 'catalog.folders').catch(() => null);
    if (view?.rows.some((r) => r['name'] === folderName)) return false;
    throw err;
  }
}

/**
 * The id of the project's reference to `<folder>/<environment>` (a relative reference when the folder is
 * the project's own, else an absolute one naming it). None → 27208 naming what was asked for. Whether
 * the caller may READ the environment is create_execution's check (27182), as in SSISDB.
 */
export async function findEnvironmentReference(store: CatalogStore, caller: Principal, folder: string, project: string, environment: string): Promise<number> {
  const slash = environment.lastIndexOf('/');
  const envFolder = slash < 0 ? folder : environment.slice(0, slash);
  const envName = slash < 0 ? environment : environment.slice(slash + 1);
  const eq = (a: unknown, b: string) => String(a ?? '').toLowerCase() === b.toLowerCase();
  const folders = (await store.queryView(caller, 'catalog.folders')).rows;
  const folderId = folders.find((f) => eq(f['name'], folder))?.['folder_id'];
  const projectRow = (await store.queryView(caller, 'catalog.projects')).rows.find((p) => eq(p['name'], project) && p['folder_id'] === folderId);
  if (projectRow === undefined) throw catalogError(27403, project, folder);
  const refs = (await store.queryView(caller, 'catalog.environment_references')).rows.filter((r) => r['project_id'] === projectRow['project_id'] && eq(r['environment_name'], envName));
  const ref = refs.find((r) => (r['reference_type'] === 'R' ? eq(folder, envFolder) : eq(r['environment_folder_name'], envFolder)));
  if (ref === undefined) throw catalogError(27208, `${envFolder}/${envName}`);
  return Number(ref['reference_id']);
}

/** Validates `POST /api/v1/executions` input; returns an error text naming the bad field. */
export function validateStartBody(body: unknown): StartExecutionBody | string {
  if (typeof body !== 'object' || body === null) return 'expected a JSON object body';
  const b = body as Record<string, unknown>;
  for (const k of ['folder', 'project', 'package'] as const) if (typeof b[k] !== 'string' || b[k] === '') return `"${k}" must be a non-empty string`;
  if (b['retryCount'] !== undefined && (!Number.isInteger(b['retryCount']) || (b['retryCount'] as number) < 0)) return '"retryCount" must be a non-negative integer';
  if (b['workers'] !== undefined && (!Array.isArray(b['workers']) || b['workers'].some((w) => typeof w !== 'string'))) return '"workers" must be an array of worker agent ids';
  if (b['useAnyWorker'] !== undefined && typeof b['useAnyWorker'] !== 'boolean') return '"useAnyWorker" must be a boolean';
  if (b['parameters'] !== undefined) {
    if (!Array.isArray(b['parameters'])) return '"parameters" must be an array';
    for (const [i, p] of (b['parameters'] as unknown[]).entries()) {
      if (typeof p !== 'object' || p === null || typeof (p as { name?: unknown }).name !== 'string') return `"parameters[${i}].name" must be a string`;
      const ot = (p as { objectType?: unknown }).objectType;
      if (ot !== undefined && ot !== 20 && ot !== 30 && ot !== 50) return `"parameters[${i}].objectType" must be 20, 30 or 50`;
      const tx = (p as { text?: unknown }).text;
      if (tx !== undefined && typeof tx !== 'boolean') return `"parameters[${i}].text" must be a boolean`;
    }
  }
  if (b['environment'] !== undefined && (typeof b['environment'] !== 'string' || b['environment'].trim() === '')) return '"environment" must be "<folder>/<environment>"';
  return b as unknown as StartExecutionBody;
}

/**
 * create_execution → set_execution_parameter_value… → add_execution_worker… → start_execution,
 * as the "Execute in Scale Out" dialog does. A parameter given without an object type is a package
 * parameter (30) unless its name is a system parameter (LOGGING_LEVEL, …) or carries `$Project::`.
 */
export async function startExecution(store: CatalogStore, caller: Principal, body: StartExecutionBody): Promise<number> {
  const workers = body.workers ?? [];
  const useAnyWorker = body.useAnyWorker ?? workers.length === 0;
  // Every parameter is resolved (object type, name known to the deployed package, value of its type)
  // before the execution is created, so a bad --param creates nothing.
  const types = (body.parameters ?? []).length > 0 ? await parameterTypes(store, caller, body.folder, body.project, body.package) : null;
  const parameters = (body.parameters ?? []).map((p) => {
    let name = p.name;
    let objectType = p.objectType;
    if (objectType === undefined) {
      if (name.startsWith('$Project::')) { objectType = 20; name = name.slice('$Project::'.length); }
      else if (name.startsWith('$Package::')) { objectType = 30; name = name.slice('$Package::'.length); }
      else if (name.startsWith('$ServerOption::')) { objectType = 50; name = name.slice('$ServerOption::'.length); }
      else if (/^[A-Z_]+$/.test(name) && SYSTEM_PARAMETER_TYPES[name] !== undefined) objectType = 50;
      else objectType = 30;
    }
    let value = p.value;
    if (types !== null) {
      const dataType = types.get(objectType)?.get(name);
      if (dataType === undefined) throw catalogError(27176, name);
      if (p.text === true && typeof value === 'string') value = parameterValueFromText(dataType, value, name);
    }
    return { objectType, name, value };
  });
  const referenceId = body.environment === undefined ? null : await findEnvironmentReference(store, caller, body.folder, body.project, body.environment);
  const { executionId } = await store.createExecution(caller, {
    folderName: body.folder, projectName: body.project, packageName: body.package, referenceId,
    runInScaleOut: true, useAnyWorker, use32BitRuntime: body.use32BitRuntime ?? false,
  });
  try {
    for (const p of parameters) await store.setExecutionParameterValue(caller, { executionId, objectType: p.objectType, parameterName: p.name, parameterValue: p.value });
    if (!useAnyWorker) for (const w of workers) await store.addExecutionWorker(caller, { executionId, workerAgentId: w });
    await store.startExecution(caller, { executionId, retryCount: body.retryCount ?? 0 });
  } catch (err) {
    // The execution exists but cannot start: say so with its id rather than leave it unexplained.
    if (!SsoError.is(err)) throw err;
    throw new SsoError(err.code, `${err.message} (execution ${executionId} was created but not started: it stays in Created and never runs)`, {
      ...(err.number !== undefined ? { number: err.number } : {}), ...(err.where ? { where: err.where } : {}), cause: err,
    });
  }
  return executionId;
}
