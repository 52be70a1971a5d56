import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as nodeCodec from '../../protocol/codec.js';
import * as browserCodec from '../../protocol/codec.browser.js';
import type { Message } from '../../protocol/index.js';
import {
  expectFor, frameFromVector, expectMessage, messageFromVector, writesMarker,
  type VectorMessage, type VectorFrame, type VectorExpect,
} from './vector-helpers.js';

const dir = fileURLToPath(new URL('../vectors/', import.meta.url));
const load = (name: string) => JSON.parse(readFileSync(dir + name, 'utf8'));

interface SerializeCase { id: string; desc: string; message: VectorMessage; frame: VectorFrame }
interface DeserializeCase { id: string; desc: string; frame: VectorFrame; options: { allowNative: boolean; onlyNative: boolean }; expect: VectorExpect }

const serialize: SerializeCase[] = load('serialize.json').cases;
const deserialize: DeserializeCase[] = load('deserialize.json').cases;

for (const [variant, { encode, decode }] of [['node', nodeCodec], ['browser', browserCodec]] as const) {
test(`serialize vectors (${variant} codec): every case encodes byte for byte`, async (t) => {
  assert.ok(serialize.length >= 26);
  assert.equal(serialize.filter((c) => writesMarker(c.message)).length, 1, 'one case with a cluster marker');
  for (const c of serialize) {
    // The browser client never writes a server-to-server marker (see vector-helpers.ts).
    if (variant === 'browser' && writesMarker(c.message)) continue;
    await t.test(`${c.id} ${c.desc}`, () => {
      const { init } = messageFromVector(c.message);
      const out = encode(init);
      assert.equal(typeof out === 'string' ? 'text' : 'binary', c.frame.type);
      assert.equal(Buffer.from(out).toString('hex'), c.frame.hex);
    });
  }
});

test(`deserialize vectors (${variant} codec): every case decodes as Go does`, async (t) => {
  assert.ok(deserialize.length >= 19);
  for (const c of deserialize) {
    await t.test(`${c.id} ${c.desc}`, () => {
      const m: Message = decode(frameFromVector(c.frame), c.options);
      expectMessage(m, expectFor(variant, c.frame, c.expect), c.frame.type === 'binary');
    });
  }
});
}
