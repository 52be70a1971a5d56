// Limits with safe defaults: message size (1009), slow consumers, read timeout, ping/pong liveness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, reply } from '../../server/index.js';
import { connectNs, connStates, loopback, sleep } from './helpers.js';

test('documented defaults', () => {
  assert.equal(DEFAULTS.maxMessageSize, 1024 * 1024);
  assert.equal(DEFAULTS.maxBufferedAmount, 4 * 1024 * 1024);
  assert.equal(DEFAULTS.handshakeTimeout, 10_000);
  assert.equal(DEFAULTS.pongTimeout, 30_000);
  assert.equal(DEFAULTS.pingPeriod, 27_000);
  assert.equal(DEFAULTS.systemHandlerTimeout, 10_000);
  assert.equal(DEFAULTS.requestTimeout, 30_000);
  assert.equal(DEFAULTS.maxEarlyBytes, 1024 * 1024);
  assert.equal(DEFAULTS.maxHeldBytes, 4 * 1024 * 1024);
  assert.equal(DEFAULTS.maxRooms, 1024);
  assert.equal(DEFAULTS.maxNameLength, 256);
  assert.equal(DEFAULTS.maxPendingAsks, 1024);
  assert.equal(DEFAULTS.slowConsumer, 'close');
});

test('a message over maxMessageSize closes the connection with 1009 and a clear reason', async (t) => {
  const lb = await loopback({ default: { echo: (_n, m) => reply(m.body) } }, { maxMessageSize: 1000 });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  c.send('$1;default;;echo;0;0;' + 'x'.repeat(900));
  assert.equal((await c.next()).length, '$1;default;;echo;0;0;'.length + 900);
  c.send('$2;default;;echo;0;0;' + 'x'.repeat(2000));
  const closed = await c.waitClose();
  assert.equal(closed.code, 1009);
  assert.match(closed.reason, /message too big: the limit is 1000 bytes/);
});

test('slow consumer: past maxBufferedAmount the connection is closed (policy close) or messages dropped (drop)', async (t) => {
  for (const policy of ['close', 'drop'] as const) {
    const lb = await loopback({ default: {} }, { maxBufferedAmount: 64 * 1024, slowConsumer: policy });
    const c = await lb.client();
    await connectNs(c, 'default');
    // Stop reading: the server's socket buffer fills up.
    c.pause();
    const ns = lb.server.connection(c.id)!.namespace('default')!;
    const big = 'y'.repeat(16 * 1024);
    let accepted = 0;
    for (let i = 0; i < 2000; i++) if (ns.emit('flood', big)) accepted++;
    assert.ok(accepted < 2000, `${policy}: some sends refused (${accepted})`);
    if (policy === 'close') assert.equal(lb.server.connection(c.id), undefined, 'closed and unregistered');
    else assert.ok(lb.server.connection(c.id), 'still connected');
    await lb.stop();
  }
  t.diagnostic('both policies checked');
});

test('readTimeout closes a silent connection', async (t) => {
  const lb = await loopback({ default: {} }, { readTimeout: 150 });
  t.after(() => lb.stop());
  const c = await lb.client();
  const closed = await c.waitClose(3000);
  assert.equal(closed.code, 1001);
  assert.equal(closed.reason, 'read timeout');
});

test('readTimeout is reset by traffic', async (t) => {
  // A frame every 100 ms against a 600 ms read timeout, for 1.4 s: over twice the timeout, so only the reset keeps
  // the link, and 500 ms of room for a loaded machine's stalls.
  const lb = await loopback({ default: {} }, { readTimeout: 600 });
  t.after(() => lb.stop());
  const c = await lb.client();
  const start = Date.now();
  for (let i = 0; i < 14; i++) {
    await sleep(100); // the scenario: the peer's traffic
    c.send('$x;default;;_OnNamespaceConnect;0;0;');
  }
  await c.barrier(); // the server answered after the last frame (a barrier rejects on a close)
  assert.ok(Date.now() - start > 1200, 'the traffic outlasted twice the read timeout');
  assert.equal(c.closed, undefined, 'still open after 1.4 s of traffic');
});

test('ping/pong liveness: a peer that answers pings stays, one that does not is dropped', async (t) => {
  const lb = await loopback({ default: {} }, { pongTimeout: 300 }); // a good peer's pong must come within 300 ms: room for a loaded machine's stalls
  t.after(() => lb.stop());
  const good = await lb.client();
  const dead = await lb.client('', { autoPong: false });
  const deadGone = connStates(lb.server, (conn, e) => conn.id === dead.id && e.to === 'closed', 'the dead connection closed', 1, 3000);
  let pings = 0;
  good.ws.on('ping', () => pings++);
  const closed = await dead.waitClose(3000);
  assert.equal(closed.code, 1006, 'terminated without a close frame');
  assert.ok(pings >= 1, 'pings were sent');
  assert.equal(good.closed, undefined);
  await deadGone;
  assert.equal(lb.server.totalConnections, 1);
});

test('writeTimeout drops a connection whose output does not drain', async (t) => {
  const lb = await loopback({ default: {} }, { writeTimeout: 150, maxBufferedAmount: 0 });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  c.pause();
  const ns = lb.server.connection(c.id)!.namespace('default')!;
  const big = 'z'.repeat(64 * 1024);
  const dropped = connStates(lb.server, (conn, e) => conn.id === c.id && (e.to === 'closing' || e.to === 'closed'), 'the stalled connection dropped', 1, 3000);
  for (let i = 0; i < 200; i++) ns.emit('flood', big);
  await dropped;
  assert.equal(lb.server.connection(c.id), undefined, 'dropped after writeTimeout');
});
