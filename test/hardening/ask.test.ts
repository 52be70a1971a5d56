// server.ask({to: A}) is resolved only by A's reply; an ask whose signal is already aborted is not sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AbortError } from '../../server/index.js';
import { connectNs, loopback } from '../server/helpers.js';

test('server.ask to A: a guessed token from B does not resolve it; A does', async (t) => {
  const lb = await loopback({ default: {} });
  t.after(() => lb.stop());
  const a = await lb.client();
  const b = await lb.client();
  await connectNs(a, 'default');
  await connectNs(b, 'default');
  const p = lb.server.ask({ namespace: 'default', event: 'q' }, { to: a.id, timeout: 3000 });
  const frame = await a.next();
  const wait = frame.split(';')[0];
  assert.match(wait, /^\d+$/, 'a numeric decimal token, as Go peers echo');
  b.send(`${wait};default;;q;0;0;from-b`);
  b.send('$e;default;;_OnNamespaceConnect;0;0;');
  assert.equal(await b.next(), '$e;;;;;;', 'barrier: B\'s fake reply was read');
  a.send(`${wait};default;;q;0;0;from-a`);
  assert.equal((await p).body, 'from-a');
});

test('an ask whose signal is already aborted rejects at once and is not sent', async (t) => {
  const lb = await loopback({ default: {} });
  t.after(() => lb.stop());
  const a = await lb.client();
  await connectNs(a, 'default');
  const ns = lb.server.connection(a.id)!.namespace('default')!;
  const signal = AbortSignal.abort();
  await assert.rejects(ns.ask('q', '', { signal }), AbortError);
  await assert.rejects(lb.server.ask({ namespace: 'default', event: 'q' }, { to: a.id, signal }), AbortError);
  ns.emit('marker', 'm');
  assert.equal(await a.next(), ';default;;marker;0;0;m', 'nothing was sent before the marker');
});
