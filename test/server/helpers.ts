// Loopback helpers: a raw ws client that records frames, and a server on port 0.
import { createServer, type Server as HttpServer } from 'node:http';
import { connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { Server, type Conn, type ConnHandler, type ServerConnStateChange, type ServerNamespaces, type ServerOptions } from '../../server/index.js';

export interface Frame { data: string; binary: boolean }

/** The namespace of {@link RawClient.barrier}: declared by no test server. */
export const BARRIER_NAMESPACE = 'neffos-test-barrier';
let barriers = 0;

/** A raw WebSocket client: every received frame is queued; `next()` waits for the next one. */
export class RawClient {
  readonly frames: Frame[] = [];
  /** The TCP socket under the WebSocket (ours: opened through ws's public `createConnection` option). */
  tcp!: Socket;
  closed: { code: number; reason: string } | undefined;
  private waiters: Array<() => void> = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, binary: boolean) => {
      this.frames.push({ data: binary ? data.toString('hex') : data.toString(), binary });
      this.wake();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => undefined);
  }
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
  send(data: string | Uint8Array): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }
  /** Sends frames in one TCP write, so the server reads them in one go. */
  burst(...frames: string[]): void {
    this.tcp.cork();
    for (const f of frames) this.send(f);
    this.tcp.uncork();
  }
  /** Stops reading from the socket (the server's writes back up: a slow consumer, or a black hole for pings). */
  pause(): void {
    this.tcp.pause();
  }
  /** Resolves with the next frame (text as string; binary as hex), or rejects on close/timeout. */
  async next(timeout = 2000): Promise<string> {
    await this.#until(() => this.frames.length > 0, timeout, 'a frame', true);
    return (this.frames.shift() as Frame).data;
  }
  /** Waits for the close event. */
  async waitClose(timeout = 2000): Promise<{ code: number; reason: string }> {
    await this.#until(() => this.closed !== undefined, timeout, 'close', false);
    return this.closed as { code: number; reason: string };
  }
  /** Waits (without consuming anything) until a received frame matches `seen`; throws at the deadline. */
  async waitFrame(seen: RegExp | ((data: string) => boolean), timeout = 2000): Promise<void> {
    const test = typeof seen === 'function' ? seen : (d: string) => seen.test(d);
    await this.#until(() => this.frames.some((f) => test(f.data)), timeout, `a frame matching ${seen}`, true);
  }
  /**
   * A barrier: a connect request for a namespace no test server declares, answered `bad namespace` by
   * every neffos server (ours and Go's) in the order the frames were sent. When it returns, the server
   * has handled everything this client sent before, and every frame it wrote before its answer has
   * arrived (frames are ordered per connection). The answer itself is removed from `frames`.
   */
  async barrier(timeout = 2000): Promise<void> {
    const token = `$${900_000_000 + ++barriers}`;
    this.send(`${token};${BARRIER_NAMESPACE};;_OnNamespaceConnect;0;0;`);
    const isAnswer = (f: Frame) => f.data.startsWith(token + ';');
    await this.#until(() => this.frames.some(isAnswer), timeout, 'the answer to a barrier', true);
    this.frames.splice(this.frames.findIndex(isAnswer), 1);
  }
  /**
   * A transport barrier for any state (before the handshake too): a WebSocket ping, answered with a pong
   * by the server's `ws` once it has emitted every earlier frame to the server (synchronously, ws's
   * default `allowSynchronousEvents`). When it returns, everything the server does synchronously for the
   * frames sent before has been done, and every frame it wrote before has arrived.
   */
  async pingBarrier(timeout = 2000): Promise<void> {
    const payload = `barrier-${++barriers}`;
    let ponged = false;
    const onPong = (data: Buffer) => {
      if (data.toString() !== payload) return;
      ponged = true;
      this.wake();
    };
    this.ws.on('pong', onPong);
    try {
      this.ws.ping(payload);
      await this.#until(() => ponged, timeout, 'the pong of a barrier', true);
    } finally {
      this.ws.off('pong', onPong);
    }
  }
  /** True when no frame is queued after a {@link barrier} (absence: nothing arrived before its answer). */
  async quiet(timeout = 2000): Promise<boolean> {
    await this.barrier(timeout);
    return this.frames.length === 0;
  }
  async #until(cond: () => boolean, timeout: number, what: string, failOnClose: boolean): Promise<void> {
    const deadline = Date.now() + timeout;
    while (!cond()) {
      if (failOnClose && this.closed) throw new Error(`closed ${this.closed.code} ${this.closed.reason} while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }
  close(): void {
    this.ws.terminate();
  }
}

export interface Loopback {
  server: Server;
  http: HttpServer;
  port: number;
  url: string;
  /** Opens a raw client (no handshake sent). */
  raw(query?: string, options?: ConstructorParameters<typeof WebSocket>[2]): Promise<RawClient>;
  /** Opens a raw client, sends M and returns it with its id. */
  client(query?: string, options?: ConstructorParameters<typeof WebSocket>[2]): Promise<RawClient & { id: string }>;
  stop(): Promise<void>;
}

/** Starts `new Server(namespaces, options)` on 127.0.0.1:0 at /ws. */
export async function loopback(namespaces: ServerNamespaces<any> | ConnHandler, options: ServerOptions = {}): Promise<Loopback> {
  const server = new Server(namespaces, { allowedOrigins: '*', ...options });
  const http = createServer();
  server.attach(http, { path: '/ws' });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const port = (http.address() as AddressInfo).port;
  const url = `ws://127.0.0.1:${port}/ws`;
  const clients: RawClient[] = [];
  const raw = async (query = '', options?: ConstructorParameters<typeof WebSocket>[2]) => {
    let tcp: Socket | undefined;
    // ws's public createConnection option: the test holds the TCP socket (to pause reading, or to batch writes).
    const createConnection = (o: { host?: string; port?: number }) => (tcp = tcpConnect({ host: o.host ?? '127.0.0.1', port: o.port ?? 0 }));
    const ws = new WebSocket(url + query, { ...options, createConnection } as ConstructorParameters<typeof WebSocket>[2]);
    const c = new RawClient(ws);
    c.tcp = tcp!;
    clients.push(c);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error('HTTP ' + res.statusCode)));
    });
    return c;
  };
  return {
    server, http, port, url, raw,
    async client(query = '', options?: ConstructorParameters<typeof WebSocket>[2]) {
      const c = await raw(query, options);
      c.send('M');
      const ack = await c.next();
      if (!ack.startsWith('A')) throw new Error('expected A, got ' + ack);
      return Object.assign(c, { id: ack.slice(1) });
    },
    async stop() {
      for (const c of clients) c.close();
      server.close();
      http.closeAllConnections?.();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/** Sends a connect request and returns after the empty reply. */
export async function connectNs(c: RawClient, ns: string, wait = '$c' + ns): Promise<void> {
  c.send(`${wait};${ns};;_OnNamespaceConnect;0;0;`);
  const r = await c.next();
  if (r !== `${wait};;;;;;`) throw new Error('connect failed: ' + r);
}

/** For sleeps that are part of a scenario (a deliberately slow handler), never before an assertion. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves once `count` changes reported by the server's `connState` matched `match` (call it before
 * the cause); rejects `timeout waiting for <what>` at the deadline.
 */
export function connStates(server: Server, match: (conn: Conn, change: ServerConnStateChange) => boolean, what: string, count = 1, timeout = 2000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = 0;
    const done = (err?: Error) => {
      clearTimeout(timer);
      server.off('connState', listener);
      if (err) reject(err);
      else resolve();
    };
    const listener = (conn: Conn, change: ServerConnStateChange) => { if (match(conn, change) && ++seen === count) done(); };
    const timer = setTimeout(() => done(new Error(`timeout waiting for ${what} (${seen} of ${count})`)), timeout);
    server.on('connState', listener);
  });
}

/** `promise`, or a rejection `timeout waiting for <what>` after `timeout` ms. */
export function within<T>(promise: Promise<T>, what: string, timeout = 2000): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timeout waiting for ${what}`)), timeout); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Polls `cond` every 10 ms until it holds; throws `timeout waiting for <what>` at the deadline. For state
 * with no event to wait on (a server's counters, a log line); prefer an event or a barrier.
 */
export async function waitFor(cond: () => boolean, what: string, timeout = 2000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * A list that handlers push to and tests wait on: `until(pred, what)` resolves on the push that makes
 * `pred(items)` true (at once if it already holds) and rejects `timeout waiting for <what>` at the deadline.
 */
export class Recorder<T> {
  readonly items: T[] = [];
  #waiters: Array<() => void> = [];
  /** Records `item` (bound: pass it as a callback). */
  readonly push = (item: T): void => {
    this.items.push(item);
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  };
  async until(pred: (items: readonly T[]) => boolean, what: string, timeout = 2000): Promise<void> {
    const deadline = Date.now() + timeout;
    while (!pred(this.items)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${what}; got ${JSON.stringify(this.items)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }
}
