// Issue 13 item 3: the slow-consumer policy measures what the socket could not write. A fast reader never trips it,
// however large one tick's burst; a reader that stops is closed (policy close) or its messages dropped, each one
// counted and emitted (policy drop), never silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dial } from '../../client/index.js';
import { type Conn } from '../../server/index.js';
import { connectNs, loopback } from '../server/helpers.js';

const KB = 'k'.repeat(1024);

for (const slowConsumer of ['close', 'drop'] as const) {
  test(`slow consumer (${slowConsumer}): a handler emitting 5,000 messages of 1 KB in one loop reaches a fast client whole`, async (t) => {
    const lb = await loopback({
      default: {
        flood: (ns) => {
          for (let i = 0; i < 5000; i++) ns.emit('m', KB);
          ns.emit('end', '');
        },
      },
    }, { slowConsumer });
    t.after(() => lb.stop());
    let got = 0;
    let done!: () => void;
    const ended = new Promise<void>((r) => (done = r));
    const client = await dial(lb.url, { default: { m: () => { got++; }, end: () => done() } }, { reconnect: false });
    t.after(() => client.close());
    const ns = await client.connect('default');
    ns.emit('flood');
    await ended;
    assert.equal(got, 5000);
    assert.equal(client.state, 'open');
    assert.equal(lb.server.droppedMessages, 0);
    assert.equal([...lb.server.connections.values()][0]!.droppedMessages, 0);
  });
}

/** A connected client that stopped reading (its socket paused), its server Conn and NSConn, and a 16 KiB body. */
async function stalledReader(lb: Awaited<ReturnType<typeof loopback>>) {
  const c = await lb.client();
  await connectNs(c, 'default');
  c.pause();
  const conn = lb.server.connection(c.id)!;
  return { c, conn, ns: conn.namespace('default')!, big: 'y'.repeat(16 * 1024) };
}

test('slow consumer (close): a reader that stopped reading is closed with 1008 once its unwritten bytes pass the bound', async (t) => {
  const lb = await loopback({ default: {} }, { maxBufferedAmount: 256 * 1024 });
  t.after(() => lb.stop());
  const { conn, ns, big } = await stalledReader(lb);
  let ticks = 0;
  while (conn.state === 'open' && ticks++ < 500) {
    for (let i = 0; i < 16; i++) ns.emit('flood', big);
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(conn.state === 'closing' || conn.state === 'closed', true, 'closed by the policy');
  assert.ok(ticks < 500);
});

test('slow consumer (drop): every dropped message is counted (conn and server) and emitted as drop', async (t) => {
  const lb = await loopback({ default: {} }, { maxBufferedAmount: 256 * 1024, slowConsumer: 'drop' });
  t.after(() => lb.stop());
  const events: Array<{ conn: Conn; dropped: number }> = [];
  lb.server.on('drop', (conn, info) => void events.push({ conn, dropped: info.dropped }));
  const { conn, ns, big } = await stalledReader(lb);
  let refused = 0;
  for (let tick = 0; tick < 200 && refused < 50; tick++) {
    for (let i = 0; i < 16; i++) if (!ns.emit('flood', big)) refused++;
    await new Promise((r) => setImmediate(r));
  }
  assert.ok(refused >= 50, `sends were refused (${refused})`);
  assert.equal(conn.droppedMessages, refused);
  assert.equal(lb.server.droppedMessages, refused);
  assert.equal(events.length, refused, 'one drop event per dropped message');
  assert.equal(events.at(-1)!.dropped, refused);
  assert.equal(conn.state, 'open', 'drop keeps the connection');
  // Broadcasts count too.
  lb.server.broadcast(null, { namespace: 'default', event: 'b', body: big });
  assert.equal(conn.droppedMessages, refused + 1);
});
