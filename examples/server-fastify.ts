/**
 * Fastify 5 and neffos on one port: Fastify answers the ordinary routes, `server.attach` takes the
 * WebSocket endpoint (upgrades and the HEAD reconnect probe at /ws) on `app.server`, Fastify's own
 * http server, before `app.listen`.
 *
 * Run: node --import tsx examples/server-fastify.ts   → http://127.0.0.1:3001/hello, ws://127.0.0.1:3001/ws
 */
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { Server, reply } from '../server/index.js';

export async function startFastify(port = 3001): Promise<{ neffos: Server; http: HttpServer; httpUrl: string; wsUrl: string; close(): Promise<void> }> {
  const app = Fastify();
  app.get('/hello', async () => ({ hello: 'from fastify' }));
  const neffos = new Server({ default: { echo: (_ns, msg) => reply(msg.body) } });
  neffos.attach(app.server, { path: '/ws' });
  await app.listen({ port, host: '127.0.0.1' });
  const base = `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    neffos, http: app.server, httpUrl: `http://${base}/hello`, wsUrl: `ws://${base}/ws`,
    async close() { neffos.close(); app.server.closeAllConnections(); await app.close(); },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { httpUrl, wsUrl } = await startFastify();
  console.log(httpUrl, wsUrl);
}
