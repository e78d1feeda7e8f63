/**
 * The viewer on a loopback-only plain HTTP port (what `scaleout up` and `demo` open besides the
 * master's TLS port, so a browser on this machine needs no certificate exception). Same routes and
 * sessions as the TLS port, minus everything for workers (no agent socket, no enrolment, no task
 * log uploads; join tokens for new workers are still issued here). Only 127.0.0.1 is ever bound.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { Logger } from 'pino';
import type { MasterService } from '../master/master-service.ts';
import { registerViewer } from './viewer-api.ts';

export interface PlainViewer {
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export async function startPlainViewer(service: MasterService, options: { port?: number; logger: Logger }): Promise<PlainViewer> {
  const app = Fastify({ loggerInstance: options.logger.child({ component: 'viewer-http' }), ajv: { customOptions: { removeAdditional: false, allowUnionTypes: true } } }) as unknown as FastifyInstance;
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  // Join tokens can be issued here (the enrolment itself is refused off TLS); task log uploads cannot.
  const { agentOf: _a, ...deps } = service.viewerDeps(false);
  await registerViewer(app, deps);
  // The same re-check as the TLS port: actions through this port changed the catalog on the master's connection.
  app.addHook('onResponse', async (request) => { if (request.method !== 'GET' && request.url.startsWith('/api/')) void service.requestRefresh(); });
  // DNS rebinding: a page elsewhere whose name resolves to 127.0.0.1 still sends its own Host.
  let port = 0;
  app.addHook('onRequest', async (request, reply) => {
    const host = request.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) await reply.code(421).send({ error: 'misdirected', message: `this port answers only http://127.0.0.1:${port}/` });
  });
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}/`;
  service.plainHttpAddress = url;
  return { url, app, close: () => app.close() };
}
