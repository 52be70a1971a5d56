/**
 * A connection's handshake (docs/protocol.md, "Handshake"), server side: it completes when both `M` was read and `onConnect`
 * accepted, in either order; `onConnect` refusing sends `H` + its text. Frames that arrive before are queued, up
 * to `maxEarlyBytes`, and handled right after `A` + id. `handshakeTimeout` bounds the whole (1008). Made per
 * connection and dropped once the connection is open.
 */
import { ClosedError, encodeAckRefused, errorToText, isAckRequest, type Frame } from '../protocol/index.js';
import type { Conn } from './conn.js';

export class Handshake {
  /** The `onConnect` verdict: undefined while it runs, null accepted, else the refusal text. */
  #verdict: string | null | undefined;
  #gotAckRequest: boolean;
  // Both made on first use: most handshakes queue no frame and have no waiter.
  #early: Array<[Frame, boolean]> | undefined;
  #earlyBytes = 0;
  #waiters: Array<(ok: boolean) => void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #conn: Conn;

  /** `ackRequested`: Go's native-only mode has no `M` (and no `A`). */
  constructor(conn: Conn, ackRequested: boolean) {
    this.#conn = conn;
    this.#gotAckRequest = ackRequested;
    const t = conn.core.handshakeTimeout;
    if (t > 0) this.#timer = setTimeout(() => conn.close(1008, 'handshake timeout'), t);
  }

  /** Runs `onConnect`. */
  start(): void {
    const onConnect = this.#conn.core.onConnect;
    if (!onConnect) return this.ready(undefined);
    try {
      const r = onConnect(this.#conn);
      if (r && typeof (r as Promise<void>).then === 'function') {
        Promise.resolve(r).then(() => this.ready(undefined), (e) => this.ready(e ?? new Error('refused')));
      } else this.ready(undefined);
    } catch (e) {
      this.ready(e ?? new Error('refused'));
    }
  }

  /** Whether `onConnect` has not decided yet. */
  get undecided(): boolean {
    return this.#verdict === undefined;
  }

  /** The `onConnect` verdict (`undefined` accepts). A failure after it accepted closes the connection (1008). */
  ready(error: unknown): void {
    if (this.#verdict !== undefined) {
      if (error !== undefined) this.#conn.close(1008, errorToText(error));
      return;
    }
    this.#verdict = error === undefined ? null : errorToText(error);
    if (this.#gotAckRequest) this.#finish();
  }

  /** A frame read before the handshake completed: `M`, or one to queue. */
  frame(data: Frame, isBinary: boolean): void {
    if (!this.#gotAckRequest && isAckRequest(data)) {
      this.#gotAckRequest = true;
      if (this.#verdict !== undefined) this.#finish();
      return;
    }
    if (data.length === 0) return;
    if ((this.#earlyBytes += data.length) > this.#conn.core.limits.maxEarlyBytes) return this.#conn.close(1008, 'too many bytes before the handshake');
    (this.#early ??= []).push([data, isBinary]);
  }

  /** Resolves when the connection is open; rejects when it closes first or after `timeout` ms. */
  wait(timeout: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new ClosedError('handshake did not complete')), timeout);
      (this.#waiters ??= []).push((ok) => {
        clearTimeout(t);
        if (ok) resolve();
        else reject(new ClosedError());
      });
    });
  }

  /** The connection opened (`ok`) or ended: timers and waiters are settled, queued frames dropped. */
  end(ok: boolean): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiters = this.#waiters;
    this.#waiters = undefined;
    if (waiters !== undefined) for (const w of waiters) w(ok);
    if (!ok) this.#early = undefined;
  }

  #finish(): void {
    const conn = this.#conn;
    if (conn.state !== 'awaiting-handshake') return;
    // No handshake completes once the server is closed.
    if (conn.core.isClosed) return conn.close(1001, 'server closed');
    const refusal = this.#verdict;
    if (typeof refusal === 'string') return refuse(conn, refusal);
    const queued = this.#early;
    this.#early = undefined;
    conn.open();
    this.end(true);
    if (queued !== undefined) for (const [data, isBinary] of queued) conn.onFrame(data, isBinary);
  }
}

/** `onConnect` refused the connection with `text`: `H` + text, then a close (native-only: a close with the text). */
function refuse(conn: Conn, text: string): void {
  if (conn.core.onlyNative) return conn.close(1008, text);
  conn.send(encodeAckRefused(text), false);
  conn.close(1000, '');
}
