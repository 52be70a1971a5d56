/**
 * A neffos server on a Node http server: echo asks, a chat relayed to the others
 * (rooms included), server-forced rooms, and the browser client served at /neffos.js.
 *
 * Run: node --import tsx examples/server-basic.ts   → ws://127.0.0.1:8080/echo
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Server, reply, bodyText } from '../server/index.js';

export async function startBasicServer(port = 8080): Promise<{ server: Server; http: HttpServer; url: string }> {
  const server = new Server(
    {
      default: {
        // Note: frames emitted here follow the connect reply at once; neffos.js drops them (it has not
        // registered the namespace yet), so greet on the client's first event instead.
        _OnNamespaceConnected: (ns) => void ns.conn.set('connectedAt', Date.now()),
        hello: (ns) => reply(`welcome ${ns.conn.id}, connected at ${String(ns.conn.get('connectedAt'))}`),
        echo: (_ns, msg) => reply(msg.body),
        chat: (ns, msg) => ns.broadcastOthers(msg), // keeps msg.room: room messages stay in the room
        join: async (ns, msg) => {
          const room = await ns.joinRoom(bodyText(msg.body)); // forced from the server
          return reply('joined ' + room.name);
        },
      },
    },
    {
      clientScript: '/neffos.js', // <script src="/neffos.js"> (after `npm run build`)
      onConnect: (conn) => {
        if (conn.request.headers['x-ban'] === 'yes') throw new Error('banned');
      },
      onDisconnect: (conn) => console.log('bye', conn.id),
      // A frame that is not a neffos message: dropped (as Go does) and reported here.
      onInvalidFrame: (err, conn) => console.warn(`${err.code} from ${conn.id}`),
    },
  );
  const http = createServer((_req, res) => res.end('see /echo and /neffos.js\n'));
  server.attach(http, { path: '/echo' });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', () => resolve()));
  return { server, http, url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/echo` };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url } = await startBasicServer();
  console.log('neffos server on', url);
}
