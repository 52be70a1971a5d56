// The Node client batches a tick's frames (client/env.ts): the first at once, the rest corked, and a full chunk of
// corked frames leaves before the tick ends, so a server starts on the first asks while the next ones are made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { dial } from '../../client/index.js';
import { startLoopbackServer } from './loopback-server.js';

test('Node client: frames sent in one tick leave in chunks (a write every 8 corked frames and one at the tick end), in order', async (t) => {
  const lb = await startLoopbackServer();
  t.after(() => lb.stop());
  const conn = await dial(lb.url, { default: {} }, { reconnect: false });
  t.after(() => conn.close());
  const ns = await conn.connect('default');
  await ns.ask('echo', 'warm');
  // Spy on the public cork/uncork of the client's TCP socket (the one whose remote end is the server's port): an
  // uncork that ends the last cork is one write of everything corked since.
  const writes: number[] = [];
  let depth = 0;
  let sinceCork = 0;
  const { cork, uncork, write } = Socket.prototype;
  const mine = (s: Socket) => s.remotePort === lb.port;
  Socket.prototype.cork = function (this: Socket) {
    if (mine(this)) depth++;
    return cork.call(this);
  };
  Socket.prototype.uncork = function (this: Socket) {
    if (mine(this) && depth > 0 && --depth === 0) (writes.push(sinceCork), (sinceCork = 0));
    return uncork.call(this);
  };
  Socket.prototype.write = function (this: Socket, ...args: unknown[]) {
    if (mine(this)) {
      if (depth > 0) sinceCork++;
      else writes.push(1);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof write;
  t.after(() => Object.assign(Socket.prototype, { cork, uncork, write }));
  const n = 21;
  const answers = Promise.all(Array.from({ length: n }, (_, i) => ns.ask('echo', 'b' + i)));
  await new Promise((r) => setImmediate(r)); // the tick ended: every frame has been handed to the socket
  Object.assign(Socket.prototype, { cork, uncork, write });
  assert.deepEqual((await answers).map((m) => String(m.body)), Array.from({ length: n }, (_, i) => 'b' + i), 'every ask answered, in order');
  // ws may write a frame as one or two buffers; count socket writes per batch, in frames: one write call per frame.
  const frames = writes.reduce((a, b) => a + b, 0);
  assert.ok(frames >= n, `every frame went through the socket (${frames})`);
  assert.equal(writes[0], frames / n, 'the first frame at once');
  const per = frames / n;
  assert.deepEqual(writes.slice(1).map((w) => w / per), [8, 8, n - 17], 'chunks of 8 corked frames, the rest at the tick end');
});
