// The framework examples run: each serves an ordinary HTTP route and the neffos endpoint on one
// 127.0.0.1 port; our client does a round trip, and an upgrade to another path gets an answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dial } from '../../client/index.js';
import { startExpress } from '../../examples/server-express.js';
import { startFastify } from '../../examples/server-fastify.js';
import { startKoa } from '../../examples/server-koa.js';
import { startHttps } from '../../examples/server-https.js';

type Started = { httpUrl: string; wsUrl: string; close(): Promise<void> };

/** GET route → JSON; dial → connect → ask echo; an upgrade elsewhere → 404; HEAD on the endpoint → 302. */
async function roundTrip(app: Started, hello: string, wsOptions?: Record<string, unknown>, get: (url: string) => Promise<{ status: number; body: string }> = plainGet) {
  const page = await get(app.httpUrl);
  assert.equal(page.status, 200);
  assert.deepEqual(JSON.parse(page.body), { hello });
  const conn = await dial(app.wsUrl, { default: {} }, { reconnect: false, requestTimeout: 2000, ...(wsOptions ? { wsOptions } : {}) });
  try {
    const ns = await conn.connect('default');
    assert.equal((await ns.ask('echo', `through ${hello}`)).body, `through ${hello}`);
    assert.equal((await ns.ask('echo', new Uint8Array([0, 59, 255]))).body instanceof Uint8Array, true);
  } finally {
    conn.close();
  }
}

async function plainGet(url: string) {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

/** The first line of the answer to a raw upgrade request at `path` (plain http only). */
function upgradeStatus(wsUrl: string, path: string): Promise<string> {
  const { port } = new URL(wsUrl);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`));
    let text = '';
    const timer = setTimeout(() => { s.destroy(); resolve('no answer in 2 s'); }, 2000);
    s.on('data', (d) => { text += d; if (text.includes('\r\n')) { clearTimeout(timer); s.destroy(); resolve(text.slice(0, text.indexOf('\r\n'))); } });
    s.on('error', reject);
  });
}

for (const [name, start, hello] of [
  ['express', startExpress, 'from express'],
  ['fastify', startFastify, 'from fastify'],
  ['koa', startKoa, 'from koa'],
] as const) {
  test(`examples/server-${name}.ts: ${name} route and neffos endpoint share a port`, async (t) => {
    const app = await start(0);
    t.after(() => app.close());
    await roundTrip(app, hello);
    const head = await fetch(app.wsUrl.replace('ws:', 'http:'), { method: 'HEAD', redirect: 'manual' });
    assert.equal(head.status, 302, 'the neffos.js reconnect probe');
    assert.equal(await upgradeStatus(app.wsUrl, '/elsewhere'), 'HTTP/1.1 404 Not Found');
    assert.equal((await fetch(app.httpUrl.replace('/hello', '/missing'))).status, 404, `${name}'s own 404`);
  });
}

const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;

test('examples/server-https.ts: TLS route and wss endpoint share a port', { skip: !openssl && 'openssl not found: cannot make a self-signed certificate' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'neffos-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const ca = readFileSync(cert);
  const app = await startHttps({ key: readFileSync(key), cert: ca }, 0);
  t.after(() => app.close());
  const get = (url: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    httpsRequest(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
  await roundTrip(app, 'over tls', { ca }, get);
  // Without the CA the certificate is refused (the client reports the lost link): the connection really is TLS.
  await assert.rejects(dial(app.wsUrl, { default: {} }, { reconnect: false }), /certificate|code 1006/i);
});
