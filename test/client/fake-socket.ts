/**
 * A fake WebSocket for unit tests: injected through `DialOptions.WebSocket`.
 * The test plays the server: `open()`, `receive(frame)`, `drop(code)`, and an
 * optional `respond` hook that answers each frame the client sends.
 */
import { decode, emptyReply, type Message } from '../../protocol/index.js';
import type { SocketLike, WebSocketConstructor } from '../../client/types.js';

export class FakeSocket implements SocketLike {
  readyState = 0;
  binaryType?: string;
  readonly sent: (string | Uint8Array)[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closedByClient = false;

  constructor(readonly server: FakeServer, readonly url: string, readonly protocols?: unknown, readonly options?: any) {}

  send(data: string | Uint8Array): void {
    if (this.readyState !== 1) throw new Error(`send on readyState ${this.readyState}`);
    this.sent.push(data);
    this.server.respond?.(this, data);
  }

  close(code = 1005): void {
    if (this.readyState === 3) return;
    this.closedByClient = true;
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }

  /** Server side: completes the WebSocket upgrade. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Server side: delivers a frame to the client. */
  receive(data: string | Uint8Array): void {
    this.onmessage?.({ data });
  }

  /** Server side: the link dies without a close frame (as Go servers close). */
  drop(code = 1006): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }

  /** The frames sent after the handshake, decoded. */
  messages(): Message[] {
    return this.sent.filter((f) => f !== 'M').map((f) => decode(f));
  }
}

/** Creates sockets and remembers them; `respond` plays the server. */
export class FakeServer {
  readonly sockets: FakeSocket[] = [];
  /** Opens each new socket on the next microtask (false: the test opens it). */
  autoOpen = true;
  respond?: (s: FakeSocket, frame: string | Uint8Array) => void;
  readonly WebSocket: WebSocketConstructor;

  constructor(respond?: (s: FakeSocket, frame: string | Uint8Array) => void) {
    this.respond = respond;
    const server = this;
    this.WebSocket = class extends FakeSocket {
      constructor(url: string, protocols?: unknown, options?: unknown) {
        super(server, url, protocols, options);
        server.sockets.push(this);
        if (server.autoOpen) queueMicrotask(() => this.readyState === 0 && this.open());
      }
    };
  }

  get last(): FakeSocket {
    return this.sockets[this.sockets.length - 1];
  }
}

/**
 * A minimal neffos server behaviour: acks `M` with `A<id>`, accepts every
 * connect/disconnect/join/leave with an empty reply, replies to `echo` asks, and
 * hands anything else to `other`.
 */
export function acceptAll(other?: (s: FakeSocket, m: Message) => void): (s: FakeSocket, frame: string | Uint8Array) => void {
  let n = 0;
  return (s, frame) => {
    if (frame === 'M') return queueMicrotask(() => s.receive('Aconn-' + ++n));
    const m = decode(frame);
    queueMicrotask(() => {
      if (s.readyState !== 1) return;
      if (m.wait && m.event.startsWith('_On')) return s.receive(emptyReply(m.wait));
      if (m.wait && m.event === 'echo') return s.receive(`${m.wait};${m.namespace};${m.room};echo;0;0;${m.body}`);
      other?.(s, m);
    });
  };
}

/** Lets queued microtasks and promise chains run. */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
