// Issue 13 item 7: liveness is on by default. A connection that sends nothing, not even a pong, for pongTimeout is
// dropped: a black-holed link (no FIN: the peer stops reading) is detected within pongTimeout plus one sweep tick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../server/index.js';
import fc from 'fast-check';
import { pingDue, sweepTick } from '../../server/liveness.js';
import { resolveTimers } from '../../server/options.js';
import { loopback } from '../server/helpers.js';

test('liveness defaults: pings every 27 s (9/10 of pongTimeout, as Iris), a silent link dropped after 30 s (bound: 31 s with the 1 s sweep tick)', () => {
  assert.equal(DEFAULTS.pongTimeout, 30_000);
  const t = resolveTimers({});
  assert.deepEqual([t.pingPeriod, t.pongTimeout], [27_000, 30_000]);
  assert.equal(sweepTick(t), 1000);
  assert.equal(resolveTimers({ pongTimeout: 10_000 }).pingPeriod, 9_000);
  assert.equal(resolveTimers({ pongTimeout: 10_000, pingPeriod: 2_000 }).pingPeriod, 2_000);
  assert.equal(resolveTimers({ pongTimeout: 0 }).pingPeriod, 0, 'pongTimeout 0 turns pings off');
});

test('ping rounds: with jittered sweep ticks, every round is within half a tick of pingPeriod, and never a tick late', () => {
  // Sweep ticks land a tick apart, a little early (clock rounding) or late (a busy loop). A round that waited for a
  // full pingPeriod would skip a tick that lands 1 ms short and go out a whole tick late.
  fc.assert(
    fc.property(
      fc.integer({ min: 40, max: 30_000 }),
      fc.array(fc.integer({ min: -2, max: 1000 }), { minLength: 200, maxLength: 200 }),
      (pingPeriod, jitters) => {
        const tick = sweepTick({ pingPeriod, pongTimeout: pingPeriod + 1, readTimeout: 0, writeTimeout: 0 });
        const rounds: number[] = [];
        let last = Number.NEGATIVE_INFINITY;
        const late = Math.floor(tick / 4); // each tick between 2 ms early and a quarter tick late
        for (let k = 1; k <= 4 * Math.ceil(pingPeriod / tick) + 8; k++) {
          const j = jitters[k % jitters.length]!;
          const now = k * tick + (j < 0 ? j : j % (late + 1));
          if (pingDue(now, last, pingPeriod, tick)) rounds.push((last = now));
        }
        assert.ok(rounds.length >= 4, 'several rounds');
        for (let i = 1; i < rounds.length; i++) {
          const gap = rounds[i]! - rounds[i - 1]!;
          assert.ok(gap >= pingPeriod - tick / 2, `round ${i} ${gap} ms after the last: too early (period ${pingPeriod}, tick ${tick})`);
          assert.ok(gap < pingPeriod + tick, `round ${i} ${gap} ms after the last: a tick late (period ${pingPeriod}, tick ${tick})`);
        }
      },
    ),
    { numRuns: 300 },
  );
  assert.equal(pingDue(1, Number.NEGATIVE_INFINITY, 27_000, 1000), true, 'the first sweep pings');
  assert.equal(pingDue(10_000, 0, 0, 1000), false, 'pingPeriod 0: never');
});

test('a black-holed peer (stopped reading: no pongs, no FIN) is dropped within pongTimeout + one tick; a live one stays', async (t) => {
  const pongTimeout = 400;
  const lb = await loopback({ default: {} }, { pongTimeout });
  t.after(() => lb.stop());
  const live = await lb.client();
  const dead = await lb.client();
  const conn = lb.server.connection(dead.id)!;
  const started = Date.now();
  dead.pause();
  const gone = new Promise<void>((r) => lb.server.on('connState', (c, e) => { if (c === conn && e.to === 'closed') r(); }));
  await gone;
  const took = Date.now() - started;
  const bound = pongTimeout + sweepTick(resolveTimers({ pongTimeout })) + 100;
  t.diagnostic(`dead link detected after ${took} ms (bound ${bound} ms)`);
  assert.ok(took <= bound, `detected in ${took} ms`);
  assert.equal(lb.server.connection(live.id)?.state, 'open', 'the live peer answered the pings');
});
