// Issue 13 item 7: liveness is on by default. A connection that sends nothing, not even a pong, for pongTimeout is
// dropped: a black-holed link (no FIN: the peer stops reading) is detected within pongTimeout plus one sweep tick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../server/index.js';
import { sweepTick } from '../../server/liveness.js';
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
