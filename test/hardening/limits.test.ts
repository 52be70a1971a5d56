// Issue 13 item 2: memory per connection is bounded in bytes. Over each limit the connection is closed with 1008 and
// a documented reason; another connection keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reply, type ServerOptions } from '../../server/index.js';
import { connectNs, loopback, type RawClient } from '../server/helpers.js';

const echo = { echo: (_n: unknown, m: { body: string }) => reply(m.body) };

/** A second, well-behaved connection still answers. */
async function bystanderWorks(lb: Awaited<ReturnType<typeof loopback>>, other: RawClient & { id: string }): Promise<void> {
  other.send('$ok;default;;echo;0;0;still here');
  assert.equal(await other.next(), '$ok;default;;echo;0;0;still here');
}

async function setup(options: ServerOptions, events: Record<string, unknown> = {}) {
  const lb = await loopback({ default: { ...echo, ...events } as never }, options);
  const other = await lb.client();
  await connectNs(other, 'default');
  return { lb, other };
}

test('maxEarlyBytes: frames before the handshake are bounded in bytes (1008 "too many bytes before the handshake")', async (t) => {
  const { lb, other } = await setup({ maxEarlyBytes: 64 * 1024 });
  t.after(() => lb.stop());
  const c = await lb.raw();
  const chunk = '$x;default;;echo;0;0;' + 'e'.repeat(16 * 1024);
  for (let i = 0; i < 8 && !c.closed; i++) c.send(chunk); // 128 KiB, never an M
  const closed = await c.waitClose();
  assert.deepEqual([closed.code, closed.reason], [1008, 'too many bytes before the handshake']);
  await bystanderWorks(lb, other);
});

test('maxEarlyBytes: frames under the bound are kept and handled after A+id, in order', async (t) => {
  const { lb } = await setup({ maxEarlyBytes: 64 * 1024, onConnect: () => new Promise((r) => setTimeout(r, 30)) }); // a slow onConnect: the frames wait for it
  t.after(() => lb.stop());
  const c = await lb.raw();
  c.burst('M', '$1;default;;_OnNamespaceConnect;0;0;', '$2;default;;echo;0;0;early');
  assert.match(await c.next(), /^A/);
  assert.equal(await c.next(), '$1;;;;;;');
  assert.equal(await c.next(), '$2;default;;echo;0;0;early');
});

test('maxHeldBytes: frames held while an async _OnRoomJoin runs are bounded in bytes (1008)', async (t) => {
  const { lb, other } = await setup({ maxHeldBytes: 64 * 1024 }, { _OnRoomJoin: () => new Promise(() => undefined) });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  c.send('$j;default;r;_OnRoomJoin;0;0;');
  const chunk = ';default;;echo;0;0;' + 'h'.repeat(16 * 1024);
  for (let i = 0; i < 8; i++) c.send(chunk);
  const closed = await c.waitClose();
  assert.deepEqual([closed.code, closed.reason], [1008, 'too many bytes while a request is pending']);
  await bystanderWorks(lb, other);
});

test('maxRooms: a join past the bound closes the connection (1008 "too many rooms"); rooms left free their place', async (t) => {
  const { lb, other } = await setup({ maxRooms: 3 });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  for (const r of ['a', 'b', 'c']) {
    c.send(`$${r};default;${r};_OnRoomJoin;0;0;`);
    assert.equal(await c.next(), `$${r};;;;;;`);
  }
  c.send('$l;default;a;_OnRoomLeave;0;0;');
  assert.equal(await c.next(), '$l;;;;;;');
  c.send('$d;default;d;_OnRoomJoin;0;0;');
  assert.equal(await c.next(), '$d;;;;;;', 'the left room freed a place');
  c.send('$e;default;e;_OnRoomJoin;0;0;');
  const closed = await c.waitClose();
  assert.deepEqual([closed.code, closed.reason], [1008, 'too many rooms']);
  await bystanderWorks(lb, other);
});

test('maxNameLength: a namespace, room or event name over the bound closes the connection (1008 "name too long")', async (t) => {
  const { lb, other } = await setup({});
  t.after(() => lb.stop());
  for (const frame of [
    `$1;default;${'r'.repeat(257)};_OnRoomJoin;0;0;`,
    `$2;${'n'.repeat(257)};;_OnNamespaceConnect;0;0;`,
    `$3;default;;${'e'.repeat(257)};0;0;`,
  ]) {
    const c = await lb.client();
    await connectNs(c, 'default');
    c.send(`$ok;default;${'r'.repeat(256)};_OnRoomJoin;0;0;`);
    assert.equal(await c.next(), '$ok;;;;;;', '256 characters are fine (the default bound)');
    c.send(frame);
    const closed = await c.waitClose();
    assert.deepEqual([closed.code, closed.reason], [1008, 'name too long']);
  }
  await bystanderWorks(lb, other);
});

test('maxPendingAsks: one server ask past the bound rejects and closes the connection (1008 "too many pending asks")', async (t) => {
  const { lb, other } = await setup({ maxPendingAsks: 4 });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  const ns = lb.server.connection(c.id)!.namespace('default')!;
  const asks = Array.from({ length: 4 }, () => ns.ask('q', '', { timeout: 5000 }).catch((e: Error) => e));
  await assert.rejects(ns.ask('q'), /too many pending asks/);
  const closed = await c.waitClose();
  assert.deepEqual([closed.code, closed.reason], [1008, 'too many pending asks']);
  for (const e of await Promise.all(asks)) assert.ok(e instanceof Error, 'the pending ones were rejected too');
  await bystanderWorks(lb, other);
});

test('maxPendingHandlers: async event handlers that never settle are bounded per connection (1008)', async (t) => {
  const { lb, other } = await setup({ maxPendingHandlers: 8 }, { hang: () => new Promise(() => undefined) });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  for (let i = 0; i < 9; i++) c.send(`$h${i};default;;hang;0;0;` + 'x'.repeat(1000));
  const closed = await c.waitClose();
  assert.deepEqual([closed.code, closed.reason], [1008, 'too many pending handlers']);
  await bystanderWorks(lb, other);
});
