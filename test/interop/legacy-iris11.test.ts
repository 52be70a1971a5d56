// neffos-ts/legacy against the real legacy Iris websocket: the `websocket` package of
// github.com/kataras/iris v11.1.1+incompatible (e2e/go-iris11). The same frames go to the Go server and
// to our LegacyServer running the same scenario (test/fixtures/legacy-scenario.ts); what each writes back
// is compared byte for byte, and every difference is listed here and in docs/legacy.md. Then our
// LegacyClient runs against the Go server.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { runIris11Client, startIris11Peer, noGo, type Iris11Peer } from './iris11-harness.js';
import { startLegacyScenario, type ScenarioServer } from '../fixtures/legacy-scenario.js';
import { P, rawPeer, type RawPeer } from './legacy-raw.js';
import { Broadcast, dialLegacy, LegacyError, type LegacyClient } from '../../legacy/index.js';
import { waitFor } from '../server/helpers.js';

let go: Iris11Peer;
let ours: ScenarioServer;
const open: Array<RawPeer | LegacyClient> = [];

before(async () => {
  if (noGo) return;
  [go, ours] = await Promise.all([startIris11Peer(), startLegacyScenario()]);
});
after(async () => {
  for (const p of open) void p.close();
  await Promise.all([go?.stop(), ours?.close()]);
});

// Every test starts with no connection left on either server: a closing peer's "gone" broadcast must not
// reach the next test's peers.
afterEach(async () => {
  if (noGo) return;
  const raws = open.filter((p): p is RawPeer => 'sync' in p);
  for (const p of raws) p.close();
  await Promise.all(raws.map((p) => p.closed().catch(() => 0)));
  open.length = 0;
  await waitFor(() => ours.legacy.totalConnections === 0, 'our legacy server to drop every connection', 3000);
  // Go's side shows nothing when its disconnect handlers (and their "gone" broadcasts) have run: a short pause
  // between tests, not a wait before an assertion.
  await new Promise((r) => setTimeout(r, 30));
});

const peer = async (url: string) => {
  const p = await rawPeer(url);
  open.push(p);
  return p;
};

/** Sends `frames` (prefix added unless `RAW:`) as A on both servers; returns what each wrote back. */
async function both(frames: Array<string | Buffer>): Promise<{ go: string[]; ours: string[] }> {
  const run = async (url: string) => {
    const p = await peer(`${url}?id=A`);
    await p.waitFrames(1); // the welcome
    for (const f of frames) {
      if (Buffer.isBuffer(f)) p.send(f, true);
      else p.send(f.startsWith('RAW:') ? f.slice(4) : P + f);
    }
    await p.sync();
    p.close();
    return p.texts();
  };
  const [g, o] = await Promise.all([run(go.url), run(ours.url)]);
  return { go: g, ours: o };
}

/** The frames that differ, as `go → ours`; equal frames are left out (lengths must match). */
function differences(r: { go: string[]; ours: string[] }): string[] {
  assert.equal(r.ours.length, r.go.length, `frame counts differ:\ngo:   ${JSON.stringify(r.go)}\nours: ${JSON.stringify(r.ours)}`);
  return r.go.flatMap((g, i) => (g === r.ours[i] ? [] : [`${g} → ${r.ours[i]}`]));
}

test('iris v11: what the server writes for every Go value kind, byte for byte (types event)', { skip: noGo }, async () => {
  const r = await both(['types;0;x']);
  assert.deepEqual(r.go, [
    `${P}welcome;0;A`,
    `${P}t.string;0;hello`,
    `${P}t.int;1;`, // Go's binary.Write of an `int` writes nothing
    `${P}t.true;2;true`,
    `${P}t.false;2;false`,
    `${P}t.bytes;3;a\0b`,
    `${P}t.map;4;{"a":[true,null,1.5],"b":1,"s":"x\\u003c\xc3\xa9\\u003e\\u0026"}`,
    `${P}t.float;4;1.5`,
    `${P}t.int64;4;7`,
    `${P}t.slice;4;[1,2]`,
    `${P}t.nil;4;null`,
    `${P}t.struct;4;{"name":"n","count":3}`,
    `${P}t.empty;0;`,
  ]);
  // On purpose: our ints carry their value; JavaScript has no int64 apart from number.
  assert.deepEqual(differences(r), [`${P}t.int;1; → ${P}t.int;1;42`, `${P}t.int64;4;7 → ${P}t.int64;1;7`]);
});

test('iris v11: how the server reads each payload type, with its quirks (echo handlers)', { skip: noGo }, async () => {
  const frames = [
    'string;0;hello', 'string;0;a;b;c', 'string;1;042', 'string;2;true', 'string;0Xskipped', 'string;00;x',
    'int;1;42', 'int;1;+5', 'int;1;-7', 'int;1;4.5', 'int;1; 5', 'int;1;0x10', 'int;1;1e3', 'int;1;9223372036854775808',
    'bool;2;true', 'bool;2;false', 'bool;2;TRUE', 'bool;2;yes',
    'bytes;3;raw\x01bytes',
    'any;0;s', 'any;1;42', 'any;2;true', 'any;4;"str"', 'any;4;true', 'any;4;[1,"x",null]', 'any;4;12345678901234567890',
    'any;4;not json', 'any;4;null', 'any;9;x', 'any;x;x',
    'noarg;0;', 'noarg;0;x', 'string;0;', 'string;', 'string;0', 'unknown;0;x',
    'RAW:native text', 'RAW:x iris-websocket-message:string;0;x', Buffer.from(P + 'string;0;from a binary frame'), Buffer.from('binary native'),
  ];
  const r = await both(frames);
  assert.deepEqual(r.go, [
    `${P}welcome;0;A`,
    `${P}string;0;hello`, `${P}string;0;a;b;c`, `${P}string;0;42`, `${P}string;0;skipped`, `${P}string;0;;x`,
    `${P}int;1;`, `${P}int.text;0;42`, `${P}int;1;`, `${P}int.text;0;5`, `${P}int;1;`, `${P}int.text;0;-7`,
    `${P}bool;2;true`, `${P}bool;2;false`, `${P}bool;2;false`, `${P}bool;2;false`,
    `${P}bytes;3;raw\x01bytes`,
    `${P}any;0;s`, `${P}any;1;`, `${P}any;2;true`, `${P}any;0;str`, `${P}any;2;true`, `${P}any;4;[1,"x",null]`, `${P}any;4;12345678901234567000`,
    `${P}noarg;0;called`,
    'native text', 'x iris-websocket-message:string;0;x', `${P}string;0;from a binary frame`, 'binary native',
  ]);
  assert.deepEqual(differences(r), [
    `${P}int;1; → ${P}int;1;42`,
    `${P}int;1; → ${P}int;1;5`,
    `${P}int;1; → ${P}int;1;-7`,
    `${P}any;1; → ${P}any;1;42`,
  ]);
});

test('iris v11: text frames that are not UTF-8 are read as bytes by both; a string payload becomes U+FFFD in ours', { skip: noGo }, async () => {
  const bad = (s: string) => Buffer.concat([Buffer.from(P + s), Buffer.of(0xff, 0xfe)]);
  const run = async (url: string) => {
    const p = await peer(`${url}?id=U8`);
    await p.waitFrames(1);
    p.send(Buffer.from([0x61, 0xff]), false); // native, text frame
    p.send(bad('bytes;3;'), false);
    p.send(bad('string;0;'), false);
    await p.sync();
    return p.texts().slice(1);
  };
  const g = await run(go.url);
  assert.deepEqual(g, ['aÿ', `${P}bytes;3;ÿþ`, `${P}string;0;ÿþ`]);
  assert.deepEqual(differences({ go: g, ours: await run(ours.url) }), [`${P}string;0;ÿþ → ${P}string;0;ï¿½ï¿½`]);
});

test('iris v11: malformed frames — Go drops the connection (panics), we keep it and report a typed error', { skip: noGo }, async () => {
  const errors: string[] = [];
  ours.legacy.onConnection((c) => c.onError((e) => errors.push(e.code)));
  for (const bad of ['nosep', '', 'int;0;42']) {
    const g = await peer(`${go.url}?id=bad`);
    const o = await peer(`${ours.url}?id=bad`);
    await Promise.all([g.waitFrames(1), o.waitFrames(1)]);
    g.send(P + bad);
    o.send(P + bad);
    assert.equal(await g.closed(), 1006, `Go drops the connection on ${JSON.stringify(P + bad)} (no close frame)`);
    await o.sync();
    assert.ok(o.isOpen, 'ours stays open');
    o.close();
  }
  assert.deepEqual(errors, ['ERR_LEGACY_NO_SEPARATOR', 'ERR_LEGACY_NO_SEPARATOR', 'ERR_LEGACY_TYPE_MISMATCH']);
});

test('iris v11: a frame over MaxMessageSize (1024 by default) closes with 1009 on both', { skip: noGo }, async () => {
  for (const url of [go.url, ours.url]) {
    const p = await peer(url);
    await p.waitFrames(1);
    p.send(P + 'string;0;' + 'x'.repeat(1024));
    assert.equal(await p.closed(), 1009, url);
  }
});

/** Three connections A, B, C on one server; `script` runs with them; returns what each received. */
async function routing(url: string, script: (s: Record<'A' | 'B' | 'C', RawPeer>) => Promise<void>): Promise<Record<string, string[]>> {
  const s = { A: await peer(`${url}?id=A`), B: await peer(`${url}?id=B`), C: await peer(`${url}?id=C`) };
  await Promise.all(Object.values(s).map((p) => p.waitFrames(1)));
  await script(s);
  for (const p of Object.values(s)) if (p.isOpen) await p.sync();
  const out = Object.fromEntries(Object.entries(s).map(([k, p]) => [k, p.texts().slice(1)]));
  for (const p of Object.values(s)) p.close();
  return out;
}

test('iris v11: routing — All, Broadcast, rooms (sender included), ids, leave, gone on disconnect; the same on both', { skip: noGo }, async () => {
  const script = async ({ A, B, C }: Record<'A' | 'B' | 'C', RawPeer>) => {
    // The sender's marker first (its frames are handled and routed), then every receiver's (what was routed to it is in).
    const settle = async (sender: RawPeer) => {
      if (sender.isOpen) await sender.sync();
      for (const p of [A, B, C]) if (p !== sender && p.isOpen) await p.sync();
    };
    const to = async (p: RawPeer, to: string, event: string, data: unknown) => {
      p.send(`${P}to;4;${JSON.stringify({ to, event, data })}`);
      await settle(p);
    };
    await to(A, '', 'chat', 'to-all');
    await to(A, Broadcast, 'chat', 'to-others');
    A.send(`${P}join;0;r1`);
    B.send(`${P}join;0;r1`);
    await A.sync();
    await B.sync();
    await to(C, 'r1', 'chat', 'in-r1');
    await to(A, 'r1', 'chat', 'from-member');
    await to(B, 'A', 'whisper', 'psst');
    B.send(`${P}tonative;4;${JSON.stringify({ to: 'C', data: 'native to C' })}`);
    await settle(B);
    A.send(`${P}leave;0;r1`);
    A.send(`${P}leave;0;r1`);
    await A.sync();
    await to(C, 'r1', 'chat', 'after-leave');
    C.send(`${P}bye;0;x`);
    await C.closed();
    await settle(C);
  };
  const [g, o] = await Promise.all([routing(go.url, script), routing(ours.url, script)]);
  assert.deepEqual(g, {
    A: [`${P}chat;0;to-all`, `${P}joined;0;r1`, `${P}chat;0;in-r1`, `${P}chat;0;from-member`, `${P}whisper;0;psst`, `${P}left;2;true`, `${P}left;2;false`, `${P}gone;0;C`],
    B: [`${P}chat;0;to-all`, `${P}chat;0;to-others`, `${P}joined;0;r1`, `${P}chat;0;in-r1`, `${P}chat;0;from-member`, `${P}chat;0;after-leave`, `${P}gone;0;C`],
    C: [`${P}chat;0;to-all`, `${P}chat;0;to-others`, 'native to C'],
  });
  assert.deepEqual(o, g);
});

test('iris v11: shared ids — Go reaches the newest connection twice and the first never; ours reaches each once', { skip: noGo }, async () => {
  const run = async (url: string) => {
    const first = await peer(`${url}?id=U`);
    await first.waitFrames(1);
    const second = await peer(`${url}?id=U`);
    const other = await peer(`${url}?id=O`);
    await Promise.all([second.waitFrames(1), other.waitFrames(1)]);
    other.send(`${P}to;4;${JSON.stringify({ to: 'U', event: 'dm', data: 'hi U' })}`);
    await other.sync();
    // (no marker on U: with Go, U's own echoes go to the second connection only, and the first is in no map a
    // broadcast walks; so only time shows that the first got nothing — the one deliberate pause here)
    await new Promise((r) => setTimeout(r, 100));
    const out = { first: first.texts(), second: second.texts() };
    return { out, first, second };
  };
  const welcome = `${P}welcome;0;U`;
  const dm = `${P}dm;0;hi U`;
  // Go: the second connection replaced the first in the id map while the id's room lists U twice, so
  // even the second's own welcome (c.Emit is To(c.ID())) arrives twice.
  const g = await run(go.url);
  assert.deepEqual(g.out, { first: [welcome], second: [welcome, welcome, dm, dm] });
  // ... and when the first closes, Disconnect(id) closes the second (no close frame) and never the first.
  g.first.close();
  assert.equal(await g.second.closed(), 1006);
  g.first.terminate();
  const o = await run(ours.url);
  assert.deepEqual(o.out, { first: [welcome, dm], second: [welcome, dm] });
  o.first.close();
  await o.first.closed();
  await o.second.sync();
  assert.ok(o.second.isOpen, 'ours: closing one connection of an id leaves the others open');
});

test('iris v11: joining a room twice — Go lists the connection twice and delivers twice, ours once', { skip: noGo }, async () => {
  const run = async (url: string) => {
    const a = await peer(`${url}?id=J`);
    await a.waitFrames(1);
    a.send(`${P}join;0;twice`);
    a.send(`${P}join;0;twice`);
    a.send(`${P}to;4;${JSON.stringify({ to: 'twice', event: 'chat', data: 'hi' })}`);
    a.send(`${P}leave;0;twice`);
    a.send(`${P}to;4;${JSON.stringify({ to: 'twice', event: 'chat', data: 'after one leave' })}`);
    await a.sync();
    return a.texts().slice(1);
  };
  const joined = [`${P}joined;0;twice`, `${P}joined;0;twice`];
  assert.deepEqual(await run(go.url), [...joined, `${P}chat;0;hi`, `${P}chat;0;hi`, `${P}left;2;true`, `${P}chat;0;after one leave`]);
  assert.deepEqual(await run(ours.url), [...joined, `${P}chat;0;hi`, `${P}left;2;true`]);
});

test('iris v11: a custom EvtMessagePrefix, on both', { skip: noGo }, async () => {
  const g = await startIris11Peer(['-prefix', 'my:']);
  const o = await startLegacyScenario({ messagePrefix: 'my:' });
  try {
    for (const url of [g.url, o.url]) {
      const p = await peer(`${url}?id=Z`);
      await p.waitFrames(1);
      p.send('my:string;0;custom');
      p.send(P + 'string;0;now native');
      await p.waitFrames(3);
      assert.deepEqual(p.texts(), ['my:welcome;0;Z', 'my:string;0;custom', `${P}string;0;now native`], url);
      p.close();
    }
  } finally {
    await Promise.all([g.stop(), o.close()]);
  }
});

test('iris v11: a Go client (x/net/websocket, as Iris v11’s custom-go-client example) gets the same bytes from both servers', { skip: noGo }, async () => {
  const frames = ['string;0;from go', 'int;1;42', 'bool;2;true', 'bytes;3;\x01\x02', 'any;4;{"k":[1,"v"]}', 'noarg;0;x', 'types;0;x', 'RAW:go native'];
  const [g, o] = await Promise.all([runIris11Client(`${go.url}?id=gc`, frames), runIris11Client(`${ours.url}?id=gc`, frames)]);
  assert.deepEqual(g.slice(0, 9), [
    `${P}welcome;0;gc`, `${P}string;0;from go`, `${P}int;1;`, `${P}int.text;0;42`, `${P}bool;2;true`, `${P}bytes;3;\x01\x02`,
    `${P}any;4;{"k":[1,"v"]}`, `${P}noarg;0;called`, `${P}t.string;0;hello`,
  ]);
  assert.equal(g.at(-1), 'go native');
  assert.deepEqual(differences({ go: g, ours: o }), [`${P}int;1; → ${P}int;1;42`, `${P}t.int;1; → ${P}t.int;1;42`, `${P}t.int64;4;7 → ${P}t.int64;1;7`]);
});

test('iris v11: our LegacyClient against the Go server — every payload type both ways, native messages, Go quirks surfaced', { skip: noGo }, async () => {
  const c = await dialLegacy(`${go.url}?id=node`);
  open.push(c);
  const welcome = c.once('welcome');
  assert.equal((await welcome).value, 'node');
  const echo = async (event: string, value: unknown, reply = event) => {
    const got = c.once(reply);
    c.emit(event, value);
    return got;
  };
  assert.equal((await echo('string', 'hé;llo')).value, 'hé;llo');
  assert.equal((await echo('string', 42)).value, '42', 'Go converts an int for a func(string) handler');
  const [i, itext] = [c.once('int'), c.once('int.text')];
  c.emit('int', 42);
  assert.equal((await i).value, undefined, 'Go writes its ints with no payload');
  assert.equal((await i).message.type, 1);
  assert.equal((await itext).value, '42');
  assert.equal((await echo('bool', true)).value, true);
  assert.equal((await echo('bool', false)).value, false);
  assert.deepEqual([...((await echo('bytes', Uint8Array.of(1, 2, 3))).value as Uint8Array)], [1, 2, 3]);
  assert.deepEqual((await echo('any', { b: [1, 'x', null], a: '<&>' })).value, { a: '<&>', b: [1, 'x', null] });
  assert.equal((await echo('any', 'text')).value, 'text');
  assert.equal((await echo('any', 1.5)).value, 1.5);

  const types: Record<string, unknown> = {};
  for (const t of ['t.string', 't.int', 't.true', 't.bytes', 't.map', 't.nil', 't.empty']) c.on(t, (v) => (types[t] = v));
  const last = c.once('t.empty');
  c.emit('types', 'x');
  await last;
  assert.deepEqual(types, { 't.string': 'hello', 't.int': undefined, 't.true': true, 't.bytes': Uint8Array.of(0x61, 0, 0x62), 't.map': { a: [true, null, 1.5], b: 1, s: 'x<é>&' }, 't.nil': null, 't.empty': '' });

  const native = new Promise<string | Uint8Array>((r) => c.onMessage(r));
  c.emitMessage('native from node');
  assert.equal(await native, 'native from node');

  assert.throws(() => c.emit('bad;event', 1), (e: unknown) => e instanceof LegacyError && e.code === 'ERR_LEGACY_BAD_EVENT');
  assert.throws(() => c.emit('string', () => 1), (e: unknown) => e instanceof LegacyError && e.code === 'ERR_LEGACY_UNSUPPORTED_VALUE');
  const closed = new Promise((r) => c.onDisconnect(r));
  c.emit('bye', 'now');
  assert.equal(((await closed) as { code: number }).code, 1006, 'Go closes TCP without a close frame');
  assert.equal(c.state, 'closed');
  assert.throws(() => c.emit('string', 'late'), (e: unknown) => e instanceof LegacyError && e.code === 'ERR_LEGACY_CLOSED');
});

test('iris v11: Go writes non-UTF-8 []byte in a text frame; our LegacyClient (like browsers) fails the connection', { skip: noGo }, async () => {
  const c = await dialLegacy(`${go.url}?id=utf8`);
  open.push(c);
  await c.once('welcome');
  const closed = new Promise<{ code: number }>((r) => c.onDisconnect(r));
  c.emit('bytes', Uint8Array.of(0xff, 0x00));
  // ws sends close 1007 and, Go sending no close frame back, reports 1006 locally.
  assert.equal((await closed).code, 1006);
  assert.equal(c.state, 'closed');
});
