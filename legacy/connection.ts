/**
 * One connection of a {@link LegacyServer}: the `websocket.Connection` of Iris v6 to v11
 * (`c.On`, `c.OnMessage`, `c.Emit`, `c.EmitMessage`, `c.To`, `c.Join`, `c.Leave`, `c.OnDisconnect`,
 * `c.OnError`, `c.ID()`), in TypeScript spelling.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { UpgradeRequest } from '../server/request.js';
import { decode, encode, LegacyError, type LegacyValue } from './protocol.js';
import type { LegacyServer } from './server.js';

/**
 * The payload kind a handler takes, as the Go handler's signature chooses it in Iris: `'none'`
 * (`func()`), `'string'` (`func(string)`: strings, and ints as their decimal text), `'int'`
 * (`func(int)`), `'bool'`, `'bytes'` (`func([]byte)`), `'any'` (`func(interface{})`: the decoded value).
 */
export type PayloadKind = 'none' | 'string' | 'int' | 'bool' | 'bytes' | 'any';

/** The arguments a handler of each {@link PayloadKind} is called with. */
export interface PayloadArgs {
  none: [];
  string: [value: string];
  int: [value: number];
  bool: [value: boolean];
  bytes: [value: Uint8Array];
  any: [value: LegacyValue];
}

/** `c.to(...)`: where a message goes (Iris `Emitter`). */
export interface LegacyEmitter {
  /** Sends a custom message (see `encode` for how each value is typed). Throws {@link LegacyError} for a value with no encoding. */
  emit(event: string, value?: unknown): void;
  /** Sends a native message (a frame without the prefix). */
  emitMessage(data: string | Uint8Array): void;
}

type Listener = { kind: PayloadKind; fn: (...args: never[]) => void };

/** @internal */
export interface ConnectionInternals {
  send(frame: string | Uint8Array): void;
  receive(data: Uint8Array): void;
  touch(): void;
  closed(): void;
  pinged(): void;
  left(room: string): void;
}

/** A connected client of a {@link LegacyServer}. */
export class LegacyConnection {
  /** The id from the server's `idGenerator` (several connections may share one). */
  readonly id: string;
  /**
   * The HTTP upgrade request (Iris `c.Context()`): url, method, headers, socket (remote address), as the neffos
   * server's `conn.request` keeps it: a small view, so the `IncomingMessage` is not retained for the connection's life.
   */
  readonly request: UpgradeRequest;
  /** The server this connection belongs to. */
  readonly server: LegacyServer;
  /** The per-connection store (Iris `SetValue`/`GetValue`). */
  readonly values = new Map<string, unknown>();

  private readonly events = new Map<string, Listener[]>();
  private readonly native: Array<(data: Uint8Array) => void> = [];
  private readonly leaveFns: Array<(room: string) => void> = [];
  private readonly disconnectFns: Array<() => void> = [];
  private readonly errorFns: Array<(err: LegacyError) => void> = [];
  private readonly pingFns: Array<() => void> = [];
  private readonly pongFns: Array<() => void> = [];
  private gone = false;
  /** @internal */
  lastRead = Date.now();
  /** @internal */
  lastPing = Date.now();

  /** @internal */
  constructor(server: LegacyServer, private readonly ws: WebSocket, request: IncomingMessage, id: string) {
    this.server = server;
    this.request = new UpgradeRequest(request);
    this.id = id;
  }

  /** True once the connection is closed (by either side). */
  get disconnected(): boolean {
    return this.gone;
  }

  /**
   * Listens to an event. Without a kind the handler gets the decoded value (`func(interface{})`);
   * with one it gets what the Go signature would (a `'string'` handler also gets ints as text). A
   * frame whose type does not fit the kind is not delivered and reaches `onError` as
   * `ERR_LEGACY_TYPE_MISMATCH` (Go panics and drops the connection). Empty payloads never reach a handler.
   * @example
   * c.on('chat', 'string', (msg) => c.to(Broadcast).emit('chat', msg));
   * c.on('score', 'int', (n) => c.emit('double', n * 2));
   * c.on('profile', (value) => console.log(value));
   */
  on(event: string, handler: (value: LegacyValue) => void): this;
  on<K extends PayloadKind>(event: string, kind: K, handler: (...args: PayloadArgs[K]) => void): this;
  on(event: string, a: PayloadKind | ((value: LegacyValue) => void), b?: (...args: never[]) => void): this {
    const kind = typeof a === 'string' ? a : 'any';
    const fn = (typeof a === 'function' ? a : b) as ((...args: never[]) => void) | undefined;
    if (typeof event !== 'string') throw new LegacyError('ERR_LEGACY_BAD_EVENT', 'an event name must be a string');
    if (typeof fn !== 'function') throw new TypeError('legacy: on(event, [kind,] handler) needs a handler function');
    if (!['none', 'string', 'int', 'bool', 'bytes', 'any'].includes(kind)) throw new TypeError(`legacy: unknown payload kind ${JSON.stringify(kind)}`);
    let list = this.events.get(event);
    if (!list) this.events.set(event, (list = []));
    list.push({ kind, fn });
    return this;
  }

  /** Listens to native messages (frames without the prefix), as raw bytes. */
  onMessage(handler: (data: Uint8Array) => void): this {
    this.native.push(handler);
    return this;
  }

  /** Called when the connection leaves a room (`leave`, and every room when it disconnects). */
  onLeave(handler: (room: string) => void): this {
    this.leaveFns.push(handler);
    return this;
  }

  /** Called once when the connection closes, by either side; it may still emit to others. */
  onDisconnect(handler: () => void): this {
    this.disconnectFns.push(handler);
    return this;
  }

  /** Errors of this connection: bad frames, handler exceptions, read and write failures. */
  onError(handler: (err: LegacyError) => void): this {
    this.errorFns.push(handler);
    return this;
  }

  /** Called before each server ping. */
  onPing(handler: () => void): this {
    this.pingFns.push(handler);
    return this;
  }

  /** Called on each pong from the client. */
  onPong(handler: () => void): this {
    this.pongFns.push(handler);
    return this;
  }

  /** Fires the `onError` listeners with `err` (Iris `FireOnError`); nothing is sent. */
  fireOnError(err: LegacyError): void {
    for (const fn of this.errorFns.slice()) {
      try {
        fn(err);
      } catch {
        /* an error listener's own failure has nowhere to go */
      }
    }
  }

  /** Sends a custom message to this connection only (nothing, once it is closed, as Iris). */
  emit(event: string, value?: unknown): void {
    const frame = encode(event, value, this.server.prefix);
    this.internals.send(frame);
  }

  /** Sends a native message to this connection only. */
  emitMessage(data: string | Uint8Array): void {
    this.internals.send(data);
  }

  /**
   * Where to send: {@link All} (`''`, everyone, this connection included), {@link Broadcast} / `NotMe`
   * (everyone but this connection), a room name (its members, this connection included if it joined)
   * or a connection id (every connection with that id).
   * @example
   * c.to(Broadcast).emit('chat', msg);
   * c.to('room1').emit('chat', msg);
   */
  to(target: string): LegacyEmitter {
    return this.server.emitter(target, this);
  }

  /** Joins a room (joining twice is joining once). */
  join(room: string): void {
    this.server.joinConnection(room, this);
  }

  /** Leaves a room; true if it was in it. */
  leave(room: string): boolean {
    return this.server.leaveConnection(room, this);
  }

  /** True when the connection is in the room. */
  isJoined(room: string): boolean {
    return this.server.isConnectionJoined(room, this);
  }

  /** The rooms this connection is in. */
  rooms(): string[] {
    return this.server.roomsOf(this);
  }

  /**
   * Closes the connection: leaves every room, fires `onDisconnect`, then closes the WebSocket (a
   * close frame 1000; Iris drops the TCP connection without one). Resolves once the socket is closed.
   */
  disconnect(): Promise<void> {
    if (this.gone) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.finish();
      try {
        this.ws.close(1000);
      } catch {
        this.ws.terminate();
      }
      const t = setTimeout(() => this.ws.terminate(), 1000);
      t.unref?.();
      this.ws.once('close', () => clearTimeout(t));
    });
  }

  /** @internal */
  readonly internals: ConnectionInternals = {
    send: (frame) => this.write(frame),
    receive: (data) => this.received(data),
    touch: () => {
      this.lastRead = Date.now();
    },
    closed: () => this.finish(),
    left: (room) => {
      for (const fn of this.leaveFns.slice()) this.safely(() => fn(room));
    },
    pinged: () => {
      this.lastPing = Date.now();
      for (const fn of this.pingFns.slice()) this.safely(fn);
      try {
        this.ws.ping();
      } catch {
        /* closing */
      }
    },
  };

  /** @internal */
  pong(): void {
    this.lastRead = Date.now();
    for (const fn of this.pongFns.slice()) this.safely(fn);
  }

  /** @internal since when bytes have been waiting for the socket (0: none); the server's sweep applies writeTimeout. */
  stalledSince = 0;

  /** @internal the socket's bytesWritten at the last sweep. */
  lastWritten = 0;

  /** @internal bytes queued and not yet written to the network, and bytes written so far. */
  writeProgress(): { queued: number; written: number } {
    const socket = (this.ws as unknown as { _socket?: { bytesWritten?: number } })._socket;
    return { queued: this.ws.bufferedAmount, written: socket?.bytesWritten ?? 0 };
  }

  /** @internal writes a frame. */
  write(frame: string | Uint8Array): void {
    if (this.gone || this.ws.readyState !== 1) return;
    this.ws.send(frame, { binary: this.server.config.binaryMessages }, (err) => {
      if (err && !this.gone) {
        this.fireOnError(new LegacyError('ERR_LEGACY_CLOSED', `legacy: write to ${this.id} failed: ${err.message}`, { cause: err }));
        this.ws.terminate();
      }
    });
  }

  /** @internal drops the TCP connection at once (deadlines). */
  terminate(): void {
    this.finish();
    this.ws.terminate();
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fireOnError(new LegacyError('ERR_LEGACY_HANDLER', `legacy: a handler threw: ${String((e as Error)?.message ?? e)}`, { cause: e }));
    }
  }

  private received(data: Uint8Array): void {
    this.lastRead = Date.now();
    const d = decode(data, { prefix: this.server.prefixBytes });
    if (d.kind === 'native') {
      for (const fn of this.native.slice()) this.safely(() => fn(d.data));
      return;
    }
    if (d.kind === 'invalid' && d.event === undefined) return this.fireOnError(d.error);
    const listeners = this.events.get(d.event!);
    if (!listeners || listeners.length === 0) return; // no listener: dropped before parsing, as Iris
    if (d.kind === 'invalid') return this.fireOnError(d.error);
    for (const { kind, fn } of listeners.slice()) {
      const call = fn as (...args: unknown[]) => void;
      const mismatch = () =>
        this.fireOnError(new LegacyError('ERR_LEGACY_TYPE_MISMATCH', `legacy: event ${JSON.stringify(d.event)} carries type ${d.type}, its handler takes ${kind}`));
      switch (kind) {
        case 'none':
          this.safely(() => call());
          break;
        case 'string':
          if (d.type === 0) this.safely(() => call(d.value));
          else if (d.type === 1) this.safely(() => call(String(d.value)));
          break; // Iris ignores other types for a string handler
        case 'int':
          if (d.type !== 1) mismatch();
          else if (typeof d.value !== 'number') this.fireOnError(new LegacyError('ERR_LEGACY_BAD_PAYLOAD', `legacy: event ${JSON.stringify(d.event)}: the int is beyond 2^53 (use an 'any' handler for a bigint)`));
          else this.safely(() => call(d.value));
          break;
        case 'bool':
          if (d.type !== 2) mismatch();
          else this.safely(() => call(d.value));
          break;
        case 'bytes':
          if (d.type !== 3) mismatch();
          else this.safely(() => call(d.value));
          break;
        default:
          this.safely(() => call(d.value));
      }
    }
  }

  private finish(): void {
    if (this.gone) return;
    this.gone = true;
    this.server.removeConnection(this);
    for (const fn of this.disconnectFns.slice()) this.safely(fn);
  }
}
