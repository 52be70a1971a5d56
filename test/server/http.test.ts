// The endpoint's HTTP surface (docs/protocol.md §6.4): HEAD 302, 405, query headers, reconnect count, origin check, extras.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { Server, getContext, reply } from '../../server/index.js';
import { loopback } from './helpers.js';

function httpReq(port: number, method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const headersNs = {
  default: {
    info: (n: any) => reply(JSON.stringify({ id: n.conn.id, test: n.conn.request.headers['x-test'], tries: n.conn.reconnectTries, re: n.conn.wasReconnected })),
  },
};

test('HEAD answers 302, other methods 405 with Allow: GET, plain GET 400', async (t) => {
  const lb = await loopback(headersNs);
  t.after(() => lb.stop());
  assert.equal((await httpReq(lb.port, 'HEAD', '/ws')).status, 302);
  const post = await httpReq(lb.port, 'POST', '/ws');
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET');
  assert.equal((await httpReq(lb.port, 'GET', '/ws')).status, 400);
});

test('X-Websocket-Header-* query parameters become headers before the id is generated; X-Websocket-Reconnect counts', async (t) => {
  const lb = await loopback(headersNs, { idGenerator: (req) => 'u-' + String(req.headers['x-user']) });
  t.after(() => lb.stop());
  const c = await lb.client('?x-websocket-header-X-User=ann&X-Websocket-Header-X-Test=from%20query&X-Websocket-Header-X-Websocket-Reconnect=3');
  assert.equal(c.id, 'u-ann');
  c.send('$1;default;;_OnNamespaceConnect;0;0;');
  await c.next();
  c.send('$2;default;;info;0;0;');
  const body = JSON.parse((await c.next()).split(';').slice(6).join(';'));
  assert.deepEqual(body, { id: 'u-ann', test: 'from query', tries: 3, re: true });
  const d = await lb.client('', { headers: { 'X-Websocket-Reconnect': '2' } });
  assert.equal(lb.server.connection(d.id)?.reconnectTries, 2);
  const conn = lb.server.connection(c.id)!;
  assert.equal(getContext(conn), conn.request);
  assert.equal(getContext(conn).headers['x-user'], 'ann');
});

test('conn.request keeps what users read of the upgrade request: url, method, httpVersion, headers, socket, remoteAddress', async (t) => {
  const lb = await loopback(headersNs);
  t.after(() => lb.stop());
  const a = await lb.client('?X-Websocket-Header-X-User=ann', { headers: { 'User-Agent': 'probe/1' } });
  const b = await lb.client('', { headers: { 'User-Agent': 'probe/1' } });
  const ra = lb.server.connection(a.id)!.request;
  const rb = lb.server.connection(b.id)!.request;
  assert.match(ra.url, /^\/ws\?X-Websocket-Header-X-User=ann$/);
  assert.equal(ra.method, 'GET');
  assert.equal(ra.httpVersion, '1.1');
  assert.equal(ra.headers['x-user'], 'ann');
  assert.equal(ra.headers.upgrade?.toLowerCase(), 'websocket');
  assert.equal(ra.headers['user-agent'], 'probe/1');
  assert.equal(rb.headers['user-agent'], 'probe/1', 'an equal value shared between connections reads the same');
  assert.equal(rb.headers['x-user'], undefined);
  assert.equal(ra.remoteAddress, '127.0.0.1');
  assert.equal(ra.socket.remoteAddress, '127.0.0.1');
  assert.equal(typeof ra.socket.remotePort, 'number');
});

test('a cross-origin upgrade is refused with 403 and a log line by default; allowedOrigins lists exceptions', async (t) => {
  const warnings: string[] = [];
  const errors: string[] = [];
  const lb = await loopback(headersNs, {
    allowedOrigins: undefined,
    logger: { warn: (...a: unknown[]) => warnings.push(a.join(' ')), error: () => undefined },
    onUpgradeError: (e) => errors.push(e.message),
  });
  t.after(() => lb.stop());
  const status = await new Promise<number>((resolve) => {
    const ws = new WebSocket(lb.url, { headers: { Origin: 'http://evil.example' } });
    ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
    ws.on('error', () => undefined);
  });
  assert.equal(status, 403);
  assert.match(warnings.join('\n'), /refused WebSocket upgrade from origin http:\/\/evil\.example/);
  assert.match(errors.join('\n'), /origin not allowed/);
  // Same origin and no Origin pass.
  const same = await lb.client('', { headers: { Origin: `http://127.0.0.1:${lb.port}` } });
  assert.ok(same.id);
  const none = await lb.client();
  assert.ok(none.id);
});

test('allowedOrigins as a list', async (t) => {
  const lb = await loopback({}, { allowedOrigins: ['https://app.example'] });
  t.after(() => lb.stop());
  const ok = await lb.client('', { headers: { Origin: 'https://app.example' } });
  assert.ok(ok.id);
  await assert.rejects(lb.raw('', { headers: { Origin: 'https://other.example' } }), /HTTP 403/);
});

test('responseHeaders are added to the 101 response', async (t) => {
  const lb = await loopback({}, { responseHeaders: { 'X-Powered-By': 'neffos-ts' } });
  t.after(() => lb.stop());
  const got = await new Promise<string | undefined>((resolve, reject) => {
    const ws = new WebSocket(lb.url);
    ws.on('upgrade', (res) => resolve(res.headers['x-powered-by'] as string));
    ws.on('error', reject);
    ws.on('open', () => ws.terminate());
  });
  assert.equal(got, 'neffos-ts');
});

test('attach keeps the http server\'s own request handler for other paths; handleUpgrade works standalone', async (t) => {
  const server = new Server({ default: {} }, { allowedOrigins: '*' });
  const http = createServer((_req, res) => res.end('app'));
  server.attach(http, { path: '/ws' });
  const other = new Server({ default: {} });
  http.on('upgrade', (req, socket, head) => { if (req.url === '/custom') other.handleUpgrade(req, socket, head); });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  t.after(async () => { server.close(); other.close(); http.closeAllConnections(); await new Promise((r) => http.close(r)); });
  const port = (http.address() as AddressInfo).port;
  assert.equal((await httpReq(port, 'GET', '/')).body, 'app');
  assert.equal((await httpReq(port, 'HEAD', '/ws')).status, 302);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/custom`);
  const ack = await new Promise<string>((resolve, reject) => {
    ws.on('open', () => ws.send('M'));
    ws.on('message', (d) => resolve(d.toString()));
    ws.on('error', reject);
  });
  assert.match(ack, /^A[0-9a-f-]{36}$/);
  assert.equal(other.totalConnections, 1);
  ws.terminate();
});

test('after close(), upgrades get HTTP 500', async (t) => {
  const lb = await loopback({});
  t.after(() => lb.stop());
  lb.server.close();
  await assert.rejects(lb.raw(), /HTTP 500/);
});

test('clientScript serves the built browser client, or a 404 telling to run npm run build', async (t) => {
  const warnings: string[] = [];
  const lb = await loopback({}, { clientScript: '/neffos.js', logger: { warn: (m: unknown) => warnings.push(String(m)), error: () => undefined } });
  t.after(() => lb.stop());
  const { clientScriptFile } = await import('../../server/http.js');
  const file = clientScriptFile();
  assert.ok(file?.endsWith('dist/browser/neffos.min.js'), String(file));
  const { existsSync, readFileSync } = await import('node:fs');
  const res = await httpReq(lb.port, 'GET', '/neffos.js');
  if (existsSync(file!)) {
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.equal(res.body, readFileSync(file!, 'utf8'));
  } else {
    assert.equal(res.status, 404);
    assert.match(res.body, /npm run build/);
    assert.match(warnings.join('\n'), /npm run build/);
  }
});

test('clientScriptFile: a missing file is a 404 with the build hint; an existing one is served', async (t) => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'neffos-script-'));
  const warnings: string[] = [];
  const logger = { warn: (m: unknown) => warnings.push(String(m)), error: () => undefined };
  const missing = await loopback({}, { clientScript: '/n.js', clientScriptFile: join(dir, 'absent.js'), logger });
  t.after(() => missing.stop());
  const r404 = await httpReq(missing.port, 'GET', '/n.js');
  assert.equal(r404.status, 404);
  assert.match(r404.body, /absent\.js is missing\); run `npm run build`/);
  assert.match(warnings.join('\n'), /run `npm run build`/);
  writeFileSync(join(dir, 'client.js'), 'window.neffos = {};');
  const present = await loopback({}, { clientScript: '/n.js', clientScriptFile: join(dir, 'client.js') });
  t.after(() => present.stop());
  const r200 = await httpReq(present.port, 'GET', '/n.js');
  assert.equal(r200.status, 200);
  assert.equal(r200.body, 'window.neffos = {};');
  assert.equal((await httpReq(present.port, 'POST', '/n.js')).status, 405);
});

/** Sends a raw upgrade request and reads until the server closes the socket (or `timeout` ms pass). */
function rawUpgrade(port: number, path: string, timeout = 2000) {
  return new Promise<{ text: string; closedByServer: boolean; ms: number }>((resolve, reject) => {
    const start = Date.now();
    const s = connect(port, '127.0.0.1', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    });
    let text = '';
    const timer = setTimeout(() => { s.destroy(); resolve({ text, closedByServer: false, ms: Date.now() - start }); }, timeout);
    s.on('data', (d) => (text += d));
    s.on('close', () => { clearTimeout(timer); resolve({ text, closedByServer: true, ms: Date.now() - start }); });
    s.on('error', reject);
  });
}

async function twoEndpoints(t: { after(fn: () => Promise<void>): void }) {
  const a = new Server({ default: { which: () => reply('a') } }, { allowedOrigins: '*' });
  const b = new Server({ default: { which: () => reply('b') } }, { allowedOrigins: '*' });
  const http = createServer();
  a.attach(http, { path: '/a' });
  b.attach(http, { path: '/b' });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  t.after(async () => { a.close(); b.close(); http.closeAllConnections(); await new Promise((r) => http.close(r)); });
  return { a, b, http, port: (http.address() as AddressInfo).port };
}

test('an upgrade to a path no attached Server claims gets 404 Not Found and its socket is closed', async (t) => {
  const { a, b, port } = await twoEndpoints(t);
  const miss = await rawUpgrade(port, '/c?x=1');
  assert.ok(miss.closedByServer, `no answer within 2 s: ${JSON.stringify(miss.text)}`);
  assert.match(miss.text, /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.match(miss.text, /no WebSocket endpoint at \/c\n$/);
  assert.ok(miss.ms < 1000, `404 took ${miss.ms} ms`);
  // The claimed paths still upgrade, each to its own Server, and the miss reached neither.
  for (const [path, server] of [['/a', a], ['/b', b]] as const) {
    const ok = await rawUpgrade(port, path, 300);
    assert.match(ok.text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.equal(server.totalConnections, 0); // no M sent yet: the handshake is not complete
  }
  const c = new WebSocket(`ws://127.0.0.1:${port}/b`);
  t.after(() => c.terminate());
  await new Promise((r, j) => { c.on('open', r); c.on('error', j); });
  c.send('M');
  await new Promise((r) => c.once('message', r));
  c.send('$1;default;;_OnNamespaceConnect;0;0;');
  await new Promise((r) => c.once('message', r));
  c.send('$2;default;;which;0;0;');
  assert.equal(String(await new Promise((r) => c.once('message', r))), '$2;default;;which;0;0;b');
});

test('with an upgrade listener that is not ours, unclaimed upgrades go to it (no 404 from us); attaching a path twice throws', async (t) => {
  const { a, http, port } = await twoEndpoints(t);
  const seen: string[] = [];
  http.on('upgrade', (req, socket) => {
    seen.push(String(req.url));
    if (req.url === '/a') return; // claimed by neffos: the foreign listener must leave it alone
    socket.end('HTTP/1.1 418 I\'m a teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () => socket.destroy());
  });
  const foreign = await rawUpgrade(port, '/c');
  assert.ok(foreign.closedByServer);
  assert.equal(foreign.text, 'HTTP/1.1 418 I\'m a teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  const ours = await rawUpgrade(port, '/a', 300);
  assert.match(ours.text, /^HTTP\/1\.1 101 /);
  assert.deepEqual(seen, ['/c', '/a']);
  assert.throws(() => a.attach(http, { path: '/b' }), /already attached at path "\/b"/);
  assert.throws(() => new Server({ default: {} }).attach(http, { path: '/a' }), /already attached at path "\/a"/);
});
