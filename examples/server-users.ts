/**
 * Connections of one user share an id (the `idGenerator` returns the user name, as Go neffos's
 * wrap-conns-to-user example): a user on two tabs is one id. HTTP routes notify or kick a user,
 * reaching every one of their connections.
 *
 * Run: node --import tsx examples/server-users.ts   → ws://127.0.0.1:8080/ws?user=alice
 *      curl -X POST 'http://127.0.0.1:8080/notify?user=alice&text=hi'
 *      curl -X POST 'http://127.0.0.1:8080/kick?user=alice'
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Server, reply } from '../server/index.js';

export async function startUsersServer(port = 8080): Promise<{ server: Server; http: HttpServer; url: string; base: string }> {
  const server: Server = new Server(
    {
      default: {
        // How many connections (tabs) this user has open right now.
        tabs: (ns) => reply(String(server.connectionsWithId(ns.conn.id).length)),
      },
    },
    { idGenerator: (req) => new URL(req.url ?? '/', 'http://localhost').searchParams.get('user') || 'anonymous' },
  );
  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const user = url.searchParams.get('user') ?? '';
    if (req.method === 'POST' && url.pathname === '/notify') {
      server.broadcast(null, { namespace: 'default', event: 'notice', body: url.searchParams.get('text') ?? '', to: user });
      return void res.end(`sent to ${server.connectionsWithId(user).length} connection(s)\n`);
    }
    if (req.method === 'POST' && url.pathname === '/kick') {
      return void res.end(`closed ${server.disconnect(user, 4001, 'kicked')} connection(s)\n`);
    }
    res.writeHead(404).end();
  });
  server.attach(http, { path: '/ws' });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', () => resolve()));
  const p = (http.address() as AddressInfo).port;
  return { server, http, url: `ws://127.0.0.1:${p}/ws`, base: `http://127.0.0.1:${p}` };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url } = await startUsersServer();
  console.log(`listening on ${url}?user=<name>`);
}
