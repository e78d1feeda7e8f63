/**
 * `/api/v1/stream`: the live state WebSocket. Protocol (JSON text frames, server → client):
 * - `{type:"snapshot", seq, executions, workers, attempts}`: the whole visible state at `seq`;
 * - `{type:"events", events:[{seq, at, kind, data}…]}`: every later change, in seq order;
 * - `{type:"resync", reason}`: the client fell behind; a fresh snapshot follows.
 * A client connects with `?since=<last seq it applied>` to resume: it gets the missed events when
 * the feed still holds them, else a snapshot. Only records the caller may see are sent (the
 * catalog's row filters: `visibilityOf`).
 *
 * Slow clients never slow the master: each client has a bounded queue; events are written only
 * while the socket's send buffer is below `HIGH_WATER`. A client whose queue passes `MAX_QUEUE`
 * is dropped to "needs resync": its queue is discarded and, once its buffer drains, it gets a
 * snapshot. The feed's listener only pushes to arrays; all socket writes happen in per-client flushes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Principal } from '../../actors/ports.ts';
import type { FeedEvent, StateFeed } from './state-feed.ts';
import { visibilityOf } from './state-feed.ts';

export const MAX_QUEUE = 5_000;
export const HIGH_WATER = 1 << 20;

export interface StreamDeps {
  readonly feed: StateFeed;
  readonly who: (request: FastifyRequest) => Promise<Principal>;
  /** Tests shrink these to provoke a resync. */
  readonly maxQueue?: number;
  readonly highWater?: number;
}

export function registerStream(app: FastifyInstance, deps: StreamDeps): void {
  const maxQueue = deps.maxQueue ?? MAX_QUEUE;
  const highWater = deps.highWater ?? HIGH_WATER;
  const preValidation = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // Cross-site WebSocket hijacking: a browser page from elsewhere carries its own Origin.
    const origin = request.headers.origin;
    if (origin !== undefined && safeHost(origin) !== request.headers.host) {
      await reply.code(403).send({ error: 'forbidden', message: `stream refused for origin ${origin}` });
      return;
    }
    (request as FastifyRequest & { principal?: Principal }).principal = await deps.who(request);
  };
  app.get<{ Querystring: { since?: number } }>('/api/v1/stream', {
    websocket: true,
    preValidation,
    schema: {
      summary: 'Live state (WebSocket): a snapshot, then every committed change of executions, attempts and workers with sequence numbers',
      querystring: { type: 'object', additionalProperties: false, properties: { since: { type: 'integer', minimum: 0 } } },
    },
  }, (socket: WebSocket, request) => {
    const principal = (request as FastifyRequest & { principal?: Principal }).principal!;
    const vis = visibilityOf(principal);
    const visible = (e: FeedEvent): boolean => (e.kind === 'execution' ? vis.execution(e.data)
      : e.kind === 'attempt' ? (() => { const x = deps.feed.execution(e.data.executionId); return x ? vis.execution(x) : false; })()
        : vis.workers);
    let queue: FeedEvent[] = [];
    let resync = false;
    let scheduled = false;
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    /** Nothing is written before the first snapshot (or resumed events); events queued meanwhile follow it. */
    let started = false;

    const sendSnapshot = () => socket.send(JSON.stringify({ type: 'snapshot', ...deps.feed.snapshot(principal) }));
    const flush = () => {
      scheduled = false;
      if (closed || !started) return;
      if (socket.bufferedAmount > highWater) {
        // Wait for the network, not for the feed: check again shortly.
        timer ??= setTimeout(() => { timer = undefined; flush(); }, 25);
        return;
      }
      if (resync) {
        resync = false;
        queue = [];
        socket.send(JSON.stringify({ type: 'resync', reason: 'this client fell behind; a fresh snapshot follows' }));
        sendSnapshot();
        return;
      }
      if (queue.length === 0) return;
      const batch = queue;
      queue = [];
      socket.send(`{"type":"events","events":[${batch.map(jsonOf).join(',')}]}`);
    };
    const schedule = () => {
      if (scheduled || closed) return;
      scheduled = true;
      setImmediate(flush);
    };
    const unsubscribe = deps.feed.subscribe((e) => {
      if (closed || resync || !visible(e)) return;
      if (queue.length >= maxQueue || socket.bufferedAmount > highWater * 4) { resync = true; queue = []; }
      else queue.push(e);
      schedule();
    });
    socket.on('close', () => { closed = true; unsubscribe(); if (timer) clearTimeout(timer); });
    socket.on('message', () => { /* the stream is one-way; client frames are ignored */ });

    const since = request.query.since;
    void deps.feed.fresh().then(() => {
      if (closed) return;
      const missed = since === undefined ? null : deps.feed.eventsSince(since);
      // Events already queued are at or below the state sent now; clients ignore seq <= what they hold.
      if (missed === null) sendSnapshot();
      else socket.send(JSON.stringify({ type: 'events', resumed: true, seq: deps.feed.seq, events: missed.filter(visible) }));
      queue = queue.filter((e) => e.seq > deps.feed.seq);
      started = true;
      schedule();
    });
  });
}

/** Each event is serialised once, however many clients receive it. */
const serialised = new WeakMap<FeedEvent, string>();
function jsonOf(e: FeedEvent): string {
  let text = serialised.get(e);
  if (text === undefined) { text = JSON.stringify(e); serialised.set(e, text); }
  return text;
}

function safeHost(origin: string): string | undefined {
  try { return new URL(origin).host; } catch { return undefined; }
}
