/**
 * The write path of a connection (a Conn's base class): frames of one tick leave in few socket writes (the first at
 * once, then chunks of up to CHUNK frames, the rest at the tick's end), and the slow-consumer policy
 * (`maxBufferedAmount`, `slowConsumer`) looks at what the socket could not write.
 */
import { emptyReply, encode, type Frame, type MessageInit } from '../protocol/index.js';
import type { Conn } from './conn.js';
import type { ServerCore } from './core.js';
import type { ServerSocket } from './socket.js';
import type { ServerConnState } from './state.js';

/** One tick may queue this many times `maxBufferedAmount` (16 MiB by default) before the policy applies to it. */
export const BURST = 4;

/**
 * The most frames one corked write holds. A tick's frames are corked to share a writev, but a peer that pipelines
 * requests reads the answers of one write, works, and writes its next requests in one go too: with the whole tick in
 * one write, each side waits while the other handles the full batch (measured with our client at 64 asks in flight:
 * 0.7x the throughput of 16-frame chunks). Chunks of 16 keep that pipeline moving, and still put a fan-out burst of
 * up to 16 frames per receiver in one write (docs/benchmarks.md "Session 5").
 */
export const CHUNK = 16;

export abstract class Writer {
  /** @internal */ readonly core: ServerCore;
  /** @internal */ readonly socket: ServerSocket;
  /** @internal the server tick (`core.tick`) of this connection's last frame: another one makes the next frame a tick's first */ tick = -1;
  /** @internal frames in the socket's current corked chunk (0: not corked); corked from a tick's second frame until its end */ corked = 0;
  /** @internal bytes the socket had not written when this tick's first frame was sent */ backlog = 0;
  /** @internal characters sent in this tick */ tickBytes = 0;
  #dropped = 0;

  /** @internal */
  constructor(core: ServerCore, socket: ServerSocket) {
    this.core = core;
    this.socket = socket;
  }

  abstract get state(): ServerConnState;
  abstract close(code?: number, reason?: string): void;

  /** Messages dropped by the `slowConsumer: 'drop'` policy on this connection (each also emitted as the server's `drop`). */
  get droppedMessages(): number {
    return this.#dropped;
  }

  /**
   * @internal sends one frame, batching a tick's frames into one socket write. The slow-consumer policy looks at what
   * the socket could not write: its backlog when the tick's first frame went out (what earlier ticks left unwritten;
   * the burst being corked in this tick is not a backlog). A single tick's burst is bounded too, at BURST times
   * `maxBufferedAmount`, so a handler looping over emits cannot exhaust memory. `framed` is the same frame already
   * framed for the wire (a fan-out frames once for every receiver); the socket may write it as-is.
   */
  send(frame: Frame | Buffer, isBinary: boolean, framed?: Uint8Array): boolean {
    const st = this.state;
    if (st === 'closing' || st === 'closed') return false;
    const s = this.socket;
    const core = this.core;
    const limit = core.maxBufferedAmount;
    if (this.tick !== core.tick) {
      // The first frame of a tick goes straight out; from the second on, the socket is corked and written every
      // CHUNK frames and at the server's end-of-tick uncork, so a burst leaves in few writevs, in order.
      this.tick = core.tick;
      core.wrote();
      this.tickBytes = 0;
      if (limit > 0) this.backlog = s.bufferedAmount;
    } else if (this.corked === 0) {
      if (s.cork) {
        this.corked = 1;
        s.cork();
        core.corked(this as unknown as Conn);
      }
    } else if (++this.corked > CHUNK) {
      // A full chunk leaves now; this frame starts the next one (still corked, uncorked at the tick's end).
      this.corked = 1;
      s.uncork!();
      s.cork!();
    }
    if (limit > 0) {
      // Unwritten bytes of earlier ticks over the bound, or this tick's burst over BURST times the bound.
      if (this.backlog > limit || this.backlog + this.tickBytes > BURST * limit) return this.overflow(limit);
      this.tickBytes += frame.length;
    }
    s.send(frame, isBinary, framed);
    return true;
  }

  /** @internal A slow consumer: drop (counted and emitted) or close, by the server's policy. (TS `private`: see Conn.) */
  private overflow(limit: number): false {
    if (this.core.slowConsumer === 'drop') {
      this.#dropped++;
      this.core.dropped(this as unknown as Conn, this.backlog);
    } else this.close(1008, 'slow consumer: send buffer over ' + limit + ' bytes');
    return false;
  }

  /** @internal the end-of-tick uncork (only connections that corked in the tick get it) */
  uncork(): void {
    this.corked = 0;
    this.socket.uncork?.();
  }

  /** @internal */
  writeEmptyReply(wait: string): void {
    this.send(emptyReply(wait), false);
  }

  /**
   * @internal refuses request `m` with `error`'s text past the write guard: a join whose namespace went while it was
   * answered (the guard drops every frame of a gone namespace, so the client would wait for its deadline)
   */
  writeRefusal(m: MessageInit, error: Error): void {
    this.send(encode({ ...m, body: '', binary: false, error: error.message }), false);
  }
}
