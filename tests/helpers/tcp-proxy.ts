/**
 * A loopback TCP proxy the test controls, put between a worker and the master to cut the network:
 * `stall()` stops moving bytes both ways with every socket left open (a partition: nobody learns
 * anything), `reset()` destroys every connection with a TCP RST and refuses new ones, `heal()`
 * forwards again. When one side of a pair closed while stalled, the other is closed on `heal()`,
 * as a real network would tell it once packets flow again.
 */
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  stall(): void;
  reset(): void;
  heal(): void;
  close(): Promise<void>;
}

interface Pair { readonly down: Socket; readonly up: Socket; upClosed: boolean; downClosed: boolean }

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let mode: 'pass' | 'stall' | 'reset' = 'pass';
  const pairs = new Set<Pair>();
  const server: Server = createServer((down) => {
    if (mode === 'reset') { down.resetAndDestroy(); return; }
    const up = createConnection({ host: '127.0.0.1', port: targetPort });
    const pair: Pair = { down, up, upClosed: false, downClosed: false };
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) => from.on('data', (chunk: Buffer) => {
      if (mode === 'pass') to.write(chunk);
      // stalled: the bytes are lost, as in a partition (TCP would retransmit; the peer gives up first)
    });
    forward(down, up);
    forward(up, down);
    const closed = (side: 'up' | 'down') => () => {
      if (side === 'up') pair.upClosed = true; else pair.downClosed = true;
      if (mode === 'pass') { pair.up.destroy(); pair.down.destroy(); pairs.delete(pair); }
    };
    up.on('close', closed('up'));
    down.on('close', closed('down'));
    up.on('error', () => {});
    down.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    stall() { mode = 'stall'; },
    reset() {
      mode = 'reset';
      for (const p of pairs) { p.down.resetAndDestroy(); p.up.resetAndDestroy(); }
      pairs.clear();
    },
    heal() {
      mode = 'pass';
      for (const p of [...pairs]) {
        if (p.upClosed || p.downClosed) { p.up.destroy(); p.down.destroy(); pairs.delete(p); }
      }
    },
    async close() {
      for (const p of pairs) { p.up.destroy(); p.down.destroy(); }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
