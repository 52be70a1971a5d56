/**
 * Koa 3 and neffos on one port: Koa's middleware answers the ordinary routes, `server.attach` takes the
 * WebSocket endpoint (upgrades and the HEAD reconnect probe at /ws) on the http server of `app.callback()`.
 *
 * Run: node --import tsx examples/server-koa.ts   → http://127.0.0.1:3002/hello, ws://127.0.0.1:3002/ws
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import Koa from 'koa';
import { Server, reply } from '../server/index.js';

export async function startKoa(port = 3002): Promise<{ neffos: Server; http: HttpServer; httpUrl: string; wsUrl: string; close(): Promise<void> }> {
  const app = new Koa();
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/hello') ctx.body = { hello: 'from koa' };
    else await next();
  });
  const neffos = new Server({ default: { echo: (_ns, msg) => reply(msg.body) } });
  const http = createServer(app.callback()); // not app.listen(): attach before listening
  neffos.attach(http, { path: '/ws' });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', () => resolve()));
  const base = `127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    neffos, http, httpUrl: `http://${base}/hello`, wsUrl: `ws://${base}/ws`,
    async close() { neffos.close(); http.closeAllConnections(); await new Promise((r) => http.close(r)); },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { httpUrl, wsUrl } = await startKoa();
  console.log(httpUrl, wsUrl);
}
