/**
 * The server core talks to this small socket interface; `ws` is one adapter
 * (STYLE.md example 8). Another transport (uWebSockets.js, Bun) implements
 * `ServerSocket` and hands it to `Server.accept`.
 */
import { WebSocket as WsWebSocket, type WebSocket } from 'ws';

/** Callbacks the core installs on a socket. */
export interface SocketHandlers {
  message(data: string | Uint8Array, isBinary: boolean): void;
  close(code: number, reason: string): void;
  pong(): void;
}

/** The transport seen by the core: send frames, batch them, close, report backpressure. */
export interface ServerSocket {
  /**
   * Sends one frame. `data` may be a pre-encoded Buffer of a text frame (broadcast fan-out). `framed`, when given, is
   * the same message already framed as an RFC 6455 server frame (FIN, unmasked, no extension bits), built once for
   * every receiver of a fan-out; an adapter may write it as-is instead of framing `data` (or ignore it).
   */
  send(data: string | Uint8Array, isBinary: boolean, framed?: Uint8Array): void;
  /** Starts batching writes until `uncork` (one syscall for many frames). Optional. */
  cork?(): void;
  uncork?(): void;
  /** Bytes queued and not yet written to the network. */
  readonly bufferedAmount: number;
  /** Sends a close frame. */
  close(code?: number, reason?: string): void;
  /** Drops the TCP connection at once. */
  terminate(): void;
  ping?(): void;
  /** Installs the core's callbacks (called once). */
  listen(handlers: SocketHandlers): void;
}

const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

/** What a stream offers to batch writes (a `net.Socket`); with `write`, pre-framed fan-out frames go to it directly. */
export interface Corkable {
  cork(): void;
  uncork(): void;
  write?(chunk: Uint8Array): boolean;
}

/**
 * @internal `data` framed as one unmasked, unfragmented server-to-client WebSocket frame (RFC 6455 §5.2: FIN, opcode 1 text or
 * 2 binary, no RSV bits): the bytes `ws` itself writes for `send(data)` without compression, in one buffer.
 */
export function serverFrame(data: Uint8Array, isBinary: boolean): Buffer {
  const n = data.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + n);
  out[0] = isBinary ? 0x82 : 0x81;
  if (head === 2) out[1] = n;
  else if (head === 4) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(n / 0x1_0000_0000), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
  out.set(data, head);
  return out;
}

/**
 * Adapts a `ws` WebSocket (server side) to {@link ServerSocket}. `stream` is the socket the upgrade ran on (the
 * `socket` of `handleUpgrade`), corked to batch a tick's frames; without it, writes are not batched.
 */
export class WsSocket implements ServerSocket {
  readonly #ws: WebSocket;
  readonly #stream: Corkable | undefined;
  /** Pre-framed frames may bypass ws's Sender: a writable stream and no extension (permessage-deflate) negotiated. */
  readonly #direct: boolean;

  constructor(ws: WebSocket, tooBigReason = 'message too big', stream?: Corkable) {
    this.#ws = ws;
    // Kept on the ws, where its `close` reads it (a socket of the server's own class has it on its prototype).
    if ((ws as Tagged)[TOO_BIG] !== tooBigReason) (ws as Tagged)[TOO_BIG] = tooBigReason;
    this.#stream = stream;
    this.#direct = typeof stream?.write === 'function' && ws.extensions === '';
  }

  send(data: string | Uint8Array, isBinary: boolean, framed?: Uint8Array): void {
    // While OPEN, ws's Sender writes each frame to the socket synchronously (nothing is queued without compression),
    // so writing the same bytes ourselves keeps the order with every frame ws sends (pings, close), and counts in
    // bufferedAmount (the socket's writable length). After a close frame (CLOSING), ws handles it.
    if (framed !== undefined && this.#direct && this.#ws.readyState === 1) this.#stream!.write!(framed);
    else this.#ws.send(data, isBinary ? BINARY : TEXT);
  }

  // ws writes each frame with its own socket.write; corking the net.Socket turns a tick's frames into one writev.
  cork(): void {
    this.#stream?.cork();
  }

  uncork(): void {
    this.#stream?.uncork();
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  close(code?: number, reason?: string): void {
    try {
      this.#ws.close(code, reason);
    } catch {
      this.#ws.terminate();
    }
  }

  terminate(): void {
    this.#ws.terminate();
  }

  ping(): void {
    try {
      this.#ws.ping();
    } catch {
      /* closing */
    }
  }

  listen(h: SocketHandlers): void {
    // One shared function (`this` is the ws) takes the events ws emits: no closure and no listener entries per
    // connection (an emitter's listener table is a dictionary of about 250 bytes once it holds four events). A
    // socket of the server's own class (wsClassFor) has both functions on its prototype; any other ws gets them here.
    const ws = this.#ws as Tagged;
    ws[HANDLERS] = h;
    if (ws.close !== closeWithReason) ws.close = closeWithReason;
    if (ws.emit !== emitToHandlers) ws.emit = emitToHandlers;
  }
}

/**
 * @internal the `ws` WebSocket class of a server's WebSocketServer (its `WebSocket` option): its prototype has what
 * `WsSocket` would otherwise set on every socket (the shared `emit` and `close`, the too-big reason), 24 bytes less
 * per connection. Until `listen` gives a socket its handlers, events go to EventEmitter as on any ws.
 */
export function wsClassFor(tooBigReason: string): typeof WsWebSocket {
  class NeffosWebSocket extends WsWebSocket {}
  const proto = NeffosWebSocket.prototype as Tagged;
  proto[TOO_BIG] = tooBigReason;
  proto.close = closeWithReason;
  proto.emit = emitToHandlers;
  return NeffosWebSocket;
}

const HANDLERS = Symbol('neffos.handlers');
const TOO_BIG = Symbol('neffos.tooBig');
type Tagged = WebSocket & { [HANDLERS]: SocketHandlers | undefined; [TOO_BIG]: string };
/** EventEmitter's `emit`, for what the handlers do not take. */
const EMIT = WsWebSocket.prototype.emit;

/** The ws's `emit`: `message`, `close` and `pong` go to the handlers, `error` is dropped ('close' follows), the rest (and all before `listen`) to EventEmitter. */
function emitToHandlers(this: Tagged, event: string | symbol, a?: unknown, b?: unknown): boolean {
  const h = this[HANDLERS];
  if (event === 'message' && h !== undefined) {
    const data = a as Buffer | ArrayBuffer | Buffer[];
    const buf = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(data) : data;
    h.message(b === true ? buf : buf.toString(), b === true);
    return true;
  }
  if (h === undefined || (event !== 'close' && event !== 'pong' && event !== 'error')) {
    // eslint-disable-next-line prefer-rest-params -- forwards whatever ws emits, without an array per call
    return EMIT.apply(this, arguments as unknown as [string]);
  }
  if (event === 'close') h.close(a as number, String(b));
  else if (event === 'pong') h.pong();
  return true;
}

/** ws closes an oversized message with 1009 and no reason; give the peer a clear one. */
function closeWithReason(this: Tagged, code?: number, data?: string | Buffer): void {
  WsWebSocket.prototype.close.call(this, code, code === 1009 && !data ? this[TOO_BIG] : data);
}
