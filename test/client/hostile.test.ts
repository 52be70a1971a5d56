// Issue 13 item 8, client side: our client against a hostile or broken server, over real sockets. The client never
// crashes, keeps serving good traffic, frees every request, and its memory stays bounded. Issue 13 item 7: the
// data-frame heartbeat (the browsers' default) notices a black-holed link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocketServer, type WebSocket } from 'ws';
import { dial } from '../../client/index.js';
import { decode, emptyReply, encode } from '../../protocol/index.js';
import { startLoopbackServer } from './loopback-server.js';
import { waitFor } from '../server/helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMB = () => { gc(); gc(); return process.memoryUsage().heapUsed / 2 ** 20; };

/**
 * A server that acks `M`, accepts connects, answers `echo` (unless `silent`), and hands every socket to `hostile`
 * once the client connected a namespace.
 */
async function hostileServer(hostile: (ws: WebSocket) => void, o: { silent?: boolean } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 << 20 });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? new Uint8Array(data as Buffer) : data.toString();
      if (frame === 'M') return ws.send('Ahostile');
      const m = decode(frame);
      if (m.event === '_OnNamespaceConnect') {
        ws.send(emptyReply(m.wait));
        return hostile(ws);
      }
      if (m.event === 'echo' && !o.silent) ws.send(encode({ ...m, error: undefined }));
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`,
    stop: () => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }),
  };
}

/** Deterministic pseudo-random bytes. */
function prng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
}

test('hostile server: fuzzed, malformed, forged and oversized frames never crash the client; good asks keep working', async (t) => {
  const next = prng(7);
  const frames: (string | Uint8Array)[] = [
    '', ';', ';;;;;', ';;;;;;', 'A', 'Aagain', 'Hrefused after accept', 'M', 'x'.repeat(100),
    '$1;default;;echo;0;0;forged answer to no ask', '$999;default;;x;1;0;', '123;default;;_OnRoomJoin;0;0;', // a server join, answered
    '124;nope;;_OnNamespaceConnect;0;0;', '125;default;;_OnNamespaceDisconnectX;0;0;', ';default;;__proto__;0;0;x',
    ';default;;constructor;0;0;', ';;;_OnNativeMessage;0;0;', ';default;r;chat;1;1;', new Uint8Array([0xff, 0xfe, 0x3b]),
    new Uint8Array(0), ';default;;chat;0;0;' + '\u{1F600}'.repeat(1000), 'a;b;c;d;e;f;g;h;i;j',
    new Uint8Array(8 << 20), // 8 MiB binary frame
    ';default;;big;0;0;' + 'y'.repeat(4 << 20), // 4 MiB text frame for a handler
  ];
  for (let i = 0; i < 3000; i++) {
    const n = next() % 64;
    const bytes = Uint8Array.from({ length: n }, () => (next() % 4 === 0 ? 0x3b : next()));
    frames.push(i % 2 ? bytes : new TextDecoder().decode(bytes));
  }
  const server = await hostileServer((ws) => { for (const f of frames) ws.send(f); });
  t.after(() => server.stop());
  const errors: unknown[] = [];
  let big = 0;
  const conn = await dial(server.url, { default: { chat: () => {}, big: (_ns, m) => void (big = String(m.body).length) }, '': {} }, { reconnect: false, requestTimeout: 5000 });
  t.after(() => conn.close());
  conn.on('error', (e) => errors.push(e));
  const ns = await conn.connect('default');
  for (let i = 0; i < 50; i++) assert.equal((await ns.ask('echo', 'good ' + i)).body, 'good ' + i);
  t.diagnostic(`${frames.length} hostile frames delivered; ${errors.length} errors reported through 'error'`);
  assert.equal(big, 4 << 20);
  assert.equal(conn.state, 'open');
  assert.equal(conn.pendingCount, 0);
  assert.equal(ns.state, 'connected');
});

test('hostile server: a flood of frames for namespaces the client never connected leaves the heap near its baseline', async (t) => {
  const chunk = 'z'.repeat(1 << 20);
  const server = await hostileServer((ws) => { for (let i = 0; i < 200; i++) ws.send(';elsewhere;;spam;0;0;' + chunk); });
  t.after(() => server.stop());
  const before = heapMB();
  const conn = await dial(server.url, { default: {} }, { reconnect: false, requestTimeout: 10000 });
  t.after(() => conn.close());
  const ns = await conn.connect('default');
  assert.equal((await ns.ask('echo', 'after the flood')).body, 'after the flood'); // answered after the 200 MiB
  const after = heapMB();
  t.diagnostic(`heap ${before.toFixed(1)} MB before, ${after.toFixed(1)} MB after 200 × 1 MiB frames`);
  assert.ok(after - before < 32, `heap grew ${(after - before).toFixed(1)} MB`);
});

test('hostile server: never answering asks — each rejects at its deadline, nothing stays pending, memory is freed', async (t) => {
  const server = await hostileServer(() => {}, { silent: true });
  t.after(() => server.stop());
  const conn = await dial(server.url, { default: {} }, { reconnect: false });
  t.after(() => conn.close());
  const ns = await conn.connect('default');
  const before = heapMB();
  const asks = Array.from({ length: 10000 }, (_, i) => ns.ask('echo', 'q' + i, { timeout: 200 }).then(() => 'answered', (e: Error & { code?: string }) => e.code));
  assert.equal(conn.pendingCount, 10000);
  const outcomes = await Promise.all(asks);
  assert.ok(outcomes.every((o) => o === 'ERR_TIMEOUT'));
  assert.equal(conn.pendingCount, 0);
  const after = heapMB();
  t.diagnostic(`heap ${before.toFixed(1)} MB before, ${after.toFixed(1)} MB after 10,000 unanswered asks`);
  assert.ok(after - before < 8, `heap grew ${(after - before).toFixed(1)} MB`);
});

test('hostile server: a connect that is never answered times out, the namespace goes back to disconnected, and a retry asks again', async (t) => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  t.after(() => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(r); }));
  let connects = 0;
  wss.on('connection', (ws) => ws.on('message', (d) => {
    if (String(d) === 'M') ws.send('A1');
    else if (decode(String(d)).event === '_OnNamespaceConnect') connects++;
  }));
  const conn = await dial(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, { default: {} }, { reconnect: false });
  t.after(() => conn.close());
  const states: string[] = [];
  conn.on('namespaceState', (e) => states.push(e.to));
  await assert.rejects(conn.connect('default', { timeout: 100 }), (e: Error & { code?: string }) => e.code === 'ERR_TIMEOUT');
  await assert.rejects(conn.connect('default', { timeout: 50 }), (e: Error & { code?: string }) => e.code === 'ERR_TIMEOUT');
  assert.deepEqual(states, ['connecting', 'disconnected', 'connecting', 'disconnected']);
  assert.equal(connects, 2);
  assert.equal(conn.namespace('default'), undefined);
  assert.equal(conn.pendingCount, 0);
});

test('liveness: the data-frame heartbeat (browsers\' default) notices a black-holed link within heartbeat + heartbeatTimeout', async (t) => {
  const server = await startLoopbackServer();
  t.after(() => server.stop());
  const links = new Set<Socket>();
  let holed = false;
  const proxy = createServer((client) => {
    const upstream = connect(server.port, '127.0.0.1');
    links.add(client).add(upstream);
    const forward = (from: Socket, to: Socket) => from.on('data', (d) => void (holed || to.write(d)));
    forward(client, upstream);
    forward(upstream, client);
    const end = () => { client.destroy(); upstream.destroy(); links.delete(client); links.delete(upstream); };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => { for (const s of links) s.destroy(); proxy.close(r); }));
  const url = `ws://127.0.0.1:${(proxy.address() as AddressInfo).port}/echo`;
  // WebSocket pings off: only the data-frame probes (disconnect requests for "\0heartbeat", answered by any neffos server).
  const conn = await dial(url, { default: {} }, { pingInterval: 0, heartbeat: 100, reconnect: { minDelay: 10, maxDelay: 20 } });
  t.after(() => conn.close());
  const ns = await conn.connect('default');
  // Three probes answered (the server saw them; each answer is read before the next probe): no drop meanwhile.
  const probes = () => server.requests.filter((r) => r === '_OnNamespaceDisconnect:\u0000heartbeat:').length;
  await waitFor(() => probes() >= 3, 'three heartbeat probes at the server');
  assert.equal((await ns.ask('echo', 'still up')).body, 'still up'); // a barrier: the probes' answers were read
  assert.equal(conn.state, 'open');
  const started = Date.now();
  const disconnected = new Promise<{ code: number; reason: string }>((r) => conn.once('disconnected', r));
  const reconnected = new Promise((r) => conn.once('reconnected', r));
  holed = true;
  const e = await disconnected;
  const took = Date.now() - started;
  t.diagnostic(`dead link detected after ${took} ms (heartbeat 100, heartbeatTimeout 100)`);
  assert.deepEqual([e.code, e.reason], [4000, 'heartbeat timeout']);
  assert.ok(took <= 350, `detected after ${took} ms`);
  holed = false;
  await reconnected;
  assert.equal((await ns.ask('echo', 'back')).body, 'back');
});
