// Issue 13 item 4: every system handler has a deadline (systemHandlerTimeout); on expiry the request is refused with a
// timeout error, the frames held meanwhile are handled, and the connection carries on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dial } from '../../client/index.js';
import { TimeoutError, reply } from '../../server/index.js';
import { connectNs, loopback } from '../server/helpers.js';

const never = () => new Promise<undefined>(() => undefined);

test('a client connect/join/leave/disconnect whose handler never settles is refused at the deadline; later frames are handled', async (t) => {
  const lb = await loopback({
    stuck: { _OnNamespaceConnect: never },
    default: {
      echo: (_n, m) => reply(m.body),
      _OnRoomJoin: (_n, m) => (m.room === 'stuck' ? never() : undefined),
      _OnRoomLeave: (_n, m) => (m.room === 'sticky' ? never() : undefined),
    },
    bye: { _OnNamespaceDisconnect: never },
  }, { systemHandlerTimeout: 100 });
  t.after(() => lb.stop());
  const c = await lb.client();
  c.send('$1;stuck;;_OnNamespaceConnect;0;0;');
  c.send('$2;default;;_OnNamespaceConnect;0;0;'); // held until the first is answered
  assert.equal(await c.next(), '$1;stuck;;_OnNamespaceConnect;1;0;_OnNamespaceConnect handler timed out after 100 ms');
  assert.equal(await c.next(), '$2;;;;;;');
  c.send('$3;default;stuck;_OnRoomJoin;0;0;');
  c.send('$4;default;;echo;0;0;after');
  assert.equal(await c.next(), '$3;default;stuck;_OnRoomJoin;1;0;_OnRoomJoin handler timed out after 100 ms');
  assert.equal(await c.next(), '$4;default;;echo;0;0;after');
  assert.equal(lb.server.roomSize('default', 'stuck'), 0);
  c.send('$5;default;sticky;_OnRoomJoin;0;0;');
  assert.equal(await c.next(), '$5;;;;;;');
  c.send('$6;default;sticky;_OnRoomLeave;0;0;');
  assert.equal(await c.next(), '$6;default;sticky;_OnRoomLeave;1;0;_OnRoomLeave handler timed out after 100 ms');
  assert.equal(lb.server.roomSize('default', 'sticky'), 1, 'refused: still joined');
  await connectNs(c, 'bye', '$7');
  c.send('$8;bye;;_OnNamespaceDisconnect;0;0;');
  assert.equal(await c.next(), '$8;bye;;_OnNamespaceDisconnect;1;0;_OnNamespaceDisconnect handler timed out after 100 ms');
  assert.equal(lb.server.connection(c.id)!.state, 'open');
});

test('our client gets the refusal as an error; a stuck local handler of a server-initiated join rejects with TimeoutError', async (t) => {
  const lb = await loopback({
    default: { _OnRoomJoin: (_n, m) => (m.room === 'stuck' ? never() : undefined), echo: (_n, m) => reply(m.body) },
  }, { systemHandlerTimeout: 100 });
  t.after(() => lb.stop());
  const client = await dial(lb.url, { default: {} }, { reconnect: false });
  t.after(() => client.close());
  const cns = await client.connect('default');
  await assert.rejects(cns.joinRoom('stuck'), /_OnRoomJoin handler timed out after 100 ms/);
  const sns = [...lb.server.connectionsByNamespace('default').values()][0]!;
  await assert.rejects(sns.joinRoom('stuck'), (e: unknown) => e instanceof TimeoutError && /timed out after 100 ms/.test((e as Error).message));
  assert.equal((await cns.ask('echo', 'alive')).body, 'alive');
});

test('the default deadline is 10 s and 0 turns it off', async (t) => {
  const { DEFAULTS } = await import('../../server/index.js');
  assert.equal(DEFAULTS.systemHandlerTimeout, 10_000);
  let release!: () => void;
  const lb = await loopback({ default: { _OnRoomJoin: () => new Promise<undefined>((r) => (release = () => r(undefined))) } }, { systemHandlerTimeout: 0 });
  t.after(() => lb.stop());
  // The control: the same stuck join with a 100 ms deadline; its refusal marks the time a deadline would have fired.
  const control = await loopback({ default: { _OnRoomJoin: never } }, { systemHandlerTimeout: 100 });
  t.after(() => control.stop());
  const c = await lb.client();
  const k = await control.client();
  await connectNs(c, 'default');
  await connectNs(k, 'default');
  c.send('$1;default;r;_OnRoomJoin;0;0;');
  k.send('$1;default;r;_OnRoomJoin;0;0;');
  assert.equal(await k.next(), '$1;default;r;_OnRoomJoin;1;0;_OnRoomJoin handler timed out after 100 ms');
  await c.pingBarrier(); // (frames are held behind the join: a ping, answered by ws, flushes the link)
  assert.equal(c.frames.length, 0, 'no deadline: still waiting');
  release();
  assert.equal(await c.next(), '$1;;;;;;');
});
