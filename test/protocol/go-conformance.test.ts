// Conformance against the real Go neffos codec: e2e/go/cmd/codec generates
// random messages and frames with a seeded RNG, runs them through
// github.com/kataras/neffos v0.0.24 (Message.Serialize, DeserializeMessage),
// and our codec must produce the same bytes and the same fields: zero mismatches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as nodeCodec from '../../protocol/codec.js';
import * as browserCodec from '../../protocol/codec.browser.js';
import {
  expectFor, expectMessage, frameFromVector, messageFromVector, readsMarker, writesMarker,
  type VectorExpect, type VectorFrame, type VectorMessage,
} from './vector-helpers.js';

const goDir = fileURLToPath(new URL('../../e2e/go/', import.meta.url));
const COUNT = 1500;

interface Generated {
  serialize: { id: string; message: VectorMessage; frame: VectorFrame }[];
  deserialize: { id: string; frame: VectorFrame; options: { allowNative: boolean; onlyNative: boolean }; expect: VectorExpect }[];
}

function generate(seed: number): Generated | { skipped: string } {
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    return { skipped: 'Go is not installed (no `go` on PATH): the Go neffos codec comparison cannot run on this machine' };
  }
  const r = spawnSync('go', ['run', './cmd/codec', '-n', String(COUNT), '-seed', String(seed)], {
    cwd: goDir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 300_000,
  });
  assert.equal(r.status, 0, `go run ./cmd/codec failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Generated;
}

const generated = new Map<number, ReturnType<typeof generate>>();
for (const seed of [1, 20261123]) for (const [variant, { encode, decode }] of [['node', nodeCodec], ['browser', browserCodec]] as const) {
  test(`Go neffos codec comparison (seed ${seed}, ${variant} codec): zero mismatches`, async (t) => {
    if (!generated.has(seed)) generated.set(seed, generate(seed));
    const g = generated.get(seed)!;
    if ('skipped' in g) return t.skip(g.skipped);
    assert.ok(g.serialize.length >= 1000 && g.deserialize.length >= 1000, 'at least 1,000 cases each');
    const mismatches: string[] = [];
    // The browser client's codec leaves out server-to-server markers (see vector-helpers.ts): it never
    // writes them, and reads them as plain waits (expectFor).
    const browser = variant === 'browser';
    const markers = g.serialize.filter((c) => writesMarker(c.message)).length + g.deserialize.filter((c) => readsMarker(c.expect)).length;
    for (const c of g.serialize) {
      if (browser && writesMarker(c.message)) continue;
      const out = encode(messageFromVector(c.message).init);
      const type = typeof out === 'string' ? 'text' : 'binary';
      const hex = Buffer.from(out).toString('hex');
      if (type !== c.frame.type || hex !== c.frame.hex) mismatches.push(`${c.id}: ${type} ${hex} != ${c.frame.type} ${c.frame.hex}`);
    }
    for (const c of g.deserialize) {
      try {
        expectMessage(decode(frameFromVector(c.frame), c.options), expectFor(variant, c.frame, c.expect), c.frame.type === 'binary');
      } catch (err) {
        mismatches.push(`${c.id} (${c.frame.hex}): ${(err as Error).message.split('\n')[0]}`);
      }
    }
    t.diagnostic(`${g.serialize.length} serialize + ${g.deserialize.length} deserialize cases compared` + (browser ? ` (${markers} with server-to-server markers: encodes skipped, decodes read as plain waits)` : ''));
    assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} mismatches`);
  });
}
