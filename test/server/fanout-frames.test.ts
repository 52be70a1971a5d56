// Fan-out frames once (server/socket.ts serverFrame) and writes the bytes straight to each TCP socket: the bytes must
// be exactly ws's own, and the frames must keep their order with the ones ws writes itself (replies, close).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as wsModule from 'ws';

import { serverFrame } from '../../server/socket.js';
import { connectNs, loopback } from './helpers.js';

// ws's own framing (exported at runtime, not in @types/ws)
const { Sender } = wsModule as unknown as { Sender: { frame(data: Buffer, o: object): Buffer[] } };

test('serverFrame gives the bytes ws frames for an unmasked server message, at every length encoding', () => {
  for (const n of [0, 1, 125, 126, 127, 65535, 65536, 70000]) {
    for (const binary of [false, true]) {
      const data = Buffer.alloc(n, 0x61 + (n % 26));
      const ws = Buffer.concat(Sender.frame(data, { fin: true, opcode: binary ? 2 : 1, mask: false, readOnly: true, rsv1: false }));
      assert.deepEqual(serverFrame(data, binary), ws, `length ${n}, ${binary ? 'binary' : 'text'}`);
    }
  }
});

test('a broadcast to many connections arrives intact, text and binary, in order with the replies and the close ws writes', async (t) => {
  const lb = await loopback({
    default: {
      // one tick: a reply (through ws), a broadcast (pre-framed), a binary broadcast, then another reply
      go: (ns, m) => {
        lb.server.broadcast(null, { namespace: 'default', event: 'news', body: 'a;' + m.body });
        lb.server.broadcast(null, { namespace: 'default', event: 'bin', body: new Uint8Array([0, 255, 59]), binary: true });
        ns.emit('after', m.body);
      },
      bye: (ns) => {
        lb.server.broadcast(null, { namespace: 'default', event: 'last', body: 'z' });
        ns.conn.close(4000, 'bye');
      },
    },
  });
  t.after(() => lb.stop());
  const clients = await Promise.all([1, 2, 3].map(() => lb.client()));
  for (const c of clients) await connectNs(c, 'default');
  clients[0]!.send(';default;;go;0;0;x');
  assert.equal(await clients[0]!.next(), ';default;;news;0;0;a;x');
  const bin = Buffer.concat([Buffer.from(';default;;bin;0;0;'), Buffer.from([0, 255, 59])]).toString('hex'); // a binary frame (RawClient: hex)
  assert.equal(await clients[0]!.next(), bin);
  assert.equal(await clients[0]!.next(), ';default;;after;0;0;x');
  for (const c of clients.slice(1)) {
    assert.equal(await c.next(), ';default;;news;0;0;a;x');
    assert.equal(await c.next(), bin);
  }
  clients[1]!.send(';default;;bye;0;0;');
  assert.equal(await clients[1]!.next(), ';default;;last;0;0;z');
  assert.deepEqual(await clients[1]!.waitClose(), { code: 4000, reason: 'bye' });
  assert.equal(await clients[2]!.next(), ';default;;last;0;0;z');
});
