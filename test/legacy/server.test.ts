// LegacyServer over real sockets on port 0: the HTTP surface (/iris-ws.js, upgrades refused), typed
// handlers and errors, hostile event names, rooms and shared ids, the read deadline (pongTimeout as
// gorilla's), and the served Ws script running against it (in Node here, in Chromium in e2e/legacy.spec.ts).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { All, Broadcast, dialLegacy, LegacyError, LegacyServer, LEGACY_DEFAULTS, type LegacyConfig, type LegacyConnection, type IrisWs } from '../../legacy/index.js';
import { P, rawPeer, type RawPeer } from '../interop/legacy-raw.js';
import { within } from '../server/helpers.js';

const cleanup: Array<() => unknown> = [];
after(async () => { for (const f of cleanup.reverse()) await f(); });

async function serve(config: LegacyConfig, onConnection: (c: LegacyConnection) => void = () => {}, previous?: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) {
  const legacy = new LegacyServer({ endpoint: '/echo', idGenerator: (req) => new URL(req.url ?? '/', 'http://x').searchParams.get('id') || crypto.randomUUID(), ...config });
  // every connection echoes `string` events: RawPeer.sync's marker
  legacy.onConnection((c) => void c.on('string', 'string', (v) => c.emit('string', v)));
  legacy.onConnection(onConnection);
  const http = createServer(previous);
  legacy.attach(http);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  const stop = async () => { await legacy.close(); http.closeAllConnections(); await new Promise((r) => http.close(r)); };
  cleanup.push(stop);
  return { legacy, port, url: `ws://127.0.0.1:${port}/echo`, origin: `http://127.0.0.1:${port}` };
}

const peers: RawPeer[] = [];
cleanup.push(() => peers.forEach((p) => p.close()));
const peer = async (url: string) => { const p = await rawPeer(url); peers.push(p); return p; };
/** Resolves at the `n`th ping `ws` receives from now on (the server's ping clock). */
const pingsAt = (ws: WebSocket, n: number) => new Promise<void>((resolve) => {
  let k = 0;
  const on = () => { if (++k === n) { ws.off('ping', on); resolve(); } };
  ws.on('ping', on);
});

function get(url: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('legacy server: serves /iris-ws.js for its prefix, passes other requests on, refuses bad upgrades', async () => {
  const s = await serve(
    { messagePrefix: 'app:', headers: { 'X-Legacy': 'yes' }, checkOrigin: (req) => req.headers.origin !== 'http://evil.example' },
    () => {},
    (_req, res) => void res.writeHead(200).end('app page'),
  );
  const js = await get(`${s.origin}/iris-ws.js`);
  assert.equal(js.status, 200);
  assert.match(String(js.headers['content-type']), /^application\/javascript/);
  assert.match(js.body, /var PREFIX = "app:";/);
  assert.equal(js.body, s.legacy.clientSource);
  assert.equal((await get(`${s.origin}/iris-ws.js`, 'POST')).status, 405);
  assert.equal((await get(`${s.origin}/`)).body, 'app page');
  const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve) => {
    const ws = new WebSocket(s.url);
    ws.on('upgrade', (res) => resolve(res.headers));
    ws.on('open', () => ws.close());
  });
  assert.equal(headers['x-legacy'], 'yes');
  const refused = await new Promise<number>((resolve) => {
    const ws = new WebSocket(s.url, { headers: { Origin: 'http://evil.example' } });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
    ws.on('error', () => {});
  });
  assert.equal(refused, 403);
});

test('legacy server: config defaults are Iris v11’s; pingPeriod follows pongTimeout; bad durations are a TypeError', () => {
  const d = new LegacyServer();
  assert.deepEqual(
    { pong: d.config.pongTimeout, ping: d.config.pingPeriod, max: d.config.maxMessageSize, w: d.config.writeTimeout, path: d.config.clientSourcePath, rb: d.config.readBufferSize },
    { pong: 60_000, ping: 54_000, max: 1024, w: 0, path: '/iris-ws.js', rb: 4096 },
  );
  assert.equal(LEGACY_DEFAULTS.pingPeriod, 54_000);
  const s = new LegacyServer({ pongTimeout: 10_000 });
  assert.equal(s.config.pingPeriod, 9_000);
  assert.equal(new LegacyServer({ pongTimeout: 0 }).config.pingPeriod, 54_000);
  assert.throws(() => new LegacyServer({ writeTimeout: -1 }), TypeError);
  assert.throws(() => new LegacyServer({ pongTimeout: Number.NaN }), TypeError);
  void d.close();
  void s.close();
});

test('legacy server: typed handlers, mismatches and handler exceptions are typed errors; the connection stays', async () => {
  const errors: string[] = [];
  const got: unknown[] = [];
  const s = await serve({}, (c) => {
    c.onError((e) => errors.push(e.code));
    c.on('n', 'int', (n) => got.push(n));
    c.on('s', 'string', (v) => got.push(v));
    c.on('boom', 'none', () => { throw new Error('handler failed'); });
    c.on('__proto__', (v) => got.push(['__proto__', v]));
    c.on('constructor', 'string', (v) => got.push(['constructor', v]));
    c.on('echo', 'string', (v) => c.emit('echo', v));
  });
  const p = await peer(s.url);
  for (const f of ['n;1;5', 'n;0;5', 's;1;007', 'boom;0;x', '__proto__;4;{"__proto__":{"x":1}}', 'constructor;0;c', 'hasOwnProperty;0;x', 'toString;0;x']) p.send(P + f);
  await p.sync();
  assert.deepEqual(got, [5, '7', ['__proto__', { ['__proto__']: { x: 1 } }], ['constructor', 'c']]);
  assert.deepEqual(errors, ['ERR_LEGACY_TYPE_MISMATCH', 'ERR_LEGACY_HANDLER']);
  assert.equal(({} as Record<string, unknown>).x, undefined);
  assert.ok(p.isOpen);
  const c = s.legacy.connections()[0]!;
  assert.throws(() => c.emit('bad;name', 1), (e: unknown) => e instanceof LegacyError && e.code === 'ERR_LEGACY_BAD_EVENT');
  assert.throws(() => c.on('x', 'float' as 'int', () => {}), TypeError);
});

test('legacy server: shared ids — listings, to(id), server.join/leave/disconnect(id) reach every connection of the id', async () => {
  const left: string[] = [];
  const gone: string[] = [];
  const s = await serve({}, (c) => {
    c.on('echo', 'string', (v) => c.emit('echo', v));
    c.onLeave((room) => left.push(`${c.id}:${room}`));
    c.onDisconnect(() => gone.push(c.id));
  });
  const [u1, u2, o] = [await peer(`${s.url}?id=U`), await peer(`${s.url}?id=U`), await peer(`${s.url}?id=O`)];
  await o.sync();
  assert.equal(s.legacy.totalConnections, 3);
  assert.equal(s.legacy.getConnections('U').length, 2);
  assert.ok(s.legacy.isConnected('U') && !s.legacy.isConnected('nobody'));
  s.legacy.join('r', 'U');
  s.legacy.join('r', 'U'); // joining twice is joining once
  assert.equal(s.legacy.connectionsByRoom('r').length, 2);
  assert.ok(s.legacy.isJoined('r', 'U') && !s.legacy.isJoined('r', 'O'));
  s.legacy.to('U').emit('dm', 'to U');
  s.legacy.to('r').emit('room', 'to r');
  s.legacy.to(All).emit('all', 1);
  s.legacy.to(Broadcast).emit('broadcast', true);
  const o1 = s.legacy.getConnections('O')[0]!;
  o1.to('U').emitMessage('native to U');
  o1.to(Broadcast).emit('notme', 'x');
  await u1.sync(); await u2.sync(); await o.sync();
  const want = [`${P}dm;0;to U`, `${P}room;0;to r`, `${P}all;1;1`, `${P}broadcast;2;true`, 'native to U', `${P}notme;0;x`];
  assert.deepEqual(u1.texts(), want);
  assert.deepEqual(u2.texts(), want);
  assert.deepEqual(o.texts(), [`${P}all;1;1`, `${P}broadcast;2;true`]);
  assert.equal(s.legacy.leave('r', 'U'), true);
  assert.equal(s.legacy.leave('r', 'U'), false);
  assert.deepEqual(left, ['U:r', 'U:r']);
  await s.legacy.disconnect('U');
  assert.deepEqual(await Promise.all([u1.closed(), u2.closed()]), [1000, 1000]);
  assert.deepEqual(gone, ['U', 'U']);
  assert.deepEqual(s.legacy.connections().map((c) => c.id), ['O']);
  assert.ok(o.isOpen);
});

test('legacy server: c.join/leave/isJoined/rooms, onLeave for every room on disconnect, onDisconnect may emit to others', async () => {
  const left: string[] = [];
  const s = await serve({}, (c) => {
    c.on('join', 'string', (r) => { c.join(r); c.emit('joined', c.rooms().join(',')); });
    c.on('leave', 'string', (r) => c.emit('left', c.leave(r)));
    c.on('in', 'string', (r) => c.emit('in', c.isJoined(r)));
    c.on('bye', 'none', () => void c.disconnect());
    c.onLeave((r) => left.push(r));
    c.onDisconnect(() => c.to(Broadcast).emit('gone', c.id));
  });
  const a = await peer(`${s.url}?id=A`);
  const b = await peer(`${s.url}?id=B`);
  for (const f of ['join;0;r1', 'join;0;r2', 'in;0;r1', 'leave;0;r1', 'leave;0;r1', 'in;0;r1']) a.send(P + f);
  await a.sync();
  assert.deepEqual(a.texts(), [`${P}joined;0;r1`, `${P}joined;0;r1,r2`, `${P}in;2;true`, `${P}left;2;true`, `${P}left;2;false`, `${P}in;2;false`]);
  a.send(`${P}bye;0;now`);
  assert.equal(await a.closed(), 1000);
  await b.sync();
  assert.deepEqual(b.texts(), [`${P}gone;0;A`]);
  assert.deepEqual(left, ['r1', 'r2']);
});

test('legacy server: pongTimeout is a read deadline — one unanswered ping does not drop, silence past pongTimeout does, any frame or pong refreshes it', async () => {
  const errors: string[] = [];
  const s = await serve({ pongTimeout: 400, pingPeriod: 60 }, (c) => c.onError((e) => errors.push(e.code)));
  const silent = new WebSocket(s.url, { autoPong: false });
  const talker = new WebSocket(s.url, { autoPong: false });
  const ponger = new WebSocket(s.url); // answers pings, as browsers do
  const closedAt = new Map<WebSocket, number>();
  const start = Date.now();
  for (const ws of [silent, talker, ponger]) {
    ws.on('close', () => closedAt.set(ws, Date.now() - start));
    ws.on('error', () => {});
    await new Promise((r) => ws.once('open', r));
  }
  let pings = 0;
  silent.on('ping', () => pings++);
  const silentClosed = new Promise<void>((r) => silent.once('close', () => r()));
  const chatter = setInterval(() => talker.send(`${P}x;0;keepalive`), 80); // the talker's traffic (the scenario)
  await within(pingsAt(silent, 2), 'two pings at the silent client');
  assert.ok(pings >= 2, `pings were sent (${pings})`);
  assert.equal(closedAt.has(silent), false, 'unanswered pings within pongTimeout do not drop the connection');
  await within(silentClosed, 'the silent client to be dropped');
  // Three more pings (180 ms on the server's clock) after the drop: past the deadline of the other two.
  await within(Promise.all([pingsAt(talker, 3), pingsAt(ponger, 3)]), 'three more pings at the talker and the ponger (closed?)');
  clearInterval(chatter);
  assert.ok(closedAt.has(silent), 'silence past pongTimeout drops it');
  assert.ok(closedAt.get(silent)! >= 380, `dropped after pongTimeout, not at a ping (${closedAt.get(silent)} ms)`);
  assert.equal(closedAt.has(talker), false, 'frames refresh the deadline');
  assert.equal(closedAt.has(ponger), false, 'pongs refresh the deadline');
  assert.ok(errors.includes('ERR_LEGACY_TIMEOUT'));
  talker.close();
  ponger.close();
});

test('legacy server: binaryMessages writes binary frames; maxMessageSize is configurable', async () => {
  const s = await serve({ binaryMessages: true, maxMessageSize: 64 }, (c) => c.on('echo', 'string', (v) => c.emit('echo', v)));
  const p = await peer(s.url);
  p.send(`${P}echo;0;hi`);
  await p.waitFrames(1);
  assert.deepEqual(p.texts(), [`B:${P}echo;0;hi`]);
  p.send(`${P}echo;0;${'x'.repeat(64)}`);
  assert.equal(await p.closed(), 1009);
});

test('legacy server: LegacyClient round trip with typed values, and the welcome emitted in onConnection arrives first', async () => {
  const s = await serve({}, (c) => {
    c.emit('welcome', c.id);
    c.on('any', (v) => c.emit('any', v));
    c.on('int', 'int', (n) => c.emit('int', n));
  });
  const client = await dialLegacy(`${s.url}?id=me`);
  cleanup.push(() => client.close());
  const got: unknown[] = [];
  client.on('welcome', (v) => got.push(v));
  client.on('any', (v) => got.push(v));
  client.on('int', (v) => got.push(v));
  const last = client.once('int');
  for (const v of ['s', true, { a: [1] }, Uint8Array.of(9), 2.5]) client.emit('any', v);
  client.emit('int', 12);
  await last;
  assert.deepEqual(got, ['me', 's', true, { a: [1] }, Uint8Array.of(9), 2.5, 12]);
  await assert.rejects(client.once('never', 20), (e: unknown) => e instanceof LegacyError && e.code === 'ERR_LEGACY_TIMEOUT');
  const pending = client.once('never');
  assert.deepEqual(await client.close(), { code: 1000, reason: '' });
  await assert.rejects(pending, (e: unknown) => e instanceof LegacyError && e.code === 'ERR_LEGACY_CLOSED');
  await assert.rejects(client.once('never'), (e: unknown) => e instanceof LegacyError && e.code === 'ERR_LEGACY_CLOSED');
  await assert.rejects(dialLegacy(`ws://127.0.0.1:1/echo`, { timeout: 2000 }), (e: unknown) => e instanceof LegacyError && e.code === 'ERR_LEGACY_CONNECT');
});

test('legacy server: c.request is the upgrade request\'s view (url, method, headers, remote address), not the IncomingMessage', async () => {
  let connected!: (c: LegacyConnection) => void;
  const conn = new Promise<LegacyConnection>((r) => (connected = r));
  const s = await serve({}, (c) => connected(c));
  const ws = new WebSocket(`${s.url}?id=req`, { headers: { 'X-Who': 'ann' } });
  cleanup.push(() => ws.close());
  const req = (await within(conn, 'the connection')).request;
  assert.equal(req.url, '/echo?id=req');
  assert.equal(req.method, 'GET');
  assert.equal(req.headers['x-who'], 'ann');
  assert.equal(req.remoteAddress, '127.0.0.1');
  assert.equal((req as unknown as { rawHeaders?: unknown }).rawHeaders, undefined, 'the IncomingMessage is not kept');
});

test('legacy server: the served Ws script (new Ws(url) without a scheme) against it, with ws as the WebSocket', async () => {
  const s = await serve({}, (c) => {
    c.emit('welcome', 'hi');
    c.on('any', (v) => c.emit('typed', JSON.stringify({ v, t: typeof v })));
    c.on('flag', 'bool', (b) => c.emit('flag', b));
    c.on('n', 'int', (n) => c.emit('n', n));
    c.onMessage((b) => c.emitMessage(b));
  });
  const sandbox: Record<string, unknown> = { WebSocket, TextDecoder, setTimeout, console };
  sandbox.globalThis = sandbox;
  runInNewContext(s.legacy.clientSource, sandbox);
  const Ws = sandbox.Ws as new (url: string) => IrisWs;
  const ws = new Ws(`127.0.0.1:${s.port}/echo`);
  const got: string[] = [];
  const native: unknown[] = [];
  let connects = 0;
  ws.OnConnect(() => connects++);
  ws.On('welcome', (m) => got.push('welcome:' + m));
  ws.On('typed', (m) => got.push(m));
  ws.On('flag', (m) => got.push('flag:' + m));
  ws.On('n', (m) => got.push('n:' + m));
  let nativesIn!: () => void;
  const twoNatives = new Promise<void>((r) => { nativesIn = r; });
  ws.OnMessage((m) => { if (native.push(m) === 2) nativesIn(); });
  const disconnected = new Promise<void>((r) => ws.OnDisconnect(r));
  await new Promise<void>((r) => ws.OnConnect(r));
  ws.OnConnect(() => connects++); // already open: called at once
  ws.Emit('any', 'text');
  ws.Emit('any', { a: 1 });
  ws.Emit('any', null); // Iris's script throws here; ours sends JSON null, which the server drops
  ws.Emit('flag', true);
  ws.Emit('n', '42'); // numeric strings go as ints, as Iris's script sends them
  ws.Emit('n', 7);
  ws.EmitMessage('plain');
  ws.EmitMessage(`x ${P}welcome;0;not an event`);
  await within(twoNatives, 'the two native echoes', 3000);
  assert.deepEqual(got, ['welcome:hi', '{"v":"text","t":"string"}', '{"v":{"a":1},"t":"object"}', 'flag:true', 'n:42', 'n:7']);
  assert.deepEqual(native, ['plain', `x ${P}welcome;0;not an event`], 'only frames that start with the prefix are events');
  assert.equal(connects, 2);
  ws.Disconnect();
  await disconnected;
});

test('legacy server: writeTimeout drops a connection whose writes wait for a client that stopped reading', async () => {
  const errors: string[] = [];
  let conn: LegacyConnection | undefined;
  let dropped!: () => void;
  const disconnected = new Promise<void>((r) => { dropped = r; });
  const s = await serve({ writeTimeout: 150, pongTimeout: 0 }, (c) => { conn = c; c.onError((e) => errors.push(e.code)); c.onDisconnect(() => dropped()); });
  let tcp: Socket | undefined;
  // ws's public createConnection option: the test holds the TCP socket, to stop reading it.
  const createConnection = (o: { host?: string; port?: number }) => (tcp = tcpConnect({ host: o.host ?? '127.0.0.1', port: o.port ?? 0 }));
  const ws = new WebSocket(s.url, { createConnection } as ConstructorParameters<typeof WebSocket>[2]);
  ws.on('error', () => {});
  await new Promise((r) => ws.once('open', r));
  const closed = new Promise<void>((r) => ws.once('close', () => r()));
  tcp!.pause(); // stops reading: TCP buffers fill
  const big = 'x'.repeat(1 << 20);
  for (let i = 0; i < 64 && conn && !conn.disconnected; i++) conn.emit('big', big);
  await within(disconnected, 'the stalled connection to be dropped', 5000);
  assert.ok(conn?.disconnected, 'dropped');
  assert.deepEqual(errors, ['ERR_LEGACY_TIMEOUT']);
  ws.terminate();
  await closed;
});
