/**
 * Framework integration: any framework that exposes the Node http server (Express,
 * Fastify, Koa...) routes the `upgrade` event to `server.handleUpgrade` and the
 * endpoint's plain requests (HEAD reconnect probe) to `server.handleRequest`.
 * Shown with a bare request handler standing in for the framework's router.
 *
 * Run: node --import tsx examples/server-handle-upgrade.ts   → ws://127.0.0.1:8081/ws
 */
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { Server, reply } from '../server/index.js';

export function createApp() {
  const neffos = new Server({ default: { echo: (_ns, msg) => reply(msg.body) } }, { allowedOrigins: ['http://localhost:3000'] });
  // e.g. Express: const http = app.listen(8081); app.head('/ws', (req, res) => neffos.handleRequest(req, res));
  const http = createServer((req, res) => {
    if (req.url?.startsWith('/ws')) return neffos.handleRequest(req, res);
    res.end('app page\n');
  });
  http.on('upgrade', (req, socket, head) => {
    if (req.url?.startsWith('/ws')) neffos.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  return { neffos, http };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { http } = createApp();
  http.listen(8081, '127.0.0.1', () => console.log('ws://127.0.0.1:8081/ws'));
}
