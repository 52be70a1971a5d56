/**
 * Express 5 and neffos on one port: Express answers the ordinary routes, `server.attach` takes the
 * WebSocket endpoint (upgrades and the HEAD reconnect probe at /ws) on the http server Express runs on.
 *
 * Run: node --import tsx examples/server-express.ts   → http://127.0.0.1:3000/hello, ws://127.0.0.1:3000/ws
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { Server, reply } from '../server/index.js';

export async function startExpress(port = 3000): Promise<{ neffos: Server; http: HttpServer; httpUrl: string; wsUrl: string; close(): Promise<void> }> {
  const app = express();
  app.get('/hello', (_req, res) => { res.json({ hello: 'from express' }); });
  const neffos = new Server({ default: { echo: (_ns, msg) => reply(msg.body) } });
  const http = createServer(app); // not app.listen(): attach before listening
  neffos.attach(http, { path: '/ws' });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', () => resolve()));
  const base = `127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    neffos, http, httpUrl: `http://${base}/hello`, wsUrl: `ws://${base}/ws`,
    async close() { neffos.close(); http.closeAllConnections(); await new Promise((r) => http.close(r)); },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { httpUrl, wsUrl } = await startExpress();
  console.log(httpUrl, wsUrl);
}
