// Loopback tests: the real client over real sockets (ws on 127.0.0.1, port 0) against a tiny in-process server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dial } from '../../client/index.js';
import { startLoopbackServer } from './loopback-server.js';

test('loopback: handshake, real HTTP headers, ask echo, binary bodies', async (t) => {
  const server = await startLoopbackServer();
  t.after(() => server.stop());
  const conn = await dial(server.url, { default: {} }, { headers: { 'X-Test': 'from-node' }, reconnect: false });
  t.after(() => conn.close());
  assert.match(conn.id, /^lb-\d+$/);
  const ns = await conn.connect('default');
  assert.equal((await ns.ask('echo', 'hello; world')).body, 'hello; world');
  assert.deepEqual(JSON.parse(String((await ns.ask('headers')).body)), { xTest: 'from-node', reconnect: '' });
  const bytes = new Uint8Array([0, 1, 0x3b, 0xff]);
  const back = await ns.ask('echo', bytes);
  assert.ok(back.body instanceof Uint8Array);
  assert.deepEqual(new Uint8Array(back.body), bytes);
});

test('loopback: 100,000 asks leave the pending table empty and the heap near its baseline', async (t) => {
  const server = await startLoopbackServer();
  t.after(() => server.stop());
  const conn = await dial(server.url, { default: {} }, { reconnect: false });
  t.after(() => conn.close());
  const ns = await conn.connect('default');
  // global.gc when node runs with --expose-gc; otherwise V8 can expose it at runtime.
  let gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = undefined;
    }
  }
  const run = async (total: number, window: number) => {
    let sent = 0;
    const worker = async () => {
      while (sent < total) {
        sent++;
        const m = await ns.ask('echo', 'x', { timeout: 10000 });
        assert.equal(m.body, 'x');
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
  };
  await run(5000, 64);
  gc?.();
  const baseline = process.memoryUsage().heapUsed;
  const started = Date.now();
  await run(100000, 64);
  const elapsed = Date.now() - started;
  assert.equal(conn.pendingCount, 0);
  gc?.();
  await new Promise((r) => setTimeout(r, 50)); // part of the measurement: pending socket callbacks run between two collections
  gc?.();
  const growth = process.memoryUsage().heapUsed - baseline;
  t.diagnostic(`100k asks in ${elapsed} ms; heap growth ${(growth / 1048576).toFixed(1)} MB (gc ${gc ? 'exposed' : 'not exposed'})`);
  // Without --expose-gc the collector runs when it likes: a generous bound still catches a leak of ~300 bytes per ask.
  assert.ok(growth < (gc ? 8 : 32) * 1048576, `heap grew by ${growth} bytes`);
});

test('loopback: the server drops the link; the client reconnects with X-Websocket-Reconnect and restores its namespace and room', async (t) => {
  let server = await startLoopbackServer();
  const port = server.port;
  t.after(() => server.stop());
  const conn = await dial(server.url, { default: {} }, { reconnect: { minDelay: 50, maxDelay: 200 } });
  t.after(() => conn.close());
  const ns = await conn.connect('default');
  const room = await ns.joinRoom('r1');
  const reconnected = new Promise<{ attempt: number }>((r) => conn.once('reconnected', r));
  await server.stop();
  server = await startLoopbackServer(port);
  const { attempt } = await reconnected;
  assert.ok(attempt >= 1);
  assert.equal(conn.namespace('default'), ns);
  assert.equal(ns.room('r1'), room);
  const h = JSON.parse(String((await ns.ask('headers')).body));
  assert.equal(h.reconnect, String(attempt));
  assert.equal(conn.wasReconnected, true);
  // closeMe: the server terminates the socket (1006) and the client comes back again.
  const again = new Promise((r) => conn.once('reconnected', r));
  const disconnected = new Promise<{ code: number }>((r) => conn.once('disconnected', r));
  ns.emit('closeMe');
  assert.equal((await disconnected).code, 1006);
  await again;
  assert.equal((await ns.ask('echo', 'still here')).body, 'still here');
});

test('loopback: dialing a port nobody listens on rejects; the Conn never reconnects', async () => {
  const server = await startLoopbackServer();
  const url = server.url;
  await server.stop();
  await assert.rejects(dial(url, {}, { handshakeTimeout: 2000 }), (e: Error & { code?: string }) => e.code === 'ERR_CLOSED');
});
