/**
 * neffos over TLS: `server.attach` works on a Node https server as on an http one, next to the
 * server's ordinary request handler. Clients dial wss:// (pass `wsOptions: { ca }` for a private CA).
 *
 * Run: node --import tsx examples/server-https.ts key.pem cert.pem   → https://127.0.0.1:8443/hello, wss://127.0.0.1:8443/ws
 * (e.g. openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 -subj /CN=127.0.0.1
 *       -addext subjectAltName=IP:127.0.0.1)
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Server, reply } from '../server/index.js';

export async function startHttps(tls: { key: string | Buffer; cert: string | Buffer }, port = 8443): Promise<{ neffos: Server; httpUrl: string; wsUrl: string; close(): Promise<void> }> {
  const https = createServer(tls, (req, res) => {
    if (req.url === '/hello') res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ hello: 'over tls' }));
    else res.writeHead(404).end();
  });
  const neffos = new Server({ default: { echo: (_ns, msg) => reply(msg.body) } });
  neffos.attach(https, { path: '/ws' });
  await new Promise<void>((resolve) => https.listen(port, '127.0.0.1', () => resolve()));
  const base = `127.0.0.1:${(https.address() as AddressInfo).port}`;
  return {
    neffos, httpUrl: `https://${base}/hello`, wsUrl: `wss://${base}/ws`,
    async close() { neffos.close(); https.closeAllConnections(); await new Promise((r) => https.close(r)); },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [key, cert] = process.argv.slice(2);
  if (!key || !cert) throw new Error('usage: examples/server-https.ts key.pem cert.pem');
  const { httpUrl, wsUrl } = await startHttps({ key: readFileSync(key), cert: readFileSync(cert) });
  console.log(httpUrl, wsUrl);
}
