/**
 * The master's end of one worker connection, as a channel of frames (issue 15: the hub split into
 * this channel and the dispatch/report logic): it parses and validates every frame (`wire.ts`),
 * enforces the conversation's shape (hello first and once; seqs strictly increasing on a
 * connection), numbers the master's frames, keeps the reports being applied per task in arrival
 * order, and acknowledges cumulatively: `ack {upTo}` never passes the oldest frame still being
 * applied, so a worker drops from its journal only what the catalog committed (or refused for good).
 * It knows nothing of the catalog or the actors; the hub decides what each frame means.
 */
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import { encodeFrame, isProtocolError, parseWorkerFrame } from './wire.ts';
import type { MasterFrame, Unsequenced, WorkerFrame } from './wire.ts';

export class AgentChannel {
  /** The agent id its hello registered (undefined until then). */
  agentId: string | undefined;
  enabled = false;
  closed = false;
  outSeq = 0;
  pullSlots = 0;
  assignedSeenAtPull = 0;
  assignsSent = 0;
  /** performance.now() of the last HEARTBEAT this connection's frames gave its `worker:` actor. */
  livenessSentAt = -Infinity;
  /** The worker's `LeaseInternval` from its hello (the master's default until then). */
  leaseMs = 0;
  /** performance.now() of the last frame or pong from this worker. */
  heardAt = performance.now();
  /** Heard again after a silence: its lost leases are being given back; it is not served meanwhile. */
  readopting = false;
  /** The worker's MaxTaskCount from its hello (shown by the viewer). */
  maxTaskCount = 0;
  /** The protocol version of its hello: ≥ 2 takes `assign-batch`. */
  protocol = 1;
  /** Worker seqs being applied, in arrival order; acks never pass the oldest. */
  readonly #inflight: number[] = [];
  #maxSeq = 0;
  /** The last non-hello frame's seq: each must be higher than the one before. */
  #lastSeq = 0;
  #ackedUpTo = 0;
  #ackScheduled = false;
  /** Per task: the promise of the last report of that task being applied. */
  readonly #taskChains = new Map<string, Promise<void>>();
  /** Frames are parsed and started in arrival order; hello must finish before the rest. */
  ready: Promise<void> = Promise.resolve();

  constructor(readonly socket: WebSocket, readonly remoteAddress: string, readonly thumbprint: string) {}

  /** Slots of the worker's last pull not yet answered by an assignment it could have seen. */
  outstanding(): number {
    return Math.max(0, this.pullSlots - (this.assignsSent - this.assignedSeenAtPull));
  }

  send(frame: Unsequenced<MasterFrame>): void {
    if (this.closed) return;
    this.socket.send(encodeFrame({ ...frame, seq: ++this.outSeq } as MasterFrame));
  }

  /**
   * One received message: the frame, tracked for the cumulative ack until `settle(seq)`, or the
   * reason the connection must be closed as a protocol violation (nothing is tracked then).
   */
  receive(text: string): WorkerFrame | { readonly violation: string } {
    const frame = parseWorkerFrame(text);
    if (isProtocolError(frame)) return { violation: frame.message };
    if (this.agentId === undefined && frame.type !== 'hello') return { violation: `first frame must be hello, got ${frame.type}` };
    if (this.agentId !== undefined && frame.type === 'hello') return { violation: 'hello sent twice' };
    // A worker numbers its frames from one counter and sends them in order on a connection (a
    // replay after a reconnect starts a new connection): a repeated or older seq is not its own.
    if (frame.type !== 'hello') {
      if (frame.seq <= this.#lastSeq) return { violation: `frame seq ${frame.seq} is not above the previous seq ${this.#lastSeq} on this connection (replayed or out of order)` };
      this.#lastSeq = frame.seq;
      if (frame.seq > 0) {
        this.#inflight.push(frame.seq);
        if (frame.seq > this.#maxSeq) this.#maxSeq = frame.seq;
      }
    }
    return frame;
  }

  /** The frame `seq` is applied (committed or refused): the ack may pass it (sent on the next turn). */
  settle(seq: number): void {
    const i = this.#inflight.indexOf(seq);
    if (i >= 0) this.#inflight.splice(i, 1);
    if (this.#ackScheduled) return;
    this.#ackScheduled = true;
    setImmediate(() => { this.#ackScheduled = false; this.flushAck(); });
  }

  /** Sends `ack` up to just below the oldest frame still being applied, when that moved. */
  flushAck(): void {
    const upTo = this.#inflight.length > 0 ? Math.min(...this.#inflight) - 1 : this.#maxSeq;
    if (upTo > this.#ackedUpTo) { this.#ackedUpTo = upTo; this.send({ type: 'ack', upTo }); }
  }

  /**
   * Runs `apply` after the reports of the same task received before it (a log batch is checked before
   * the final report that follows it moves the task on); different tasks proceed concurrently so the
   * catalog can group their commits.
   */
  inTaskOrder(taskId: string, apply: () => Promise<void>): Promise<void> {
    const prev = this.#taskChains.get(taskId) ?? this.ready;
    const next = prev.then(apply);
    this.#taskChains.set(taskId, next);
    void next.then(() => { if (this.#taskChains.get(taskId) === next) this.#taskChains.delete(taskId); });
    return next;
  }

  /** Everything still being applied on this channel (for a graceful close). */
  pending(): Promise<unknown>[] {
    return [this.ready, ...this.#taskChains.values()];
  }
}
