// Random concurrent lifecycles, both sides at once, over a real socket to our server: fast-check picks a sequence of
// namespace connects/disconnects, room joins/leaves and asks, from the client and from the server (server-initiated
// requests), each either awaited or left in flight while the next starts. Whatever the interleaving:
//   * nothing escapes (no unhandled rejection, no uncaught exception) and a failed operation rejects with a
//     NeffosError (a refusal, BadNamespace/BadRoom/NotConnected), never with anything else (an illegal state move
//     inside the package would throw a plain Error);
//   * once everything settled, client and server agree on which namespaces are connected and which rooms joined;
//   * every state event continues from the state the previous one ended in, and nothing stays pending.
// Every request has a 2 s deadline, so a lost answer fails the run (TimeoutError is not an accepted outcome).
// 150 runs in the suite (about a second); MODEL_RUNS=30000 MODEL_MS=240000 for a long search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BadNamespaceError, dial, NeffosError, TimeoutError, type Conn } from '../../client/index.js';
import { reply, type Conn as ServerConn } from '../../server/index.js';
import { noEscapes } from '../fixtures/no-escapes.js';
import { loopback, waitFor } from '../server/helpers.js';

const NAMESPACES = ['a', 'b'] as const;
const ROOMS = ['r1', 'r2', 'no'] as const; // `no` is refused by both sides' _OnRoomJoin; `r2`'s handlers are async
/** Every request's deadline, both sides: on loopback an answer takes a millisecond, so a timeout means one got lost. */
const ASK = { timeout: 2000 };

type Op =
  | { side: 'server'; kind: 'drop' | 'kick'; wait: boolean }
  | { side: 'client'; kind: 'close'; wait: boolean }
  | { side: 'client'; kind: 'emit'; ns: string; wait: boolean }
  | { side: 'client' | 'server'; kind: 'connect' | 'disconnect' | 'ask' | 'leaveAll'; ns: string; wait: boolean }
  | { side: 'client' | 'server'; kind: 'join' | 'leave'; ns: string; room: string; wait: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    side: fc.constantFrom('client' as const, 'server' as const),
    kind: fc.constantFrom('connect' as const, 'disconnect' as const, 'ask' as const, 'leaveAll' as const),
    ns: fc.constantFrom(...NAMESPACES),
    wait: fc.boolean(),
  }),
  fc.record({
    side: fc.constantFrom('client' as const, 'server' as const),
    kind: fc.constantFrom('join' as const, 'leave' as const),
    ns: fc.constantFrom(...NAMESPACES),
    room: fc.constantFrom(...ROOMS),
    wait: fc.boolean(),
  }),
);

/**
 * A link drop: the server destroys the connection's TCP socket (no close frame), or closes it with a close frame
 * (`kick`, code 4001); either way the client reconnects.
 */
const drop: fc.Arbitrary<Op> = fc.record({ side: fc.constant('server' as const), kind: fc.constantFrom('drop' as const, 'kick' as const), wait: fc.boolean() });

/** A fire-and-forget emit (its body numbered by `run`): it must be sent or throw, never return false. */
const emit: fc.Arbitrary<Op> = fc.record({ side: fc.constant('client' as const), kind: fc.constant('emit' as const), ns: fc.constantFrom(...NAMESPACES), wait: fc.boolean() });

/** The end of the connection, from either side (reconnection off): the client's `close()` or the server's close. */
const end: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ side: fc.constant('client' as const), kind: fc.constant('close' as const), wait: fc.boolean() }),
  fc.record({ side: fc.constant('server' as const), kind: fc.constant('kick' as const), wait: fc.boolean() }),
);

let emitted = 0;

/**
 * Runs `op` on the client or on the server's side of the same connection (the one the server holds for the client's
 * current id: none while it reconnects); resolves with what went wrong, if anything.
 */
async function run(o: Op, conn: Conn, sconn: ServerConn | undefined): Promise<unknown> {
  try {
    if (o.kind === 'drop') {
      sconn?.request.socket.destroy();
    } else if (o.kind === 'kick') {
      sconn?.close(4001, 'kicked');
    } else if (o.kind === 'close') {
      conn.close();
    } else if (o.kind === 'emit') {
      const ns = conn.namespace(o.ns);
      if (ns && !ns.emit('note', String(++emitted))) return new Error(`emit returned false (state ${conn.state})`);
    } else if (o.side === 'client') {
      switch (o.kind) {
        case 'connect': await conn.connect(o.ns); break;
        case 'disconnect': await conn.namespace(o.ns)?.disconnect(); break;
        case 'ask': await conn.namespace(o.ns)?.ask('echo', 'x'); break;
        case 'leaveAll': await conn.namespace(o.ns)?.leaveAll(); break;
        case 'join': await conn.namespace(o.ns)?.joinRoom(o.room); break;
        case 'leave': await conn.namespace(o.ns)?.room(o.room)?.leave(); break;
      }
    } else if (sconn) {
      switch (o.kind) {
        case 'connect': await sconn.connect(o.ns, ASK); break;
        case 'disconnect': await sconn.namespace(o.ns)?.disconnect(ASK); break;
        case 'ask': await sconn.namespace(o.ns)?.ask('echo', 'x', ASK); break;
        case 'leaveAll': await sconn.namespace(o.ns)?.leaveAll(ASK); break;
        case 'join': await sconn.namespace(o.ns)?.joinRoom(o.room, ASK); break;
        case 'leave': await sconn.namespace(o.ns)?.room(o.room)?.leave(ASK); break;
      }
    }
    return undefined;
  } catch (e) {
    return e;
  }
}

/** Room `no` is refused; `r2`'s join and leave handlers settle a turn later (async handlers on both sides). */
function roomHandler(_n: unknown, m: { room: string; event: string }): void | Promise<void> {
  if (m.room === 'no' && m.event === '_OnRoomJoin') throw new Error('no entry');
  if (m.room === 'r2') return new Promise((resolve) => setImmediate(resolve));
}

/** The client's _OnNamespaceConnect for `b` settles a turn later. */
function nsHandler(_n: unknown, m: { namespace: string }): void | Promise<void> {
  if (m.namespace === 'b') return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The property, over one server: `drops` adds link drops to the operations, with reconnection on (the client
 * restores its namespaces and rooms on a new server connection; both sides must agree again once it is back).
 */
async function model(t: import('node:test').TestContext, mode: 'plain' | 'drops' | 'ends'): Promise<void> {
  const drops = mode === 'drops';
  const events = Object.fromEntries(NAMESPACES.map((ns) => [ns, {
    echo: (_n: unknown, m: { body: unknown }) => reply(m.body as string),
    note: (_n: unknown, m: { body: unknown }) => void notes.push(String(m.body)),
    _OnRoomJoin: roomHandler,
    _OnRoomLeave: roomHandler,
  }]));
  const notes: string[] = [];
  const lb = await loopback(events);
  t.after(() => lb.stop());
  const { server, url } = lb;

  // Client handlers accept everything the server initiates except room `no` (refused on this side too).
  const clientEvents = Object.fromEntries([...NAMESPACES, 'zz'].map((ns) => [ns, {
    echo: (_n: unknown, m: { body: unknown }) => reply(m.body as string),
    _OnRoomJoin: roomHandler,
    _OnRoomLeave: roomHandler,
    _OnNamespaceConnect: nsHandler,
  }]));
  const reconnect = drops ? { minDelay: 1, maxDelay: 5, minUptime: 0 } : false as const;
  // With drops, emits while the link is down are kept (bufferWhileDisconnected) and flushed after the restore.

  await noEscapes(() => fc.assert(
    fc.asyncProperty(fc.array(mode === 'plain' ? op : fc.oneof({ weight: 1, arbitrary: drops ? drop : end }, { weight: 6, arbitrary: op }, { weight: drops ? 3 : 0, arbitrary: emit }), { minLength: 1, maxLength: 14 }), async (ops) => {
      const conn = await dial(url, clientEvents, { reconnect, requestTimeout: ASK.timeout, bufferWhileDisconnected: drops ? 100 : 0 });
      notes.length = 0;
      const errors: unknown[] = [];
      conn.on('error', (e) => errors.push(e));
      // every state event continues from the previous `to` of the same object
      const last = new Map<unknown, string>();
      const broken: string[] = [];
      const follow = (key: unknown, what: string, from: string, to: string) => {
        const before = last.get(key);
        if (before !== undefined && before !== from) broken.push(`${what}: ${before}, then ${from} → ${to}`);
        last.set(key, to);
      };
      conn.on('namespaceState', ({ nsConn, from, to }) => follow(nsConn, `ns ${nsConn.namespace}`, from, to));
      conn.on('roomState', ({ room, from, to }) => follow(room, `room ${room.name}`, from, to));
      try {
        assert.ok(server.connection(conn.id), 'the server has the connection');
        const flights: Promise<unknown>[] = [];
        for (const o of ops) {
          const p = run(o, conn, server.connection(conn.id));
          flights.push(p);
          if (o.wait) await p;
        }
        const failures = (await Promise.all(flights)).filter((e) => e !== undefined);
        for (const e of failures) assert.ok((e instanceof NeffosError && !(e instanceof TimeoutError)) || (e instanceof Error && e.message === 'no entry'), `unexpected failure: ${(e as Error)?.stack ?? e}`);
        if (mode === 'ends' && ops.some((o) => o.kind === 'close' || o.kind === 'kick')) {
          // The connection ended: everything on both sides is gone, nothing pending, the room index empty.
          const id = conn.id;
          if (conn.state !== 'closed') await new Promise((r) => conn.once('closed', r));
          await waitFor(() => server.connection(id) === undefined, 'the server connection gone');
          for (const ns of NAMESPACES) assert.equal(conn.namespace(ns), undefined);
          for (const ns of NAMESPACES) for (const r of ROOMS) assert.equal(server.roomSize(ns, r), 0, `roomSize(${ns}, ${r}) after ${JSON.stringify(ops)}`);
          assert.deepEqual(broken, []);
          assert.equal(conn.pendingCount, 0);
          assert.deepEqual(errors, []);
          return;
        }
        // Barrier: a connect the server refuses (namespace zz is not declared there) is answered after everything
        // before it; after a drop, once the client is back (reconnected: its restore is over). Until the client has
        // read the drop its state is still `open`, while requests fail with NotConnectedError.
        for (let tries = 0; ; tries++) {
          const e = await conn.connect('zz').then(() => undefined, (err: unknown) => err);
          if (e instanceof BadNamespaceError) break;
          assert.ok(tries < 20 && drops && e instanceof NeffosError, `barrier: ${(e as Error)?.stack ?? e}`);
          await new Promise((r) => conn.once('reconnected', r));
        }
        const sconn = server.connection(conn.id)!;
        assert.ok(sconn, 'the server has the connection after the last drop');
        for (const ns of NAMESPACES) {
          const c = conn.namespace(ns);
          const s = sconn.namespace(ns);
          assert.equal(!!c, !!s, `namespace ${ns}: client ${c?.state ?? 'none'}, server ${s ? 'connected' : 'none'} after ${JSON.stringify(ops)}`);
          if (c && s) {
            assert.deepEqual(c.rooms().map((r) => r.name).sort(), s.rooms().map((r) => r.name).sort(), `rooms of ${ns} after ${JSON.stringify(ops)}`);
          }
        }
        // the server's room index (broadcast targets) holds exactly the rooms the client is in
        for (const ns of NAMESPACES) for (const r of ROOMS) {
          assert.equal(server.roomSize(ns, r), conn.namespace(ns)?.room(r) ? 1 : 0, `roomSize(${ns}, ${r}) after ${JSON.stringify(ops)}`);
        }
        assert.deepEqual(broken, []);
        assert.equal(conn.pendingCount, 0);
        assert.deepEqual(errors, []);
        // at most once, in order
        assert.deepEqual(notes, [...new Set(notes)].sort((x, y) => Number(x) - Number(y)), 'each emit arrives at most once, in order');
      } finally {
        conn.close();
      }
    }),
    { numRuns: Number(process.env.MODEL_RUNS ?? 150), interruptAfterTimeLimit: Number(process.env.MODEL_MS ?? 20_000), verbose: 1 },
  ));
}

test('model: random concurrent connects, joins, leaves and asks from both sides leave client and server agreeing', (t) => model(t, 'plain'));

test('model: the same with link drops: the restored client and the new server connection agree', (t) => model(t, 'drops'));

test('model: the same ended by either side (close, kick): nothing is left on either side', (t) => model(t, 'ends'));
