/**
 * The viewer's HTTP surface, added to a Fastify instance by `registerViewer(app, deps)`:
 * - `/api/v1/...` JSON routes with JSON-Schema route schemas (malformed input is a 400 naming the
 *   field, from Fastify's validator), collected into the OpenAPI document at `/api/v1/openapi.json`;
 * - `/api/v1/stream`, the live state WebSocket (see `stream.ts`);
 * - the page itself (`/`, `/assets/*`), plain HTML/CSS/JS from `runtime/viewer/public/`.
 * Every route but sign-in, the page and the OpenAPI document needs a signed-in caller (session
 * cookie, or HTTP Basic like the CLI), and every catalog action runs as that caller, so the catalog
 * refuses what its roles do not allow (27140, 27178, 27143…), answered here as 403.
 * Registered on the master's TLS server and on the loopback-only plain HTTP server of `up`/`demo`.
 */
import { readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { listDataTapFiles, readDataTapFile, saveDataTapFile, MAX_DATA_TAP_BYTES, DATA_TAP_FILE_RE } from './data-tap-files.ts';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import { Ajv } from 'ajv';
import type { Options as AjvOptions } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { CatalogStore, Principal } from '../../actors/ports.ts';
import { SsoError } from '../../actors/errors.ts';
import { startExecution } from '../transport/master-server.ts';
import type { StateFeed } from './state-feed.ts';
import { STATUS_NAMES, executionFromRow, visibilityOf } from './state-feed.ts';
import { SessionStore, SESSION_COOKIE, cookieValue, sessionCookie } from './sessions.ts';
import { registerStream } from './stream.ts';
import type { Enrolment } from './enrolment.ts';

export interface ViewerSignals {
  executionStarted(executionId: number): void;
  operationStopped(operationId: number): void;
  catalogChanged(): void;
}

export interface ViewerDeps {
  readonly store: CatalogStore;
  readonly feed: StateFeed;
  readonly sessions: SessionStore;
  readonly signals: ViewerSignals;
  /** Cookies get `Secure` on the TLS port. */
  readonly secure: boolean;
  /** What the dashboard shows about the master. */
  readonly info: () => { version: string; catalog: string; port: number | null; startedAt: string; plainHttp?: string | null };
  /** Folder of uploaded task logs (`<dir>/<taskId>/<attempt>.log`); absent: no task logs on this master. */
  readonly taskLogFolder?: string;
  /** Folder of uploaded data tap files (`<dir>/<execution>/attempt-<n>/<file>`); default: `data-taps` beside the task logs. */
  readonly dataTapFolder?: string;
  /** Join tokens for new workers; absent: "add a worker" is not offered. */
  readonly enrolment?: Enrolment;
  /**
   * The connected worker agent a request comes from (its client certificate checked as for
   * `/agent/v1`, then matched to the live connection that presented the same certificate), or a
   * refusal reason. Absent (the plain HTTP port): workers cannot upload task logs there.
   */
  readonly agentOf?: (request: FastifyRequest) => { agentId: string } | { refused: string };
}

/** Largest task log a worker may upload; longer logs keep their last part. */
export const MAX_TASK_LOG_BYTES = 4 * 1024 * 1024;

const addFormats = addFormatsModule as unknown as <T>(ajv: T) => T;

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');
const ASSET_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.html': 'text/html; charset=utf-8' };
const CONTROL_ROLES = ['sysadmin', 'ssis_admin', 'ssis_cluster_executor'] as const;
const ADMIN_ROLES = ['sysadmin', 'ssis_admin'] as const;
/** Catalog errors that mean "not allowed" (or "not yours"): 403, not 400. */
const PERMISSION_NUMBERS: ReadonlySet<number> = new Set([27103, 27123, 27140, 27143, 27178, 27260]);

export function capabilitiesOf(p: Principal): { start: boolean; stop: boolean; manageWorkers: boolean; seeWorkers: boolean; seeAllExecutions: boolean } {
  const has = (list: readonly string[]) => p.roles.some((r) => list.includes(r));
  const vis = visibilityOf(p);
  return { start: has(CONTROL_ROLES), stop: has(CONTROL_ROLES), manageWorkers: has(ADMIN_ROLES), seeWorkers: vis.workers, seeAllExecutions: has(['sysadmin', 'ssis_admin', 'ssis_logreader']) };
}

const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;
const workerParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' } } } as const;
const errorSchema = { type: 'object', properties: { error: { type: 'string' }, number: { type: 'integer' }, message: { type: 'string' } } } as const;
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } as const;

const executionSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, folder: { type: 'string' }, project: { type: 'string' }, package: { type: 'string' },
    status: { type: 'integer' }, statusName: { type: 'string' }, createdTime: { type: ['string', 'null'] }, startTime: { type: ['string', 'null'] },
    endTime: { type: ['string', 'null'] }, workerAgentId: { type: ['string', 'null'] }, executedCount: { type: 'integer' }, callerName: { type: 'string' },
  },
} as const;

const workerSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, displayName: { type: ['string', 'null'] }, description: { type: ['string', 'null'] }, machineName: { type: ['string', 'null'] },
    tags: { type: ['string', 'null'] }, enabled: { type: 'boolean' }, online: { type: 'boolean' }, runningTasks: { type: 'integer' },
    maxTaskCount: { type: ['integer', 'null'] }, lastOnlineTime: { type: ['string', 'null'] }, cpuPercent: { type: ['number', 'null'] }, availableMemoryMb: { type: ['number', 'null'] },
  },
} as const;

const parameterValue = { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }] } as const;
const nullableText = (max: number) => ({ anyOf: [{ type: 'string', maxLength: max }, { type: 'null' }] }) as const;

export async function registerViewer(app: FastifyInstance, deps: ViewerDeps): Promise<void> {
  const { store, feed, sessions } = deps;
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'scaleout master API', version: '1', description: 'SSIS Scale Out master: catalog, workers, executions and the live state stream.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE }, basic: { type: 'http', scheme: 'basic' } } },
      security: [{ session: [] }, { basic: [] }],
    },
  });

  await app.register(async (api) => {
    // Path and query values arrive as text and are converted ("7" → 7); JSON bodies are checked as
    // sent, so `{"displayName": 42}` is a 400 naming displayName rather than silently "42".
    const ajvOptions: AjvOptions = { allErrors: false, removeAdditional: false, useDefaults: true, allowUnionTypes: true, strict: false };
    const coercing = addFormats(new Ajv({ ...ajvOptions, coerceTypes: 'array' }));
    const exact = addFormats(new Ajv({ ...ajvOptions, coerceTypes: false }));
    api.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema));
    api.setErrorHandler((error: unknown, _request, reply) => {
      if (SsoError.is(error)) {
        const status = error.number === 27407 ? 401
          : error.code === 'SSO_ERR_AUTH' ? (/login/i.test(error.message) ? 401 : 403)
          : error.number !== undefined && PERMISSION_NUMBERS.has(error.number) ? 403
            : error.code === 'SSO_ERR_CATALOG' || error.code === 'SSO_ERR_TSQL' ? 400 : 500;
        return reply.code(status).send({ error: error.code, number: error.number, message: error.message });
      }
      const e = error as { statusCode?: number; message?: string; validation?: unknown };
      if (typeof e.statusCode === 'number' && e.statusCode < 500) return reply.code(e.statusCode).send({ error: 'bad-request', message: e.message });
      api.log.error({ err: error }, 'viewer API request failed');
      return reply.code(500).send({ error: 'internal', message: String(e.message ?? error) });
    });

    const who = async (request: FastifyRequest): Promise<Principal> => {
      const p = await sessions.authenticate({ cookie: request.headers.cookie, authorization: request.headers.authorization });
      (request as FastifyRequest & { principal?: Principal }).principal = p;
      return p;
    };

    // ---- sign-in ----
    api.post<{ Body: { name: string; password: string } }>('/api/v1/session', {
      schema: {
        summary: 'Sign in with a catalog login; sets the session cookie',
        body: { type: 'object', required: ['name', 'password'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 128 }, password: { type: 'string', maxLength: 1024 } } },
        response: { 200: { type: 'object', properties: { name: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } }, can: { type: 'object', additionalProperties: { type: 'boolean' } } } }, ...errors },
      },
    }, async (request, reply) => {
      const { token, principal } = await sessions.signIn(request.body.name, request.body.password);
      void reply.header('set-cookie', sessionCookie(token, deps.secure, 8 * 3600));
      return { name: principal.name, roles: [...principal.roles], can: capabilitiesOf(principal) };
    });

    api.get('/api/v1/session', { schema: { summary: 'The signed-in caller and what the page may offer them', response: { 200: { type: 'object', properties: { name: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } }, can: { type: 'object', additionalProperties: { type: 'boolean' } } } }, ...errors } } }, async (request) => {
      const p = await who(request);
      return { name: p.name, roles: [...p.roles], can: capabilitiesOf(p) };
    });

    api.delete('/api/v1/session', { schema: { summary: 'Sign out', response: { 204: { type: 'null' } } } }, async (request, reply) => {
      sessions.signOut(cookieValue(request.headers.cookie, SESSION_COOKIE));
      void reply.header('set-cookie', sessionCookie('', deps.secure, 0));
      return reply.code(204).send();
    });

    // ---- master ----
    api.get('/api/v1/master', { schema: { summary: 'Master status for the dashboard', response: { 200: { type: 'object', additionalProperties: true }, ...errors } } }, async (request) => {
      await who(request);
      const props = await store.queryView((request as FastifyRequest & { principal: Principal }).principal, 'catalog.master_properties');
      const byName = Object.fromEntries(props.rows.map((r) => [String(r['property_name']), r['property_value'] === null ? null : String(r['property_value'])]));
      return { online: true, ...deps.info(), lastHeartbeat: byName['LAST_ONLINE_TIME'] ?? null, machineName: byName['MACHINE_NAME'] ?? null, seq: feed.seq, statusNames: STATUS_NAMES };
    });

    // ---- folders, projects, packages ----
    api.get('/api/v1/folders', { schema: { summary: 'Deployed folders, projects and packages with their parameters', response: { 200: { type: 'array', items: { type: 'object', additionalProperties: true } }, ...errors } } }, async (request) => {
      const p = await who(request);
      const [folders, projects, packages, params] = await Promise.all(['catalog.folders', 'catalog.projects', 'catalog.packages', 'catalog.object_parameters'].map((v) => store.queryView(p, v)));
      const paramOf = (r: Record<string, unknown>) => ({
        name: String(r['parameter_name']), dataType: String(r['data_type']), required: Boolean(Number(r['required'])), sensitive: Boolean(Number(r['sensitive'])),
        defaultValue: r['design_default_value'] ?? null, description: r['description'] ?? null,
      });
      return folders!.rows.map((f) => ({
        id: Number(f['folder_id']), name: String(f['name']), description: f['description'] ?? null,
        projects: projects!.rows.filter((pr) => pr['folder_id'] === f['folder_id']).map((pr) => ({
          id: Number(pr['project_id']), name: String(pr['name']), lastDeployedTime: pr['last_deployed_time'] ?? null,
          parameters: params!.rows.filter((x) => x['project_id'] === pr['project_id'] && Number(x['object_type']) === 20).map(paramOf),
          packages: packages!.rows.filter((k) => k['project_id'] === pr['project_id']).map((k) => ({
            name: String(k['name']), entryPoint: Boolean(Number(k['entry_point'])),
            parameters: params!.rows.filter((x) => x['project_id'] === pr['project_id'] && Number(x['object_type']) === 30 && x['object_name'] === k['name']).map(paramOf),
          })),
        })),
      }));
    });

    // ---- workers ----
    api.get('/api/v1/workers', { schema: { summary: 'Worker agents (empty without a Scale Out role, as catalog.worker_agents)', response: { 200: { type: 'array', items: workerSchema }, ...errors } } }, async (request) => {
      const p = await who(request);
      if (!visibilityOf(p).workers) return [];
      await feed.fresh();
      return feed.workers();
    });

    const workerAction = (verb: 'enable' | 'disable') => async (request: FastifyRequest<{ Params: { id: string } }>) => {
      const p = await who(request);
      const workerAgentId = request.params.id;
      if (verb === 'enable') await store.enableWorkerAgent(p, { workerAgentId }); else await store.disableWorkerAgent(p, { workerAgentId });
      deps.signals.catalogChanged();
      await feed.refresh();
      return { workerAgentId, enabled: verb === 'enable' };
    };
    const actionResponse = { 200: { type: 'object', properties: { workerAgentId: { type: 'string' }, enabled: { type: 'boolean' } } }, ...errors };
    api.post<{ Params: { id: string } }>('/api/v1/workers/:id/enable', { schema: { summary: 'catalog.enable_worker_agent', params: workerParam, response: actionResponse } }, workerAction('enable'));
    api.post<{ Params: { id: string } }>('/api/v1/workers/:id/disable', { schema: { summary: 'catalog.disable_worker_agent (drain: running tasks finish)', params: workerParam, response: actionResponse } }, workerAction('disable'));
    api.delete<{ Params: { id: string } }>('/api/v1/workers/:id', { schema: { summary: 'catalog.delete_worker_agent', params: workerParam, response: { 204: { type: 'null' }, ...errors } } }, async (request, reply) => {
      const p = await who(request);
      await store.deleteWorkerAgent(p, { workerAgentId: request.params.id });
      deps.signals.catalogChanged();
      await feed.refresh();
      return reply.code(204).send();
    });
    api.patch<{ Params: { id: string }; Body: { displayName?: string | null; description?: string | null; tags?: string | null } }>('/api/v1/workers/:id', {
      schema: {
        summary: 'Edit a worker\'s display name, description and tags (catalog.set_worker_agent_property)',
        params: workerParam,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { displayName: nullableText(256), description: nullableText(4000), tags: nullableText(4000) } },
        response: { 200: workerSchema, ...errors },
      },
    }, async (request, reply) => {
      const p = await who(request);
      const id = request.params.id;
      const b = request.body;
      // Validated as a whole above; the writes are queued in one tick so they share one catalog transaction.
      const writes: Promise<void>[] = [];
      if (b.displayName !== undefined) writes.push(store.setWorkerAgentProperty(p, { workerAgentId: id, propertyName: 'DisplayName', propertyValue: b.displayName }));
      if (b.description !== undefined) writes.push(store.setWorkerAgentProperty(p, { workerAgentId: id, propertyName: 'Description', propertyValue: b.description }));
      if (b.tags !== undefined) writes.push(store.setWorkerAgentProperty(p, { workerAgentId: id, propertyName: 'Tags', propertyValue: b.tags }));
      await Promise.all(writes);
      await feed.refresh();
      const w = feed.workers().find((x) => x.id === id.toLowerCase());
      if (!w) return reply.code(404).send({ error: 'not-found', message: `worker agent ${id} does not exist` });
      return w;
    });

    if (deps.enrolment) {
      const enrolment = deps.enrolment;
      api.post('/api/v1/workers/join-tokens', {
        schema: {
          summary: 'A short-lived join token and the one-line command a new machine runs to enrol as a worker',
          response: { 200: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'string' }, command: { type: 'string' } } }, ...errors },
        },
      }, async (request) => {
        const p = await who(request);
        if (!capabilitiesOf(p).manageWorkers) throw new SsoError('SSO_ERR_AUTH', 'adding a worker needs ssis_admin or sysadmin', { number: 27140 });
        return enrolment.issue(p.name);
      });
      api.post<{ Body: { token: string; machineName: string } }>('/api/v1/enrol', {
        schema: {
          summary: 'A new worker spends its join token: the master issues and trusts its client certificate',
          security: [],
          body: { type: 'object', required: ['token', 'machineName'], additionalProperties: false, properties: { token: { type: 'string', minLength: 16, maxLength: 256 }, machineName: { type: 'string', minLength: 1, maxLength: 63 } } },
          response: { 200: { type: 'object', properties: { agentId: { type: 'string' }, certPem: { type: 'string' }, keyPem: { type: 'string' }, thumbprint: { type: 'string' }, masterCertPem: { type: 'string' }, masterThumbprint: { type: 'string' } } }, ...errors },
        },
      }, async (request, reply) => {
        if (!deps.secure) return reply.code(403).send({ error: 'forbidden', message: 'enrol on the master\'s TLS port, pinning its certificate thumbprint' });
        try {
          return enrolment.enrol(request.body.token, request.body.machineName);
        } catch (err) {
          if (SsoError.is(err) && err.code === 'SSO_ERR_AUTH') return reply.code(401).send({ error: err.code, message: err.message });
          throw err;
        }
      });
    }

    // ---- executions ----
    api.get<{ Querystring: { folder?: string; project?: string; package?: string; status?: number[]; worker?: string; from?: string; to?: string; offset?: number; limit?: number } }>('/api/v1/executions', {
      schema: {
        summary: 'Executions, newest first, with filters and paging (the SSMS "All Executions" report)',
        querystring: {
          type: 'object', additionalProperties: false,
          properties: {
            folder: { type: 'string' }, project: { type: 'string' }, package: { type: 'string' }, worker: { type: 'string' },
            status: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 9 } },
            from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' },
            offset: { type: 'integer', minimum: 0, default: 0 }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: { 200: { type: 'object', properties: { total: { type: 'integer' }, offset: { type: 'integer' }, limit: { type: 'integer' }, items: { type: 'array', items: executionSchema } } }, ...errors },
      },
    }, async (request) => {
      const p = await who(request);
      const q = request.query;
      const view = await store.queryView(p, 'catalog.executions');
      const from = q.from ? Date.parse(q.from) : -Infinity;
      const to = q.to ? Date.parse(q.to) : Infinity;
      const rows = view.rows.map(executionFromRow).filter((e) => (q.folder === undefined || e.folder === q.folder) && (q.project === undefined || e.project === q.project)
        && (q.package === undefined || e.package === q.package) && (q.worker === undefined || e.workerAgentId === q.worker.toLowerCase())
        && (q.status === undefined || q.status.includes(e.status)) && inRange(e.createdTime, from, to)).sort((a, b) => b.id - a.id);
      const offset = q.offset ?? 0;
      const limit = q.limit ?? 100;
      return { total: rows.length, offset, limit, items: rows.slice(offset, offset + limit) };
    });

    api.post<{ Body: StartBatchBody }>('/api/v1/executions/batch', {
      schema: {
        summary: 'Execute in Scale Out: one execution per package, with parameters, retry count and allowed workers',
        body: {
          type: 'object', required: ['packages'], additionalProperties: false,
          properties: {
            packages: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'object', required: ['folder', 'project', 'package'], additionalProperties: false, properties: { folder: { type: 'string', minLength: 1 }, project: { type: 'string', minLength: 1 }, package: { type: 'string', minLength: 1 } } } },
            parameters: { type: 'array', items: { type: 'object', required: ['name', 'value'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1 }, value: parameterValue, objectType: { type: 'integer', enum: [20, 30, 50] }, package: { type: 'string' } } } },
            retryCount: { type: 'integer', minimum: 0, maximum: 100 },
            workers: { type: 'array', items: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' } },
          },
        },
        response: { 200: { type: 'object', properties: { executionIds: { type: 'array', items: { type: 'integer' } } } }, ...errors },
      },
    }, async (request) => {
      const p = await who(request);
      const b = request.body;
      const ids: number[] = [];
      for (const pkg of b.packages) {
        const parameters = (b.parameters ?? []).filter((x) => x.package === undefined || x.package === pkg.package)
          .map((x) => ({ name: x.name, value: x.value, ...(x.objectType === undefined ? {} : { objectType: x.objectType }) }));
        const id = await startExecution(store, p, {
          folder: pkg.folder, project: pkg.project, package: pkg.package, parameters,
          ...(b.retryCount === undefined ? {} : { retryCount: b.retryCount }), ...(b.workers && b.workers.length > 0 ? { workers: b.workers } : {}),
        });
        ids.push(id);
        // Pending is committed: show it before the claim moves it on.
        await feed.refresh();
        deps.signals.executionStarted(id);
      }
      return { executionIds: ids };
    });

    api.post<{ Params: { id: number } }>('/api/v1/executions/:id/cancel', { schema: { summary: 'Stop an execution (catalog.stop_operation)', params: idParam, response: { 200: { type: 'object', properties: { stopOperationId: { type: 'integer' } } }, ...errors } } }, async (request) => {
      const p = await who(request);
      const out = await store.stopOperation(p, { operationId: request.params.id });
      deps.signals.operationStopped(request.params.id);
      await feed.refresh();
      return out;
    });

    api.get<{ Params: { id: number } }>('/api/v1/executions/:id/detail', { schema: { summary: 'One execution: parameters, attempts, message counts, executable and data statistics (the SSMS "Overview" report)', params: idParam, response: { 200: { type: 'object', additionalProperties: true }, ...errors } } }, async (request, reply) => {
      const p = await who(request);
      const id = request.params.id;
      const [execs, params, messages, executables, stats, dataStats] = await Promise.all(['catalog.executions', 'catalog.execution_parameter_values', 'catalog.event_messages', 'catalog.executables', 'catalog.executable_statistics', 'catalog.execution_data_statistics'].map((v) => store.queryView(p, v)));
      const row = execs!.rows.find((r) => Number(r['execution_id']) === id);
      if (!row) return reply.code(404).send({ error: 'not-found', message: `execution ${id} does not exist or you do not have permission to see it` });
      const execution = executionFromRow(row);
      const msgs = messages!.rows.filter((m) => Number(m['operation_id']) === id);
      const byType: Record<string, number> = {};
      for (const m of msgs) byType[String(m['message_type'])] = (byType[String(m['message_type'])] ?? 0) + 1;
      // Messages carry no attempt number: each attempt gets those logged from its start to the next attempt's start
      // (the first from the beginning, the last to the end), so every message is counted exactly once.
      const ordered = [...feed.attemptsOf(id)].sort((x, y) => x.attempt - y.attempt);
      const attempts = ordered.map((a, i) => {
        const from = i === 0 ? -Infinity : Date.parse(a.start);
        const to = i === ordered.length - 1 ? Infinity : Date.parse(ordered[i + 1]!.start);
        return { ...a, messageCount: msgs.filter((m) => { const t = Date.parse(String(m['message_time'])); return t >= from && t < to; }).length, hasLog: hasTaskLog(deps.taskLogFolder, id, a.attempt) };
      });
      const exeById = new Map(executables!.rows.filter((x) => Number(x['execution_id']) === id).map((x) => [Number(x['executable_id']), x]));
      return {
        execution,
        parameters: params!.rows.filter((r) => Number(r['execution_id']) === id).map((r) => ({
          objectType: Number(r['object_type']), name: String(r['parameter_name']), dataType: String(r['parameter_data_type']),
          value: r['parameter_value'] ?? null, sensitive: Boolean(Number(r['sensitive'])), required: Boolean(Number(r['required'])), valueSet: Boolean(Number(r['value_set'])),
        })),
        attempts,
        messageCounts: byType,
        executableStatistics: stats!.rows.filter((r) => Number(r['execution_id']) === id).map((r) => {
          const x = exeById.get(Number(r['executable_id']));
          return {
            executable: x ? String(x['executable_name']) : null, packagePath: x ? String(x['package_path']) : null, executionPath: String(r['execution_path']),
            startTime: r['start_time'] ?? null, endTime: r['end_time'] ?? null, durationMs: Number(r['execution_duration'] ?? 0), result: Number(r['execution_result']),
          };
        }),
        // Rows per data-flow path: catalog.execution_data_statistics holds one row per buffer sent (logged at
        // the Verbose level, as in SSISDB); the page shows their sum per path, in the order paths first sent rows.
        dataStatistics: dataStatisticsOf(dataStats!.rows.filter((r) => Number(r['execution_id']) === id)),
      };
    });

    api.get<{ Params: { id: number }; Querystring: { type?: number[]; offset?: number; limit?: number } }>('/api/v1/executions/:id/messages', {
      schema: {
        summary: 'Event messages of an execution, filtered by message type',
        params: idParam,
        querystring: { type: 'object', additionalProperties: false, properties: { type: { type: 'array', items: { type: 'integer' } }, offset: { type: 'integer', minimum: 0, default: 0 }, limit: { type: 'integer', minimum: 1, maximum: 5000, default: 500 } } },
        response: { 200: { type: 'object', additionalProperties: true }, ...errors },
      },
    }, async (request, reply) => {
      const p = await who(request);
      const id = request.params.id;
      const execs = await store.queryView(p, 'catalog.executions');
      if (!execs.rows.some((r) => Number(r['execution_id']) === id)) return reply.code(404).send({ error: 'not-found', message: `execution ${id} does not exist or you do not have permission to see it` });
      const types = request.query.type;
      const all = (await store.queryView(p, 'catalog.event_messages')).rows.filter((m) => Number(m['operation_id']) === id && (types === undefined || types.includes(Number(m['message_type']))));
      const offset = request.query.offset ?? 0;
      const limit = request.query.limit ?? 500;
      return {
        total: all.length, offset, limit,
        items: all.slice(offset, offset + limit).map((m) => ({
          id: Number(m['event_message_id']), time: m['message_time'], type: Number(m['message_type']), sourceType: Number(m['message_source_type']),
          message: String(m['message'] ?? ''), event: m['event_name'] ?? null, source: m['message_source_name'] ?? null, path: m['execution_path'] ?? null,
        })),
      };
    });

    api.get<{ Params: { id: number; attempt: number } }>('/api/v1/executions/:id/attempts/:attempt/log', {
      schema: {
        summary: 'The task log of one attempt, as its worker uploaded it when the attempt ended',
        params: { type: 'object', required: ['id', 'attempt'], properties: { id: { type: 'integer', minimum: 1 }, attempt: { type: 'integer', minimum: 1 } } },
        response: { 200: { type: 'string' }, ...errors },
      },
    }, async (request, reply) => {
      const p = await who(request);
      const { id, attempt } = request.params;
      const execs = await store.queryView(p, 'catalog.executions');
      if (!execs.rows.some((r) => Number(r['execution_id']) === id)) return reply.code(404).send({ error: 'not-found', message: `execution ${id} does not exist or you do not have permission to see it` });
      const file = deps.taskLogFolder ? taskLogPath(deps.taskLogFolder, id, attempt) : null;
      if (!file || !existsSync(file)) return reply.code(404).send({ error: 'not-found', message: `no task log for execution ${id} attempt ${attempt}: the worker uploads it when the attempt ends (TaskLogEnabled must be true)` });
      return reply.type('text/plain; charset=utf-8').send(readFileSync(file, 'utf8'));
    });

    // ---- data taps (catalog.add_data_tap): the CSV files the worker uploaded when the attempt ended ----
    const tapFolder = dataTapFolderOf(deps);
    const canSee = async (p: Principal, id: number): Promise<boolean> => (await store.queryView(p, 'catalog.executions')).rows.some((r) => Number(r['execution_id']) === id);
    const notVisible = (id: number) => ({ error: 'not-found', message: `execution ${id} does not exist or you do not have permission to see it` });
    api.get<{ Params: { id: number } }>('/api/v1/executions/:id/data-taps', {
      schema: {
        summary: 'The data tap files of an execution (catalog.add_data_tap), per attempt, as the worker uploaded them',
        params: idParam,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { attempt: { type: 'integer' }, file: { type: 'string' }, bytes: { type: 'integer' } } } } } }, ...errors },
      },
    }, async (request, reply) => {
      const p = await who(request);
      const id = request.params.id;
      if (!(await canSee(p, id))) return reply.code(404).send(notVisible(id));
      return { items: tapFolder ? listDataTapFiles(tapFolder, id) : [] };
    });
    api.get<{ Params: { id: number; file: string }; Querystring: { attempt?: number } }>('/api/v1/executions/:id/data-taps/:file', {
      schema: {
        summary: 'One data tap file (CSV) of an execution; the newest attempt unless `attempt` is given',
        params: { type: 'object', required: ['id', 'file'], properties: { id: { type: 'integer', minimum: 1 }, file: { type: 'string', minLength: 1, maxLength: 260 } } },
        querystring: { type: 'object', additionalProperties: false, properties: { attempt: { type: 'integer', minimum: 1 } } },
        response: { 200: { type: 'string' }, ...errors },
      },
    }, async (request, reply) => {
      const p = await who(request);
      const { id, file } = request.params;
      if (!DATA_TAP_FILE_RE.test(file)) return reply.code(400).send({ error: 'bad-request', message: `'${file}' is not a data tap file name (a bare file name)` });
      if (!(await canSee(p, id))) return reply.code(404).send(notVisible(id));
      const found = tapFolder ? readDataTapFile(tapFolder, id, file, request.query.attempt) : null;
      if (!found) {
        return reply.code(404).send({ error: 'not-found', message: `no data tap file '${file}' for execution ${id}${request.query.attempt ? ` attempt ${request.query.attempt}` : ''}: the worker uploads the files of its data taps when the attempt ends` });
      }
      return reply.type('text/csv; charset=utf-8').header('x-scaleout-attempt', String(found.attempt)).send(found.bytes);
    });

    registerStream(api, { feed, who });
  });

  // ---- task logs, uploaded by the worker that ran the attempt (mutual TLS) ----
  if (deps.agentOf && deps.taskLogFolder) {
    const agentOf = deps.agentOf;
    const folder = deps.taskLogFolder;
    await app.register(async (agentApi) => {
      if (!agentApi.hasContentTypeParser('text/plain')) agentApi.addContentTypeParser('text/plain', { parseAs: 'string' }, (_r, body, done) => done(null, body));
      agentApi.put<{ Params: { taskId: string; attempt: number }; Body: string }>('/agent/v1/task-logs/:taskId/:attempt', {
        bodyLimit: MAX_TASK_LOG_BYTES + 1024,
        schema: {
          summary: 'A worker uploads the task log of an attempt it ran, when the attempt ends',
          params: { type: 'object', required: ['taskId', 'attempt'], properties: { taskId: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' }, attempt: { type: 'integer', minimum: 1 } } },
        },
      }, async (request, reply) => {
        const who = agentOf(request);
        if ('refused' in who) return reply.code(403).send({ error: 'forbidden', reason: who.refused });
        const task = await store.getTask(request.params.taskId);
        // A worker acts only as itself: the task's current worker, for an attempt that happened.
        const me = who.agentId.toLowerCase();
        const ran = task && (feed.attemptsOf(task.executionId).find((x) => x.attempt === request.params.attempt)?.workerAgentId.toLowerCase() === me
          || (task.workerAgentId?.toLowerCase() === me && request.params.attempt === task.executedCount));
        if (!task || !ran) {
          return reply.code(403).send({ error: 'forbidden', reason: `task ${request.params.taskId} attempt ${request.params.attempt} was not run by worker ${who.agentId}` });
        }
        if (typeof request.body !== 'string') return reply.code(400).send({ error: 'bad-request', message: 'send the log as text/plain' });
        saveTaskLog(folder, task.executionId, request.params.attempt, request.body);
        return reply.code(204).send();
      });
      const tapFolder = dataTapFolderOf(deps);
      if (tapFolder) {
        agentApi.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
        agentApi.put<{ Params: { taskId: string; attempt: number; file: string }; Body: Buffer }>('/agent/v1/data-taps/:taskId/:attempt/:file', {
          bodyLimit: MAX_DATA_TAP_BYTES,
          schema: {
            summary: 'A worker uploads a data tap file of an attempt it ran, when the attempt ends',
            params: { type: 'object', required: ['taskId', 'attempt', 'file'], properties: { taskId: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' }, attempt: { type: 'integer', minimum: 1 }, file: { type: 'string', minLength: 1, maxLength: 260 } } },
          },
        }, async (request, reply) => {
          const who = agentOf(request);
          if ('refused' in who) return reply.code(403).send({ error: 'forbidden', reason: who.refused });
          if (!DATA_TAP_FILE_RE.test(request.params.file)) return reply.code(400).send({ error: 'bad-request', message: `'${request.params.file}' is not a bare file name` });
          const task = await store.getTask(request.params.taskId);
          // A worker acts only as itself: the task's current worker, for an attempt that happened.
          const me = who.agentId.toLowerCase();
          const ran = task && (feed.attemptsOf(task.executionId).find((x) => x.attempt === request.params.attempt)?.workerAgentId.toLowerCase() === me
            || (task.workerAgentId?.toLowerCase() === me && request.params.attempt === task.executedCount));
          if (!task || !ran) return reply.code(403).send({ error: 'forbidden', reason: `task ${request.params.taskId} attempt ${request.params.attempt} was not run by worker ${who.agentId}` });
          if (!Buffer.isBuffer(request.body)) return reply.code(400).send({ error: 'bad-request', message: 'send the file as text/csv' });
          saveDataTapFile(tapFolder, task.executionId, request.params.attempt, request.params.file, request.body);
          return reply.code(204).send();
        });
      }
    });
  }

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  // ---- the page ----
  const page = (): string => readFileSync(join(PUBLIC_DIR, 'index.html'), 'utf8');
  const sendPage = async (_r: FastifyRequest, reply: FastifyReply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache')
    .header('content-security-policy', "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'").send(page());
  for (const path of ['/', '/dashboard', '/workers', '/executions', '/executions/:id', '/execute', '/login']) app.get(path, { schema: { hide: true } }, sendPage);
  app.get<{ Params: { file: string } }>('/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const file = request.params.file;
    const ext = /\.[a-z]+$/.exec(file)?.[0] ?? '';
    if (!/^[a-z0-9-]+\.[a-z]+$/.test(file) || !ASSET_TYPES[ext] || !existsSync(join(PUBLIC_DIR, file))) return reply.code(404).send({ error: 'not-found', message: `no asset ${file}` });
    return reply.type(ASSET_TYPES[ext]!).header('cache-control', 'no-cache').send(readFileSync(join(PUBLIC_DIR, file)));
  });
}

export interface StartBatchBody {
  readonly packages: readonly { folder: string; project: string; package: string }[];
  readonly parameters?: readonly { name: string; value: string | number | boolean | null; objectType?: number; package?: string }[];
  readonly retryCount?: number;
  readonly workers?: readonly string[];
}

function inRange(t: string | null, from: number, to: number): boolean {
  if (from === -Infinity && to === Infinity) return true;
  const v = t ? Date.parse(t) : NaN;
  return Number.isFinite(v) && v >= from && v <= to;
}

/** Where uploaded data tap files live: `deps.dataTapFolder`, else `data-taps` beside the task-log folder. */
function dataTapFolderOf(deps: ViewerDeps): string | undefined {
  return deps.dataTapFolder ?? (deps.taskLogFolder ? join(dirname(deps.taskLogFolder), 'data-taps') : undefined);
}

export function taskLogPath(folder: string, executionId: number, attempt: number): string {
  return join(folder, String(executionId), `attempt-${attempt}.log`);
}

function hasTaskLog(folder: string | undefined, executionId: number, attempt: number): boolean {
  return folder !== undefined && existsSync(taskLogPath(folder, executionId, attempt));
}

/** Stores an uploaded task log (bounded by the caller); returns its path. */
export function saveTaskLog(folder: string, executionId: number, attempt: number, text: string): string {
  const file = taskLogPath(folder, executionId, attempt);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** Sums catalog.execution_data_statistics rows (one per buffer) into one entry per data-flow path. */
export function dataStatisticsOf(rows: readonly Record<string, unknown>[]): { executionPath: string; task: string; path: string; source: string; destination: string; rows: number }[] {
  const byPath = new Map<string, { executionPath: string; task: string; path: string; source: string; destination: string; rows: number }>();
  for (const r of rows) {
    const key = `${String(r['execution_path'] ?? '')}\u0000${String(r['dataflow_path_id_string'] ?? '')}`;
    let e = byPath.get(key);
    if (!e) {
      e = { executionPath: String(r['execution_path'] ?? ''), task: String(r['task_name'] ?? ''), path: String(r['dataflow_path_name'] ?? ''), source: String(r['source_component_name'] ?? ''), destination: String(r['destination_component_name'] ?? ''), rows: 0 };
      byPath.set(key, e);
    }
    e.rows += Number(r['rows_sent'] ?? 0);
  }
  return [...byPath.values()];
}
