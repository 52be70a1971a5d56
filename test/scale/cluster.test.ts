// Node with Node over real Redis and NATS: broadcast to a namespace and a room, sender
// exclusion, `to(id)` over shared ids, `ns.to(target)` with remote ids and rooms, exclusion by id, server ask across servers, one
// subscription set per process, bad payloads dropped and counted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { connect as natsConnect } from '@nats-io/transport-node';
import { brokerMissing, startBroker, type Broker, type BrokerKind } from './brokers.js';
import { behindMarker, dropProbes, exchangeFor, nextEvent, node, serverMarker, until, warm, type Node } from './harness.js';
import { connectNs, type RawClient } from '../server/helpers.js';

for (const kind of ['redis', 'nats'] as BrokerKind[]) {
  const missing = brokerMissing(kind);
  describe(`cluster of two Node servers over ${kind}`, { skip: missing }, () => {
    let broker: Broker;
    let A: Node;
    let B: Node;
    const prefix = 'T' + kind;
    before(async () => {
      broker = await startBroker(kind);
      A = await node(exchangeFor(kind, broker, prefix));
      B = await node(exchangeFor(kind, broker, prefix));
    });
    after(async () => {
      await A?.stop();
      await B?.stop();
      await broker?.stop();
    });

    async function joined(n: Node, query = ''): Promise<RawClient & { id: string }> {
      const c = await n.client(query);
      await connectNs(c, 'default');
      return c;
    }

    test('namespace broadcast reaches the other server once; the sender is excluded', async () => {
      const a1 = await joined(A);
      const a2 = await joined(A);
      const b1 = await joined(B);
      const b2 = await joined(B);
      await warm(A.server, b1);
      await warm(B.server, a1);
      for (const c of [a1, a2, b1, b2]) dropProbes(c);
      a1.send(';default;;chat;0;0;hello from A');
      for (const c of [a2, b1, b2]) assert.equal(await nextEvent(c, 'chat'), ';default;;chat;0;0;hello from A');
      b2.send(';default;;chat;0;0;hello from B');
      for (const c of [a1, a2, b1]) assert.equal(await nextEvent(c, 'chat'), ';default;;chat;0;0;hello from B');
      // Markers behind the traffic of each publishing server: what came before them is all there is.
      await behindMarker(serverMarker(A.server), [a1, a2, b1, b2]);
      await behindMarker(serverMarker(B.server), [a1, a2, b1, b2]);
      for (const c of [a1, a2, b1, b2]) {
        assert.deepEqual(c.frames.map((f) => f.data), [], 'no duplicates, nothing to the sender');
      }
      assert.ok(A.server.stackExchangeStats!.own >= 0);
    });

    test('room broadcast reaches only members on both servers', async () => {
      const a1 = await joined(A);
      const b1 = await joined(B);
      const b2 = await joined(B);
      for (const c of [a1, b1]) {
        c.send('$j;default;r1;_OnRoomJoin;0;0;');
        assert.equal(await nextEvent(c, ''), '$j;;;;;;');
      }
      await warm(A.server, b1);
      for (const c of [a1, b1, b2]) dropProbes(c);
      A.server.broadcast(null, { namespace: 'default', room: 'r1', event: 'roomMsg', body: 'to r1' });
      assert.equal(await nextEvent(a1, 'roomMsg'), ';default;r1;roomMsg;0;0;to r1');
      assert.equal(await nextEvent(b1, 'roomMsg'), ';default;r1;roomMsg;0;0;to r1');
      await behindMarker(serverMarker(A.server), [a1, b1, b2]);
      assert.deepEqual(b2.frames, [], 'b2 did not join r1');
    });

    test('to(id) reaches every connection with that id on every server; exclusion by id holds cluster-wide', async () => {
      const id = 'shared-' + kind;
      const a1 = await joined(A, '?id=' + id);
      const b1 = await joined(B, '?id=' + id);
      const b2 = await joined(B, '?id=' + id);
      const other = await joined(B);
      await warm(A.server, other);
      for (const c of [a1, b1, b2, other]) dropProbes(c);
      A.server.broadcast(null, { namespace: 'default', event: 'direct', body: 'for ' + id, to: id });
      for (const c of [a1, b1, b2]) assert.equal(await nextEvent(c, 'direct'), `;default;;direct;0;0;for ${id}`);
      await behindMarker(serverMarker(A.server), [a1, b1, b2, other]);
      assert.deepEqual(other.frames, []);
      for (const c of [a1, b1, b2]) assert.deepEqual(c.frames, [], 'once each');
      A.server.broadcast(id, { namespace: 'default', event: 'notShared', body: 'x' });
      assert.equal(await nextEvent(other, 'notShared'), ';default;;notShared;0;0;x');
      await behindMarker(serverMarker(A.server), [a1, b1, b2, other]);
      for (const c of [a1, b1, b2]) {
        assert.deepEqual(c.frames, [], 'excluded by id on both servers');
      }
    });

    test('ns.to(target) in a cluster: an id held by the other server, a room with members on both, a local id', async () => {
      const a1 = await joined(A);
      const a2 = await joined(A);
      const b1 = await joined(B);
      const b2 = await joined(B);
      for (const c of [a2, b2]) {
        c.send('$j;default;r2;_OnRoomJoin;0;0;');
        assert.equal(await nextEvent(c, ''), '$j;;;;;;');
      }
      await warm(A.server, b1);
      for (const c of [a1, a2, b1, b2]) dropProbes(c);
      // b1 is on B only: A cannot know its id, and still reaches it
      a1.send(`;default;;tell;0;0;${b1.id}|psst`);
      assert.equal(await nextEvent(b1, 'told'), ';default;;told;0;0;psst');
      a1.send(';default;;tell;0;0;r2|to the room');
      for (const c of [a2, b2]) assert.equal(await nextEvent(c, 'told'), ';default;r2;told;0;0;to the room');
      a1.send(`;default;;tell;0;0;${a2.id}|local`);
      assert.equal(await nextEvent(a2, 'told'), ';default;;told;0;0;local');
      await behindMarker(serverMarker(A.server), [a1, a2, b1, b2]);
      for (const c of [a1, a2, b1, b2]) assert.deepEqual(c.frames, [], 'each once, nothing to the others');
    });

    test('server ask to a connection held by the other server, and to a local one', async () => {
      const b1 = await joined(B);
      const a1 = await joined(A);
      await warm(A.server, b1);
      dropProbes(b1);
      dropProbes(a1);
      const p = A.server.ask({ namespace: 'default', event: 'question', body: 'how?' }, { to: b1.id, timeout: 5000 });
      const q = await nextEvent(b1, 'question');
      const wait = q.split(';')[0];
      assert.match(wait, /^1!![0-9a-f]+$/, 'the client sees a server token (one ! stripped by the relaying server)');
      // A neffos-ts or Go client strips one more `!` when it reads the token and answers with that.
      b1.send(`${'1' + wait.slice(2)};default;;question;0;0;fine`);
      assert.equal((await p).body, 'fine');
      const local = A.server.ask({ namespace: 'default', event: 'question', body: 'local?' }, { to: a1.id, timeout: 5000 });
      const lq = await nextEvent(a1, 'question');
      // neffos.js echoes the token unchanged: that works too.
      a1.send(`${lq.split(';')[0]};default;;question;0;0;yes`);
      assert.equal((await local).body, 'yes');
      const err = A.server.ask({ namespace: 'default', event: 'question' }, { to: b1.id, timeout: 5000 });
      const eq = await nextEvent(b1, 'question');
      b1.send(`${'1' + eq.split(';')[0].slice(2)};default;;question;1;0;no way`);
      await assert.rejects(err, /no way/);
      await assert.rejects(A.server.ask({ namespace: 'default', event: 'question' }, { to: 'nobody', timeout: 300 }), /timed out/);
    });

    test('one subscription set per process and bad payloads dropped and counted', async () => {
      const clients = [];
      for (let i = 0; i < 20; i++) clients.push(await joined(i % 2 ? A : B));
      if (kind === 'redis') {
        const probe = new Redis(broker.url);
        try {
          const list = String(await probe.client('LIST')).trim().split('\n');
          // Two per server (publisher + subscriber) plus this probe, however many clients.
          assert.equal(list.length, 5, list.join('\n'));
          const before = B.server.stackExchangeStats!.invalid;
          await probe.publish(prefix + '.default.', 'not a neffos message');
          await probe.publish(prefix + '.default.', '');
          await until(() => B.server.stackExchangeStats!.invalid >= before + 2, 3000, 'invalid payloads counted');
        } finally {
          probe.disconnect();
        }
      } else {
        const nc = await natsConnect({ servers: broker.url });
        try {
          const before = B.server.stackExchangeStats!.invalid;
          nc.publish(prefix + '.default', 'garbage');
          await nc.flush();
          await until(() => B.server.stackExchangeStats!.invalid >= before + 1, 3000, 'invalid payloads counted');
        } finally {
          await nc.close();
        }
      }
      // Still serving.
      const a = await joined(A);
      const b = await joined(B);
      await warm(A.server, b);
      dropProbes(a);
      a.send(';default;;chat;0;0;still fine');
      assert.equal(await nextEvent(b, 'chat'), ';default;;chat;0;0;still fine');
    });
  });
}
