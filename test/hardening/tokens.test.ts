// Issue 13 item 5: server wait tokens are unpredictable (CSPRNG), per server, and stay wire-compatible with Go peers
// (decimal digits, never `$`/`#` first, never `!` second).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isClientToken } from '../../protocol/index.js';
import { createServerTokens } from '../../server/tokens.js';
import { connectNs, loopback } from '../server/helpers.js';

test('tokens: 19 decimal digits, no leading 0, unique over 100,000, no arithmetic pattern between neighbours', () => {
  const next = createServerTokens();
  const seen = new Set<string>();
  const deltas = new Set<bigint>();
  let prev = 0n;
  for (let i = 0; i < 100_000; i++) {
    const t = next();
    assert.match(t, /^[1-9]\d{18}$/);
    assert.equal(isClientToken(t), false);
    seen.add(t);
    const v = BigInt(t);
    if (i > 0 && i < 1000) deltas.add(v - prev);
    prev = v;
  }
  assert.equal(seen.size, 100_000);
  assert.ok(deltas.size > 990, 'neighbouring tokens are not a counter');
  const other = createServerTokens();
  assert.ok(!seen.has(other()), 'another server starts elsewhere');
});

test('tokens on the wire: each ask gets a fresh unpredictable token that the client echoes', async (t) => {
  const lb = await loopback({ default: {} });
  t.after(() => lb.stop());
  const c = await lb.client();
  await connectNs(c, 'default');
  const ns = lb.server.connection(c.id)!.namespace('default')!;
  const waits: string[] = [];
  for (let i = 0; i < 3; i++) {
    const p = ns.ask('q', String(i), { timeout: 2000 });
    const wait = (await c.next()).split(';')[0]!;
    waits.push(wait);
    c.send(`${wait};default;;q;0;0;a${i}`);
    assert.equal((await p).body, 'a' + i);
  }
  assert.equal(new Set(waits).size, 3);
  assert.ok(waits.every((w) => /^[1-9]\d{18}$/.test(w)));
  assert.notEqual(BigInt(waits[1]!) - BigInt(waits[0]!), 1n);
});
