/**
 * The chat demo: a neffos-ts server (Node, no external service) serving two pages that use the
 * browser client — `/` loads it with a plain `<script src="/neffos.js">` (global `neffos`),
 * `/module.html` imports the ES module build.
 *
 * Namespaces `chat` and `support` (each with its own rooms): the server keeps who is in each room
 * and sends it to the room as `members`; messages are sent with ask (`say`, body `{"room","text"}`)
 * so the sender sees delivery confirmed; the room `secret` is refused with the server's text.
 * Namespace `admin`: every connect is refused. The nickname comes from the `X-Nick` header, which browsers send as the
 * `X-Websocket-Header-X-Nick` query parameter.
 *
 * Run: npm run demo  (or: node --import tsx examples/chat/server.ts; PORT=9000 for another port)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Server, reply, marshal, unmarshal, bodyText, type NSConn, type ServerEvents, type ServerNamespaces, type StackExchange } from '../../server/index.js';

const publicDir = fileURLToPath(new URL('./public/', import.meta.url));
const distDir = fileURLToPath(new URL('../../dist/browser/', import.meta.url));

const files: Record<string, [string, string]> = {
  '/': [publicDir + 'index.html', 'text/html; charset=utf-8'],
  '/index.html': [publicDir + 'index.html', 'text/html; charset=utf-8'],
  '/module.html': [publicDir + 'module.html', 'text/html; charset=utf-8'],
  '/app.js': [publicDir + 'app.js', 'text/javascript; charset=utf-8'],
  '/style.css': [publicDir + 'style.css', 'text/css; charset=utf-8'],
  '/neffos.mjs': [distDir + 'neffos.mjs', 'text/javascript; charset=utf-8'],
};

/** A chat message as it travels (JSON in the body). */
export interface ChatMessage {
  from: string;
  text: string;
  at: number;
}

export interface ChatServer {
  url: string;
  port: number;
  server: Server;
  stop(): Promise<void>;
}

/** The namespaces of the chat whose rooms hold conversations (each keeps its own rooms). */
export const CHAT_NAMESPACES = ['chat', 'support'] as const;

/**
 * Starts the chat on 127.0.0.1:`port` (0 = any free port). With `stackExchange` (Redis or NATS) several
 * chat servers are one chat (examples/chat/cluster.ts): messages, joins and leaves reach every server.
 */
export async function startChatServer({ port = 8080, host = '127.0.0.1', stackExchange }: { port?: number; host?: string; stackExchange?: StackExchange } = {}): Promise<ChatServer> {
  const namespaces: ServerNamespaces = {
    admin: {
      _OnNamespaceConnect: () => {
        throw new Error('admins only: this namespace refuses every connection');
      },
    },
  };
  for (const name of CHAT_NAMESPACES) namespaces[name] = chatNamespace(name, () => server);
  const server: Server = new Server(namespaces, { clientScript: '/neffos.js', stackExchange });

  const http = createServer((req, res) => void serveFile(req, res));
  server.attach(http, { path: '/chat' });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve());
  });
  const actual = (http.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}/`,
    port: actual,
    server,
    stop: async () => {
      server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * The handlers of one chat namespace. Who is in each room is kept here, by the server
 * (room name -> connection id -> nickname), and sent to the room as `members` on every change.
 */
function chatNamespace(namespace: string, server: () => Server): ServerEvents {
  const members = new Map<string, Map<string, string>>();
  const nick = (ns: NSConn): string => String(ns.conn.request.headers['x-nick'] ?? '').slice(0, 24) || 'anonymous';
  const roster = (room: string): string[] => [...(members.get(room)?.values() ?? [])].sort();
  // Alone, the roster goes to the room. In a cluster each server knows only its own members (the
  // registry is per process, as in Go neffos), so each tells its own connections what it knows.
  const announce = (room: string): void => {
    const s = server();
    const body = marshal(roster(room));
    if (!s.stackExchange) return s.broadcast(null, { namespace, room, event: 'members', body });
    for (const ns of s.connectionsByNamespace(namespace).values()) if (ns.room(room)) ns.conn.write({ namespace, room, event: 'members', body });
  };
  return {
    _OnRoomJoin: (_ns, msg) => {
      if (msg.room === 'secret') throw new Error('the secret room is for members only');
    },
    _OnRoomJoined: (ns, msg) => {
      let room = members.get(msg.room);
      if (!room) members.set(msg.room, (room = new Map()));
      room.set(ns.conn.id, nick(ns));
      // After the join reply, so the new member already counts as joined and gets the list too.
      queueMicrotask(() => announce(msg.room));
    },
    _OnRoomLeft: (ns, msg) => {
      const room = members.get(msg.room);
      room?.delete(ns.conn.id);
      if (room && room.size === 0) members.delete(msg.room);
      announce(msg.room);
    },
    members: (_ns, msg) => reply(marshal(roster(bodyText(msg.body)))),
    // Sent with ask: the reply is the delivery confirmation.
    say: (ns, msg) => {
      const { room, text } = parseSay(msg.body);
      if (!room || !ns.room(room)) throw new Error('join a room first');
      if (text.trim() === '') throw new Error('empty message');
      const out: ChatMessage = { from: nick(ns), text, at: Date.now() };
      server().broadcast(ns, { namespace, room, event: 'message', body: marshal(out) });
      return reply(marshal({ delivered: server().roomSize(namespace, room) - 1, at: out.at }));
    },
  };
}

function parseSay(body: string | Uint8Array): { room: string; text: string } {
  try {
    const v = unmarshal<{ room?: unknown; text?: unknown }>(body);
    return { room: typeof v.room === 'string' ? v.room : '', text: typeof v.text === 'string' ? v.text.slice(0, 500) : '' };
  } catch {
    throw new Error('say takes JSON {"room","text"}');
  }
}

async function serveFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const entry = Object.hasOwn(files, path) ? files[path] : undefined;
  if (!entry || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  try {
    const data = await readFile(entry[0]);
    res.writeHead(200, { 'content-type': entry[1], 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : data);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`${path} is missing: run npm run build\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env.PORT ?? 8080);
  const chat = await startChatServer({ port, host: process.env.HOST ?? '127.0.0.1' });
  console.log(`neffos-ts chat demo: ${chat.url}  (ES module page: ${chat.url}module.html) — Ctrl+C to stop`);
  const stop = (): void => void chat.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
