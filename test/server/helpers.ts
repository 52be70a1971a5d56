// Loopback helpers: a raw ws client that records frames, and a server on port 0.
import { createServer, type Server as HttpServer } from 'node:http';
import { connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { Server, type ConnHandler, type ServerNamespaces, type ServerOptions } from '../../server/index.js';

export interface Frame { data: string; binary: boolean }

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
    const deadline = Date.now() + timeout;
    while (this.frames.length === 0) {
      if (this.closed) throw new Error(`closed ${this.closed.code} ${this.closed.reason}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timeout waiting for a frame');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
    return (this.frames.shift() as Frame).data;
  }
  /** Waits for the close event. */
  async waitClose(timeout = 2000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeout;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('timeout waiting for close');
      await new Promise<void>((r) => {
        const t = setTimeout(r, 20);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
    return this.closed;
  }
  /** Asserts that no frame arrives within `ms`. */
  async quiet(ms = 100): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.frames.length === 0;
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

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
