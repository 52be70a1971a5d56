/**
 * Full client implementations used by the interleaved (latency/echo) load:
 * each one connects to namespace `default` and exposes ask / join / leave.
 *
 * - raw:      a raw `ws` client hand-writing the neffos frames (the ceiling)
 * - sio:      socket.io-client, websocket transport only, emitWithAck
 * - neffosjs: the published neffos.js 0.1.34
 * - ours:     neffos-ts client (client/index.ts)
 */
import WebSocket from 'ws';

export type ClientKind = 'raw' | 'sio' | 'neffosjs' | 'ours';

export interface BenchClient {
  ask(body: string): Promise<string>;
  join(room: string): Promise<void>;
  leave(room: string): Promise<void>;
  /** Asks (and other requests) still waiting for an answer on the client side. */
  pending(): number;
  close(): void;
}

const TIMEOUT = 10_000;

/** Connects a client of `kind` to `url` (a neffos /echo URL, or the socket.io base URL). */
export async function connectClient(kind: ClientKind, url: string): Promise<BenchClient> {
  switch (kind) {
    case 'raw': return rawClient(url);
    case 'sio': return sioClient(url);
    case 'neffosjs': return neffosjsClient(url);
    case 'ours': return oursClient(url);
  }
}

async function rawClient(url: string): Promise<BenchClient> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const pending = new Map<string, (frame: string) => void>();
  let next = 0;
  let ack: ((s: string) => void) | undefined;
  ws.on('message', (data: Buffer) => {
    const s = data.toString();
    if (ack) {
      const a = ack;
      ack = undefined;
      a(s);
      return;
    }
    const i = s.indexOf(';');
    const wait = s.slice(0, i);
    const done = pending.get(wait);
    if (done) {
      pending.delete(wait);
      done(s);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const acked = new Promise<string>((r) => (ack = r));
  ws.send('M');
  if (!(await acked).startsWith('A')) throw new Error('raw client: handshake refused');
  const request = (ns: string, room: string, event: string, body: string): Promise<string> =>
    new Promise((resolve) => {
      const wait = '$' + ++next;
      pending.set(wait, resolve);
      ws.send(wait + ';' + ns + ';' + room + ';' + event + ';0;0;' + body);
    });
  await request('default', '', '_OnNamespaceConnect', '');
  return {
    async ask(body) {
      const f = await request('default', '', 'echo', body);
      return f.slice(nthSemicolon(f, 6) + 1);
    },
    async join(room) {
      await request('default', room, '_OnRoomJoin', '');
    },
    async leave(room) {
      await request('default', room, '_OnRoomLeave', '');
    },
    pending: () => pending.size,
    close: () => ws.close(),
  };
}

function nthSemicolon(s: string, n: number): number {
  let i = -1;
  for (let k = 0; k < n; k++) i = s.indexOf(';', i + 1);
  return i;
}

async function sioClient(url: string): Promise<BenchClient> {
  const { io } = await import('socket.io-client');
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, perMessageDeflate: false } as never);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return {
    ask: (body) => socket.timeout(TIMEOUT).emitWithAck('echo', body) as Promise<string>,
    async join(room) {
      await socket.timeout(TIMEOUT).emitWithAck('join', room);
    },
    async leave(room) {
      await socket.timeout(TIMEOUT).emitWithAck('leave', room);
    },
    // socket.io keeps acks in a private `acks` object
    pending: () => Object.keys((socket as unknown as { acks: object }).acks ?? {}).length,
    close: () => socket.close(),
  };
}

interface NeffosJsRoom { leave(): Promise<unknown> }
interface NeffosJsNS {
  ask(event: string, body: string): Promise<{ Body: string }>;
  joinRoom(room: string): Promise<NeffosJsRoom>;
}

async function neffosjsClient(url: string): Promise<BenchClient> {
  const neffos = (await import('neffos.js')) as unknown as {
    dial(url: string, ns: object): Promise<{ connect(ns: string): Promise<NeffosJsNS>; close(): void; waitingMessages?: Map<string, unknown> }>;
  };
  const conn = await neffos.dial(url, { default: {} });
  const ns = await conn.connect('default');
  const rooms = new Map<string, NeffosJsRoom>();
  return {
    async ask(body) {
      return String((await ns.ask('echo', body)).Body);
    },
    async join(room) {
      rooms.set(room, await ns.joinRoom(room));
    },
    async leave(room) {
      const r = rooms.get(room);
      rooms.delete(room);
      await r?.leave();
    },
    pending: () => conn.waitingMessages?.size ?? NaN,
    close: () => conn.close(),
  };
}

async function oursClient(url: string): Promise<BenchClient> {
  type ClientModule = typeof import('../../client/index.js');
  const { dial } = (await import(process.env.NEFFOS_TS_IMPL === 'dist' ? '../../dist/esm/client/index.js' : '../../client/index.js')) as ClientModule;
  const conn = await dial(url, { default: {} }, { reconnect: false });
  const ns = await conn.connect('default');
  const body = (m: { body: unknown }): string => (typeof m.body === 'string' ? m.body : Buffer.from(m.body as Uint8Array).toString());
  return {
    async ask(b) {
      return body(await ns.ask('echo', b, { timeout: TIMEOUT }));
    },
    async join(room) {
      await ns.joinRoom(room, { timeout: TIMEOUT });
    },
    async leave(room) {
      await ns.room(room)?.leave({ timeout: TIMEOUT });
    },
    pending: () => conn.pendingCount,
    close: () => conn.close(),
  };
}
