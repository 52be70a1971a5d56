// server.close() is total: a connection that has not sent M is closed too, and close() resolves when every socket is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loopback } from '../server/helpers.js';

test('server.close() closes connections still in the handshake and resolves when every socket is gone', async (t) => {
  const lb = await loopback({ default: {} });
  t.after(() => lb.stop());
  const waiting = await lb.raw();
  const done = await lb.client();
  await lb.server.close();
  assert.equal((await waiting.waitClose()).code, 1001);
  assert.equal((await done.waitClose()).code, 1001);
  waiting.send('M');
  assert.equal(waiting.frames.length, 0, 'no ack after close');
});
