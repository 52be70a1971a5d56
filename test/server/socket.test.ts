// The core runs on any ServerSocket (not only ws); a tick's writes are corked into one batch, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Server, reply, type ServerSocket, type SocketHandlers } from '../../server/index.js';

class FakeSocket implements ServerSocket {
  log: string[] = [];
  h!: SocketHandlers;
  bufferedAmount = 0;
  send(data: string | Uint8Array, isBinary: boolean) { this.log.push((isBinary ? 'B:' : 'T:') + String(data)); }
  cork() { this.log.push('cork'); }
  uncork() { this.log.push('uncork'); }
  close(code?: number, reason?: string) { this.log.push(`close:${code}:${reason}`); this.h.close(code ?? 1005, reason ?? ''); }
  terminate() { this.log.push('terminate'); this.h.close(1006, ''); }
  listen(h: SocketHandlers) { this.h = h; }
}

const req = { headers: {}, url: '/' } as unknown as IncomingMessage;

test('accept() runs the protocol over a custom socket; a tick\'s first frame goes straight out, the rest are corked until one uncork, in order', async (t) => {
  const server = new Server({ default: { echo: (_n, m) => reply(m.body) } });
  t.after(() => server.close());
  const s = new FakeSocket();
  const conn = server.accept(s, req, 'fake-1');
  s.h.message('$1;default;;_OnNamespaceConnect;0;0;', false);
  s.h.message('M', false);
  s.h.message('$2;default;;echo;0;0;a', false);
  s.h.message('$3;default;;echo;0;0;b', false);
  assert.deepEqual(s.log, ['T:Afake-1', 'cork', 'T:$1;;;;;;', 'T:$2;default;;echo;0;0;a', 'T:$3;default;;echo;0;0;b']);
  await new Promise((r) => process.nextTick(r));
  assert.deepEqual(s.log.slice(5), ['uncork']);
  // A lone frame in a later tick is written at once: no cork/uncork round trip.
  s.h.message('$4;default;;echo;0;0;c', false);
  await new Promise((r) => process.nextTick(r));
  assert.deepEqual(s.log.slice(6), ['T:$4;default;;echo;0;0;c']);
  assert.equal(server.connection('fake-1'), conn);
  conn.close(4001, 'done');
  assert.equal(s.log.at(-1), 'close:4001:done');
  assert.equal(server.totalConnections, 0);
});

test('a long burst leaves in chunks of CHUNK corked frames (a pipelining peer starts on the first answers), the rest at the tick end', async (t) => {
  const { CHUNK } = await import('../../server/writer.js');
  const server = new Server({ default: { echo: (_n, m) => reply(m.body) } });
  t.after(() => server.close());
  const s = new FakeSocket();
  server.accept(s, req, 'fake-2');
  s.h.message('M', false);
  await new Promise((r) => process.nextTick(r));
  s.h.message('$1;default;;_OnNamespaceConnect;0;0;', false);
  await new Promise((r) => process.nextTick(r));
  s.log.length = 0;
  const n = 2 * CHUNK + 5; // answers in one tick: the first goes out at once, then the rest are corked
  for (let i = 0; i < n; i++) s.h.message(`$${i + 2};default;;echo;0;0;${i}`, false);
  await new Promise((r) => process.nextTick(r));
  // Writes between the cork marks: split the log at every uncork.
  const writes: number[] = [];
  let frames = 0;
  for (const e of s.log) {
    if (e === 'uncork') (writes.push(frames), (frames = 0));
    else if (e.startsWith('T:')) frames++;
  }
  assert.equal(s.log[0], 'T:$2;default;;echo;0;0;0', 'the first answer is not corked');
  assert.deepEqual(writes, [1 + CHUNK, CHUNK, n - 1 - 2 * CHUNK], 'chunks of CHUNK corked frames, the rest at the tick end');
  assert.deepEqual(s.log.filter((e) => e === 'cork').length, 3);
  const order = s.log.filter((e) => e.startsWith('T:')).map((e) => Number(e.split(';').at(-1)));
  assert.deepEqual(order, Array.from({ length: n }, (_, i) => i), 'in order');
});

test('broadcast sends the same encoded bytes to every receiver', async (t) => {
  const server = new Server({ default: {} });
  t.after(() => server.close());
  const sent: unknown[] = [];
  const sockets = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
  sockets.forEach((s, i) => {
    server.accept(s, req, 'c' + i);
    s.send = (data) => void sent.push(data);
    s.h.message('M', false);
    s.h.message('$1;default;;_OnNamespaceConnect;0;0;', false);
  });
  sent.length = 0;
  server.broadcast(null, { namespace: 'default', event: 'news', body: 'x' });
  assert.equal(sent.length, 3);
  assert.ok(Buffer.isBuffer(sent[0]));
  assert.equal(sent[0], sent[1], 'one object for every receiver');
  assert.equal(sent[1], sent[2]);
  assert.equal(String(sent[0]), ';default;;news;0;0;x');
});
