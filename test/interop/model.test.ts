// Random interleavings of our client's requests against the real Go neffos server (e2e/go/cmd/server) and against our
// scenario server that replicates it: fast-check picks connects, disconnects, joins, leaves and asks on namespaces
// `default` and `forced`, each awaited or left in flight while the next starts. Whatever the interleaving, nothing
// escapes, every failure is a NeffosError other than a timeout (room `forbidden` is refused by the server), nothing
// stays pending, and afterwards the server's view of the connection (namespace `probe`, event `state`: e2e/go/README.md)
// is the client's own. The server-side half of the model, against our server, is test/client/model.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BadNamespaceError, dial, NeffosError, TimeoutError, type Conn } from '../../client/index.js';
import { buildGoBinaries, startGoServer } from './go-harness.js';
import { startScenarioServer } from '../fixtures/scenario-server.js';

const NAMESPACES = ['default', 'forced'] as const;
const ROOMS = ['r1', 'r2', 'forbidden'] as const;

type Op =
  | { kind: 'connect' | 'disconnect' | 'ask' | 'leaveAll'; ns: string; wait: boolean }
  | { kind: 'join' | 'leave'; ns: string; room: string; wait: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('connect' as const, 'disconnect' as const, 'ask' as const, 'leaveAll' as const),
    ns: fc.constantFrom(...NAMESPACES),
    wait: fc.boolean(),
  }),
  fc.record({
    kind: fc.constantFrom('join' as const, 'leave' as const),
    ns: fc.constantFrom(...NAMESPACES),
    room: fc.constantFrom(...ROOMS),
    wait: fc.boolean(),
  }),
);

async function run(o: Op, conn: Conn): Promise<unknown> {
  try {
    const ns = conn.namespace(o.ns);
    switch (o.kind) {
      case 'connect': await conn.connect(o.ns); break;
      case 'disconnect': await ns?.disconnect(); break;
      case 'ask': await ns?.ask('ping', 'x'); break; // both namespaces answer `ping`
      case 'leaveAll': await ns?.leaveAll(); break;
      case 'join': await ns?.joinRoom(o.room); break;
      case 'leave': await ns?.room(o.room)?.leave(); break;
    }
    return undefined;
  } catch (e) {
    return e;
  }
}

async function model(url: string, runs: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
      const conn = await dial(url, { default: {}, forced: {}, probe: {}, nope: {} }, { reconnect: false, requestTimeout: 3000 });
      const errors: unknown[] = [];
      conn.on('error', (e) => errors.push(e));
      try {
        const flights: Promise<unknown>[] = [];
        for (const o of ops) {
          const p = run(o, conn);
          flights.push(p);
          if (o.wait) await p;
        }
        for (const e of (await Promise.all(flights)).filter((x) => x !== undefined)) {
          assert.ok(e instanceof NeffosError && !(e instanceof TimeoutError), `unexpected failure: ${(e as Error)?.stack ?? e}`);
        }
        // `nope` is declared here only: the server refuses it, after everything written before.
        await assert.rejects(conn.connect('nope'), BadNamespaceError);
        const probe = await conn.connect('probe');
        const seen = JSON.parse(String((await probe.ask('state')).body)) as Record<string, string[] | null>;
        const mine = Object.fromEntries(NAMESPACES.map((n) => [n, conn.namespace(n)?.rooms().map((r) => r.name).sort() ?? null]));
        assert.deepEqual(seen, mine, `server and client views after ${JSON.stringify(ops)}`);
        assert.equal(conn.pendingCount, 0);
        assert.deepEqual(errors, []);
      } finally {
        conn.close();
      }
    }),
    { numRuns: runs, interruptAfterTimeLimit: Number(process.env.MODEL_MS ?? 15_000), verbose: 1 },
  );
}

const RUNS = Number(process.env.MODEL_RUNS ?? 100);

test('model: random interleaved requests of our client; the real Go server sees what the client sees', async (t) => {
  const built = await buildGoBinaries();
  if ('skipped' in built) return t.skip(built.skipped);
  const go = await startGoServer();
  t.after(() => go.stop());
  await model(go.url, RUNS);
});

test('model: the same against our scenario server', async (t) => {
  const s = await startScenarioServer();
  t.after(() => s.stop());
  await model(s.url, RUNS);
});
