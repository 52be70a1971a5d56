// Issue 15 item 3: connections that share an id (an idGenerator returning the user name, as in Go neffos's
// wrap-conns-to-user example). Listings return all of them; `to(id)`, `ns.to(id)`, server.ask `to` and
// disconnect-by-id reach all of them; closing one leaves the others listed and reachable. Real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reply, type NSConn } from '../../server/index.js';
import { connectNs, connStates, loopback } from './helpers.js';

const byUser = { idGenerator: (req: { url?: string }) => new URL(req.url ?? '/', 'http://x').searchParams.get('user') ?? 'anon' };

test('shared ids: listings hold every connection; to(id) and ns.to(id) reach all of them, once each', async (t) => {
  let heard!: (ns: NSConn) => void;
  const hello = new Promise<NSConn>((r) => { heard = r; });
  const lb = await loopback({ default: { hello: (ns) => void heard(ns) } }, byUser);
  t.after(() => lb.stop());
  const a1 = await lb.client('?user=alice');
  const a2 = await lb.client('?user=alice');
  const bob = await lb.client('?user=bob');
  for (const c of [a1, a2, bob]) await connectNs(c, 'default');
  assert.equal(a1.id, 'alice');
  assert.equal(a2.id, 'alice');

  const s = lb.server;
  assert.equal(s.totalConnections, 3);
  assert.equal(s.connectionList().length, 3);
  assert.equal(s.connectionsWithId('alice').length, 2);
  assert.equal(s.connectionsWithId('nobody').length, 0);
  assert.equal(s.namespaceMembers('default').length, 3);
  // The Map listing keeps one per id (the newest), as documented.
  assert.deepEqual([...s.connections.keys()].sort(), ['alice', 'bob']);
  assert.equal(s.connection('alice'), s.connectionsWithId('alice')[1]);

  s.broadcast(null, { namespace: 'default', event: 'dm', body: 'for alice', to: 'alice' });
  assert.equal(await a1.next(), ';default;;dm;0;0;for alice');
  assert.equal(await a2.next(), ';default;;dm;0;0;for alice');
  assert.ok(await bob.quiet(), 'bob got a message sent to alice');

  // ns.to(id) from bob's side (Iris vocabulary).
  bob.send(';default;;hello;0;0;');
  const sender = await hello;
  sender.to('alice').emit('psst', 'from bob');
  assert.equal(await a1.next(), ';default;;psst;0;0;from bob');
  assert.equal(await a2.next(), ';default;;psst;0;0;from bob');
  assert.ok(await a1.quiet() && await a2.quiet(), 'a duplicate arrived');
});

test('shared ids: server.ask to a shared id reaches every one of them (the first reply wins); disconnect(id) closes all', async (t) => {
  const lb = await loopback({ default: { status: () => reply('x') } }, byUser);
  t.after(() => lb.stop());
  const a1 = await lb.client('?user=alice');
  const a2 = await lb.client('?user=alice');
  const bob = await lb.client('?user=bob');
  for (const c of [a1, a2, bob]) await connectNs(c, 'default');
  const s = lb.server;

  const asked = s.ask({ namespace: 'default', event: 'status' }, { to: 'alice', timeout: 2000 });
  const f1 = await a1.next();
  const f2 = await a2.next();
  assert.equal(f1, f2, 'both alice connections got the same ask frame');
  const wait = f1.split(';')[0]!;
  a2.send(`${wait};default;;status;0;0;from a2`);
  assert.equal(String((await asked).body), 'from a2');

  const aliceGone = connStates(s, (conn, e) => conn.id === 'alice' && e.to === 'closed', 'both alice connections closed', 2);
  assert.equal(s.disconnect('alice', 4001, 'kicked'), 2);
  assert.deepEqual(await a1.waitClose(), { code: 4001, reason: 'kicked' });
  assert.deepEqual(await a2.waitClose(), { code: 4001, reason: 'kicked' });
  await aliceGone;
  assert.equal(s.connectionsWithId('alice').length, 0);
  assert.equal(s.totalConnections, 1, 'bob is still connected');
  assert.equal(s.disconnect('alice'), 0);
});

test('shared ids: closing one connection leaves the other listed and reachable by id', async (t) => {
  const lb = await loopback({ default: {} }, byUser);
  t.after(() => lb.stop());
  const a1 = await lb.client('?user=alice');
  const a2 = await lb.client('?user=alice');
  for (const c of [a1, a2]) await connectNs(c, 'default');
  const s = lb.server;
  const [first] = s.connectionsWithId('alice');
  const firstGone = connStates(s, (conn, e) => conn === first && e.to === 'closed', 'the first alice connection closed');
  first!.close(1000, 'bye');
  await a1.waitClose();
  await firstGone;
  assert.equal(s.connectionsWithId('alice').length, 1);
  assert.equal(s.connections.get('alice'), s.connectionsWithId('alice')[0]);
  s.broadcast(null, { namespace: 'default', event: 'dm', body: 'still here', to: 'alice' });
  assert.equal(await a2.next(), ';default;;dm;0;0;still here');
});
