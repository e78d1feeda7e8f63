/**
 * A hand-driven agent connection for security tests: real mutual TLS with a given client
 * certificate, frames sent as raw text, every master frame recorded, the close code kept. It speaks
 * only what the test tells it to (a hostile or confused worker), unlike AgentService.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { TestCert } from './test-certs.ts';

export interface RawAgent {
  readonly ws: WebSocket;
  readonly received: Record<string, unknown>[];
  /** The close code once closed, else undefined. */
  closeCode(): number | undefined;
  closed: Promise<number>;
  /** The close code, or a rejection naming what was received when the master keeps the connection open past `timeoutMs`. */
  closedWithin(timeoutMs: number): Promise<number>;
  send(frame: unknown): void;
  sendText(text: string | Buffer): void;
  /** Resolves with the first received frame matching `pred` (already received or later); rejects after `timeoutMs`. */
  next(pred: (f: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): void;
}

export async function connectRawAgent(port: number, cert: TestCert, ca: string): Promise<RawAgent> {
  const ws = new WebSocket(`wss://localhost:${port}/agent/v1`, { cert: cert.cert, key: cert.key, ca, maxPayload: 64 * 1024 * 1024 });
  const received: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let code: number | undefined;
  ws.on('message', (d) => { try { received.push(JSON.parse(d.toString()) as Record<string, unknown>); } catch { /* master frames are JSON */ } for (const w of waiters) w(); });
  const closed = new Promise<number>((resolve) => ws.on('close', (c) => { code = c; for (const w of waiters) w(); resolve(c); }));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('close', (c) => reject(new Error(`closed before open (${c})`))); });
  return {
    ws, received, closed,
    closeCode: () => code,
    closedWithin: (timeoutMs) => Promise.race([closed, new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`the master kept the connection open for ${timeoutMs} ms; it sent ${JSON.stringify(received.map((f) => f['type']))}`)), timeoutMs).unref())]),
    send: (f) => { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(f)); },
    sendText: (t) => { if (ws.readyState === WebSocket.OPEN) ws.send(t); },
    next(pred, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = received.find(pred);
          if (hit) { waiters.delete(check); clearTimeout(timer); resolve(hit); }
          else if (code !== undefined) { waiters.delete(check); clearTimeout(timer); reject(new Error(`connection closed (${code}) before the expected frame; got ${JSON.stringify(received).slice(0, 300)}`)); }
        };
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(received).slice(0, Number(process.env["RAW_AGENT_DUMP"] ?? 300))}`)); }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => ws.close(1000),
  };
}

export function helloFrame(agentId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'hello', seq: 0, agentId, machineProperties: { MachineName: 'raw-agent' },
    versions: { protocol: 1, agent: 'raw', node: process.version }, capacity: { maxTaskCount: 2 }, runningTasks: [], ...extra,
  };
}

export function eventMessage(operationId: number, text: string): Record<string, unknown> {
  return {
    eventMessageGuid: randomUUID(), operationId, messageTime: Date.now(), messageType: 120, messageSourceType: 30, message: text,
    packageName: 'Param.dtsx', eventName: 'OnError', messageSourceName: 'Param', messageSourceId: '{00000000-0000-0000-0000-000000000001}',
    packagePath: '\\Package', executionPath: '\\Param', threadId: 1,
  };
}
