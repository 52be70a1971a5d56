// Faults with real brokers: redis-server / nats-server stopped and started again (same port) while
// clients are connected. The servers keep serving local traffic, report the outage (events and a
// log line), drop cluster messages instead of queueing them, reconnect, resubscribe and carry
// cluster traffic again by themselves; a bounded reconnect budget ends in one error event and no
// more attempts. Foreign and malformed payloads on our channels are dropped and counted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { connect as natsConnect } from '@nats-io/transport-node';
import { brokerMissing, startBroker, type Broker, type BrokerKind } from './brokers.js';
import { behindMarker, exchangeFor, nextEvent, node, rawJoined, rest, serverMarker, sleep, until, warm, type Node } from './harness.js';
import { RedisStackExchange } from '../../server/stackexchange/redis.js';
import { NatsStackExchange } from '../../server/stackexchange/nats.js';
import type { RawClient } from '../server/helpers.js';

for (const kind of ['redis', 'nats'] as BrokerKind[]) {
  describe(`faults over ${kind}`, { skip: brokerMissing(kind) }, () => {
    let broker: Broker;
    let A: Node;
    let B: Node;
    const prefix = 'F' + kind;
    const opened: RawClient[] = [];
    before(async () => {
      broker = await startBroker(kind);
      A = await node(exchangeFor(kind, broker, prefix));
      B = await node(exchangeFor(kind, broker, prefix));
    });
    after(async () => {
      for (const c of opened) c.close();
      await A?.stop();
      await B?.stop();
      await broker?.stop();
    });
    const join = async (n: Node, query = '') => {
      const c = await rawJoined(n.url, query);
      opened.push(c);
      return c;
    };

    test('a broker restart: local traffic goes on, the outage is reported, cluster traffic resumes by itself', async () => {
      const a1 = await join(A);
      const a2 = await join(A);
      const b1 = await join(B, '?id=fault-' + kind);
      await warm(A.server, b1);
      await warm(B.server, a1);
      for (const c of [a1, a2, b1]) c.frames.length = 0;
      const eventsBefore = { a: A.events.length, b: B.events.length };

      await broker.stop();
      await until(() => A.server.stackExchangeStats!.up === false && B.server.stackExchangeStats!.up === false, 5000, 'both servers to see the broker down');
      assert.ok(A.events.slice(eventsBefore.a).some((e) => e.type === 'down'), JSON.stringify(A.events));
      assert.ok(B.events.slice(eventsBefore.b).some((e) => e.type === 'down'));
      assert.ok(A.logs.some((l) => new RegExp(`stack exchange ${kind} down`).test(l)), A.logs.join('\n'));

      // Local traffic is served; the cluster copy is dropped and counted (at most once: never queued).
      const dropped = A.server.stackExchangeStats!.publishDropped;
      a1.send(';default;;chat;0;0;during the outage');
      assert.equal(await nextEvent(a2, 'chat'), ';default;;chat;0;0;during the outage');
      assert.ok(A.server.stackExchangeStats!.publishDropped > dropped);
      // New connections are accepted while the broker is away.
      const a3 = await join(A);
      a1.send(';default;;chat;0;0;still local');
      assert.equal(await nextEvent(a3, 'chat'), ';default;;chat;0;0;still local');

      await sleep(300); // the scenario: the broker stays away a while
      await broker.start();
      await until(() => A.server.stackExchangeStats!.up && B.server.stackExchangeStats!.up, 15_000, 'both servers to reconnect');
      assert.ok(A.events.slice(eventsBefore.a).some((e) => e.type === 'up'));
      assert.ok(A.logs.some((l) => new RegExp(`stack exchange ${kind} connected`).test(l)));

      // Resubscribed by themselves: namespace and connection-id topics.
      await warm(A.server, b1);
      await warm(B.server, a1);
      for (const c of [a1, a2, a3]) c.frames.length = 0;
      a1.send(';default;;chat;0;0;after the restart');
      for (const c of [b1, a2, a3]) assert.equal(await nextEvent(c, 'chat'), ';default;;chat;0;0;after the restart');
      A.server.broadcast(null, { namespace: 'default', event: 'direct', body: 'to b1', to: b1.id });
      assert.equal(await nextEvent(b1, 'direct'), ';default;;direct;0;0;to b1');
      b1.send(';default;;chat;0;0;from b');
      for (const c of [a1, a2, a3]) assert.equal(await nextEvent(c, 'chat'), ';default;;chat;0;0;from b');
      // Markers behind the traffic of each publishing server: what came before them is all there is.
      await behindMarker(serverMarker(A.server), [a1, a2, a3, b1]);
      await behindMarker(serverMarker(B.server), [a1, a2, a3, b1]);
      assert.deepEqual(await rest(b1), [], 'nothing queued during the outage came late, no duplicates');
      for (const c of [a1, a2, a3]) assert.deepEqual(await rest(c), []);
      // During the outage nothing was published to the broker: the message is gone, not replayed.
      assert.ok(!b1.frames.some((f) => /during the outage/.test(f.data)));
    });

    test('a bounded reconnect budget gives up once, reported, and never retries after it', async () => {
      const own = await startBroker(kind);
      const exchange = kind === 'redis'
        ? new RedisStackExchange({ url: own.url }, prefix + 'g', { maxReconnectAttempts: 2 })
        : new NatsStackExchange({ servers: own.url }, { subjectPrefix: prefix + 'g', maxReconnectAttempts: 2 });
      const C = await node(exchange);
      try {
        const c1 = await join(C);
        const c2 = await join(C);
        await own.stop();
        await until(() => C.events.some((e) => e.type === 'error' && /exhausted/.test(e.error.message)), 10_000, 'the give-up event');
        assert.equal(C.events.filter((e) => e.type === 'error' && /exhausted/.test(e.error.message)).length, 1);
        assert.equal(C.server.stackExchangeStats!.up, false);
        await own.start();
        // An absence over time with nothing to wait on: the exchange that gave up makes no attempt to observe,
        // so the broker is left up for a while (the reconnect backoff would have retried well within it).
        await sleep(1000);
        assert.equal(C.server.stackExchangeStats!.up, false, 'no reconnect after giving up');
        // The server still serves its own connections.
        c1.send(';default;;chat;0;0;alone');
        assert.equal(await nextEvent(c2, 'chat'), ';default;;chat;0;0;alone');
      } finally {
        await C.stop();
        await own.stop();
      }
    });

    test('foreign and malformed payloads on our channels are dropped and counted; the servers keep going', async () => {
      const a = await join(A);
      const b = await join(B);
      await warm(A.server, b);
      const before = B.server.stackExchangeStats!.invalid;
      const bad = ['not a neffos message', '', 'a;b;c', Buffer.from([0xff, 0xfe, 0x00, 0x3b]), ';default;;x;0;0'];
      if (kind === 'redis') {
        const probe = new Redis(broker.url);
        try {
          for (const p of bad) await probe.publish(prefix + '.default.', p);
          await probe.publish(prefix + '.' + b.id + '.', 'garbage for one id');
        } finally {
          probe.disconnect();
        }
      } else {
        const nc = await natsConnect({ servers: broker.url });
        try {
          for (const p of bad) nc.publish(prefix + '.default', typeof p === 'string' ? p : new Uint8Array(p));
          nc.publish(prefix + '.' + b.id, 'garbage for one id');
          await nc.flush();
        } finally {
          await nc.close();
        }
      }
      await until(() => B.server.stackExchangeStats!.invalid >= before + bad.length + 1, 3000, 'invalid payloads counted');
      b.frames.length = 0;
      a.send(';default;;chat;0;0;still fine');
      assert.equal(await nextEvent(b, 'chat'), ';default;;chat;0;0;still fine');
    });
  });
}
